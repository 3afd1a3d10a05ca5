//! Every decoder on arbitrary bytes: none may panic, and whatever decodes must re-encode to the
//! same bytes (RSC: reserved flag bits are written as zero). The Polar PMD and Movesense decoders
//! (bought sensors) must not panic either, whatever their samples hold.
#![no_main]

use entrain_protocol::Packet;
use entrain_protocol::control::{Command, Response};
use entrain_protocol::imu::ImuPacket;
use entrain_protocol::rsc::RscMeasurement;
use entrain_protocol::status::Status;
use entrain_protocol::step::StepPacket;
use entrain_protocol::{movesense, polar};
use libfuzzer_sys::fuzz_target;

/// Polar PMD: requests, responses (and their settings), features, and a data frame's samples
/// read to the end under each plausible delta format.
fn polar(data: &[u8]) -> usize {
    let mut decoded = 0;
    decoded += usize::from(polar::control::Request::decode(data).is_ok());
    if let Ok(r) = polar::control::Response::decode(data) {
        decoded += 1;
        decoded += usize::from(r.settings().is_ok());
    }
    decoded += usize::from(polar::features::Features::decode(data).is_ok());
    if let Ok(frame) = polar::frame::DataFrame::decode(data) {
        for format in [
            None,
            Some(polar::settings::DeltaFormat {
                resolution_bits: 16,
                channels: 3,
            }),
            Some(polar::settings::DeltaFormat {
                resolution_bits: 22,
                channels: 3,
            }),
            Some(polar::settings::DeltaFormat {
                resolution_bits: 32,
                channels: 1,
            }),
        ] {
            if let Ok(samples) = frame.samples::<3>(format) {
                decoded += samples.take(4096).count();
            }
        }
    }
    decoded
}

/// Movesense: commands, notifications and the IMU payload of every measurement kind.
fn movesense(data: &[u8]) -> usize {
    let mut decoded = usize::from(movesense::Command::decode(data).is_ok());
    decoded += usize::from(movesense::Notification::decode(data).is_ok());
    decoded += usize::from(movesense::ResourcePath::decode(data).is_ok());
    for kind in [
        movesense::MeasKind::Acc,
        movesense::MeasKind::Gyro,
        movesense::MeasKind::Imu6,
        movesense::MeasKind::Imu9,
    ] {
        decoded += usize::from(movesense::ImuData::decode(kind, data).is_ok());
    }
    decoded
}

fuzz_target!(|data: &[u8]| {
    let mut out = [0u8; 512];
    if let Ok(p) = ImuPacket::decode(data) {
        let n = p.encode(&mut out).expect("a decoded IMU packet encodes");
        assert_eq!(&out[..n], data);
    }
    if let Ok(p) = StepPacket::decode(data) {
        let n = p.encode(&mut out).expect("a decoded step packet encodes");
        assert_eq!(&out[..n], data);
    }
    if let Ok(p) = Status::decode(data) {
        let n = p.encode(&mut out).expect("a decoded status encodes");
        assert_eq!(&out[..n], data);
    }
    if let Ok(p) = Command::decode(data) {
        let n = p.encode(&mut out).expect("a decoded command encodes");
        assert_eq!(&out[..n], data);
    }
    if let Ok(p) = Response::decode(data) {
        let n = p.encode(&mut out).expect("a decoded response encodes");
        assert_eq!(&out[..n], data);
    }
    if let Ok(m) = RscMeasurement::decode(data) {
        let n = m
            .encode(&mut out)
            .expect("a decoded RSC measurement encodes");
        assert_eq!(n, data.len());
        assert_eq!(out[0], data[0] & 0x07);
        assert_eq!(&out[1..n], &data[1..]);
    }
    let _ = Packet::decode(data);
    // What decoded is counted so the calls are not optimised away.
    std::hint::black_box(polar(data) + movesense(data));
});
