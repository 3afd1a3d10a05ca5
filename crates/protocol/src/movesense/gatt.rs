//! The GATT service that `gatt_sensordata_app` creates, and how a Movesense shows itself in a
//! scan.
//!
//! Source: `samples/gatt_sensordata_app/GATTSensorDataClient.cpp` (the service and its two
//! characteristics, their properties, and the 158-byte outgoing buffer, "MTU - 3"), the same
//! UUIDs in the Movesense documentation page "GATT SensorData Protocol specification", and
//! `MovesenseCoreLib/resources/movesense-api/comm/ble.yaml` (the GAP device name, example
//! `"Movesense 1234567890"`). See `docs/sensors/movesense.md` for commits and terms.

/// The GATT SensorData service, `34802252-7185-4d5d-b431-630e7050e8f0`. The sensor does not
/// necessarily advertise it (the app only adds it to the GATT table), so scan by name.
pub const SERVICE: u128 = 0x34802252_7185_4d5d_b431_630e7050e8f0;
/// The command characteristic (write; client to sensor), `34800001-7185-4d5d-b431-630e7050e8f0`.
pub const COMMAND: u128 = 0x34800001_7185_4d5d_b431_630e7050e8f0;
/// The data characteristic (notify; sensor to client: command results and subscription data),
/// `34800002-7185-4d5d-b431-630e7050e8f0`.
pub const DATA: u128 = 0x34800002_7185_4d5d_b431_630e7050e8f0;

/// What the GAP device name of a Movesense starts with: the name is `"Movesense "` followed by the
/// sensor's serial number (ble.yaml's example `"Movesense 1234567890"`; the app's web client
/// filters on this prefix). The name may come only in the scan response, so scan actively.
pub const NAME_PREFIX: &str = "Movesense";

/// The longest notification the app sends on [`DATA`]: its outgoing buffer of 158 bytes (a
/// `DATA_PART2` carries up to 156 payload bytes after its 2-byte header).
pub const MAX_NOTIFICATION_LEN: usize = 158;

/// The ATT MTU needed to receive notifications of `len` bytes (ATT adds a 3-byte header). A
/// first `DATA` part is 152 bytes, so streaming anything that needs two parts takes an MTU of at
/// least 155; the app itself assumes 161.
pub const fn att_mtu_for(len: usize) -> usize {
    len + 3
}

/// Whether a GAP device name is a Movesense's.
pub fn is_movesense_name(name: &str) -> bool {
    name.starts_with(NAME_PREFIX)
}

/// The serial number in a name of the form `"Movesense 1234567890"`, if the name has one.
pub fn serial_from_name(name: &str) -> Option<&str> {
    let serial = name.strip_prefix(NAME_PREFIX)?.strip_prefix(' ')?;
    if serial.is_empty() || !serial.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some(serial)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_recognised_and_serials_extracted() {
        assert!(is_movesense_name("Movesense 204730000081"));
        assert!(!is_movesense_name("Entrain-L"));
        assert_eq!(
            serial_from_name("Movesense 204730000081"),
            Some("204730000081")
        );
        assert_eq!(serial_from_name("Movesense"), None);
        assert_eq!(serial_from_name("Movesense "), None);
        assert_eq!(serial_from_name("MovesenseX 1"), None);
    }

    #[test]
    fn the_two_part_notification_needs_mtu_155() {
        assert_eq!(att_mtu_for(2 + 150), 155);
        assert_eq!(att_mtu_for(MAX_NOTIFICATION_LEN), 161);
    }
}
