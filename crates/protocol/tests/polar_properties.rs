//! Property tests of the Polar PMD codec: no decoder panics on any input; requests, responses and
//! settings round-trip; delta frames written by an independent encoder (below) decode to the
//! samples they were made of; any truncation of a frame yields a prefix of its samples and then a
//! `Truncated` error naming the field and an offset inside what is present.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use entrain_protocol::DecodeError;
use entrain_protocol::polar::control::{Request, Response, Status};
use entrain_protocol::polar::features::Features;
use entrain_protocol::polar::frame::DataFrame;
use entrain_protocol::polar::settings::{
    DeltaFormat, MAX_SETTINGS, Setting, SettingSet, SettingsList,
};
use entrain_protocol::polar::time::sample_time_nanos;
use entrain_protocol::polar::{MeasurementType, RecordingType};
use proptest::prelude::*;

/// Writes bits least significant first, the order the decoder reads.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    bits: usize,
}

impl BitWriter {
    fn push(&mut self, value: i32, width: u32) {
        for k in 0..width {
            if self.bits.is_multiple_of(8) {
                self.bytes.push(0);
            }
            let bit = ((value as u32) >> k) & 1;
            *self.bytes.last_mut().unwrap() |= (bit as u8) << (self.bits % 8);
            self.bits += 1;
        }
    }
}

/// Bits a signed value needs (0 for 0).
fn signed_width(v: i32) -> u32 {
    if v == 0 {
        return 0;
    }
    let magnitude = if v < 0 { !v } else { v };
    33 - magnitude.leading_zeros()
}

/// A frame made by the test's encoders, with where each sample is complete and where a frame may
/// validly end.
struct Encoded {
    bytes: Vec<u8>,
    /// `sample_ends[i]`: the length from which sample `i` is wholly present.
    sample_ends: Vec<usize>,
    /// Lengths at which the frame ends cleanly (before a block header, or at its end).
    boundaries: Vec<usize>,
}

/// An ACC delta frame of 16-bit samples, cut into blocks of the given sizes (cycled), each block
/// as narrow as its deltas allow.
fn delta_frame(time_nanos: u64, samples: &[[i32; 3]], block_sizes: &[usize]) -> Encoded {
    let mut out = vec![0x02];
    out.extend_from_slice(&time_nanos.to_le_bytes());
    out.push(0x80);
    for v in samples[0] {
        out.extend_from_slice(&(v as i16).to_le_bytes());
    }
    let mut sample_ends = vec![out.len()];
    let mut boundaries = vec![out.len()];
    let mut i = 1;
    let mut sizes = block_sizes.iter().cycle();
    while i < samples.len() {
        let n = (*sizes.next().unwrap()).min(samples.len() - i);
        let deltas: Vec<[i32; 3]> = (i..i + n)
            .map(|j| [0, 1, 2].map(|c| samples[j][c] - samples[j - 1][c]))
            .collect();
        let width = deltas
            .iter()
            .flatten()
            .map(|&d| signed_width(d))
            .max()
            .unwrap();
        out.push(width as u8);
        out.push(n as u8);
        let data_start = out.len();
        let mut w = BitWriter::default();
        for d in &deltas {
            for v in d {
                w.push(*v, width);
            }
            sample_ends.push(data_start + w.bits.div_ceil(8));
        }
        out.extend_from_slice(&w.bytes);
        boundaries.push(out.len());
        i += n;
    }
    Encoded {
        bytes: out,
        sample_ends,
        boundaries,
    }
}

/// An uncompressed 16-bit ACC frame (frame type 1).
fn raw_frame(samples: &[[i16; 3]]) -> Encoded {
    let mut bytes = vec![0x02, 1, 2, 3, 4, 5, 6, 7, 8, 0x01];
    let mut sample_ends = Vec::new();
    let mut boundaries = vec![bytes.len()];
    for s in samples {
        for v in s {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        sample_ends.push(bytes.len());
        boundaries.push(bytes.len());
    }
    Encoded {
        bytes,
        sample_ends,
        boundaries,
    }
}

fn format16x3() -> Option<DeltaFormat> {
    Some(DeltaFormat {
        resolution_bits: 16,
        channels: 3,
    })
}

fn samples_strategy() -> impl Strategy<Value = Vec<[i32; 3]>> {
    // Mostly small steps (as a signal), sometimes large ones, all in i16.
    (
        any::<[i16; 3]>(),
        prop::collection::vec(
            prop_oneof![
                4 => prop::array::uniform3(-40i32..40),
                1 => prop::array::uniform3(-3000i32..3000),
                1 => Just([0, 0, 0]),
            ],
            0..300,
        ),
    )
        .prop_map(|(first, steps)| {
            let mut s = [0, 1, 2].map(|c| i32::from(first[c]));
            let mut out = vec![s];
            for step in steps {
                s = [0, 1, 2].map(|c| (s[c] + step[c]).clamp(-32768, 32767));
                out.push(s);
            }
            out
        })
}

/// Checks `encoded` cut to `cut` bytes: exactly the samples wholly present, in order, then one
/// `Truncated` error inside the bytes present, unless the cut is where the frame may end.
fn check_cut(encoded: &Encoded, full: &[[i32; 3]], cut: usize, format: Option<DeltaFormat>) {
    let bytes = &encoded.bytes[..cut];
    let frame = match DataFrame::decode(bytes) {
        Ok(frame) => frame,
        Err(e) => {
            assert!(cut < 10);
            assert_truncated_within(e, cut);
            return;
        }
    };
    let mut ok = Vec::new();
    let mut errors = 0;
    for sample in frame.samples::<3>(format).unwrap() {
        match sample {
            Ok(s) => {
                assert_eq!(errors, 0, "a sample after an error");
                ok.push(s);
            }
            Err(e) => {
                assert_truncated_within(e, cut);
                errors += 1;
            }
        }
    }
    let present = encoded
        .sample_ends
        .iter()
        .filter(|&&end| end <= cut)
        .count();
    assert_eq!(ok, full[..present], "cut at {cut}");
    let clean = encoded.boundaries.contains(&cut);
    assert_eq!(errors, usize::from(!clean), "cut at {cut}");
}

fn assert_truncated_within(e: DecodeError, cut: usize) {
    match e {
        DecodeError::Truncated {
            field,
            offset,
            needed,
            len,
            ..
        } => {
            assert!(!field.is_empty());
            assert_eq!(len, cut);
            assert!(offset <= cut && needed > cut, "{e}");
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
}

fn measurement() -> impl Strategy<Value = MeasurementType> {
    (0u8..64).prop_map(MeasurementType::from_number)
}

fn recording() -> impl Strategy<Value = RecordingType> {
    prop_oneof![Just(RecordingType::Online), Just(RecordingType::Offline)]
}

fn setting() -> impl Strategy<Value = Setting> {
    prop_oneof![
        any::<u16>().prop_map(Setting::SampleRateHz),
        any::<u16>().prop_map(Setting::ResolutionBits),
        any::<u16>().prop_map(Setting::Range),
        any::<u8>().prop_map(Setting::Channels),
        prop::num::f32::NORMAL.prop_map(Setting::Factor),
    ]
}

fn setting_set() -> impl Strategy<Value = SettingSet> {
    prop::collection::vec(setting(), 0..=MAX_SETTINGS + 2).prop_map(|settings| {
        settings
            .into_iter()
            .fold(SettingSet::new(), |set, s| set.with(s))
    })
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        (measurement(), recording()).prop_map(|(measurement, recording)| Request::GetSettings {
            measurement,
            recording
        }),
        measurement().prop_map(|measurement| Request::GetSdkModeSettings { measurement }),
        (measurement(), recording(), setting_set()).prop_map(
            |(measurement, recording, settings)| Request::Start {
                measurement,
                recording,
                settings
            }
        ),
        measurement().prop_map(|measurement| Request::Stop { measurement }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn no_decoder_panics(bytes in prop::collection::vec(any::<u8>(), 0..300),
                         resolution_bits in 0u16..40, channels in 0u8..6) {
        let format = Some(DeltaFormat { resolution_bits, channels });
        if let Ok(frame) = DataFrame::decode(&bytes) {
            for s in frame.samples::<3>(format).into_iter().flatten() { let _ = s; }
            for s in frame.samples::<1>(format).into_iter().flatten() { let _ = s; }
            for s in frame.samples::<4>(format).into_iter().flatten() { let _ = s; }
            let _ = frame.sample_count::<3>(None);
        }
        if let Ok(r) = Response::decode(&bytes)
            && let Ok(list) = r.settings()
        {
            for e in list.entries() { let _ = e.values().count(); }
        }
        if let Ok(list) = SettingsList::decode(&bytes, 0) {
            let _ = SettingSet::from_list(&list, 0);
        }
        let _ = Request::decode(&bytes);
        if let Ok(f) = Features::decode(&bytes) { let _ = f.supported().count(); }
    }

    /// The same, on bytes that look like a compressed frame, so decoding reaches the blocks.
    #[test]
    fn no_panic_in_delta_blocks(body in prop::collection::vec(any::<u8>(), 0..240),
                                measurement in 0u8..16) {
        let mut bytes = vec![measurement, 0, 0, 0, 0, 0, 0, 0, 0, 0x80];
        bytes.extend_from_slice(&body);
        let frame = DataFrame::decode(&bytes).unwrap();
        let n = frame.samples::<3>(format16x3()).unwrap().count();
        prop_assert!(n <= 1 + (body.len() / 2) * 255);
    }

    #[test]
    fn delta_frames_round_trip(samples in samples_strategy(),
                               blocks in prop::collection::vec(1usize..=255, 1..5),
                               time in any::<u64>()) {
        let encoded = delta_frame(time, &samples, &blocks);
        let frame = DataFrame::decode(&encoded.bytes).unwrap();
        prop_assert_eq!(frame.time_nanos, time);
        let decoded: Vec<[i32; 3]> =
            frame.samples::<3>(format16x3()).unwrap().map(Result::unwrap).collect();
        prop_assert_eq!(&decoded, &samples);
        prop_assert_eq!(frame.sample_count::<3>(format16x3()).unwrap(), samples.len());
    }

    #[test]
    fn truncated_delta_frames_name_the_cut(samples in samples_strategy(),
                                           blocks in prop::collection::vec(1usize..=255, 1..5),
                                           cut in any::<prop::sample::Index>()) {
        let encoded = delta_frame(0, &samples, &blocks);
        let cut = cut.index(encoded.bytes.len() + 1);
        check_cut(&encoded, &samples, cut, format16x3());
    }

    #[test]
    fn raw_frames_round_trip_and_truncate(samples in prop::collection::vec(any::<[i16; 3]>(), 0..38),
                                          cut in any::<prop::sample::Index>()) {
        let encoded = raw_frame(&samples);
        let wide: Vec<[i32; 3]> = samples.iter().map(|s| s.map(i32::from)).collect();
        let frame = DataFrame::decode(&encoded.bytes).unwrap();
        let decoded: Vec<[i32; 3]> = frame.samples::<3>(None).unwrap().map(Result::unwrap).collect();
        prop_assert_eq!(&decoded, &wide);
        let cut = cut.index(encoded.bytes.len() + 1);
        check_cut(&encoded, &wide, cut, None);
    }

    #[test]
    fn requests_round_trip(request in request()) {
        let mut out = [0u8; 64];
        let n = request.encode(&mut out).unwrap();
        prop_assert_eq!(n, request.encoded_len());
        prop_assert_eq!(Request::decode(&out[..n]).unwrap(), request);
        // Every proper prefix is refused.
        for cut in 0..n {
            let refused = Request::decode(&out[..cut]).is_err();
            // A start request cut at a setting boundary is a shorter valid request.
            let start = matches!(request, Request::Start { .. });
            prop_assert!(refused || (start && cut >= 2));
        }
    }

    #[test]
    fn responses_round_trip(bytes in prop::collection::vec(any::<u8>(), 5..40),
                            measurement in measurement(), recording in recording(),
                            status in any::<u8>(), more in any::<bool>()) {
        let r = Response {
            op_code: bytes[0],
            measurement,
            recording,
            status: Status::from_byte(status),
            more_frames: more,
            parameters: &bytes[5..],
        };
        let mut out = [0u8; 64];
        let n = r.encode(&mut out).unwrap();
        let back = Response::decode(&out[..n]).unwrap();
        prop_assert_eq!(back, r);
        // And whatever decodes re-encodes to its bytes.
        if let Ok(d) = Response::decode(&bytes) {
            let n = d.encode(&mut out).unwrap();
            prop_assert_eq!(&out[..n], &bytes[..]);
        }
    }

    #[test]
    fn setting_sets_round_trip(set in setting_set()) {
        let mut out = [0u8; 64];
        let n = set.encode(&mut out).unwrap();
        let list = SettingsList::decode(&out[..n], 0).unwrap();
        prop_assert_eq!(SettingSet::from_list(&list, 0).unwrap(), set);
        for cut in 0..n {
            let shorter = SettingsList::decode(&out[..cut], 0);
            if let Err(e) = shorter { assert_truncated_within(e, cut); }
        }
    }

    #[test]
    fn sample_times_end_at_the_frame_time_one_period_apart(count in 1usize..500,
                                                           rate in 1u16..2000,
                                                           time in 1_000_000_000_000u64..u64::MAX) {
        let times: Vec<u64> =
            (0..count).map(|i| sample_time_nanos(time, i, count, rate).unwrap()).collect();
        prop_assert_eq!(*times.last().unwrap(), time);
        let period = 1e9 / f64::from(rate);
        for pair in times.windows(2) {
            let step = (pair[1] - pair[0]) as f64;
            prop_assert!((step - period).abs() <= 1.0, "{} vs {}", step, period);
        }
    }
}
