//! Property tests: no decoder panics on any byte string, and whatever decodes re-encodes to the
//! same bytes (the formats have one encoding per value). The coverage-guided fuzzing of the same
//! decoders is in `fuzz/` (cargo-fuzz).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use entrain_protocol::control::{Command, Response};
use entrain_protocol::imu::ImuPacket;
use entrain_protocol::rsc::RscMeasurement;
use entrain_protocol::status::Status;
use entrain_protocol::step::StepPacket;
use entrain_protocol::{Packet, PacketKind};
use proptest::prelude::*;

fn reencodes(bytes: &[u8]) {
    let mut out = [0u8; 512];
    if let Ok(p) = ImuPacket::decode(bytes) {
        let n = p.encode(&mut out).unwrap();
        assert_eq!(&out[..n], bytes);
    }
    if let Ok(p) = StepPacket::decode(bytes) {
        let n = p.encode(&mut out).unwrap();
        assert_eq!(&out[..n], bytes);
    }
    if let Ok(p) = Status::decode(bytes) {
        let n = p.encode(&mut out).unwrap();
        assert_eq!(&out[..n], bytes);
    }
    if let Ok(p) = Command::decode(bytes) {
        let n = p.encode(&mut out).unwrap();
        assert_eq!(&out[..n], bytes);
    }
    if let Ok(p) = Response::decode(bytes) {
        let n = p.encode(&mut out).unwrap();
        assert_eq!(&out[..n], bytes);
    }
    if let Ok(m) = RscMeasurement::decode(bytes) {
        let n = m.encode(&mut out).unwrap();
        assert_eq!(n, bytes.len());
        assert_eq!(&out[1..n], &bytes[1..]);
    }
    // Any answer will do: what is tested is that decoding never panics.
    match Packet::decode(bytes) {
        Ok(_packet) => {}
        Err(_refused) => {}
    }
}

/// Bytes that start like a real packet (version 1, a known kind), so the fuzzing reaches past
/// the header.
fn packet_like() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(vec![
            PacketKind::Imu as u8,
            PacketKind::Step as u8,
            PacketKind::Status as u8,
            PacketKind::Command as u8,
            PacketKind::Response as u8,
        ]),
        prop::collection::vec(any::<u8>(), 0..260),
    )
        .prop_map(|(kind, rest)| {
            let mut v = vec![1, kind];
            v.extend(rest);
            v
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        reencodes(&bytes);
    }

    #[test]
    fn packet_like_bytes_never_panic(bytes in packet_like()) {
        reencodes(&bytes);
    }

    #[test]
    fn imu_round_trip(seq: u16, first: u32, ts: u32, rate in 1u32.., acc in 1u16.., gyr in 1u32..,
                      samples in prop::collection::vec(any::<[i16; 6]>(), 1..=18)) {
        let mut raw = [entrain_protocol::imu::RawSample::default(); 18];
        for (d, s) in raw.iter_mut().zip(&samples) {
            d.acc = [s[0], s[1], s[2]];
            d.gyr = [s[3], s[4], s[5]];
        }
        let packet = ImuPacket {
            seq,
            first_sample_index: first,
            timestamp_us: ts,
            scale: entrain_protocol::imu::ImuScale {
                sample_rate_mhz: rate,
                acc_ug_per_lsb: acc,
                gyr_udps_per_lsb: gyr,
            },
            flags: 0,
            count: samples.len() as u8,
            samples: raw,
        };
        let mut out = [0u8; entrain_protocol::imu::MAX_LEN];
        let n = packet.encode(&mut out).unwrap();
        prop_assert_eq!(ImuPacket::decode(&out[..n]).unwrap(), packet);
    }
}
