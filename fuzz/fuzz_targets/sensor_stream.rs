//! The host's processing of one sensor's notifications (decoding, loss accounting, clock mapping,
//! stale detection) on arbitrary sequences: never a panic, sample times strictly increasing, and
//! every undecodable packet counted.
#![no_main]

use entrain_gait::{Placement, Side};
use entrain_sensors::ble::clock::ClockMapConfig;
use entrain_sensors::ble::stream::{Channel, SensorKind, SensorStream};
use entrain_sensors::source::{SensorId, SourceEvent};
use libfuzzer_sys::fuzz_target;

const CHANNELS: [Channel; 6] = [
    Channel::Imu,
    Channel::Step,
    Channel::Status,
    Channel::Control,
    Channel::Rsc,
    Channel::Battery,
];

fuzz_target!(|data: &[u8]| {
    let mut stream = SensorStream::new(
        SensorId("fuzz".into()),
        Placement::Foot(Side::Left),
        SensorKind::Entrain,
        1_200_000_000,
        ClockMapConfig::default(),
    );
    let mut out = Vec::new();
    let mut arrival: i64 = 0;
    let mut rest = data;
    // Each record: channel byte, arrival step (ms), length byte, then that many bytes.
    while rest.len() >= 3 {
        let channel = CHANNELS[usize::from(rest[0]) % CHANNELS.len()];
        arrival += i64::from(rest[1]) * 1_000_000;
        let len = usize::from(rest[2]).min(rest.len() - 3);
        let bytes = &rest[3..3 + len];
        rest = &rest[3 + len..];
        stream.on_notification(channel, bytes, arrival, &mut out);
        stream.check_stale(arrival, &mut out);
    }
    let mut last = i64::MIN;
    let mut malformed = 0;
    for e in &out {
        match e {
            SourceEvent::Sample { sample, .. } => {
                assert!(sample.time_nanos > last, "sample times must increase");
                last = sample.time_nanos;
            }
            SourceEvent::Malformed { .. } => malformed += 1,
            _ => {}
        }
    }
    assert_eq!(malformed, stream.stats().malformed);
});
