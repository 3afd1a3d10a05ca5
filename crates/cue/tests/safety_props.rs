//! Property tests: whatever the steps and commands, no beat is outside the limits or jumps.

#![allow(clippy::unwrap_used)]

use entrain_cue::{Beat, ClinicianCommand, ProtocolConfig, RasSession, StepEvent};
use entrain_gait::Side;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Input {
    Step { after_ms: i64, left: bool },
    Wait { ms: i64 },
    Nudge { delta_spm: f64 },
    Skip,
    Pause,
    Resume,
    Played { offset_ms: i64 },
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        8 => (50i64..1500, any::<bool>()).prop_map(|(after_ms, left)| Input::Step { after_ms, left }),
        2 => (10i64..5000).prop_map(|ms| Input::Wait { ms }),
        1 => (-40.0f64..40.0).prop_map(|delta_spm| Input::Nudge { delta_spm }),
        1 => Just(Input::Skip),
        1 => Just(Input::Pause),
        1 => Just(Input::Resume),
        2 => (-80i64..80).prop_map(|offset_ms| Input::Played { offset_ms }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn tempo_stays_within_limits_and_never_jumps(
        inputs in proptest::collection::vec(input(), 1..400),
        ceiling in proptest::option::of(70.0f64..120.0),
        alpha in 0.0f64..1.0,
        mode in 0u8..4,
    ) {
        let mut config = ProtocolConfig::default();
        config.baseline = entrain_cue::config::UncuedLength::Steps(10);
        config.safety.ceiling_spm = ceiling;
        config.adaptation = match mode {
            0 => entrain_cue::AdaptationMode::Fixed,
            1 => entrain_cue::AdaptationMode::PhaseCorrection { alpha },
            2 => entrain_cue::AdaptationMode::PhasePeriodCorrection { alpha, beta: alpha / 2.0, max_period_deviation_percent: 10.0 },
            _ => entrain_cue::AdaptationMode::CoupledOscillator { coupling_k: alpha, frequency_adaptation: 0.2, max_target_deviation_percent: 5.0, max_frequency_deviation_percent: 20.0 },
        };
        let mut session = RasSession::new(config.clone(), 0).unwrap();
        let mut now = 0i64;
        let mut beats: Vec<Beat> = Vec::new();
        for inp in inputs {
            match inp {
                Input::Step { after_ms, left } => {
                    now += after_ms * 1_000_000;
                    session.advance_to(now, &mut beats);
                    session.on_step(StepEvent { time_nanos: now, side: if left { Side::Left } else { Side::Right } });
                }
                Input::Wait { ms } => {
                    // Advance in ticks so beats are committed as time passes.
                    let end = now + ms * 1_000_000;
                    while now < end {
                        now = (now + 10_000_000).min(end);
                        session.advance_to(now, &mut beats);
                    }
                }
                Input::Nudge { delta_spm } => session.command(now, ClinicianCommand::NudgeTempo { delta_spm }),
                Input::Skip => session.command(now, ClinicianCommand::SkipPhase),
                Input::Pause => session.command(now, ClinicianCommand::Pause),
                Input::Resume => session.command(now, ClinicianCommand::Resume),
                Input::Played { offset_ms } => {
                    if let Some(b) = beats.last() {
                        session.on_beat_played(b.time_nanos + offset_ms * 1_000_000);
                    }
                }
            }
        }
        let Some(limits) = session.limits() else { return Ok(()); };
        let eps = 1e-6;
        if let Some(c) = ceiling {
            prop_assert!(limits.ceiling_spm <= c + eps);
        }
        for b in &beats {
            prop_assert!(b.tempo_spm <= limits.ceiling_spm + eps, "beat {} above ceiling {}", b.tempo_spm, limits.ceiling_spm);
            prop_assert!(b.tempo_spm >= limits.floor_spm - eps, "beat {} below floor {}", b.tempo_spm, limits.floor_spm);
        }
        for w in beats.windows(2) {
            prop_assert!(w[1].time_nanos > w[0].time_nanos, "beats out of order");
            let change = (w[1].tempo_spm - w[0].tempo_spm).abs();
            prop_assert!(change <= limits.max_change_per_beat_spm + eps, "jump {} → {}", w[0].tempo_spm, w[1].tempo_spm);
        }
    }
}
