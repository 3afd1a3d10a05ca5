//! `entrain assign`: which sensor a patient wears where, kept in the record so the next session
//! (`entrain session --patient CODE --source ble`, or the window) takes the same sensors.
//!
//! By default the clinician taps each sensor in turn when asked (the jerk identifies it, see
//! `entrain_ble::tap`); `--left`/`--right` give the addresses instead, their kinds recognised from
//! their advertisements.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use entrain_ble::central::{
    BleError, FoundSensor, TapEvent, TapListener, normalise_id, recognise_kinds, scan,
};
use entrain_ble::driver;
use entrain_gait::{Placement, Side};
use entrain_source::{SensorId, SensorKind};
use entrain_store::Store;

/// Arguments of `entrain assign`.
#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The patient's pseudonymous code.
    #[arg(long)]
    patient: String,
    /// The left-foot sensor's address, instead of tapping it.
    #[arg(long, requires = "right")]
    left: Option<String>,
    /// The right-foot sensor's address, instead of tapping it.
    #[arg(long, requires = "left")]
    right: Option<String>,
    /// Also a lower-back sensor: its address with --left/--right, else it is tapped too.
    #[arg(long, num_args = 0..=1, default_missing_value = "")]
    lower_back: Option<String>,
    /// How long to scan for sensors before asking for taps, seconds.
    #[arg(long, default_value_t = 5.0)]
    scan_seconds: f64,
    /// How long to wait for each tap, seconds.
    #[arg(long, default_value_t = 60.0)]
    tap_seconds: f64,
    /// Database file (default: the user's data folder).
    #[arg(long)]
    pub(crate) db: Option<PathBuf>,
}

/// One sensor chosen for a placement.
struct Chosen {
    placement: Placement,
    id: SensorId,
    name: String,
    kind: SensorKind,
}

/// Runs `entrain assign`.
pub fn run(args: AssignArgs) -> Result<()> {
    for (flag, secs) in [
        ("--scan-seconds", args.scan_seconds),
        ("--tap-seconds", args.tap_seconds),
    ] {
        if !(secs.is_finite() && secs > 0.0 && secs <= 600.0) {
            bail!("{flag} {secs}: expected a duration in (0, 600]");
        }
    }
    let db = crate::cmd_session::db_path(args.db.as_deref())?;
    let mut store = Store::open(&db)?;
    let patient = store.patient_by_code(&args.patient)?.with_context(|| {
        format!(
            "--patient {}: no such patient in {}",
            args.patient,
            db.display()
        )
    })?;
    let mut placements = vec![Placement::Foot(Side::Left), Placement::Foot(Side::Right)];
    if args.lower_back.is_some() {
        placements.push(Placement::LowerBack);
    }
    let chosen = match (&args.left, &args.right) {
        (Some(left), Some(right)) => by_address(left, right, args.lower_back.as_deref())?,
        _ => by_tap(&placements, &args)?,
    };
    for c in &chosen {
        store.assign_sensor(patient.id, &c.id.0, &c.name, c.kind.code(), c.placement)?;
        println!(
            "{}: {} {} ({})",
            c.placement.code(),
            driver::kind_label(c.kind),
            c.name,
            c.id
        );
    }
    println!(
        "assigned to patient {}; `entrain session --patient {} --source ble` uses them",
        patient.code, patient.code
    );
    Ok(())
}

/// The sensors given by address, their kinds from their advertisements.
fn by_address(left: &str, right: &str, lower_back: Option<&str>) -> Result<Vec<Chosen>> {
    let mut given = vec![
        ("--left", left, Placement::Foot(Side::Left)),
        ("--right", right, Placement::Foot(Side::Right)),
    ];
    match lower_back {
        Some("") => bail!("--lower-back: give its address too when --left and --right are given"),
        Some(id) => given.push(("--lower-back", id, Placement::LowerBack)),
        None => {}
    }
    let mut ids = Vec::new();
    for (flag, id, _) in &given {
        let Some(id) = normalise_id(id) else {
            bail!(
                "{flag} {id}: not a Bluetooth address (AA:BB:CC:DD:EE:FF; see `entrain devices`)"
            );
        };
        ids.push(SensorId(id));
    }
    let kinds = recognise_kinds(&ids, Duration::from_secs(10)).map_err(no_adapter)?;
    Ok(given
        .into_iter()
        .zip(ids)
        .zip(kinds)
        .map(|(((_, _, placement), id), kind)| Chosen {
            placement,
            name: format!("{} {id}", driver::kind_label(kind)),
            id,
            kind,
        })
        .collect())
}

/// Scans, then asks for a tap on each placement's sensor in turn.
fn by_tap(placements: &[Placement], args: &AssignArgs) -> Result<Vec<Chosen>> {
    let found: Vec<FoundSensor> = scan(Duration::from_secs_f64(args.scan_seconds))
        .map_err(no_adapter)?
        .into_iter()
        .filter(|f| !matches!(f.kind, SensorKind::Rsc { .. }))
        .collect();
    if found.len() < placements.len() {
        bail!(
            "{} sensor(s) with motion found in {} s, {} needed: switch them on and bring them near (foot pods cannot be tapped: give them with --left/--right)",
            found.len(),
            args.scan_seconds,
            placements.len()
        );
    }
    eprintln!("connecting to {} sensors…", found.len());
    let candidates: Vec<(SensorId, SensorKind)> =
        found.iter().map(|f| (f.id.clone(), f.kind)).collect();
    let mut listener = TapListener::start(&candidates)?;
    let mut chosen: Vec<Chosen> = Vec::new();
    for &placement in placements {
        eprintln!(
            "tap the sensor on the patient's {} once, firmly, and keep the sensors still…",
            placement_words(placement)
        );
        let id = wait_for_tap(&mut listener, &chosen, args.tap_seconds)?;
        let Some(f) = found.iter().find(|f| f.id == id) else {
            bail!("sensor {id} answered but was not in the scan");
        };
        eprintln!("{}: {} ({})", placement_words(placement), f.name, f.id);
        chosen.push(Chosen {
            placement,
            id,
            name: f.name.clone(),
            kind: f.kind,
        });
    }
    Ok(chosen)
}

/// The next tap on a sensor not chosen yet.
fn wait_for_tap(listener: &mut TapListener, chosen: &[Chosen], secs: f64) -> Result<SensorId> {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        for event in listener.poll().context("listening for a tap")? {
            match event {
                TapEvent::Tapped(id) => match chosen.iter().find(|c| c.id == id) {
                    Some(c) => eprintln!(
                        "that sensor is already the {}: tap the other one",
                        placement_words(c.placement)
                    ),
                    None => return Ok(id),
                },
                TapEvent::Ambiguous(ids) => eprintln!(
                    "{} sensors moved at once ({}): keep the others still and tap again",
                    ids.len(),
                    ids.iter()
                        .map(|i| i.0.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                TapEvent::Streaming(id) => tracing::info!("{id} streaming"),
                TapEvent::Lost(id) => eprintln!("{id}: link lost, reconnecting…"),
            }
        }
    }
    bail!("no tap in {secs} s: nothing assigned")
}

/// A placement for the clinician's prompt.
fn placement_words(placement: Placement) -> &'static str {
    match placement {
        Placement::Foot(Side::Left) => "left foot",
        Placement::Foot(Side::Right) => "right foot",
        Placement::LowerBack => "lower back",
    }
}

/// The no-adapter error as the other BLE commands word it.
fn no_adapter(e: BleError) -> anyhow::Error {
    match e {
        BleError::NoAdapter { detail } => {
            anyhow::anyhow!("{} ({detail})", entrain_ble::central::NO_ADAPTER)
        }
        e => e.into(),
    }
}
