//! The firmware checks on the host. `firmware/test.sh` runs the same checks in QEMU and compares
//! the summary line this test prints (run with `--nocapture`).

#[test]
fn firmware_checks_pass_on_the_host() {
    let summary = entrain_fw_checks::run_all(|name| println!("ok {name}"))
        .unwrap_or_else(|failure| panic!("FAIL {failure}"));
    println!("{summary}");
    assert!(summary.imu_vectors >= 3);
    assert!(summary.pipeline_packets > 1000);
}
