//! Entrain's own sensor: recognised by its service UUID; IMU, status, control point and step
//! characteristics; started by writing its placement, then Start, on the control point. Its
//! packets carry sequence numbers, sample indices and scales; they are decoded in
//! [`crate::stream`], which also pairs its time-sync answers.

use entrain_gait::{Placement, Side};
use entrain_protocol::SensorPlacement;
use entrain_protocol::control::{Command, MAX_COMMAND_LEN, Operation};
use entrain_protocol::uuid;

use super::{Advertisement, SetupError, Subscription, Write, sub};

/// Subscribed: IMU, status, control point; the step characteristic if the firmware has one.
pub const SUBSCRIPTIONS: &[Subscription] = &[
    sub(uuid::IMU, true),
    sub(uuid::STATUS, true),
    sub(uuid::CONTROL, true),
    sub(uuid::STEP, false),
];

/// Whether the advertisement is an Entrain sensor's (it advertises its service).
pub fn recognises(ad: &Advertisement<'_>) -> bool {
    ad.services.contains(&uuid::SERVICE)
}

/// Placement, then Start (tokens 1 and 2; time syncs use 16 and up).
#[derive(Debug, Clone)]
pub struct Setup {
    placement: Placement,
}

impl Setup {
    /// For a sensor worn at `placement`.
    pub fn new(placement: Placement) -> Self {
        Self { placement }
    }

    /// The two control-point writes.
    pub fn begin(&mut self) -> Result<Vec<Write>, SetupError> {
        let placement = match self.placement {
            Placement::Foot(Side::Left) => SensorPlacement::LeftFoot,
            Placement::Foot(Side::Right) => SensorPlacement::RightFoot,
            Placement::LowerBack => SensorPlacement::LowerBack,
        };
        [
            (1u8, Operation::SetPlacement(placement)),
            (2u8, Operation::Start),
        ]
        .into_iter()
        .map(|(token, operation)| {
            let mut buf = [0u8; MAX_COMMAND_LEN];
            let n = Command { token, operation }
                .encode(&mut buf)
                .map_err(|e| SetupError(format!("Entrain control command: {e}")))?;
            Ok(Write {
                uuid: uuid::CONTROL,
                bytes: buf.get(..n).unwrap_or_default().to_vec(),
            })
        })
        .collect()
    }
}
