//! The audio callback body never allocates (nor frees): checked with a counting global allocator
//! around many callbacks with commands in and telemetry out.
// The counting allocator needs `unsafe impl GlobalAlloc`; it only forwards to the system
// allocator and counts, and lives in this test binary only.
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, missing_docs)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use entrain_audio::{
    CallbackState, Command, CueStyle, Renderer, ScheduleChange, SoundId, Telemetry, Tempo,
};

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

fn note() {
    // try_with: the thread-locals may be gone while a thread shuts down.
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        }
    });
}

// SAFETY: forwards every call unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note();
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Counts the allocations `f` makes on this thread.
fn allocations_in(f: impl FnOnce()) -> u64 {
    COUNT.with(|c| c.set(0));
    COUNTING.with(|on| on.set(true));
    f();
    COUNTING.with(|on| on.set(false));
    COUNT.with(Cell::get)
}

#[test]
fn the_callback_never_allocates() {
    let (mut commands, command_rx) = rtrb::RingBuffer::new(256);
    let (telemetry_tx, mut telemetry) = rtrb::RingBuffer::new(64);
    let mut state = CallbackState::new(Renderer::new(48_000, 2), command_rx, telemetry_tx);
    let mut out_f32 = vec![0.0f32; 4096 * 2];
    let mut out_i16 = vec![0i16; 9000 * 2];
    let tempo = Tempo::from_bpm(180.0).unwrap();
    let mut received = 0usize;
    for round in 0..200u64 {
        // Commands of every kind, including ones the renderer refuses (pending list overflow).
        commands
            .push(Command::Start {
                at_frame: round * 4096,
                tempo,
            })
            .unwrap();
        for k in 0..20 {
            commands
                .push(Command::Change(ScheduleChange {
                    at_beat: round * 10 + k,
                    tempo: Some(tempo),
                    shift_frames: 3,
                }))
                .unwrap();
        }
        commands
            .push(Command::SetStyle(CueStyle {
                accent_every_beats: 2,
                pan: 0.5,
                left_sound: SoundId::Drum,
                ..CueStyle::default()
            }))
            .unwrap();
        commands.push(Command::SetVolume(2.0)).unwrap(); // refused: out of range
        let n = allocations_in(|| {
            let len = ((round as usize * 37) % 4096 + 1) * 2;
            state.process_f32(&mut out_f32[..len], round * 1_000, round * 1_000 + 500);
            state.process(&mut out_i16, round * 1_000, round * 1_000 + 500);
        });
        assert_eq!(n, 0, "round {round}: {n} allocations in the callback");
        // Drain only now and then, so the telemetry queue also overflows.
        if round % 3 == 0 {
            while telemetry.pop().is_ok() {
                received += 1;
            }
        }
    }
    assert!(received > 0);
    assert!(state.renderer().next_beat() > 0);
    // The overflow was reported.
    let mut saw_dropped = false;
    for _ in 0..2 {
        state.process_f32(&mut out_f32[..64], 0, 0);
        while let Ok(t) = telemetry.pop() {
            saw_dropped |= matches!(t, Telemetry::Dropped { .. });
        }
    }
    assert!(saw_dropped);
}

#[test]
fn the_counter_sees_allocations() {
    let n = allocations_in(|| drop(std::hint::black_box(vec![1u8; 10])));
    assert!(n >= 1);
}

/// The music player's callback neither: clicks, music from the ring, the schedule handed to the
/// worker, underruns (the ring left dry), overlay and volume changes, and tracks put on (their
/// downbeats taken, the old ones handed back to the worker) all run without allocating.
#[test]
fn the_music_callback_never_allocates() {
    use entrain_audio::{AudioCallback, MusicShared, MusicTrack, Overlay, music_parts};
    use std::sync::Arc;
    let rate = 48_000;
    let samples: Vec<f32> = (0..rate as usize * 4)
        .map(|i| (i as f32 * 0.05).sin() * 0.3)
        .collect();
    let track = MusicTrack {
        rate_hz: rate,
        channels: 1,
        samples: samples.into(),
        beats_secs: (0..6).map(|i| 0.1 + f64::from(i) * 0.6).collect(),
        downbeats_secs: vec![0.1, 2.5],
    };
    let (mut commands, command_rx) = rtrb::RingBuffer::new(256);
    let (telemetry_tx, mut telemetry) = rtrb::RingBuffer::new(4096);
    let state = CallbackState::new(Renderer::new(rate, 2), command_rx, telemetry_tx);
    let shared = Arc::new(MusicShared::new());
    let overlay = Overlay::MusicWithClick {
        click_level: 0.8,
        offbeat_level: 0.5,
    };
    let (mut callback, mut worker) =
        music_parts(&track, state, overlay, 0.7, 2_048, Arc::clone(&shared)).unwrap();
    commands
        .push(Command::Start {
            at_frame: 4_800,
            tempo: Tempo::from_bpm(110.0).unwrap(),
        })
        .unwrap();
    let mut out_f32 = vec![0.0f32; 512 * 2];
    let mut out_i16 = vec![0i16; 700 * 2];
    let mut put_on = 0;
    for round in 0..400u64 {
        if round % 50 == 7 {
            commands
                .push(Command::Change(ScheduleChange {
                    at_beat: round / 20 + 2,
                    tempo: Some(Tempo::from_bpm(100.0 + (round % 30) as f64).unwrap()),
                    shift_frames: 100,
                }))
                .unwrap();
        }
        // The control side changes the overlay and the music's volume now and then.
        if round % 25 == 3 {
            let o = if round % 50 == 3 {
                Overlay::ClickOnly
            } else {
                overlay
            };
            shared.set_overlay(o).unwrap();
            shared
                .set_music_volume(0.2 + (round % 7) as f32 / 10.0)
                .unwrap();
        }
        // The worker (which may allocate) puts another track on now and then.
        if round % 60 == 11 && worker.put_on(&track, 0).unwrap().is_some() {
            put_on += 1;
        }
        // The worker fills the ring, except now and then: an underrun.
        if round % 40 < 34 {
            worker.fill_ring();
        }
        let n = allocations_in(|| {
            callback.process_f32(&mut out_f32, round * 1_000, round * 1_000 + 500);
            if round % 5 == 0 {
                callback.process(&mut out_i16, round * 1_000, round * 1_000 + 500);
            }
        });
        assert_eq!(n, 0, "round {round}: {n} allocations in the music callback");
        while telemetry.pop().is_ok() {}
    }
    assert!(callback.inner().renderer().next_beat() > 10);
    assert!(shared.underruns() > 0, "the test never left the ring dry");
    assert!(put_on > 2, "tracks put on: {put_on}");
}
