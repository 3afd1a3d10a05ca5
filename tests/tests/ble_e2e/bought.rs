//! Bought sensors end to end: a Movesense (GATT SensorData app) and a Polar Verity Sense (PMD),
//! as the fake BlueZ serves them (`tests/ble/bought_sensors.py`), through the real btleplug.
//! Each test streams the gaitmap walk from a sensor on each foot at 208 Hz with the device's own
//! batching, drops the left link mid-walk, and checks that the steps found through BLE are those
//! found on the file at the same rate, that the link is recovered, and measures the end-to-end
//! detection latency (printed; `docs/BENCHMARKS.md`, "Bought sensors over BLE").

use super::*;
use entrain_protocol::polar::units::STANDARD_GRAVITY_MPS2;

/// The rate both sensors are asked for (`entrain_ble::driver::DEFAULT_RATE_HZ`).
const RATE_HZ: f64 = 208.0;
/// Polar conversion factors of the fake: ±16 g and ±2000 deg/s in 16 bits.
const ACC_FACTOR: f64 = 16.0 / 32768.0;
const GYRO_FACTOR: f64 = 2000.0 / 32768.0;

/// The gaitmap walk, its samples respaced at 208 Hz (the walk 1.6 % quicker than recorded): the
/// file the BLE result is compared with, per foot.
fn walk_at_rate(max_samples: usize) -> BTreeMap<&'static str, Vec<ImuSample>> {
    let mut out = BTreeMap::new();
    for (side, samples) in walks::gaitmap_samples(max_samples).unwrap() {
        let name = if side == Side::Left { "left" } else { "right" };
        out.insert(
            name,
            samples
                .iter()
                .enumerate()
                .map(|(i, s)| ImuSample {
                    time_nanos: sample_time_nanos(i, RATE_HZ),
                    ..*s
                })
                .collect(),
        );
    }
    out
}

/// The walk as the fake Polar's counts, and as the host must decode them.
fn polar_counts(samples: &[ImuSample]) -> (Vec<[i16; 6]>, Vec<ImuSample>) {
    let counts: Vec<[i16; 6]> = samples
        .iter()
        .map(|s| {
            let a = s
                .acc_mps2
                .map(|v| (f64::from(v) / STANDARD_GRAVITY_MPS2 / ACC_FACTOR).round() as i16);
            let g = s
                .gyr_dps
                .map(|v| (f64::from(v) / GYRO_FACTOR).round() as i16);
            [a[0], a[1], a[2], g[0], g[1], g[2]]
        })
        .collect();
    let decoded = counts
        .iter()
        .zip(samples)
        .map(|(c, s)| ImuSample {
            time_nanos: s.time_nanos,
            // As entrain_protocol::polar::units converts them (f64, then f32).
            acc_mps2: [c[0], c[1], c[2]].map(|v| {
                (f64::from(v) * f64::from(ACC_FACTOR as f32) * STANDARD_GRAVITY_MPS2) as f32
            }),
            gyr_dps: [c[3], c[4], c[5]]
                .map(|v| (f64::from(v) * f64::from(GYRO_FACTOR as f32)) as f32),
        })
        .collect();
    (counts, decoded)
}

fn detect_at(side: Side, samples: &[ImuSample], rate_hz: f64) -> Vec<GaitEvent> {
    let mut detector = FootDetector::new(Some(side), FootDetectorConfig::new(rate_hz)).unwrap();
    let mut events: Vec<GaitEvent> = Vec::new();
    for s in samples {
        detector.push(s, &mut events);
    }
    events
        .into_iter()
        .filter(|e| e.kind == GaitEventKind::InitialContact)
        .collect()
}

/// One foot's samples through BLE, with the file index of each (counted on across the reported
/// gaps) and the poll time that delivered it.
pub(super) struct Received {
    pub samples: Vec<ImuSample>,
    pub indices: Vec<u64>,
    pub delivered_at: Vec<i64>,
    pub gaps: Vec<u64>,
}

pub(super) fn received(report: &Report, placement: Placement) -> Received {
    let mut r = Received {
        samples: Vec::new(),
        indices: Vec::new(),
        delivered_at: Vec::new(),
        gaps: Vec::new(),
    };
    let mut index = 0;
    for (e, &at) in report.events.iter().zip(&report.events_at) {
        match e {
            SourceEvent::Sample {
                placement: p,
                sample,
            } if *p == placement => {
                r.samples.push(*sample);
                r.indices.push(index);
                r.delivered_at.push(at);
                index += 1;
            }
            SourceEvent::Gap {
                placement: p,
                lost_samples,
                ..
            } if *p == placement => {
                r.gaps.push(*lost_samples);
                index += lost_samples;
            }
            _ => {}
        }
    }
    r
}

/// Detection latency, ms, of each IC found through BLE that matches one found on the file:
/// the poll time that delivered the sample the detector emitted it on, minus the moment the
/// foot truly touched down (the file's IC, on the session clock through the fake's walk start
/// and clock drift). Only ICs outside `exclude` (file time, ns) are counted. Also returns the
/// ICs of each side that have no partner (file, BLE; file clock).
pub(super) fn detection_latency(
    side: Side,
    file: &[ImuSample],
    got: &Received,
    rate_hz: f64,
    walk_start_nanos: i64,
    drift_ppm: f64,
    exclude: Option<(i64, i64)>,
) -> (Vec<f64>, Vec<i64>, Vec<i64>) {
    let outside = |t: i64| exclude.is_none_or(|(from, to)| t < from || t > to);
    let direct: Vec<i64> = detect_at(side, file, rate_hz)
        .iter()
        .map(|e| e.event_time_nanos)
        .filter(|&t| outside(t))
        .collect();
    assert!(
        direct.len() >= 10,
        "{side:?}: {} ICs on the file",
        direct.len()
    );
    // BLE session time → file time through the samples' own indices.
    let to_file = |t: i64| {
        let k = got.samples.partition_point(|s| s.time_nanos <= t).max(1) - 1;
        sample_time_nanos(got.indices[k] as usize, rate_hz) + (t - got.samples[k].time_nanos)
    };
    let mut ble: Vec<(i64, i64)> = detect_at(side, &got.samples, rate_hz)
        .iter()
        .map(|e| {
            let k = got
                .samples
                .partition_point(|s| s.time_nanos < e.emitted_at_nanos)
                .min(got.samples.len() - 1);
            (to_file(e.event_time_nanos), got.delivered_at[k])
        })
        .filter(|(t, _)| outside(*t))
        .collect();
    let mut latencies = Vec::new();
    let mut missing = Vec::new();
    for &w in &direct {
        match ble.iter().position(|(t, _)| (t - w).abs() <= 5_000_000) {
            Some(i) => {
                let (_, delivered) = ble.remove(i);
                let truth = walk_start_nanos as f64 + w as f64 * (1.0 + drift_ppm * 1e-6);
                latencies.push((delivered as f64 - truth) / 1e6);
            }
            None => missing.push(w),
        }
    }
    (latencies, missing, ble.iter().map(|(t, _)| *t).collect())
}

/// The detector's own delay on the file, ms: emission minus contact, both on the file's clock
/// (the part of the end-to-end latency no link or batching adds).
pub(super) fn detector_delay(side: Side, file: &[ImuSample], rate_hz: f64) -> Vec<f64> {
    detect_at(side, file, rate_hz)
        .iter()
        .map(|e| (e.emitted_at_nanos - e.event_time_nanos) as f64 / 1e6)
        .collect()
}

pub(super) fn summary(latencies_ms: &[f64]) -> String {
    let mut l = latencies_ms.to_vec();
    l.sort_by(f64::total_cmp);
    let at = |q: f64| l[((l.len() - 1) as f64 * q).round() as usize];
    format!(
        "median {:.0} ms, 5-95 % [{:.0}, {:.0}] ms, n = {}",
        at(0.5),
        at(0.05),
        at(0.95),
        l.len()
    )
}

pub(super) fn walk_start_nanos(lines: &[String], report: &Report) -> i64 {
    let unix: i64 = lines
        .iter()
        .find_map(|l| l.strip_prefix("WALK_START_UNIX_NS "))
        .expect("walk start")
        .parse()
        .unwrap();
    unix - report.origin_unix_nanos.unwrap()
}

/// Streams the walk from `devices` (left, right; `kind` for the child), drops the left link
/// 8 s into the walk for 2 s, and checks everything the module docs list. `decoded` is what
/// the host must deliver per foot (the file's values as the device's format carries them);
/// `sent` counts a foot's delivered samples from the fake's log.
fn stream_walk_with_a_link_loss(
    kind: &str,
    devices: [Value; 2],
    decoded: &BTreeMap<&'static str, Vec<ImuSample>>,
    start_command: &str,
    sent: impl Fn(&[String], &str) -> usize,
) -> Report {
    let n = decoded["left"].len();
    let drifts = [
        devices[0]["drift_ppm"].as_f64().unwrap(),
        devices[1]["drift_ppm"].as_f64().unwrap(),
    ];
    let mut fake = FakeBluez::start(&json!({"devices": devices}))
        .unwrap_or_else(|e| panic!("fake BlueZ harness: {e}"));
    let spec = json!({"assignments": [
        {"id": LEFT, "placement": "left", "kind": kind},
        {"id": RIGHT, "placement": "right", "kind": kind}],
      "max_secs": n as f64 / RATE_HZ + 40.0, "idle_secs": 6.0});
    let (mut child, report_path) = spawn_child(&fake, spec);
    assert!(
        fake.wait_for(Duration::from_secs(40), |l| sent(l, LEFT) > 8 * 208),
        "{kind}: no streaming; fake log:\n{}\nlines: {:?}",
        fake.log(),
        fake.lines()
    );
    fake.send(&format!("drop {LEFT} 2.0")).unwrap();
    wait_child(
        &mut child,
        Duration::from_secs_f64(n as f64 / RATE_HZ + 60.0),
        &fake,
    );
    let report = read_report(&report_path);
    let lines = fake.lines();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let walk_start = walk_start_nanos(&lines, &report);
    let mut figures = Vec::new();
    for (name, address, side, drift) in [
        ("left", LEFT, Side::Left, drifts[0]),
        ("right", RIGHT, Side::Right, drifts[1]),
    ] {
        let placement = Placement::Foot(side);
        let got = received(&report, placement);
        let want = &decoded[name];
        // Every sample that arrived is the file's, at the index the gaps say, in order.
        assert!(!got.samples.is_empty(), "{kind} {name}: no samples");
        for (s, &i) in got.samples.iter().zip(&got.indices) {
            let w = want[i as usize];
            assert_eq!(
                (s.acc_mps2, s.gyr_dps),
                (w.acc_mps2, w.gyr_dps),
                "{kind} {name}: sample {i}"
            );
        }
        assert!(
            got.samples
                .windows(2)
                .all(|w| w[1].time_nanos > w[0].time_nanos)
        );
        let stats = report.stats(placement);
        assert_eq!(stats["malformed"], 0, "{kind} {name}: {stats}");
        let lost: u64 = got.gaps.iter().sum();
        assert_eq!(stats["lost_samples"], lost, "{kind} {name}: {stats}");
        // Up to the end of the walk (the last few samples of a Polar stream may sit unpaired).
        let last = *got.indices.last().unwrap();
        assert!(
            last + 60 >= n as u64,
            "{kind} {name}: last sample {last} of {n}"
        );
        assert_eq!(got.samples.len() as u64 + lost, last + 1, "{kind} {name}");
        let exclude = if side == Side::Left {
            // The link loss: one gap, reported; reconnected, re-subscribed, restarted.
            assert_eq!(got.gaps.len(), 1, "{kind} {name}: gaps {:?}", got.gaps);
            assert!(got.gaps[0] > 2 * 208, "{kind} {name}: gap {:?}", got.gaps);
            assert!(count_lines(&lines, &format!("CONNECT {address}")) >= 2);
            assert!(
                count_lines(&lines, &format!("COMMAND {address} {start_command}")) >= 2,
                "{kind} {name}: streaming not started again"
            );
            let states = report.link_states(placement);
            // Lost, reconnecting, connected again. (After the walk, with no more packets, the
            // stream goes stale again while the child waits to be sure the walk is over.)
            let lost = states
                .iter()
                .position(|s| matches!(s, LinkState::Lost { .. }))
                .unwrap_or_else(|| panic!("{kind} {name}: no loss reported: {states:?}"));
            let again = states[lost..]
                .iter()
                .position(|s| *s == &LinkState::Reconnecting)
                .and_then(|r| {
                    states[lost + r..]
                        .iter()
                        .position(|s| *s == &LinkState::Connected)
                });
            assert!(again.is_some(), "{kind} {name}: {states:?}");
            assert!(stats["connections"].as_u64().unwrap() >= 2, "{stats}");
            let k = got.gaps_at();
            let from = sample_time_nanos(got.indices[k - 1] as usize, RATE_HZ);
            let to = sample_time_nanos(got.indices[k] as usize, RATE_HZ);
            // The detector restarts after a long gap: steps near it are not compared.
            Some((from - 1_500_000_000, to + 2_500_000_000))
        } else {
            assert!(got.gaps.is_empty(), "{kind} {name}: gaps {:?}", got.gaps);
            None
        };
        let (latencies, missing, extra) =
            detection_latency(side, want, &got, RATE_HZ, walk_start, drift, exclude);
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{kind} {name}: ICs missing {missing:?}, extra {extra:?}"
        );
        let line = format!(
            "{kind} {name}: {} samples, {} lost, {} ICs as on the file; detection latency {} \
             (the detector's own, on the file: {})",
            got.samples.len(),
            lost,
            latencies.len(),
            summary(&latencies),
            summary(&detector_delay(side, want, RATE_HZ))
        );
        eprintln!("{line}");
        figures.push(latencies);
    }
    let all: Vec<f64> = figures.concat();
    eprintln!("{kind} both feet: detection latency {}", summary(&all));
    // Causal, and bounded by the batching: never before the contact, never seconds late.
    assert!(
        all.iter().all(|&l| l > 0.0 && l < 1500.0),
        "{kind}: {all:?}"
    );
    report
}

impl Received {
    /// The position of the first sample after the (one) gap.
    fn gaps_at(&self) -> usize {
        self.indices
            .windows(2)
            .position(|w| w[1] != w[0] + 1)
            .map(|p| p + 1)
            .expect("a gap")
    }
}

fn sent_movesense(lines: &[String], address: &str) -> usize {
    sent(lines, address).len()
}

fn sent_polar(lines: &[String], address: &str) -> usize {
    lines
        .iter()
        .filter_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w.len() == 5 && w[0] == "SENT_PMD" && w[1] == address && w[2] == "acc")
                .then(|| w[4].parse::<usize>().unwrap())
        })
        .sum()
}

#[test]
fn movesense_streams_the_walk_finds_the_same_steps_and_recovers_a_link_loss() {
    let walk = walk_at_rate(usize::MAX);
    let dir = tempfile::tempdir().unwrap();
    let device = |address: &str, name: &str, side: &str, offset_us: u64, drift_ppm: f64| {
        let csv = walks::write_samples(dir.path(), side, &walk[side]).unwrap();
        json!({"address": address, "name": name, "kind": "movesense", "rssi": -50,
               "samples_csv": csv.display().to_string(), "rate_hz": 208,
               "samples_per_notification": 8, "clock_offset_us": offset_us,
               "drift_ppm": drift_ppm})
    };
    let devices = [
        device(LEFT, "Movesense 204730000081", "left", 3_000_000, 90.0),
        device(
            RIGHT,
            "Movesense 204730000082",
            "right",
            4_000_000_000,
            -60.0,
        ),
    ];
    // SUBSCRIBE, reference 0x45, "/Meas/IMU6/208".
    let subscribe = format!("0145{}", hex(b"/Meas/IMU6/208"));
    stream_walk_with_a_link_loss("movesense", devices, &walk, &subscribe, sent_movesense);
}

#[test]
fn polar_verity_sense_streams_the_walk_finds_the_same_steps_and_recovers_a_link_loss() {
    let walk = walk_at_rate(usize::MAX);
    let dir = tempfile::tempdir().unwrap();
    let mut decoded = BTreeMap::new();
    let mut csvs = BTreeMap::new();
    for side in ["left", "right"] {
        let (counts, host) = polar_counts(&walk[side]);
        csvs.insert(side, write_counts(dir.path(), side, &counts));
        decoded.insert(side, host);
    }
    let device = |address: &str, name: &str, side: &str, offset_ns: u64, drift_ppm: f64| {
        json!({"address": address, "name": name, "kind": "polar", "rssi": -52, "battery": 71,
               "counts_csv": csvs[side].display().to_string(), "rate_hz": 208,
               "acc_factor": ACC_FACTOR, "gyro_factor": GYRO_FACTOR,
               "clock_offset_ns": offset_ns, "drift_ppm": drift_ppm})
    };
    // Device clocks: 2026 and 2019 (a Polar's default after a flat battery), ns since 2000.
    let devices = [
        device(
            LEFT,
            "Polar Sense 0A3BA92B",
            "left",
            849_000_000_000_000_000,
            70.0,
        ),
        device(
            RIGHT,
            "Polar Sense 0A3BA92C",
            "right",
            599_616_000_000_000_000,
            -50.0,
        ),
    ];
    // Start gyro (type 5): 208 Hz, 16 bits, ±2000 deg/s, 3 channels.
    let start_gyro = "02050001d000010110000201d007040103";
    let report = stream_walk_with_a_link_loss("polar", devices, &decoded, start_gyro, sent_polar);
    // Battery from the Battery Service, read at each connection.
    assert!(
        report
            .events
            .iter()
            .any(|e| matches!(e, SourceEvent::Battery { percent: 71, .. }))
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
