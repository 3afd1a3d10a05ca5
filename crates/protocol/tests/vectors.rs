//! Every codec against the shared test vectors in `data/protocol/vectors.json` (written by an
//! independent Python encoder): valid vectors decode to the listed fields and re-encode to the same
//! bytes; invalid ones are rejected with the listed error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use entrain_protocol::control::{Command, Operation, Response, ResultCode};
use entrain_protocol::imu::ImuPacket;
use entrain_protocol::rsc::RscMeasurement;
use entrain_protocol::status::Status;
use entrain_protocol::step::{StepKind, StepPacket, StepSide};
use entrain_protocol::{DecodeError, PROTOCOL_VERSION, Packet, SensorPlacement};
use serde_json::Value;

fn vectors() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/protocol/vectors.json");
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn u(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("field {key} in {v}"))
}

fn check_imu(bytes: &[u8], f: &Value) {
    let p = ImuPacket::decode(bytes).unwrap();
    assert_eq!(u64::from(p.seq), u(f, "seq"));
    assert_eq!(u64::from(p.first_sample_index), u(f, "first_sample_index"));
    assert_eq!(u64::from(p.timestamp_us), u(f, "timestamp_us"));
    assert_eq!(u64::from(p.scale.sample_rate_mhz), u(f, "sample_rate_mhz"));
    assert_eq!(u64::from(p.scale.acc_ug_per_lsb), u(f, "acc_ug_per_lsb"));
    assert_eq!(
        u64::from(p.scale.gyr_udps_per_lsb),
        u(f, "gyr_udps_per_lsb")
    );
    assert_eq!(u64::from(p.flags), u(f, "flags"));
    let want: Vec<Vec<i64>> = f["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_i64().unwrap())
                .collect()
        })
        .collect();
    let got: Vec<Vec<i64>> = p
        .samples()
        .iter()
        .map(|s| s.acc.iter().chain(&s.gyr).map(|&x| i64::from(x)).collect())
        .collect();
    assert_eq!(got, want);
    let mut out = [0u8; entrain_protocol::imu::MAX_LEN];
    let n = p.encode(&mut out).unwrap();
    assert_eq!(&out[..n], bytes);
}

fn check_step(bytes: &[u8], f: &Value) {
    let p = StepPacket::decode(bytes).unwrap();
    assert_eq!(u64::from(p.seq), u(f, "seq"));
    let want = f["events"].as_array().unwrap();
    assert_eq!(p.events().len(), want.len());
    for (e, w) in p.events().iter().zip(want) {
        assert_eq!(u64::from(e.timestamp_us), u(w, "timestamp_us"));
        let kind = match e.kind {
            StepKind::InitialContact => "initial_contact",
            StepKind::ToeOff => "toe_off",
        };
        assert_eq!(kind, w["kind"]);
        let side = match e.side {
            StepSide::Unknown => "unknown",
            StepSide::Left => "left",
            StepSide::Right => "right",
        };
        assert_eq!(side, w["side"]);
        assert_eq!(u64::from(e.confidence), u(w, "confidence"));
        assert_eq!(u64::from(e.latency_ms), u(w, "latency_ms"));
    }
    let mut out = [0u8; entrain_protocol::step::MAX_LEN];
    let n = p.encode(&mut out).unwrap();
    assert_eq!(&out[..n], bytes);
}

fn check_status(bytes: &[u8], f: &Value) {
    let s = Status::decode(bytes).unwrap();
    assert_eq!(
        s.battery_percent.map(u64::from),
        f["battery_percent"].as_u64()
    );
    let placement = match s.placement {
        SensorPlacement::Unassigned => "unassigned",
        SensorPlacement::LeftFoot => "left_foot",
        SensorPlacement::RightFoot => "right_foot",
        SensorPlacement::LowerBack => "lower_back",
    };
    assert_eq!(placement, f["placement"]);
    assert_eq!(u64::from(s.scale.sample_rate_mhz), u(f, "sample_rate_mhz"));
    assert_eq!(u64::from(s.scale.acc_ug_per_lsb), u(f, "acc_ug_per_lsb"));
    assert_eq!(
        u64::from(s.scale.gyr_udps_per_lsb),
        u(f, "gyr_udps_per_lsb")
    );
    let fw = f["firmware"].as_array().unwrap();
    assert_eq!(u64::from(s.firmware.major), fw[0].as_u64().unwrap());
    assert_eq!(u64::from(s.firmware.minor), fw[1].as_u64().unwrap());
    assert_eq!(u64::from(s.firmware.patch), fw[2].as_u64().unwrap());
    assert_eq!(u64::from(s.flags), u(f, "flags"));
    let mut out = [0u8; entrain_protocol::status::LEN];
    let n = s.encode(&mut out).unwrap();
    assert_eq!(&out[..n], bytes);
}

fn check_command(bytes: &[u8], f: &Value) {
    let c = Command::decode(bytes).unwrap();
    assert_eq!(u64::from(c.token), u(f, "token"));
    let (op, value) = match c.operation {
        Operation::Start => ("start", None),
        Operation::Stop => ("stop", None),
        Operation::SetRate { sample_rate_mhz } => ("set_rate", Some(u64::from(sample_rate_mhz))),
        Operation::TimeSync { host_time_us } => ("time_sync", Some(host_time_us)),
        Operation::SetPlacement(p) => ("set_placement", Some(p as u64)),
        Operation::SetStepDetection(on) => ("set_step_detection", Some(u64::from(on))),
    };
    assert_eq!(op, f["op"]);
    assert_eq!(value, f["value"].as_u64());
    let mut out = [0u8; entrain_protocol::control::MAX_COMMAND_LEN];
    let n = c.encode(&mut out).unwrap();
    assert_eq!(&out[..n], bytes);
}

fn check_response(bytes: &[u8], f: &Value) {
    let r = Response::decode(bytes).unwrap();
    assert_eq!(u64::from(r.opcode), u(f, "opcode"));
    assert_eq!(u64::from(r.token), u(f, "token"));
    let result = match r.result {
        ResultCode::Ok => "ok",
        ResultCode::UnsupportedOpcode => "unsupported_opcode",
        ResultCode::InvalidParameter => "invalid_parameter",
        ResultCode::Busy => "busy",
        ResultCode::Failed => "failed",
    };
    assert_eq!(result, f["result"]);
    assert_eq!(u64::from(r.sensor_time_us), u(f, "sensor_time_us"));
    assert_eq!(r.host_time_us, u(f, "host_time_us"));
    let mut out = [0u8; entrain_protocol::control::RESPONSE_LEN];
    let n = r.encode(&mut out).unwrap();
    assert_eq!(&out[..n], bytes);
}

fn check_rsc(bytes: &[u8], f: &Value) {
    let m = RscMeasurement::decode(bytes).unwrap();
    assert_eq!(u64::from(m.flags), u(f, "flags"));
    assert_eq!(u64::from(m.speed_256ths_mps), u(f, "speed_256ths_mps"));
    assert_eq!(u64::from(m.cadence_per_min), u(f, "cadence_per_min"));
    assert_eq!(
        m.stride_length_cm.map(u64::from),
        f["stride_length_cm"].as_u64()
    );
    assert_eq!(
        m.total_distance_dm.map(u64::from),
        f["total_distance_dm"].as_u64()
    );
    assert_eq!(m.running, f["running"].as_bool().unwrap());
    assert!((m.speed_mps() - f64::from(m.speed_256ths_mps) / 256.0).abs() < 1e-12);
    assert_eq!(m.cadence_spm(), f64::from(m.cadence_per_min));
    // Re-encoding writes reserved flag bits as zero; everything else is byte-exact.
    let mut out = [0u8; entrain_protocol::rsc::MAX_LEN];
    let n = m.encode(&mut out).unwrap();
    assert_eq!(out[0], bytes[0] & 0x07);
    assert_eq!(&out[1..n], &bytes[1..]);
}

#[test]
fn valid_vectors_decode_to_their_fields_and_reencode_exactly() {
    let v = vectors();
    assert_eq!(
        v["protocol_version"].as_u64(),
        Some(u64::from(PROTOCOL_VERSION))
    );
    let valid = v["valid"].as_array().unwrap();
    assert!(valid.len() >= 15, "too few vectors: {}", valid.len());
    for vector in valid {
        let name = vector["name"].as_str().unwrap();
        let bytes = hex(vector["hex"].as_str().unwrap());
        let f = &vector["fields"];
        match vector["kind"].as_str().unwrap() {
            "imu" => check_imu(&bytes, f),
            "step" => check_step(&bytes, f),
            "status" => check_status(&bytes, f),
            "command" => check_command(&bytes, f),
            "response" => check_response(&bytes, f),
            "rsc" => check_rsc(&bytes, f),
            other => panic!("{name}: unknown kind {other}"),
        }
        if vector["kind"] != "rsc" {
            Packet::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

fn decode_kind(kind: &str, bytes: &[u8]) -> Result<(), DecodeError> {
    match kind {
        "imu" => ImuPacket::decode(bytes).map(drop),
        "step" => StepPacket::decode(bytes).map(drop),
        "status" => Status::decode(bytes).map(drop),
        "command" => Command::decode(bytes).map(drop),
        "response" => Response::decode(bytes).map(drop),
        "rsc" => RscMeasurement::decode(bytes).map(drop),
        "any" => Packet::decode(bytes).map(drop),
        other => panic!("unknown kind {other}"),
    }
}

#[test]
fn invalid_vectors_are_rejected_with_the_named_error() {
    let v = vectors();
    let invalid = v["invalid"].as_array().unwrap();
    assert!(invalid.len() >= 20);
    for vector in invalid {
        let name = vector["name"].as_str().unwrap();
        let bytes = hex(vector["hex"].as_str().unwrap());
        let err = decode_kind(vector["kind"].as_str().unwrap(), &bytes)
            .expect_err(&format!("{name} must be rejected"));
        let variant = match err {
            DecodeError::TooShort { .. } => "TooShort",
            DecodeError::LengthMismatch { .. } => "LengthMismatch",
            DecodeError::UnsupportedVersion { .. } => "UnsupportedVersion",
            DecodeError::UnknownKind { .. } => "UnknownKind",
            DecodeError::WrongKind { .. } => "WrongKind",
            DecodeError::InvalidField { .. } => "InvalidField",
            DecodeError::Truncated { .. } => "Truncated",
        };
        assert_eq!(variant, vector["error"], "{name}: {err}");
        if let (Some(field), DecodeError::InvalidField { field: got, .. }) =
            (vector["field"].as_str(), err)
        {
            assert_eq!(got, field, "{name}");
        }
        // The message names what is wrong.
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn scale_converts_counts_and_sample_times() {
    let scale = entrain_protocol::imu::ImuScale {
        sample_rate_mhz: 204_800,
        acc_ug_per_lsb: 488,
        gyr_udps_per_lsb: 70_000,
    };
    // 1 g = 2049 counts at 488 µg/LSB.
    assert!((scale.acc_mps2(2049) - 9.8055).abs() < 1e-3);
    assert!((scale.gyr_dps(1000) - 70.0).abs() < 1e-4);
    assert_eq!(scale.acc_counts(9.80665), 2049);
    assert_eq!(scale.gyr_counts(-70.0), -1000);
    assert_eq!(scale.gyr_counts(1e9), i16::MAX);
    // 2048 samples at 204.8 Hz are exactly 10 s.
    assert_eq!(scale.sample_offset_nanos(2048), 10_000_000_000);
    assert_eq!(scale.sample_offset_nanos(1), 4_882_812);
}

#[test]
fn uuids_are_the_documented_strings() {
    use entrain_protocol::uuid;
    let s = format!("{:032x}", uuid::SERVICE);
    assert_eq!(s, "5e1f00012c4b4a8e9d57e17a11c0ffee");
    assert_eq!(
        format!("{:032x}", uuid::RSC_MEASUREMENT),
        "00002a5300001000800000805f9b34fb"
    );
    assert_eq!(uuid::to_bytes(uuid::SERVICE)[0], 0x5e);
}

#[test]
fn encoders_refuse_what_the_format_cannot_carry() {
    use entrain_protocol::EncodeError;
    let mut small = [0u8; 10];
    let packet = ImuPacket::decode(&hex(
        "01010700e803000040e20100a0860100f400701101000100640038ff0010ffff0000ff7f",
    ))
    .unwrap();
    assert!(matches!(
        packet.encode(&mut small),
        Err(EncodeError::BufferTooSmall { needed: 36, .. })
    ));
    let mut zero = packet.clone();
    zero.count = 0;
    assert!(zero.encode(&mut [0u8; 300]).is_err());
    assert!(StepPacket::new(0, &[]).is_err());
}
