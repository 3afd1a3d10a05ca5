//! GATT UUIDs, as `u128` in the usual big-endian reading order
//! (`0x5e1f0001_2c4b_4a8e_9d57_e17a11c0ffee` is `5e1f0001-2c4b-4a8e-9d57-e17a11c0ffee`).
//!
//! The Entrain UUIDs share one 128-bit base and differ in bytes 2–3 (the `0001`..`0005` part).

/// The Entrain sensor service; sensors advertise it.
pub const SERVICE: u128 = 0x5e1f0001_2c4b_4a8e_9d57_e17a11c0ffee;
/// IMU samples characteristic (notify).
pub const IMU: u128 = 0x5e1f0002_2c4b_4a8e_9d57_e17a11c0ffee;
/// Step events characteristic (notify).
pub const STEP: u128 = 0x5e1f0003_2c4b_4a8e_9d57_e17a11c0ffee;
/// Status characteristic (read, notify).
pub const STATUS: u128 = 0x5e1f0004_2c4b_4a8e_9d57_e17a11c0ffee;
/// Control point characteristic (write, notify).
pub const CONTROL: u128 = 0x5e1f0005_2c4b_4a8e_9d57_e17a11c0ffee;

/// The Bluetooth SIG base UUID, `00000000-0000-1000-8000-00805f9b34fb`.
pub const SIG_BASE: u128 = 0x00000000_0000_1000_8000_00805f9b34fb;

/// The 128-bit form of a 16-bit Bluetooth SIG UUID.
pub const fn sig(short: u16) -> u128 {
    SIG_BASE | ((short as u128) << 96)
}

/// Running Speed and Cadence service (0x1814).
pub const RSC_SERVICE: u128 = sig(0x1814);
/// RSC Measurement characteristic (0x2A53), decoded by [`crate::rsc::RscMeasurement`].
pub const RSC_MEASUREMENT: u128 = sig(0x2A53);
/// Battery service (0x180F).
pub const BATTERY_SERVICE: u128 = sig(0x180F);
/// Battery Level characteristic (0x2A19), one byte, percent.
pub const BATTERY_LEVEL: u128 = sig(0x2A19);

/// The UUID's 16 bytes in big-endian (string) order.
pub const fn to_bytes(uuid: u128) -> [u8; 16] {
    uuid.to_be_bytes()
}
