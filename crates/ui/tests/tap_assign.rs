//! The Sensors screen chooses each foot's sensor by a tap, through the real btleplug against the
//! fake BlueZ of `entrain-tests` (a Movesense, a Verity Sense and an Entrain sensor lying still),
//! keeps it for the patient, and offers it again when the patient is opened next time. Needs
//! `dbus`, `python3-dbus`, `python3-gi`; fails, never skips, without them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use entrain_tests::bluez::FakeBluez;
use entrain_tests::taps::{self, MOVESENSE, POLAR};
use entrain_ui::Settings;

use common::*;

#[test]
fn a_tap_on_each_sensor_assigns_it_and_the_patient_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    // Knocks 6 s and 11 s after all three sensors stream: time for the clinician's clicks.
    let fake = FakeBluez::start(&taps::tapped_sensors(dir.path(), 16.0, &[6.0], &[11.0]).unwrap())
        .unwrap_or_else(|e| panic!("fake BlueZ harness: {e}"));
    // The window finds BlueZ on the system bus; this binary's one test sets it before any
    // thread that reads the environment starts.
    #[allow(unsafe_code)]
    // SAFETY: no other thread runs yet (one test in this binary, nothing spawned before).
    unsafe {
        std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", fake.address());
    }
    let settings = Settings::demo(dir.path().join("data"));
    let mut h = ready(settings.clone());
    add_patient(&mut h, "BED4-002");
    click(&mut h, "Sensors");
    click(&mut h, "Scan for sensors");
    wait_until(&mut h, "the scan", Duration::from_secs(20), |h| {
        has_text_containing(h, "3 sensors found.")
    });
    assert!(has_text_containing(&h, "Polar Verity Sense"));
    assert!(has_text_containing(
        &h,
        "No sensors kept for this patient yet."
    ));

    click(&mut h, "Tap: left foot");
    wait_until(
        &mut h,
        "the left foot's tap",
        Duration::from_secs(30),
        |h| has_text_containing(h, &format!("Sensors assigned: foot_left -> {MOVESENSE}")),
    );
    click(&mut h, "Tap: right foot");
    wait_until(
        &mut h,
        "the right foot's tap",
        Duration::from_secs(30),
        |h| has_text_containing(h, &format!("Sensors assigned: foot_right -> {POLAR}")),
    );
    wait_until(
        &mut h,
        "the remembered sensors",
        Duration::from_secs(10),
        |h| {
            has_text_containing(h, "left foot: Movesense Movesense 204730000081")
                && has_text_containing(h, "right foot: Polar Verity Sense Polar Sense 0A3BA92B")
        },
    );
    drop(h);

    // The next time: the patient's sensors are there without a scan.
    let mut h = ready(settings);
    click(&mut h, "Patients");
    click(&mut h, "Open BED4-002");
    wait_until(
        &mut h,
        "the remembered sensors",
        Duration::from_secs(10),
        |h| has_text_containing(h, "left foot: Movesense Movesense 204730000081"),
    );
    assert!(
        has_text_containing(&h, &format!("left foot: {MOVESENSE}"))
            && has_text_containing(&h, &format!("right foot: {POLAR}")),
        "the session's BLE sensors are the remembered ones"
    );
}
