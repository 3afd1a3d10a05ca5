//! `entrain devices` and `entrain record` as a clinician runs them, against the fake BlueZ of
//! `entrain-tests` on a private D-Bus bus (real btleplug underneath). Needs `dbus`,
//! `python3-dbus`, `python3-gi` (scripts/install-deps.sh); fails, never skips, without them.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::process::Command;

use entrain_gait::{Placement, Side};
use entrain_protocol::imu::ImuScale;
use entrain_replay::raw::read_raw;
use entrain_tests::bluez::FakeBluez;
use entrain_tests::walks;
use serde_json::{Value, json};

const LEFT: &str = "C0:FF:EE:00:01:01";
const RIGHT: &str = "C0:FF:EE:00:01:02";
const SCALE: ImuScale = ImuScale {
    sample_rate_mhz: 100_000,
    acc_ug_per_lsb: 244,
    gyr_udps_per_lsb: 70_000,
};

/// A synthetic 3 s, 100 Hz stream whose every sample is distinct.
fn counts(seed: i16) -> Vec<[i16; 6]> {
    (0..300i16)
        .map(|i| [i, seed, 4096, -i, i.wrapping_mul(7), seed.wrapping_add(i)])
        .collect()
}

fn write_counts(dir: &Path, name: &str, counts: &[[i16; 6]]) -> String {
    walks::write_counts(dir, name, counts)
        .unwrap()
        .display()
        .to_string()
}

fn device(address: &str, name: &str, csv: &str) -> Value {
    json!({"address": address, "name": name, "kind": "entrain", "rssi": -50, "battery": 64,
           "counts_csv": csv, "sample_rate_mhz": SCALE.sample_rate_mhz,
           "acc_ug_per_lsb": SCALE.acc_ug_per_lsb, "gyr_udps_per_lsb": SCALE.gyr_udps_per_lsb,
           "samples_per_packet": 10})
}

fn entrain(fake: &FakeBluez) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_entrain"));
    fake.configure(&mut command);
    command.env("RUST_BACKTRACE", "0");
    command
}

#[test]
fn devices_then_record_a_walk_to_a_replayable_csv() {
    let dir = tempfile::tempdir().unwrap();
    let left = counts(1);
    let right = counts(2);
    let fake = FakeBluez::start(&json!({"devices": [
        device(LEFT, "Entrain-L", &write_counts(dir.path(), "l", &left)),
        device(RIGHT, "Entrain-R", &write_counts(dir.path(), "r", &right)),
    ]}))
    .unwrap_or_else(|e| panic!("fake BlueZ harness: {e}"));

    let listed = entrain(&fake)
        .args(["devices", "--seconds", "1", "--json"])
        .output()
        .unwrap();
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let found: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let ids: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{found}");
    assert!(ids.contains(&LEFT) && ids.contains(&RIGHT));
    assert!(
        found
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["battery_percent"] == 64)
    );

    let out = dir.path().join("walk.csv");
    let recorded = entrain(&fake)
        .args([
            "record",
            "--left",
            LEFT,
            "--right",
            RIGHT,
            "--seconds",
            "7",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&recorded.stderr);
    assert!(recorded.status.success(), "{stderr}");
    assert!(stderr.contains("600 samples written"), "{stderr}");
    // The file is Entrain's raw format: the replay reader takes it back, every sample exact.
    let raw = read_raw(&out).unwrap();
    assert!(
        (raw.sample_rate_hz - 100.0).abs() < 0.5,
        "{}",
        raw.sample_rate_hz
    );
    for (side, counts) in [(Side::Left, &left), (Side::Right, &right)] {
        let stream = raw
            .streams
            .iter()
            .find(|s| s.placement == Placement::Foot(side))
            .unwrap();
        assert_eq!(stream.samples.len(), counts.len());
        for (s, c) in stream.samples.iter().zip(counts) {
            assert_eq!(s.acc_mps2, [c[0], c[1], c[2]].map(|v| SCALE.acc_mps2(v)));
            assert_eq!(s.gyr_dps, [c[3], c[4], c[5]].map(|v| SCALE.gyr_dps(v)));
        }
    }
}

#[test]
fn devices_lists_bought_sensors_with_their_kind_and_battery() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_counts(dir.path(), "x", &counts(3));
    let fake = FakeBluez::start(&json!({"devices": [
        device(LEFT, "Entrain-L", &csv),
        {"address": "C0:FF:EE:00:01:31", "name": "Movesense 204730000081", "kind": "movesense",
         "rssi": -60, "samples_csv": csv},
        {"address": "C0:FF:EE:00:01:32", "name": "Polar Sense 0A3BA92B", "kind": "polar",
         "rssi": -70, "battery": 71, "counts_csv": csv, "acc_factor": 0.0005,
         "gyro_factor": 0.06},
    ]}))
    .unwrap_or_else(|e| panic!("fake BlueZ harness: {e}"));
    let listed = entrain(&fake)
        .args(["devices", "--seconds", "1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let row = |id: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("{id} not listed:\n{stdout}"))
            .to_string()
    };
    let entrain_row = row(LEFT);
    assert!(
        entrain_row.contains("64 %") && entrain_row.ends_with("entrain"),
        "{entrain_row}"
    );
    // Movesense: no Battery Service, so no battery.
    let movesense = row("C0:FF:EE:00:01:31");
    assert!(movesense.contains("Movesense 204730000081"), "{movesense}");
    assert!(
        movesense.ends_with("  movesense") && !movesense.contains('%'),
        "{movesense}"
    );
    // Polar: its Battery Service read over a short connection.
    let polar = row("C0:FF:EE:00:01:32");
    assert!(
        polar.contains("71 %") && polar.ends_with("polar-verity-sense"),
        "{polar}"
    );
}

#[test]
fn devices_without_an_adapter_says_so() {
    let missing = Command::new(env!("CARGO_BIN_EXE_entrain"))
        .env(
            "DBUS_SYSTEM_BUS_ADDRESS",
            "unix:path=/nonexistent/entrain-test-bus",
        )
        .env("RUST_BACKTRACE", "0")
        .args(["devices", "--seconds", "1"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("no Bluetooth adapter found; use --source sim or a recording"),
        "{stderr}"
    );
}

/// Heel strikes the foot detector finds in `counts` read directly (sample times from zero).
fn direct_ics(scale: &ImuScale, side: Side, counts: &[[i16; 6]]) -> Vec<i64> {
    use entrain_gait::detect::{FootDetector, FootDetectorConfig};
    use entrain_gait::sample::sample_time_nanos;
    use entrain_gait::{GaitEventKind, ImuSample, StreamingDetector};
    let rate_hz = f64::from(scale.sample_rate_mhz) / 1000.0;
    let mut detector = FootDetector::new(Some(side), FootDetectorConfig::new(rate_hz)).unwrap();
    let mut events = Vec::new();
    for (i, c) in counts.iter().enumerate() {
        let sample = ImuSample {
            time_nanos: sample_time_nanos(i, rate_hz),
            acc_mps2: [c[0], c[1], c[2]].map(|v| scale.acc_mps2(v)),
            gyr_dps: [c[3], c[4], c[5]].map(|v| scale.gyr_dps(v)),
        };
        detector.push(&sample, &mut events);
    }
    events
        .iter()
        .filter(|e| e.kind == GaitEventKind::InitialContact)
        .map(|e| e.event_time_nanos)
        .collect()
}

/// The scale of the sensors that stream the gaitmap walk (recorded at 204.8 Hz).
const GAITMAP_SCALE: ImuScale = ImuScale {
    sample_rate_mhz: 204_800,
    ..SCALE
};

/// Each foot's counts.
type FootCounts = [(Side, Vec<walks::Counts>); 2];

/// Two Entrain sensors, LEFT and RIGHT, streaming the first 14 s of the gaitmap walk (then they
/// fall silent), their files in `dir`; the counts each streams.
fn gaitmap_sensors(dir: &Path, scale: &ImuScale) -> (FakeBluez, FootCounts) {
    let walks = walks::gaitmap_counts(scale, 2_867).unwrap();
    let device = |address: &str, name: &str, counts: &[[i16; 6]]| {
        let mut d = json!({"address": address, "name": name, "kind": "entrain", "rssi": -50,
            "battery": 80, "counts_csv": write_counts(dir, name, counts)});
        d["sample_rate_mhz"] = json!(scale.sample_rate_mhz);
        d["acc_ug_per_lsb"] = json!(scale.acc_ug_per_lsb);
        d["gyr_udps_per_lsb"] = json!(scale.gyr_udps_per_lsb);
        d
    };
    let fake = FakeBluez::start(&json!({"devices": [
        device(LEFT, "Entrain-L", &walks[0].1),
        device(RIGHT, "Entrain-R", &walks[1].1),
    ]}))
    .unwrap_or_else(|e| panic!("fake BlueZ harness: {e}"));
    (fake, walks)
}

#[test]
fn a_session_from_two_ble_sensors_records_the_steps_of_the_walk() {
    let scale = GAITMAP_SCALE;
    let dir = tempfile::tempdir().unwrap();
    // The session runs 12 s of the 14 s walk.
    let (fake, walks) = gaitmap_sensors(dir.path(), &scale);

    let db = dir.path().join("ward.sqlite3");
    let run = entrain(&fake)
        .args(["session", "--source", &format!("ble:{LEFT},{RIGHT}")])
        .args(["--no-audio", "--quiet", "--seconds", "12", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}\n{}", fake.log());

    let store = entrain_store::Store::open(&db).unwrap();
    let session = store.sessions(None).unwrap().remove(0);
    let steps = store.steps(session.id).unwrap();
    for (side, counts) in &walks {
        let name = side.as_str();
        let stored: Vec<i64> = steps
            .iter()
            .filter(|s| s.side == *side)
            .map(|s| s.time_nanos)
            .collect();
        // The sensors start streaming when the session connects to them, a few hundred ms in;
        // compare what both saw in the first 10 s of the walk.
        let direct: Vec<i64> = direct_ics(&scale, *side, counts)
            .into_iter()
            .filter(|&t| t < 10_000_000_000)
            .collect();
        let first_stored = *stored
            .first()
            .unwrap_or_else(|| panic!("no {name} steps stored"));
        let offset = first_stored - direct[0];
        let stored_in_span = stored
            .iter()
            .filter(|&&t| t - offset < 10_000_000_000)
            .count();
        assert!(
            direct.len() >= 8 && stored_in_span.abs_diff(direct.len()) <= 1,
            "{name}: {stored_in_span} steps stored vs {} in the file ({stored:?} vs {direct:?})",
            direct.len()
        );
        // Same rhythm: every stored step within 20 ms of a direct one, once aligned.
        for t in stored.iter().filter(|&&t| t - offset < 10_000_000_000) {
            let nearest = direct.iter().map(|d| (t - offset - d).abs()).min().unwrap();
            assert!(
                nearest <= 20_000_000,
                "{name}: stored step {t} is {nearest} ns from any in the file"
            );
        }
    }
}

/// `entrain` with `--db db` after `args`, run to its end; its stdout and stderr, after checking
/// it succeeded.
fn run_ok(fake: &FakeBluez, db: &Path, args: &[&str]) -> (String, String) {
    let out = entrain(fake)
        .args(args)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        out.status.success(),
        "entrain {args:?}:\n{stdout}\n{stderr}\nfake:\n{}\n{:?}",
        fake.log(),
        fake.lines()
            .iter()
            .filter(|l| !l.starts_with("SENT"))
            .collect::<Vec<_>>()
    );
    (stdout, stderr)
}

#[test]
fn assign_takes_the_sensor_tapped_for_each_foot_and_keeps_it_for_the_patient() {
    use entrain_tests::taps::{self, MOVESENSE, POLAR};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ward.sqlite3");
    // The clinician taps the Movesense (left foot) 4 s in, then the Verity Sense (right foot)
    // 7 s in; the Entrain sensor, another patient's, lies still on the bedside table.
    let fake = FakeBluez::start(&taps::tapped_sensors(dir.path(), 12.0, &[4.0], &[7.0]).unwrap())
        .unwrap_or_else(|e| panic!("fake BlueZ harness: {e}"));
    run_ok(&fake, &db, &["patients", "--add", "P7"]);
    let (stdout, stderr) = run_ok(
        &fake,
        &db,
        &[
            "assign",
            "--patient",
            "P7",
            "--scan-seconds",
            "1",
            "--tap-seconds",
            "30",
        ],
    );
    assert!(
        stderr.contains("tap the sensor on the patient's left foot")
            && stderr.contains("tap the sensor on the patient's right foot"),
        "{stderr}"
    );
    assert!(stdout.contains("foot_left: Movesense"), "{stdout}");
    assert!(
        stdout.contains("foot_right: Polar Verity Sense"),
        "{stdout}"
    );

    let store = entrain_store::Store::open(&db).unwrap();
    let patient = store.patient_by_code("P7").unwrap().unwrap();
    let kept: Vec<(Placement, String, String)> = store
        .sensor_assignments(patient.id)
        .unwrap()
        .into_iter()
        .map(|a| (a.placement, a.sensor_key, a.kind))
        .collect();
    assert_eq!(
        kept,
        [
            (
                Placement::Foot(Side::Left),
                MOVESENSE.into(),
                "movesense".into()
            ),
            (
                Placement::Foot(Side::Right),
                POLAR.into(),
                "polar-verity-sense".into()
            ),
        ]
    );
}

#[test]
fn sensors_assigned_by_address_are_the_patients_ble_source_next_session() {
    let scale = GAITMAP_SCALE;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ward.sqlite3");
    let (fake, _) = gaitmap_sensors(dir.path(), &scale);
    run_ok(&fake, &db, &["patients", "--add", "P8"]);
    // Lower case and dashes: the address is taken in its canonical form.
    let left = LEFT.to_lowercase().replace(':', "-");
    let (stdout, _) = run_ok(
        &fake,
        &db,
        &[
            "assign",
            "--patient",
            "P8",
            "--left",
            &left,
            "--right",
            RIGHT,
        ],
    );
    assert!(
        stdout.contains(&format!("foot_left: Entrain sensor Entrain sensor {LEFT}")),
        "{stdout}"
    );
    let (_, stderr) = run_ok(
        &fake,
        &db,
        &[
            "session",
            "--patient",
            "P8",
            "--source",
            "ble",
            "--no-audio",
            "--quiet",
            "--seconds",
            "8",
        ],
    );
    assert!(
        stderr.contains(&format!("patient P8's sensors ble:{LEFT},{RIGHT}")),
        "{stderr}"
    );
    let store = entrain_store::Store::open(&db).unwrap();
    let session = store.sessions(None).unwrap().remove(0);
    let steps = store.steps(session.id).unwrap();
    for side in [Side::Left, Side::Right] {
        let n = steps.iter().filter(|s| s.side == side).count();
        assert!(n >= 4, "{side:?}: {n} steps stored");
    }

    // No foot sensors assigned: the session says what to do, and records nothing.
    run_ok(&fake, &db, &["patients", "--add", "P9"]);
    let out = entrain(&fake)
        .args([
            "session",
            "--patient",
            "P9",
            "--source",
            "ble",
            "--no-audio",
            "--db",
        ])
        .arg(&db)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(
            "patient P9 has 0 foot sensor(s) assigned, 2 needed: run `entrain assign --patient P9`"
        ),
        "{stderr}"
    );
}
