//! The drivers without a radio: recognition, start dialogues, and notifications built byte by
//! byte with the protocol crate's encoders (Polar's delta frames by a packer written here from
//! the format's description) decoded into samples, through the shared stream.

use super::*;
use crate::clock::ClockMapConfig;
use crate::stream::SensorStream;
use entrain_gait::Side;
use entrain_protocol::movesense::gatt::MAX_NOTIFICATION_LEN;
use entrain_protocol::movesense::notification::split_data;
use entrain_protocol::movesense::{self as ms, ImuData, MeasKind};
use entrain_protocol::polar::control::{Request, Response, Status};
use entrain_protocol::polar::gatt as pmd;
use entrain_protocol::polar::settings::SettingSet;
use entrain_protocol::polar::units::STANDARD_GRAVITY_MPS2;
use entrain_protocol::polar::{MeasurementType, RecordingType};
use entrain_source::{SensorId, SourceEvent};

fn ad<'a>(name: Option<&'a str>, services: &'a [u128], ids: &'a [u16]) -> Advertisement<'a> {
    Advertisement {
        name,
        services,
        manufacturer_ids: ids,
    }
}

#[test]
fn each_kind_is_recognised_from_its_advertisement() {
    assert_eq!(
        recognise(&ad(Some("Entrain-L"), &[uuid::SERVICE], &[])),
        Some(SensorKind::Entrain)
    );
    assert_eq!(
        recognise(&ad(None, &[uuid::RSC_SERVICE], &[])),
        Some(SensorKind::Rsc {
            cadence_is_strides: false
        })
    );
    assert_eq!(
        recognise(&ad(Some("Movesense 204730000081"), &[], &[0x009f])),
        Some(SensorKind::Movesense)
    );
    assert_eq!(
        recognise(&ad(Some("Polar Sense 0A3BA92B"), &[], &[])),
        Some(SensorKind::PolarVeritySense)
    );
    // No name in the advertisement, but the PMD service under Polar's company id.
    assert_eq!(
        recognise(&ad(None, &[pmd::PMD_SERVICE], &[pmd::POLAR_COMPANY_ID])),
        Some(SensorKind::PolarVeritySense)
    );
    // The PMD service alone, or Polar's id alone (a Polar watch), is not enough.
    assert_eq!(recognise(&ad(None, &[pmd::PMD_SERVICE], &[])), None);
    assert_eq!(
        recognise(&ad(Some("Polar H10 1234ABCD"), &[], &[0x006b])),
        None
    );
    assert_eq!(recognise(&ad(Some("Headphones"), &[0x1234], &[])), None);
    for kind in [
        SensorKind::Entrain,
        SensorKind::Movesense,
        SensorKind::PolarVeritySense,
    ] {
        assert!(
            subscriptions(kind)
                .iter()
                .all(|s| channel_of(s.uuid).is_some())
        );
    }
}

#[test]
fn indices_follow_the_timestamps_without_accumulating_a_rate_error() {
    let mut idx = IndexFromTime::new();
    let period = period_nanos(208);
    // The device's true period is 0.3 % longer than nominal: 8 samples per batch.
    let true_period = period as f64 * 1.003;
    let mut first = Vec::new();
    for k in 0..200 {
        let t = (k as f64 * 8.0 * true_period) as i64;
        if k == 100 {
            continue; // a lost batch
        }
        first.push(idx.index(t, 8, period));
    }
    assert_eq!(&first[..3], &[0, 8, 16]);
    assert_eq!(first[99], 99 * 8);
    assert_eq!(
        first[100],
        101 * 8,
        "the lost batch's 8 samples are counted"
    );
    assert_eq!(*first.last().unwrap(), 199 * 8);
    // A copy of the batch before keeps its earlier index and does not move the count back.
    let t = (198.0 * 8.0 * true_period) as i64;
    assert_eq!(idx.index(t, 8, period), 198 * 8);
    let t = (200.0 * 8.0 * true_period) as i64;
    assert_eq!(idx.index(t, 8, period), 200 * 8);
}

#[test]
fn entrain_and_movesense_setups_write_their_start_commands() {
    let mut setup = Setup::new(SensorKind::Entrain, Placement::Foot(Side::Right), 208);
    let writes = setup.begin().unwrap();
    assert_eq!(writes.len(), 2);
    assert!(writes.iter().all(|w| w.uuid == uuid::CONTROL));
    // Version 1, command, then op code 0x03 (placement) and 0x01 (start) with tokens 1 and 2.
    assert_eq!(&writes[1].bytes[..4], &[1, 0x10, 0x01, 2]);
    assert!(setup.is_done());

    let mut setup = Setup::new(SensorKind::Movesense, Placement::Foot(Side::Left), 208);
    let writes = setup.begin().unwrap();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].uuid, ms::gatt::COMMAND);
    let mut want = vec![1, movesense::REFERENCE];
    want.extend_from_slice(b"/Meas/IMU6/208");
    assert_eq!(writes[0].bytes, want);
    assert!(setup.is_done());
    let refused = Setup::new(SensorKind::Movesense, Placement::LowerBack, 200)
        .begin()
        .unwrap_err();
    assert!(
        refused.0.contains("200") && refused.0.contains("208"),
        "{refused}"
    );
}

/// Movesense IMU6 data as the app sends it: one or two notifications.
fn movesense_notifications(timestamp_ms: u32, samples: &[([f32; 3], [f32; 3])]) -> Vec<Vec<u8>> {
    let mut data = ImuData::new(MeasKind::Imu6, timestamp_ms);
    for (acc, gyr) in samples {
        data.push(*acc, *gyr, [0.0; 3]).unwrap();
    }
    let mut payload = [0u8; ms::notification::MAX_DATA_LEN];
    let n = data.encode(&mut payload).unwrap();
    let mut first = [0u8; MAX_NOTIFICATION_LEN];
    let mut second = [0u8; MAX_NOTIFICATION_LEN];
    let lens = split_data(movesense::REFERENCE, &payload[..n], &mut first, &mut second).unwrap();
    let mut out = vec![first[..lens.first].to_vec()];
    if lens.second > 0 {
        out.push(second[..lens.second].to_vec());
    }
    out
}

fn walk_sample(i: usize) -> ([f32; 3], [f32; 3]) {
    let x = i as f32;
    ([x * 0.5, -9.81, 1.0 + x], [x, -x * 2.0, 300.0])
}

fn stream(kind: SensorKind, rate_hz: u16) -> SensorStream {
    SensorStream::new(
        SensorId("C0:FF:EE:00:00:01".into()),
        Placement::Foot(Side::Left),
        kind,
        1_200_000_000,
        ClockMapConfig::default(),
    )
    .with_rate_hz(rate_hz)
}

fn samples(out: &[SourceEvent]) -> Vec<entrain_gait::ImuSample> {
    out.iter()
        .filter_map(|e| match e {
            SourceEvent::Sample { sample, .. } => Some(*sample),
            _ => None,
        })
        .collect()
}

fn gaps(out: &[SourceEvent]) -> Vec<u64> {
    out.iter()
        .filter_map(|e| match e {
            SourceEvent::Gap { lost_samples, .. } => Some(*lost_samples),
            _ => None,
        })
        .collect()
}

#[test]
fn movesense_data_split_in_two_becomes_samples_and_a_lost_notification_a_gap() {
    let mut s = stream(SensorKind::Movesense, 208);
    let mut out = Vec::new();
    let period_ms = 1000.0 / 208.0;
    // 10 notifications of 8 samples (196 bytes: DATA of 150 + DATA_PART2 of 46); the 4th lost.
    for k in 0..10usize {
        let ts_ms = 5_000 + (k as f64 * 8.0 * period_ms).round() as u32;
        let batch: Vec<_> = (k * 8..k * 8 + 8).map(walk_sample).collect();
        let parts = movesense_notifications(ts_ms, &batch);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].len(), 152);
        if k == 3 {
            continue;
        }
        let arrival = 2_000_000_000 + i64::from(ts_ms) * 1_000_000 + 45_000_000;
        for part in parts {
            s.on_notification(Channel::MovesenseData, &part, arrival, &mut out);
        }
    }
    let got = samples(&out);
    assert_eq!(got.len(), 72);
    let want: Vec<_> = (0..80)
        .filter(|i| !(24..32).contains(i))
        .map(walk_sample)
        .collect();
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(
            (g.acc_mps2, g.gyr_dps),
            *w,
            "values are m/s² and deg/s as sent"
        );
    }
    assert_eq!(gaps(&out), vec![8]);
    assert_eq!(s.stats().lost_samples, 8);
    assert_eq!(s.stats().malformed, 0);
    // Session times step by the period (to the ms the timestamps are rounded to), and across
    // the gap by 9 periods.
    let steps: Vec<i64> = got
        .windows(2)
        .map(|w| w[1].time_nanos - w[0].time_nanos)
        .collect();
    let period = period_nanos(208);
    assert!(steps.iter().all(|&d| d > 0 && (d - period).abs() < 1_100_000
        || (d - 9 * period).abs() < 1_100_000), "{steps:?}");
    // A second part whose first was lost is reported, not decoded.
    let parts = movesense_notifications(9_000, &(0..8).map(walk_sample).collect::<Vec<_>>());
    out.clear();
    s.on_notification(Channel::MovesenseData, &parts[1], 10_000_000_000, &mut out);
    assert_eq!(s.stats().malformed, 1);
    assert!(matches!(&out[0], SourceEvent::Malformed { detail, .. } if detail.contains("part 2")));
}

// ---------------------------------------------------------------------------------------------
// Polar

fn answer(op_code: u8, measurement: MeasurementType, status: Status, params: &[u8]) -> Vec<u8> {
    let r = Response {
        op_code,
        measurement,
        recording: RecordingType::Online,
        status,
        more_frames: false,
        parameters: params,
    };
    let mut out = vec![0u8; r.encoded_len()];
    r.encode(&mut out).unwrap();
    out
}

/// A settings answer's list: each kind with all its values.
fn offered(rates: &[u16], ranges: &[u16]) -> Vec<u8> {
    let mut out = vec![0, rates.len() as u8];
    for r in rates {
        out.extend_from_slice(&r.to_le_bytes());
    }
    out.extend_from_slice(&[1, 1, 16, 0, 2, ranges.len() as u8]);
    for r in ranges {
        out.extend_from_slice(&r.to_le_bytes());
    }
    out.extend_from_slice(&[4, 1, 3]);
    out
}

fn factor(f: f32) -> Vec<u8> {
    let mut out = vec![5, 1];
    out.extend_from_slice(&f.to_le_bytes());
    out
}

fn encoded(r: Request) -> Vec<u8> {
    let mut out = vec![0u8; r.encoded_len()];
    r.encode(&mut out).unwrap();
    out
}

const ACC_FACTOR: f32 = 0.000_244_140_63; // 8 g / 32768
const GYRO_FACTOR: f32 = 0.061_035_156; // 2000 deg/s / 32768

/// The whole Verity Sense dialogue at 208 Hz: not offered outside SDK mode, so SDK mode first.
/// Returns the answers in order, for the decoder.
fn polar_dialogue(setup: &mut Setup) -> Vec<Vec<u8>> {
    use MeasurementType::{Acc, Gyro, SdkMode};
    let mut answers = Vec::new();
    let mut step = |setup: &mut Setup, a: Vec<u8>| {
        let w = setup.on_notification(Channel::PolarControl, &a).unwrap();
        answers.push(a);
        w
    };
    let w = setup.begin().unwrap();
    assert_eq!(w[0].uuid, pmd::PMD_CONTROL_POINT);
    assert_eq!(w[0].bytes, vec![0x01, 0x02]);
    let normal = offered(&[52], &[8]);
    let w = step(setup, answer(1, Acc, Status::Success, &normal));
    assert_eq!(w[0].bytes, encoded(Request::start_sdk_mode()));
    // An unrelated answer (a stale one) changes nothing.
    assert!(step(setup, answer(1, Gyro, Status::Success, &normal)).is_empty());
    let w = step(setup, answer(2, SdkMode, Status::Success, &[]));
    assert_eq!(w[0].bytes, vec![0x04, 0x02]);
    let sdk = offered(&[26, 52, 104, 208, 416], &[2, 4, 8, 16]);
    let w = step(setup, answer(1, Acc, Status::Success, &sdk));
    assert_eq!(w[0].bytes, vec![0x04, 0x05]);
    let sdk_gyro = offered(&[26, 52, 104, 208, 416], &[250, 500, 1000, 2000]);
    let w = step(setup, answer(1, Gyro, Status::Success, &sdk_gyro));
    assert_eq!(
        w[0].bytes,
        encoded(Request::Start {
            measurement: Acc,
            recording: RecordingType::Online,
            settings: SettingSet::imu(208, 16, 16, 3),
        }),
        "the chosen rate, 16 bits, the widest range, 3 channels"
    );
    let w = step(setup, answer(2, Acc, Status::Success, &factor(ACC_FACTOR)));
    assert_eq!(
        w[0].bytes,
        encoded(Request::Start {
            measurement: Gyro,
            recording: RecordingType::Online,
            settings: SettingSet::imu(208, 16, 2000, 3),
        })
    );
    assert!(!setup.is_done());
    let w = step(
        setup,
        answer(2, Gyro, Status::Success, &factor(GYRO_FACTOR)),
    );
    assert!(w.is_empty() && setup.is_done());
    answers
}

#[test]
fn polar_setup_enters_sdk_mode_for_a_rate_only_it_offers_and_names_a_refusal() {
    let mut setup = Setup::new(SensorKind::PolarVeritySense, Placement::LowerBack, 208);
    polar_dialogue(&mut setup);
    // 52 Hz needs no SDK mode: settings, settings, start, start.
    let mut setup = Setup::new(SensorKind::PolarVeritySense, Placement::LowerBack, 52);
    setup.begin().unwrap();
    let list = offered(&[52], &[8]);
    let w = setup
        .on_notification(
            Channel::PolarControl,
            &answer(1, MeasurementType::Acc, Status::Success, &list),
        )
        .unwrap();
    assert_eq!(w[0].bytes, vec![0x01, 0x05]);
    // A rate not offered even in SDK mode, and a refused start, end the setup with the reason.
    let mut setup = Setup::new(SensorKind::PolarVeritySense, Placement::LowerBack, 100);
    setup.begin().unwrap();
    let acc = MeasurementType::Acc;
    setup
        .on_notification(
            Channel::PolarControl,
            &answer(1, acc, Status::Success, &list),
        )
        .unwrap();
    setup
        .on_notification(
            Channel::PolarControl,
            &answer(2, MeasurementType::SdkMode, Status::Success, &[]),
        )
        .unwrap();
    let e = setup
        .on_notification(
            Channel::PolarControl,
            &answer(
                1,
                acc,
                Status::Success,
                &offered(&[26, 52, 104, 208, 416], &[8]),
            ),
        )
        .unwrap_err();
    assert!(e.0.contains("100 Hz") && e.0.contains("416"), "{e}");
    let mut setup = Setup::new(SensorKind::PolarVeritySense, Placement::LowerBack, 52);
    setup.begin().unwrap();
    for a in [
        answer(1, acc, Status::Success, &list),
        answer(1, MeasurementType::Gyro, Status::Success, &list),
    ] {
        setup.on_notification(Channel::PolarControl, &a).unwrap();
    }
    let e = setup
        .on_notification(
            Channel::PolarControl,
            &answer(2, acc, Status::InvalidMtu, &[]),
        )
        .unwrap_err();
    assert!(e.0.contains("InvalidMtu"), "{e}");
}

/// A delta-compressed frame: the reference sample in 16 bits, then blocks of up to 8 samples,
/// each with the narrowest signed width that holds its deltas, packed least significant bit
/// first (online_measurement.pdf §4.3; the packing as `docs/sensors/polar-pmd.md` item 2).
fn delta_frame(
    measurement: MeasurementType,
    last_time_nanos: u64,
    samples: &[[i32; 3]],
) -> Vec<u8> {
    let mut out = vec![measurement.number()];
    out.extend_from_slice(&last_time_nanos.to_le_bytes());
    out.push(0x80);
    for v in samples[0] {
        out.extend_from_slice(&(v as i16).to_le_bytes());
    }
    let deltas: Vec<[i32; 3]> = samples
        .windows(2)
        .map(|w| [0, 1, 2].map(|c| w[1][c] - w[0][c]))
        .collect();
    for block in deltas.chunks(8) {
        let width = block
            .iter()
            .flatten()
            .map(|&d| {
                (1..=32)
                    .find(|&w| d >= -(1i64 << (w - 1)) as i32 && i64::from(d) < (1i64 << (w - 1)))
                    .unwrap_or(32)
            })
            .max()
            .unwrap_or(1);
        out.extend_from_slice(&[width as u8, block.len() as u8]);
        let mut bits: Vec<bool> = Vec::new();
        for d in block.iter().flatten() {
            for b in 0..width {
                bits.push((d >> b) & 1 == 1);
            }
        }
        for byte in bits.chunks(8) {
            out.push(
                byte.iter()
                    .enumerate()
                    .map(|(i, &b)| u8::from(b) << i)
                    .sum(),
            );
        }
    }
    out
}

/// A raw gyro frame (type 0: three i16 per sample).
fn raw_gyro_frame(last_time_nanos: u64, samples: &[[i32; 3]]) -> Vec<u8> {
    let mut out = vec![MeasurementType::Gyro.number()];
    out.extend_from_slice(&last_time_nanos.to_le_bytes());
    out.push(0);
    for s in samples {
        for v in s {
            out.extend_from_slice(&(*v as i16).to_le_bytes());
        }
    }
    out
}

#[test]
fn polar_frames_of_both_streams_pair_into_samples_in_si_units() {
    let mut setup = Setup::new(SensorKind::PolarVeritySense, Placement::LowerBack, 208);
    let answers = polar_dialogue(&mut setup);
    let mut s = stream(SensorKind::PolarVeritySense, 208);
    let mut out = Vec::new();
    for a in &answers {
        s.on_notification(Channel::PolarControl, a, 1_000_000_000, &mut out);
    }
    assert!(out.is_empty(), "{out:?}");
    let n = 60;
    let acc: Vec<[i32; 3]> = (0..n)
        .map(|i| [i * 37 - 900, 4096 - i * i, -(i * 5)])
        .collect();
    let gyr: Vec<[i32; 3]> = (0..n).map(|i| [i * 300, -i * 7, 3 - i]).collect();
    // Sample i taken at device time t0 + i / 208 s; a frame is stamped with its last sample.
    let t0: u64 = 820_000_000_000_000_000;
    let at = |i: usize| t0 + (i as u64 * 1_000_000_000 + 104) / 208;
    let arrival = |i: usize| 2_000_000_000 + (at(i) - t0) as i64 + 30_000_000;
    // ACC in delta frames of 25, 20 and 15; gyro in raw frames of 18; the 2nd ACC frame lost.
    let mut frames: Vec<(usize, Vec<u8>)> = Vec::new();
    for (from, to) in [(0, 25), (25, 45), (45, 60)] {
        if from != 25 {
            frames.push((
                to - 1,
                delta_frame(MeasurementType::Acc, at(to - 1), &acc[from..to]),
            ));
        }
    }
    for from in (0..n as usize).step_by(18) {
        let to = (from + 18).min(n as usize);
        frames.push((to - 1, raw_gyro_frame(at(to - 1), &gyr[from..to])));
    }
    frames.sort_by_key(|f| f.0);
    for (last, f) in &frames {
        s.on_notification(Channel::PolarData, f, arrival(*last), &mut out);
    }
    let got = samples(&out);
    let kept: Vec<usize> = (0..n as usize).filter(|i| !(25..45).contains(i)).collect();
    assert_eq!(got.len(), kept.len(), "{out:?}");
    for (g, &i) in got.iter().zip(&kept) {
        let want_acc =
            acc[i].map(|c| (f64::from(c) * f64::from(ACC_FACTOR) * STANDARD_GRAVITY_MPS2) as f32);
        let want_gyr = gyr[i].map(|c| (f64::from(c) * f64::from(GYRO_FACTOR)) as f32);
        assert_eq!(g.acc_mps2, want_acc, "sample {i}");
        assert_eq!(g.gyr_dps, want_gyr, "sample {i}");
    }
    assert_eq!(gaps(&out), vec![20]);
    assert_eq!(s.stats().lost_samples, 20);
    assert_eq!(s.stats().malformed, 0);
    // The session times keep the device's spacing.
    let d = got[1].time_nanos - got[0].time_nanos;
    assert!((d - period_nanos(208)).abs() < 1000, "{d}");
    // Frames before a start answer, or of another measurement, are reported.
    let mut fresh = stream(SensorKind::PolarVeritySense, 208);
    out.clear();
    fresh.on_notification(Channel::PolarData, &frames[0].1, 5, &mut out);
    assert!(
        matches!(&out[0], SourceEvent::Malformed { detail, .. } if detail.contains("before its start"))
    );
}
