//! Throughput of the streaming detectors: samples per second for one sensor, fed one sample at a
//! time as they arrive from BLE. Inputs are the real recordings shipped in `data/fixtures`
//! (gaitmap foot sensors, Mobilise-D lower back), so the detectors do their real work (swings,
//! impacts, peaks), not idle on silence.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use entrain_gait::detect::foot::{FootDetector, FootDetectorConfig};
use entrain_gait::detect::lower_back::{LowerBackDetector, LowerBackDetectorConfig};
use entrain_gait::{ImuSample, Placement, Side, StreamingDetector};
use entrain_replay::{Dataset, list_trials, load_trial};

fn fixture_stream(dataset: Dataset, folder: &str, placement: Placement) -> (Vec<ImuSample>, f64) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../data/fixtures")
        .join(folder);
    let trial = list_trials(dataset, &dir).unwrap().remove(0);
    let recording = load_trial(&dir, &trial).unwrap();
    let stream = recording.stream(placement).unwrap();
    (stream.samples.clone(), recording.sample_rate_hz)
}

fn run<D: StreamingDetector>(
    detector: &mut D,
    samples: &[ImuSample],
    events: &mut Vec<entrain_gait::GaitEvent>,
) {
    events.clear();
    for sample in samples {
        detector.push(black_box(sample), events);
    }
}

fn detectors(c: &mut Criterion) {
    let mut group = c.benchmark_group("detector");
    let mut events = Vec::with_capacity(1024);

    let (foot, fs) = fixture_stream(Dataset::Gaitmap, "gaitmap", Placement::Foot(Side::Left));
    group.throughput(Throughput::Elements(foot.len() as u64));
    group.bench_function("foot, one sensor", |b| {
        b.iter(|| {
            let mut detector =
                FootDetector::new(Some(Side::Left), FootDetectorConfig::new(fs)).unwrap();
            run(&mut detector, &foot, &mut events);
            black_box(events.len())
        })
    });

    let (back, fs) = fixture_stream(Dataset::Mobgap, "mobgap", Placement::LowerBack);
    group.throughput(Throughput::Elements(back.len() as u64));
    group.bench_function("lower back, one sensor", |b| {
        b.iter(|| {
            let mut detector = LowerBackDetector::new(LowerBackDetectorConfig::new(fs)).unwrap();
            run(&mut detector, &back, &mut events);
            black_box(events.len())
        })
    });
    group.finish();
}

criterion_group!(benches, detectors);
criterion_main!(benches);
