//! The real walk the BLE tests stream: the gaitmap recording in `data/fixtures/gaitmap` (MIT),
//! quantised to the i16 counts a sensor sends, and written as the fake BlueZ reads it.

use std::path::{Path, PathBuf};

use entrain_gait::{ImuSample, Placement, Side};
use entrain_protocol::imu::ImuScale;
use entrain_replay::{Dataset, ReplayError, list_trials, load_trial};

/// One sample as a sensor sends it: ax, ay, az, gx, gy, gz counts.
pub type Counts = [i16; 6];

/// The fixture's folder.
pub fn gaitmap_fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/fixtures/gaitmap")
}

/// Left and right foot of the gaitmap walk (204.8 Hz) as `scale` quantises them (ax, ay, az,
/// gx, gy, gz counts), the first `max_samples` samples of each.
pub fn gaitmap_counts(
    scale: &ImuScale,
    max_samples: usize,
) -> Result<[(Side, Vec<Counts>); 2], ReplayError> {
    let dir = gaitmap_fixture();
    let trials = list_trials(Dataset::Gaitmap, &dir)?;
    let recording = load_trial(&dir, &trials[0])?;
    Ok([Side::Left, Side::Right].map(|side| {
        let counts = recording
            .stream(Placement::Foot(side))
            .map(|stream| {
                stream
                    .samples
                    .iter()
                    .take(max_samples)
                    .map(|s| {
                        let a = s.acc_mps2.map(|v| scale.acc_counts(f64::from(v)));
                        let g = s.gyr_dps.map(|v| scale.gyr_counts(f64::from(v)));
                        [a[0], a[1], a[2], g[0], g[1], g[2]]
                    })
                    .collect()
            })
            .unwrap_or_default();
        (side, counts)
    }))
}

/// Left and right foot of the gaitmap walk as recorded (m/s², deg/s, f32), the first
/// `max_samples` of each; times are the recording's (204.8 Hz).
pub fn gaitmap_samples(max_samples: usize) -> Result<[(Side, Vec<ImuSample>); 2], ReplayError> {
    let dir = gaitmap_fixture();
    let trials = list_trials(Dataset::Gaitmap, &dir)?;
    let recording = load_trial(&dir, &trials[0])?;
    Ok([Side::Left, Side::Right].map(|side| {
        let samples = recording
            .stream(Placement::Foot(side))
            .map(|stream| stream.samples.iter().take(max_samples).copied().collect())
            .unwrap_or_default();
        (side, samples)
    }))
}

/// Writes `samples` as the CSV the fake's Movesense streams (`ax,ay,az,gx,gy,gz`, m/s² and deg/s,
/// each f32 printed so it reads back exactly) to `dir/name.csv`.
pub fn write_samples(dir: &Path, name: &str, samples: &[ImuSample]) -> std::io::Result<PathBuf> {
    let path = dir.join(format!("{name}.csv"));
    let mut text = String::from("ax,ay,az,gx,gy,gz\n");
    for s in samples {
        let [ax, ay, az] = s.acc_mps2;
        let [gx, gy, gz] = s.gyr_dps;
        text.push_str(&format!("{ax:?},{ay:?},{az:?},{gx:?},{gy:?},{gz:?}\n"));
    }
    std::fs::write(&path, text)?;
    Ok(path)
}

/// Writes `counts` as the CSV the fake BlueZ streams (`ax,ay,az,gx,gy,gz`) to `dir/name.csv`.
pub fn write_counts(dir: &Path, name: &str, counts: &[Counts]) -> std::io::Result<PathBuf> {
    let path = dir.join(format!("{name}.csv"));
    let mut text = String::from("ax,ay,az,gx,gy,gz\n");
    for c in counts {
        text.push_str(&format!(
            "{},{},{},{},{},{}\n",
            c[0], c[1], c[2], c[3], c[4], c[5]
        ));
    }
    std::fs::write(&path, text)?;
    Ok(path)
}
