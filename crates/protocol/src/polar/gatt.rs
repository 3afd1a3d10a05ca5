//! The PMD service's GATT identifiers, and what identifies a Polar Verity Sense in a scan.
//!
//! UUIDs are `u128` in reading order, as in [`crate::uuid`]. They are those of the documents'
//! "Measurement UUIDs" table (online_measurement.pdf, Table 3; the 2021 specification's "Gatt
//! Service and Characteristics Declaration"). The 2024 online document prints the service UUID
//! one digit short (`…8DF0C`); its own control point and data UUIDs, the 2021 specification and
//! the corrected offline document all end `…8DF0C8`, which is what is used here.

/// The PMD service.
pub const PMD_SERVICE: u128 = 0xfb005c80_02e7_f387_1cad_8acd2d8df0c8;
/// The PMD control point: read (the feature answer, [`super::features::Features`]), write
/// (requests, [`super::control::Request`]), indicate (responses,
/// [`super::control::Response`]). The host enables indications before writing.
pub const PMD_CONTROL_POINT: u128 = 0xfb005c81_02e7_f387_1cad_8acd2d8df0c8;
/// The PMD data characteristic ("PMD Data MTU"): notify, carrying
/// [`super::frame::DataFrame`]s.
pub const PMD_DATA: u128 = 0xfb005c82_02e7_f387_1cad_8acd2d8df0c8;

/// The smallest ATT MTU the 2021 specification's prerequisites ask the host to exchange
/// ("Exchange ATT MTU with minimum 232"), after switching to the LE 2M PHY if possible.
pub const MIN_ATT_MTU: u16 = 232;

/// Polar Electro Oy's Bluetooth SIG company identifier, which leads the manufacturer-specific
/// data of Polar advertisements.
///
/// Not from the PMD documents (they say nothing about advertising): it is the Bluetooth SIG
/// Assigned Numbers entry for Polar Electro. It identifies a Polar device, not which model.
pub const POLAR_COMPANY_ID: u16 = 0x006b;

/// The advertised local name of a Verity Sense starts with this, followed by a space and the
/// device ID printed on the sensor (eight hexadecimal digits).
///
/// Not from the PMD documents either: the documents call the device "Polar Sense" in their
/// SDK-mode examples (online_measurement.pdf, Figures 5 and 6), and the SDK README's device ID
/// is the eight hex digits printed on the sensor; the name format is what Verity Sense units are
/// observed to advertise. Treat it as a scan hint and confirm by finding [`PMD_SERVICE`] after
/// connecting.
pub const VERITY_SENSE_NAME_PREFIX: &str = "Polar Sense";

/// Whether an advertised name looks like a Verity Sense's (`Polar Sense` then a space or the end).
pub fn is_verity_sense_name(name: &str) -> bool {
    match name.strip_prefix(VERITY_SENSE_NAME_PREFIX) {
        Some(rest) => rest.is_empty() || rest.starts_with(' '),
        None => false,
    }
}

/// The device ID in a Verity Sense's advertised name (`Polar Sense 0A3BA92B` → `0A3BA92B`), if the
/// name has one: the last space-separated word, eight hexadecimal digits.
pub fn device_id_from_name(name: &str) -> Option<&str> {
    if !is_verity_sense_name(name) {
        return None;
    }
    let id = name.rsplit(' ').next()?;
    (id.len() == 8 && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
}

/// Whether manufacturer-specific data under `company_id` comes from a Polar device.
pub fn is_polar_company(company_id: u16) -> bool {
    company_id == POLAR_COMPANY_ID
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_read_as_the_documents_print_them() {
        assert_eq!(
            crate::uuid::to_bytes(PMD_SERVICE),
            [
                0xfb, 0x00, 0x5c, 0x80, 0x02, 0xe7, 0xf3, 0x87, 0x1c, 0xad, 0x8a, 0xcd, 0x2d, 0x8d,
                0xf0, 0xc8
            ]
        );
        assert_eq!(PMD_CONTROL_POINT - PMD_SERVICE, 1 << 96);
        assert_eq!(PMD_DATA - PMD_SERVICE, 2 << 96);
    }

    #[test]
    fn names_are_recognised() {
        assert!(is_verity_sense_name("Polar Sense 0A3BA92B"));
        assert!(is_verity_sense_name("Polar Sense"));
        assert!(!is_verity_sense_name("Polar Sensei"));
        assert!(!is_verity_sense_name("Polar H10 1234ABCD"));
        assert!(!is_verity_sense_name(""));
        assert_eq!(
            device_id_from_name("Polar Sense 0A3BA92B"),
            Some("0A3BA92B")
        );
        assert_eq!(device_id_from_name("Polar Sense 0A3BA92"), None);
        assert_eq!(device_id_from_name("Polar Sense XYZXYZXY"), None);
        assert_eq!(device_id_from_name("Polar H10 0A3BA92B"), None);
        assert!(is_polar_company(0x006b));
        assert!(!is_polar_company(0x004c));
    }
}
