//! `entrain devices`: lists the sensors Entrain reads that are in range (Entrain sensors, RSC
//! foot pods, Movesense, Polar Verity Sense), with their kind and battery where advertised.

use std::time::Duration;

use anyhow::{Result, bail};
use clap::Args;
use entrain_ble::central::{BleError, scan};

/// Arguments of `entrain devices`.
#[derive(Debug, Args)]
pub struct DevicesArgs {
    /// How long to scan, seconds.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `entrain devices`.
pub fn run(args: DevicesArgs) -> Result<()> {
    if !(args.seconds.is_finite() && args.seconds > 0.0 && args.seconds <= 600.0) {
        bail!(
            "--seconds {}: expected a duration in (0, 600]",
            args.seconds
        );
    }
    let found = match scan(Duration::from_secs_f64(args.seconds)) {
        Ok(found) => found,
        Err(BleError::NoAdapter { detail }) => {
            bail!("{} ({detail})", entrain_ble::central::NO_ADAPTER)
        }
        Err(e) => bail!("scanning for sensors: {e}"),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&found)?);
        return Ok(());
    }
    if found.is_empty() {
        println!(
            "no Entrain sensors, RSC foot pods, Movesense or Polar Verity Sense found in {} s",
            args.seconds
        );
        return Ok(());
    }
    println!(
        "{:<19} {:<24} {:>9} {:>8}  kind",
        "id", "name", "rssi_dbm", "battery"
    );
    for f in found {
        let kind = f.kind.code();
        println!(
            "{:<19} {:<24} {:>9} {:>8}  {kind}",
            f.id.0,
            f.name,
            f.rssi_dbm.map_or("-".into(), |r| r.to_string()),
            f.battery_percent.map_or("-".into(), |b| format!("{b} %")),
        );
    }
    Ok(())
}
