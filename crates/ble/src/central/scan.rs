//! [`scan`]: the sensors in range, for `entrain devices` and the sensors screen.

// The parent's types and helpers (`FoundSensor`, `BleError`, `runtime`, `first_adapter`).
use super::*;

/// Scans for `duration` and lists the sensors Entrain reads (Entrain sensors, RSC foot pods,
/// Movesense, Polar Verity Sense; [`driver::recognise`]) nearby, strongest first. The scan is
/// unfiltered (a Movesense advertises no service; BlueZ merges the filters of all its clients
/// anyway) and other devices are dropped here.
pub fn scan(duration: Duration) -> Result<Vec<FoundSensor>, BleError> {
    let runtime = runtime()?;
    runtime.block_on(async move {
        let adapter = scanning_adapter().await?;
        tokio::time::sleep(duration).await;
        let peripherals = adapter
            .peripherals()
            .await
            .map_err(|e| BleError::Stack(format!("cannot list devices: {e}")))?;
        if let Err(e) = adapter.stop_scan().await {
            tracing::warn!("BLE scan: cannot stop scanning: {e}");
        }
        let mut found = Vec::new();
        let mut connectable = Vec::new();
        for p in peripherals {
            let Some((props, kind)) = recognised(&p).await else {
                continue;
            };
            let battery_percent = props
                .service_data
                .get(&Uuid::from_u128(uuid::BATTERY_SERVICE))
                .and_then(|d| d.first().copied())
                .filter(|&b| b <= 100);
            connectable.push(
                matches!(kind, SensorKind::Movesense | SensorKind::PolarVeritySense)
                    .then(|| p.clone()),
            );
            found.push(FoundSensor {
                id: SensorId(p.address().to_string()),
                name: props.local_name.unwrap_or_else(|| "(no name)".into()),
                rssi_dbm: props.rssi,
                battery_percent,
                kind,
            });
        }
        // Bought sensors do not advertise their charge: read it from their Battery Service, one
        // short connection each (BlueZ takes one connect at a time).
        for (f, p) in found.iter_mut().zip(&connectable) {
            if f.battery_percent.is_none()
                && let Some(p) = p
            {
                f.battery_percent = read_battery(p).await;
            }
        }
        found.sort_by_key(|f| std::cmp::Reverse(f.rssi_dbm.unwrap_or(i16::MIN)));
        Ok(found)
    })
}

/// The Battery Level of a sensor's Battery Service (0x180F), read over a connection of its own
/// that is dropped again; `None` if it has none or does not answer within 5 s.
async fn read_battery(p: &Peripheral) -> Option<u8> {
    let address = p.address();
    let read = async {
        p.connect().await.map_err(|e| format!("connect: {e}"))?;
        p.discover_services()
            .await
            .map_err(|e| format!("service discovery: {e}"))?;
        let level = p
            .characteristics()
            .into_iter()
            .find(|c| c.uuid.as_u128() == uuid::BATTERY_LEVEL)
            .ok_or_else(|| "no Battery Level characteristic".to_string())?;
        p.read(&level).await.map_err(|e| format!("read: {e}"))
    };
    let result = tokio::time::timeout(Duration::from_secs(5), read).await;
    if let Err(e) = p.disconnect().await {
        tracing::debug!("BLE scan: cannot disconnect {address} after reading its battery: {e}");
    }
    match result {
        Ok(Ok(bytes)) => match bytes.as_slice() {
            [percent] if *percent <= 100 => Some(*percent),
            other => {
                tracing::debug!("BLE scan: {address}: battery level {other:?} is not 0..=100");
                None
            }
        },
        Ok(Err(why)) => {
            tracing::debug!("BLE scan: {address}: no battery reading ({why})");
            None
        }
        Err(_) => {
            tracing::debug!("BLE scan: {address}: battery reading timed out after 5 s");
            None
        }
    }
}

/// A device's advertised properties and its kind, if it is a sensor Entrain reads.
async fn recognised(p: &Peripheral) -> Option<(btleplug::api::PeripheralProperties, SensorKind)> {
    let props = p.properties().await.ok().flatten()?;
    let services: Vec<u128> = props.services.iter().map(|u| u.as_u128()).collect();
    let manufacturer_ids: Vec<u16> = props.manufacturer_data.keys().copied().collect();
    let kind = driver::recognise(&Advertisement {
        name: props.local_name.as_deref(),
        services: &services,
        manufacturer_ids: &manufacturer_ids,
    })?;
    Some((props, kind))
}

/// The kind of each of `ids` (Bluetooth addresses), recognised from its advertisement: scans
/// until every one has been seen, for at most `timeout`. A sensor not seen, or seen but not one
/// Entrain reads, is an error that names it.
pub fn recognise_kinds(ids: &[SensorId], timeout: Duration) -> Result<Vec<SensorKind>, BleError> {
    let wanted: Vec<String> = ids
        .iter()
        .map(|id| {
            normalise_id(&id.0).ok_or_else(|| {
                BleError::Config(format!(
                    "sensor {id}: not a Bluetooth address (expected AA:BB:CC:DD:EE:FF)"
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    let runtime = runtime()?;
    runtime.block_on(async move {
        let adapter = scanning_adapter().await?;
        let deadline = tokio::time::Instant::now() + timeout;
        let mut kinds: Vec<Option<SensorKind>> = vec![None; wanted.len()];
        let mut unreadable: Vec<Option<String>> = vec![None; wanted.len()];
        loop {
            let peripherals = adapter
                .peripherals()
                .await
                .map_err(|e| BleError::Stack(format!("cannot list devices: {e}")))?;
            for p in peripherals {
                let Some(i) = wanted.iter().position(|w| *w == p.address().to_string()) else {
                    continue;
                };
                match recognised(&p).await {
                    Some((_, kind)) => kinds[i] = Some(kind),
                    None => {
                        let name = p
                            .properties()
                            .await
                            .ok()
                            .flatten()
                            .and_then(|p| p.local_name);
                        unreadable[i] = Some(name.unwrap_or_else(|| "(no name)".into()));
                    }
                }
            }
            if kinds.iter().all(Option::is_some) || tokio::time::Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if let Err(e) = adapter.stop_scan().await {
            tracing::warn!("BLE: cannot stop scanning after recognising sensors: {e}");
        }
        kinds
            .into_iter()
            .zip(ids)
            .zip(unreadable)
            .map(|((kind, id), unreadable)| match (kind, unreadable) {
                (Some(kind), _) => Ok(kind),
                (None, Some(name)) => Err(BleError::Config(format!(
                    "sensor {id} ({name}) is not an Entrain sensor, RSC foot pod, Movesense or \
                     Polar Verity Sense"
                ))),
                (None, None) => Err(BleError::Config(format!(
                    "sensor {id} was not seen in {:.0} s: is it switched on and in range?",
                    timeout.as_secs_f64()
                ))),
            })
            .collect()
    })
}

/// The first adapter, scanning (unfiltered: a Movesense advertises no service).
async fn scanning_adapter() -> Result<Adapter, BleError> {
    let adapter = first_adapter().await?;
    adapter
        .start_scan(ScanFilter::default())
        .await
        .map_err(|e| BleError::Stack(format!("cannot start scanning: {e}")))?;
    Ok(adapter)
}
