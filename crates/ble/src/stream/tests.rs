//! The stream on packets built byte by byte: samples, gaps, malformed packets, RSC pods, on-board steps, time syncs, stale links.

use super::*;
use entrain_protocol::imu::{MAX_LEN, RawSample};

fn packet(seq: u16, first: u32, ts_us: u32, counts: i16) -> Vec<u8> {
    let mut samples = [RawSample::default(); 18];
    for (i, s) in samples.iter_mut().enumerate() {
        s.acc = [counts, 0, 2049];
        s.gyr = [i as i16, 0, 0];
    }
    let p = ImuPacket {
        seq,
        first_sample_index: first,
        timestamp_us: ts_us,
        scale: ImuScale {
            sample_rate_mhz: 100_000,
            acc_ug_per_lsb: 488,
            gyr_udps_per_lsb: 70_000,
        },
        flags: 0,
        count: 18,
        samples,
    };
    let mut out = [0u8; MAX_LEN];
    let n = p.encode(&mut out).unwrap();
    out[..n].to_vec()
}

fn stream() -> SensorStream {
    SensorStream::new(
        SensorId("test".into()),
        Placement::Foot(Side::Left),
        SensorKind::Entrain,
        1_200_000_000,
        ClockMapConfig::default(),
    )
}

#[test]
fn samples_gaps_and_malformed_packets() {
    let mut s = stream();
    let mut out = Vec::new();
    // 100 Hz, 18 samples = 180 ms per packet; arrival 20 ms after the last sample.
    for k in 0..5u32 {
        if k == 2 {
            continue; // lost
        }
        let ts = k * 180_000;
        let arrival = 1_000_000_000 + i64::from(ts) * 1000 + 170_000_000 + 20_000_000;
        s.on_notification(
            Channel::Imu,
            &packet(k as u16, k * 18, ts, 100),
            arrival,
            &mut out,
        );
    }
    s.on_notification(Channel::Imu, &[1, 1, 0], 2_000_000_000, &mut out);
    let samples: Vec<i64> = out
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Sample { sample, .. } => Some(sample.time_nanos),
            _ => None,
        })
        .collect();
    assert_eq!(samples.len(), 72);
    assert!(samples.windows(2).all(|w| w[1] > w[0]));
    // Mapped with the 20 ms latency of the quickest packet included.
    assert_eq!(samples[0], 1_020_000_000);
    let gaps: Vec<_> = out
        .iter()
        .filter(|e| matches!(e, SourceEvent::Gap { .. }))
        .collect();
    assert_eq!(gaps.len(), 1);
    let SourceEvent::Gap {
        lost_samples,
        from_nanos,
        to_nanos,
        ..
    } = gaps[0]
    else {
        unreachable!()
    };
    assert_eq!(*lost_samples, 18);
    assert_eq!(*from_nanos, 1_020_000_000 + 35 * 10_000_000);
    assert_eq!(*to_nanos, 1_020_000_000 + 54 * 10_000_000);
    let malformed: Vec<_> = out
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Malformed { detail, .. } => Some(detail.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(malformed.len(), 1);
    assert!(malformed[0].contains("sensor test"), "{}", malformed[0]);
    assert!(malformed[0].contains("IMU packet"), "{}", malformed[0]);
    let stats = s.stats();
    assert_eq!(
        (
            stats.packets,
            stats.malformed,
            stats.lost_packets,
            stats.lost_samples
        ),
        (4, 1, 1, 18)
    );
}

#[test]
fn rsc_cadence_and_stride_pods() {
    let m = RscMeasurement {
        flags: 0,
        speed_256ths_mps: 256,
        cadence_per_min: 52,
        stride_length_cm: None,
        total_distance_dm: None,
        running: false,
    };
    let mut bytes = [0u8; 10];
    let n = m.encode(&mut bytes).unwrap();
    for (strides, want) in [(false, 52.0), (true, 104.0)] {
        let mut s = SensorStream::new(
            SensorId("pod".into()),
            Placement::Foot(Side::Right),
            SensorKind::Rsc {
                cadence_is_strides: strides,
            },
            3_000_000_000,
            ClockMapConfig::default(),
        );
        let mut out = Vec::new();
        s.on_notification(Channel::Rsc, &bytes[..n], 5, &mut out);
        assert_eq!(
            out,
            vec![SourceEvent::Cadence {
                placement: Placement::Foot(Side::Right),
                cadence_spm: want,
                speed_mps: 1.0,
                at_nanos: 5
            }]
        );
    }
}

#[test]
fn onboard_step_events_on_the_session_clock() {
    use entrain_protocol::step::StepEvent;
    let mut s = stream();
    let mut out = Vec::new();
    // Before any IMU packet there is no clock: events cannot be placed and are dropped.
    let step = StepPacket::new(
        0,
        &[StepEvent {
            timestamp_us: 100_000,
            kind: StepKind::InitialContact,
            side: StepSide::Unknown,
            confidence: 90,
            latency_ms: 30,
        }],
    )
    .unwrap();
    let mut bytes = [0u8; entrain_protocol::step::MAX_LEN];
    let n = step.encode(&mut bytes).unwrap();
    s.on_notification(Channel::Step, &bytes[..n], 500_000_000, &mut out);
    assert!(out.is_empty());
    // The IMU packet's last sample (170 ms) arrived at 1.19 s: sensor 0 is at 1.02 s.
    s.on_notification(Channel::Imu, &packet(0, 0, 0, 1), 1_190_000_000, &mut out);
    out.clear();
    s.on_notification(Channel::Step, &bytes[..n], 1_200_000_000, &mut out);
    assert_eq!(
        out,
        vec![SourceEvent::OnboardEvent {
            placement: Placement::Foot(Side::Left),
            event: GaitEvent {
                kind: GaitEventKind::InitialContact,
                side: Some(Side::Left),
                event_time_nanos: 1_120_000_000,
                emitted_at_nanos: 1_200_000_000,
            },
        }]
    );
}

fn response(token: u8, result: ResultCode, sensor_time_us: u32, host_time_us: u64) -> Vec<u8> {
    let mut bytes = [0u8; entrain_protocol::control::RESPONSE_LEN];
    let n = Response {
        opcode: Operation::TimeSync { host_time_us: 0 }.opcode(),
        token,
        result,
        sensor_time_us,
        host_time_us,
    }
    .encode(&mut bytes)
    .unwrap();
    bytes[..n].to_vec()
}

fn sample_times(out: &[SourceEvent]) -> Vec<i64> {
    out.iter()
        .filter_map(|e| match e {
            SourceEvent::Sample { sample, .. } => Some(sample.time_nanos),
            _ => None,
        })
        .collect()
}

#[test]
fn time_syncs_take_the_link_latency_out_even_across_a_clock_wrap() {
    // Sensor time start + t µs happens at session 1 s + t; the clock wraps 100 ms in; every
    // packet and every response arrives 20 ms late, every command takes 20 ms to arrive.
    let start_us = u32::MAX - 99_999;
    let session = |t_us: i64| 1_000_000_000 + t_us * 1000;
    let mut s = stream();
    let mut out = Vec::new();
    // Answered before any IMU packet: waits for the first to be unwrapped.
    s.on_time_sync_sent(16, 980_000, session(-20_000));
    s.on_notification(
        Channel::Control,
        &response(16, ResultCode::Ok, start_us, 980_000),
        session(20_000),
        &mut out,
    );
    for k in 0..4u32 {
        let t_us = i64::from(k) * 180_000;
        s.on_notification(
            Channel::Imu,
            &packet(k as u16, k * 18, start_us.wrapping_add(k * 180_000), 1),
            session(t_us + 170_000 + 20_000),
            &mut out,
        );
        if k == 1 {
            // After the samples crossed the wrap, a response read just before it.
            s.on_time_sync_sent(17, 1_030_000, session(30_000));
            s.on_notification(
                Channel::Control,
                &response(17, ResultCode::Ok, start_us.wrapping_add(50_000), 1_030_000),
                session(50_000 + 25_000),
                &mut out,
            );
        }
    }
    let times = sample_times(&out);
    assert_eq!(times.len(), 72);
    for (i, t) in times.iter().enumerate() {
        assert_eq!(*t, session(i as i64 * 10_000), "sample {i}");
    }
    assert_eq!(s.stats().time_syncs, 2);
    assert_eq!(s.clock().latency().unwrap().latency_nanos, 20e6);
}

#[test]
fn sensors_without_time_sync_map_as_before() {
    let run = |answer: Option<ResultCode>| {
        let mut s = stream();
        let mut out = Vec::new();
        for k in 0..3u32 {
            s.on_time_sync_sent(16 + k as u8, u64::from(k), i64::from(k) * 180_000_000);
            if let Some(result) = answer {
                s.on_notification(
                    Channel::Control,
                    &response(16 + k as u8, result, k * 180_000, u64::from(k)),
                    1_000_000_000 + i64::from(k) * 180_000_000,
                    &mut out,
                );
            }
            s.on_notification(
                Channel::Imu,
                &packet(k as u16, k * 18, k * 180_000, 1),
                1_000_000_000 + i64::from(k) * 180_000_000 + 190_000_000,
                &mut out,
            );
        }
        // A response nobody asked for (a token from an earlier connection) is ignored.
        s.rearm(2_000_000_000);
        s.on_notification(
            Channel::Control,
            &response(18, ResultCode::Ok, 0, 2),
            2_000_000_000,
            &mut out,
        );
        assert_eq!(s.stats().malformed, 0);
        assert!(s.clock().latency().is_none());
        sample_times(&out)
    };
    let plain = run(None);
    assert_eq!(plain[0], 1_020_000_000);
    assert_eq!(run(Some(ResultCode::UnsupportedOpcode)), plain);
}

#[test]
fn stale_then_recovered() {
    let mut s = stream();
    let mut out = Vec::new();
    s.arm(0);
    s.on_notification(Channel::Imu, &packet(0, 0, 0, 1), 200_000_000, &mut out);
    out.clear();
    assert!(!s.check_stale(1_300_000_000, &mut out));
    assert!(s.check_stale(1_500_000_000, &mut out));
    assert!(matches!(
        &out[0],
        SourceEvent::Link { state: LinkState::Lost { reason }, .. } if reason.contains("no packets")
    ));
    out.clear();
    s.on_notification(
        Channel::Imu,
        &packet(1, 18, 180_000, 1),
        1_600_000_000,
        &mut out,
    );
    assert!(matches!(
        &out[0],
        SourceEvent::Link {
            state: LinkState::Connected,
            ..
        }
    ));
}
