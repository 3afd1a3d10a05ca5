//! Every decoder on arbitrary bytes: none may panic, and whatever decodes must re-encode to the
//! same bytes (RSC: reserved flag bits are written as zero).
#![no_main]

use entrain_protocol::Packet;
use entrain_protocol::control::{Command, Response};
use entrain_protocol::imu::ImuPacket;
use entrain_protocol::rsc::RscMeasurement;
use entrain_protocol::status::Status;
use entrain_protocol::step::StepPacket;
use libfuzzer_sys::fuzz_target;

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
});
