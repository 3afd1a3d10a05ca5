//! Turns the shared test data into Rust the checks can embed (no file system on the target):
//! - `data/fixtures/gaitmap`: the left foot of a real walk as LSM6DSOX counts (±16 g, ±2000 dps)
//!   and its motion-capture heel strikes;
//! - `data/protocol/vectors.json`: the IMU packet vectors, the command vectors and the time-sync
//!   response vector.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const ACC_UG_PER_LSB: f64 = 488.0;
const GYR_UDPS_PER_LSB: f64 = 70_000.0;

fn counts(value: f64) -> i16 {
    let r = if value >= 0.0 {
        value + 0.5
    } else {
        value - 0.5
    };
    r.clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16
}

fn gaitmap(root: &str, out: &Path) -> Res<()> {
    let dir = format!("{root}/data/fixtures/gaitmap");
    let imu = fs::read_to_string(format!("{dir}/imu_sample.csv"))?;
    let mut lines = imu.lines();
    let sensors: Vec<&str> = lines
        .next()
        .ok_or("imu_sample.csv: empty")?
        .split(',')
        .collect();
    let axes: Vec<&str> = lines
        .next()
        .ok_or("imu_sample.csv: no axis row")?
        .split(',')
        .collect();
    let mut cols = Vec::new();
    for axis in ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"] {
        let c = (0..sensors.len())
            .find(|&i| sensors[i] == "left_sensor" && axes.get(i) == Some(&axis))
            .ok_or_else(|| format!("imu_sample.csv: no left_sensor {axis} column"))?;
        cols.push(c);
    }
    let mut bin = Vec::new();
    for (n, line) in lines.enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        for (k, &c) in cols.iter().enumerate() {
            let v: f64 = f
                .get(c)
                .ok_or_else(|| format!("imu_sample.csv line {}: short", n + 3))?
                .parse()
                .map_err(|e| format!("imu_sample.csv line {}: {e}", n + 3))?;
            let c = if k < 3 {
                counts(v / 9.806_65 / (ACC_UG_PER_LSB * 1e-6))
            } else {
                counts(v / (GYR_UDPS_PER_LSB * 1e-6))
            };
            bin.extend_from_slice(&c.to_le_bytes());
        }
    }
    fs::write(out.join("gaitmap_left.bin"), bin)?;

    let events = fs::read_to_string(format!("{dir}/stride_events_sample.csv"))?;
    let mut ics = Vec::new();
    let mut span = (u32::MAX, 0u32);
    for (n, line) in events.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.get(1) != Some(&"left") {
            continue;
        }
        let num = |i: usize| -> Res<u32> {
            let v: f64 = f
                .get(i)
                .ok_or_else(|| format!("stride_events_sample.csv line {}: short", n + 1))?
                .parse()?;
            Ok(v as u32)
        };
        span.0 = span.0.min(num(2)?);
        span.1 = span.1.max(num(3)?);
        ics.push(num(4)?);
    }
    let mut rs = String::new();
    writeln!(
        rs,
        "/// Motion-capture heel strikes of the left foot, sample indices."
    )?;
    writeln!(rs, "pub const REFERENCE_ICS: &[u32] = &{ics:?};")?;
    writeln!(
        rs,
        "/// First stride start and last stride end, sample indices."
    )?;
    writeln!(rs, "pub const REFERENCE_SPAN: (u32, u32) = {span:?};")?;
    fs::write(out.join("gaitmap_left.rs"), rs)?;
    Ok(())
}

fn hex(s: &str) -> Res<Vec<u8>> {
    (0..s.len())
        .step_by(2)
        .map(|i| Ok(u8::from_str_radix(s.get(i..i + 2).ok_or("odd hex")?, 16)?))
        .collect()
}

fn vectors(root: &str, out: &Path) -> Res<()> {
    let path = format!("{root}/data/protocol/vectors.json");
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path)?)?;
    let valid = v["valid"].as_array().ok_or("vectors.json: no valid list")?;
    let u = |x: &serde_json::Value, k: &str| -> Res<u64> {
        x[k].as_u64()
            .ok_or_else(|| format!("vectors.json: {k} missing in {x}").into())
    };
    let mut rs = String::new();
    writeln!(rs, "/// IMU packet vectors.")?;
    writeln!(rs, "pub const IMU_VECTORS: &[ImuVector] = &[")?;
    for item in valid.iter().filter(|x| x["kind"] == "imu") {
        let f = &item["fields"];
        let samples: Vec<Vec<i64>> = f["samples"]
            .as_array()
            .ok_or("samples")?
            .iter()
            .map(|s| {
                s.as_array()
                    .map(|a| a.iter().filter_map(|x| x.as_i64()).collect())
            })
            .collect::<Option<_>>()
            .ok_or("samples")?;
        let samples: Vec<String> = samples.iter().map(|s| format!("{s:?}")).collect();
        writeln!(
            rs,
            "    ImuVector {{ name: {:?}, bytes: &{:?}, seq: {}, first_sample_index: {}, timestamp_us: {}, sample_rate_mhz: {}, acc_ug_per_lsb: {}, gyr_udps_per_lsb: {}, flags: {}, samples: &[{}] }},",
            item["name"].as_str().ok_or("name")?,
            hex(item["hex"].as_str().ok_or("hex")?)?,
            u(f, "seq")?,
            u(f, "first_sample_index")?,
            u(f, "timestamp_us")?,
            u(f, "sample_rate_mhz")?,
            u(f, "acc_ug_per_lsb")?,
            u(f, "gyr_udps_per_lsb")?,
            u(f, "flags")?,
            samples.join(", ")
        )?;
    }
    writeln!(rs, "];")?;
    writeln!(rs, "/// Command vectors: (name, bytes, token).")?;
    writeln!(rs, "pub const COMMAND_VECTORS: &[(&str, &[u8], u8)] = &[")?;
    for item in valid.iter().filter(|x| x["kind"] == "command") {
        writeln!(
            rs,
            "    ({:?}, &{:?}, {}),",
            item["name"].as_str().ok_or("name")?,
            hex(item["hex"].as_str().ok_or("hex")?)?,
            u(&item["fields"], "token")?
        )?;
    }
    writeln!(rs, "];")?;
    let sync = valid
        .iter()
        .find(|x| {
            x["kind"] == "response" && x["fields"]["result"] == "ok" && x["fields"]["opcode"] == 4
        })
        .ok_or("vectors.json: no ok time-sync response")?;
    let f = &sync["fields"];
    writeln!(
        rs,
        "/// The time-sync response vector: (bytes, token, sensor_time_us, host_time_us)."
    )?;
    writeln!(
        rs,
        "pub const TIME_SYNC_RESPONSE: (&[u8], u8, u32, u64) = (&{:?}, {}, {}, {});",
        hex(sync["hex"].as_str().ok_or("hex")?)?,
        u(f, "token")?,
        u(f, "sensor_time_us")?,
        u(f, "host_time_us")?
    )?;
    fs::write(out.join("vectors.rs"), rs)?;
    Ok(())
}

fn main() -> Res<()> {
    let manifest = env::var("CARGO_MANIFEST_DIR")?;
    let root = format!("{manifest}/../..");
    let out = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR not set")?);
    println!("cargo:rerun-if-changed={root}/data/fixtures/gaitmap/imu_sample.csv");
    println!("cargo:rerun-if-changed={root}/data/fixtures/gaitmap/stride_events_sample.csv");
    println!("cargo:rerun-if-changed={root}/data/protocol/vectors.json");
    gaitmap(&root, &out)?;
    vectors(&root, &out)?;
    Ok(())
}
