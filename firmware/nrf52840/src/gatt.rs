//! The GATT database: the Entrain sensor service (`entrain-protocol`'s UUIDs and packets), the
//! standard Running Speed and Cadence service (so other apps can use the sensor as a foot pod),
//! Battery and Device Information.
//!
//! The Entrain characteristics need an encrypted link: the sensor asks for LE Secure Connections
//! pairing as soon as a central connects (Just Works: the sensor has no display or buttons), and a
//! central that tries to subscribe first gets "insufficient encryption" and pairs. The standard
//! services stay readable without pairing, as other apps expect.

use entrain_protocol::{control, imu, status, step};
use trouble_host::prelude::*;

/// RSC Sensor Location value: top of shoe.
pub const SENSOR_LOCATION_TOP_OF_SHOE: u8 = 1;

/// Everything the sensor serves.
#[gatt_server]
pub struct Server {
    /// The Entrain sensor service.
    pub entrain: EntrainService,
    /// Running Speed and Cadence (0x1814).
    pub rsc: RscService,
    /// Battery (0x180F).
    pub battery: BatteryService,
    /// Device Information (0x180A).
    pub info: DeviceInformationService,
}

/// The Entrain sensor service (UUIDs from `entrain_protocol::uuid`).
#[gatt_service(uuid = "5e1f0001-2c4b-4a8e-9d57-e17a11c0ffee")]
pub struct EntrainService {
    /// IMU sample packets.
    #[characteristic(uuid = "5e1f0002-2c4b-4a8e-9d57-e17a11c0ffee", notify, permissions(encrypted), value = [0; imu::MAX_LEN])]
    pub imu: [u8; imu::MAX_LEN],
    /// Step-event packets from the on-board detector.
    #[characteristic(uuid = "5e1f0003-2c4b-4a8e-9d57-e17a11c0ffee", notify, permissions(encrypted), value = [0; step::MAX_LEN])]
    pub step: [u8; step::MAX_LEN],
    /// Sensor status.
    #[characteristic(
        uuid = "5e1f0004-2c4b-4a8e-9d57-e17a11c0ffee",
        read,
        notify,
        permissions(encrypted)
    )]
    pub status: [u8; status::LEN],
    /// Control point: commands in, responses notified.
    #[characteristic(
        uuid = "5e1f0005-2c4b-4a8e-9d57-e17a11c0ffee",
        write,
        notify,
        permissions(encrypted)
    )]
    pub control: [u8; control::RESPONSE_LEN],
}

/// Running Speed and Cadence.
#[gatt_service(uuid = service::RUNNING_SPEED_AND_CADENCE)]
pub struct RscService {
    /// RSC Measurement (0x2A53): cadence from the on-board detector.
    #[characteristic(uuid = characteristic::RSC_MEASUREMENT, notify)]
    pub measurement: [u8; entrain_protocol::rsc::MAX_LEN],
    /// RSC Feature (0x2A54): none of the optional features.
    #[characteristic(uuid = characteristic::RSC_FEATURE, read, value = 0)]
    pub feature: u16,
    /// Sensor Location (0x2A5D).
    #[characteristic(uuid = characteristic::SENSOR_LOCATION, read, value = SENSOR_LOCATION_TOP_OF_SHOE)]
    pub location: u8,
}

/// Battery.
#[gatt_service(uuid = service::BATTERY)]
pub struct BatteryService {
    /// Battery Level (0x2A19), percent.
    #[characteristic(uuid = characteristic::BATTERY_LEVEL, read, notify, value = 100)]
    pub level: u8,
}

/// Device Information.
#[gatt_service(uuid = service::DEVICE_INFORMATION)]
pub struct DeviceInformationService {
    /// Manufacturer Name String (0x2A29).
    #[characteristic(uuid = characteristic::MANUFACTURER_NAME_STRING, read, value = "Entrain project")]
    pub manufacturer: &'static str,
    /// Model Number String (0x2A24).
    #[characteristic(uuid = characteristic::MODEL_NUMBER_STRING, read, value = "Entrain foot sensor (nRF52840 + LSM6DSOX)")]
    pub model: &'static str,
    /// Firmware Revision String (0x2A26).
    #[characteristic(uuid = characteristic::FIRMWARE_REVISION_STRING, read, value = env!("CARGO_PKG_VERSION"))]
    pub firmware: &'static str,
}
