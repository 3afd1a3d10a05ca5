//! The core produces the shared protocol test vectors (`data/protocol/vectors.json`, written by an
//! independent Python encoder) byte for byte, and what it produces decodes with the host's
//! `entrain-protocol` to the same samples:
//! - every IMU vector is rebuilt by the packetizer from its samples and timestamps;
//! - every status vector by the control point's status;
//! - every command vector is accepted by the control point, and the time-sync response vector is
//!   what it answers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers

use entrain_fw_core::control::{Context, ControlPoint, LSM6DSOX_RATES_MHZ};
use entrain_fw_core::packetizer::{Packetizer, TimedSample};
use entrain_protocol::SensorPlacement;
use entrain_protocol::control::{Command, Response, ResultCode};
use entrain_protocol::imu::{self, ImuPacket, ImuScale, RawSample};
use entrain_protocol::status::{FirmwareVersion, Status};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/protocol/vectors.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn u(v: &Value, k: &str) -> u64 {
    v[k].as_u64().unwrap_or_else(|| panic!("field {k} in {v}"))
}

fn valid(kind: &str) -> Vec<Value> {
    let all = vectors();
    let list: Vec<Value> = all["valid"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["kind"] == kind)
        .cloned()
        .collect();
    assert!(!list.is_empty(), "no {kind} vectors");
    list
}

#[test]
fn packetizer_reproduces_every_imu_vector() {
    for v in valid("imu") {
        let name = v["name"].as_str().unwrap();
        let f = &v["fields"];
        let expected = hex(v["hex"].as_str().unwrap());
        let scale = ImuScale {
            sample_rate_mhz: u(f, "sample_rate_mhz") as u32,
            acc_ug_per_lsb: u(f, "acc_ug_per_lsb") as u16,
            gyr_udps_per_lsb: u(f, "gyr_udps_per_lsb") as u32,
        };
        let samples: Vec<RawSample> = f["samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let c: Vec<i16> = s
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_i64().unwrap() as i16)
                    .collect();
                RawSample {
                    acc: [c[0], c[1], c[2]],
                    gyr: [c[3], c[4], c[5]],
                }
            })
            .collect();
        // An IMU whose timestamp counts microseconds, so every vector's timestamp is reachable.
        let mut p = Packetizer::new(scale, 1_000, samples.len())
            .unwrap()
            .starting_at(u(f, "seq") as u16, u(f, "first_sample_index"));
        if u(f, "flags") & u64::from(imu::FLAG_SENSOR_OVERRUN) != 0 {
            p.note_overrun();
        }
        let t0 = u(f, "timestamp_us") as u32;
        let mut out = Vec::new();
        for (i, s) in samples.iter().enumerate() {
            let offset_us = scale.sample_offset_nanos(i as u64) / 1000;
            let ticks = t0.wrapping_add(offset_us as u32);
            p.push(TimedSample { ticks, sample: *s }, |pkt| {
                out.push(pkt.clone())
            });
        }
        assert_eq!(out.len(), 1, "{name}: one packet");
        let mut buf = [0u8; imu::MAX_LEN];
        let n = out[0].encode(&mut buf).unwrap();
        assert_eq!(&buf[..n], &expected[..], "{name}: bytes");
        let decoded = ImuPacket::decode(&buf[..n]).unwrap();
        assert_eq!(decoded.samples(), &samples[..], "{name}: samples");
        assert_eq!(decoded.timestamp_us, t0, "{name}: timestamp");
    }
}

#[test]
fn control_point_status_matches_every_status_vector() {
    for v in valid("status") {
        let name = v["name"].as_str().unwrap();
        let f = &v["fields"];
        let placement = match f["placement"].as_str().unwrap() {
            "unassigned" => SensorPlacement::Unassigned,
            "left_foot" => SensorPlacement::LeftFoot,
            "right_foot" => SensorPlacement::RightFoot,
            "lower_back" => SensorPlacement::LowerBack,
            other => panic!("{name}: placement {other}"),
        };
        let flags = u(f, "flags") as u8;
        // A sensor whose IMU runs at exactly the vector's rate.
        let rate = u(f, "sample_rate_mhz") as u32;
        let rates: &'static [u32] = Box::leak(vec![rate].into_boxed_slice());
        let mut cp = ControlPoint::new(rates, rate, placement, true);
        let ctx = Context {
            sensor_time_us: 0,
            can_stream: true,
        };
        // Bring the control point into the state the flags describe, through commands.
        let mut send = |op| {
            let mut b = [0u8; 12];
            let n = Command {
                token: 0,
                operation: op,
            }
            .encode(&mut b)
            .unwrap();
            let (resp, _) = cp.handle(&b[..n], ctx);
            assert_eq!(Response::decode(&resp).unwrap().result, ResultCode::Ok);
        };
        use entrain_protocol::control::Operation;
        use entrain_protocol::status::{FLAG_STEP_DETECTION, FLAG_STREAMING, FLAG_TIME_SYNCED};
        if flags & FLAG_STREAMING != 0 {
            send(Operation::Start);
        }
        if flags & FLAG_TIME_SYNCED != 0 {
            send(Operation::TimeSync { host_time_us: 1 });
        }
        send(Operation::SetStepDetection(
            flags & FLAG_STEP_DETECTION != 0,
        ));
        let fw: Vec<u64> = f["firmware"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect();
        let firmware = FirmwareVersion {
            major: fw[0] as u8,
            minor: fw[1] as u8,
            patch: fw[2] as u16,
        };
        let battery = f["battery_percent"].as_u64().map(|b| b as u8);
        let status = cp.status(
            battery,
            u(f, "acc_ug_per_lsb") as u16,
            u(f, "gyr_udps_per_lsb") as u32,
            firmware,
        );
        let mut buf = [0u8; 32];
        let n = status.encode(&mut buf).unwrap();
        assert_eq!(
            &buf[..n],
            &hex(v["hex"].as_str().unwrap())[..],
            "{name}: bytes"
        );
        assert_eq!(Status::decode(&buf[..n]).unwrap(), status, "{name}");
    }
}

#[test]
fn control_point_accepts_every_command_vector_and_answers_time_sync_as_the_vector() {
    for v in valid("command") {
        let name = v["name"].as_str().unwrap();
        let bytes = hex(v["hex"].as_str().unwrap());
        let mut cp =
            ControlPoint::new(LSM6DSOX_RATES_MHZ, 104_000, SensorPlacement::LeftFoot, true);
        let ctx = Context {
            sensor_time_us: 99,
            can_stream: true,
        };
        let (resp, _) = cp.handle(&bytes, ctx);
        let r = Response::decode(&resp).unwrap();
        assert_eq!(r.result, ResultCode::Ok, "{name}");
        assert_eq!(r.token, u(&v["fields"], "token") as u8, "{name}");
        assert_eq!(r.opcode, bytes[2], "{name}");
    }
    for v in valid("response") {
        let f = &v["fields"];
        if f["result"] != "ok" || u(f, "opcode") != 0x04 {
            continue;
        }
        let mut cp =
            ControlPoint::new(LSM6DSOX_RATES_MHZ, 104_000, SensorPlacement::LeftFoot, true);
        let mut cmd = [0u8; 12];
        let n = Command {
            token: u(f, "token") as u8,
            operation: entrain_protocol::control::Operation::TimeSync {
                host_time_us: u(f, "host_time_us"),
            },
        }
        .encode(&mut cmd)
        .unwrap();
        let ctx = Context {
            sensor_time_us: u(f, "sensor_time_us") as u32,
            can_stream: true,
        };
        let (resp, _) = cp.handle(&cmd[..n], ctx);
        assert_eq!(&resp[..], &hex(v["hex"].as_str().unwrap())[..]);
        return;
    }
    panic!("no time-sync response vector");
}
