//! A Bluetooth SIG Running Speed and Cadence foot pod: recognised by the RSC service 0x1814;
//! its RSC Measurement (and Battery Level, if it has one) subscribed; nothing written. Its
//! measurements are decoded in [`crate::stream`] (cadence, not samples).

use entrain_protocol::uuid;

use super::{Advertisement, Subscription, sub};

/// Subscribed: RSC Measurement; Battery Level if present.
pub const SUBSCRIPTIONS: &[Subscription] = &[
    sub(uuid::RSC_MEASUREMENT, true),
    sub(uuid::BATTERY_LEVEL, false),
];

/// Whether the advertisement offers RSC.
pub fn recognises(ad: &Advertisement<'_>) -> bool {
    ad.services.contains(&uuid::RSC_SERVICE)
}
