//! Board-agnostic logic of the Entrain foot sensor, `no_std`: everything the firmware decides,
//! kept out of the board crate so it is tested on the host and, compiled for the sensor's CPU,
//! in QEMU.
//!
//! - [`packetizer`]: IMU samples from the FIFO into `entrain-protocol` IMU packets with sequence
//!   numbers, sample indices and sensor timestamps.
//! - [`control`]: the control-point handler (start, stop, rate, time sync, placement, on-board
//!   detection) as a state machine that answers every command.
//! - [`battery`]: LiPo voltage to a filtered, steady percentage.
//! - [`link`]: connection parameters suited to streaming, samples per notification.
//! - [`steps`] (feature `step-detector`): the on-board heel-strike detector (`entrain-gait`'s
//!   foot detector) producing step packets and the RSC cadence.
#![no_std]
#![forbid(unsafe_code)]

pub mod battery;
pub mod control;
pub mod link;
pub mod packetizer;
#[cfg(feature = "step-detector")]
pub mod steps;
