//! The host's processing of one sensor's notifications (decoding, loss accounting, clock mapping
//! with time-sync round trips, stale detection) on arbitrary sequences: never a panic, sample
//! times strictly increasing, and every undecodable packet counted.
#![no_main]

use entrain_ble::clock::ClockMapConfig;
use entrain_ble::stream::{Channel, SensorStream};
use entrain_gait::{Placement, Side};
use entrain_source::{SensorId, SensorKind, SourceEvent};
use libfuzzer_sys::fuzz_target;

const CHANNELS: [Channel; 9] = [
    Channel::Imu,
    Channel::Step,
    Channel::Status,
    Channel::Control,
    Channel::Rsc,
    Channel::Battery,
    Channel::MovesenseData,
    Channel::PolarControl,
    Channel::PolarData,
];

/// The kinds whose decoders the stream runs (the first byte picks one).
const KINDS: [SensorKind; 3] = [
    SensorKind::Entrain,
    SensorKind::Movesense,
    SensorKind::PolarVeritySense,
];

fuzz_target!(|data: &[u8]| {
    let Some((&kind, data)) = data.split_first() else {
        return;
    };
    let mut stream = SensorStream::new(
        SensorId("fuzz".into()),
        Placement::Foot(Side::Left),
        KINDS[usize::from(kind) % KINDS.len()],
        1_200_000_000,
        ClockMapConfig::default(),
    );
    let mut out = Vec::new();
    let mut arrival: i64 = 0;
    let mut rest = data;
    // Each record: selector byte, arrival step (ms), then either (selector names a channel) a
    // length byte and that many bytes of notification, or (one selector value past the
    // channels) a time-sync token written at that moment, as the BLE link does before a write.
    while rest.len() >= 3 {
        arrival += i64::from(rest[1]) * 1_000_000;
        let selector = usize::from(rest[0]) % (CHANNELS.len() + 1);
        let Some(&channel) = CHANNELS.get(selector) else {
            let host_time_us = u64::try_from(arrival / 1000).unwrap_or(0);
            stream.on_time_sync_sent(rest[2], host_time_us, arrival);
            rest = &rest[3..];
            continue;
        };
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
