//! The control-point handler: decodes what the host writes, decides, and answers every write with
//! a response carrying the same opcode and token (also malformed ones, as far as they can be read).
//! It owns the sensor's settings and streaming state; the board carries out the [`Action`] it
//! returns (start or stop the IMU, reconfigure it, ask for other link parameters).

use entrain_protocol::control::{Command, Operation, RESPONSE_LEN, Response, ResultCode};
use entrain_protocol::imu::ImuScale;
use entrain_protocol::status::{
    self, FLAG_STEP_DETECTION, FLAG_STREAMING, FLAG_TIME_SYNCED, FirmwareVersion, Status,
};
use entrain_protocol::{DecodeError, SensorPlacement};

/// Rates the IMU can run at, millihertz, ascending.
pub type SupportedRates = &'static [u32];

/// The LSM6DSOX output data rates this firmware offers, millihertz.
pub const LSM6DSOX_RATES_MHZ: SupportedRates =
    &[12_500, 26_000, 52_000, 104_000, 208_000, 416_000, 833_000];

/// Whether the sensor streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamState {
    /// Connected or not, not streaming.
    Idle,
    /// Sending IMU (and step) packets.
    Streaming,
}

/// What the board must do after a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing beyond sending the response.
    None,
    /// Start the IMU at the configured rate and stream (and ask for streaming link parameters).
    StartStreaming,
    /// Stop the IMU, flush the last packet, go back to idle link parameters.
    StopStreaming,
    /// The rate changed (only while idle): reconfigure the IMU before the next start.
    Reconfigure,
    /// Placement or detection changed: update the status characteristic.
    StatusChanged,
}

/// What the handler needs to know about the moment and the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// The sensor clock now, µs (same clock as the IMU packets).
    pub sensor_time_us: u32,
    /// Whether an IMU packet fits a notification at the current ATT MTU.
    pub can_stream: bool,
}

/// The control point and the settings it governs.
#[derive(Debug, Clone)]
pub struct ControlPoint {
    rates_mhz: SupportedRates,
    state: StreamState,
    sample_rate_mhz: u32,
    placement: SensorPlacement,
    step_detection: bool,
    step_detection_supported: bool,
    time_synced: bool,
}

impl ControlPoint {
    /// Idle, at `sample_rate_mhz` (must be one of `rates_mhz`, otherwise the nearest supported
    /// rate at or above it, or the fastest), worn at `placement`.
    pub fn new(
        rates_mhz: SupportedRates,
        sample_rate_mhz: u32,
        placement: SensorPlacement,
        step_detection_supported: bool,
    ) -> ControlPoint {
        let rate = supported_rate(rates_mhz, sample_rate_mhz)
            .or_else(|| rates_mhz.last().copied())
            .unwrap_or(sample_rate_mhz);
        ControlPoint {
            rates_mhz,
            state: StreamState::Idle,
            sample_rate_mhz: rate,
            placement,
            step_detection: step_detection_supported,
            step_detection_supported,
            time_synced: false,
        }
    }

    /// Streaming or not.
    pub fn state(&self) -> StreamState {
        self.state
    }

    /// The configured IMU rate, millihertz.
    pub fn sample_rate_mhz(&self) -> u32 {
        self.sample_rate_mhz
    }

    /// Where the sensor is worn.
    pub fn placement(&self) -> SensorPlacement {
        self.placement
    }

    /// Whether on-board step detection is on.
    pub fn step_detection(&self) -> bool {
        self.step_detection
    }

    /// Whether the host has synchronised clocks on this connection.
    pub fn time_synced(&self) -> bool {
        self.time_synced
    }

    /// The link dropped: stop streaming, forget the clock sync. Returns the action the board must
    /// take.
    pub fn disconnected(&mut self) -> Action {
        self.time_synced = false;
        match self.state {
            StreamState::Streaming => {
                self.state = StreamState::Idle;
                Action::StopStreaming
            }
            StreamState::Idle => Action::None,
        }
    }

    /// The board could not start (or keep) streaming: back to idle, so the status says so and a
    /// later start is tried afresh.
    pub fn streaming_failed(&mut self) {
        self.state = StreamState::Idle;
    }

    /// Handles one write to the control point; returns the encoded response and the action.
    pub fn handle(&mut self, bytes: &[u8], ctx: Context) -> ([u8; RESPONSE_LEN], Action) {
        let (response, action) = match Command::decode(bytes) {
            Ok(command) => self.execute(command, ctx),
            Err(err) => (
                Response {
                    opcode: bytes.get(2).copied().unwrap_or(0),
                    token: bytes.get(3).copied().unwrap_or(0),
                    result: match err {
                        DecodeError::InvalidField {
                            field: "opcode", ..
                        } => ResultCode::UnsupportedOpcode,
                        _ => ResultCode::InvalidParameter,
                    },
                    sensor_time_us: ctx.sensor_time_us,
                    host_time_us: 0,
                },
                Action::None,
            ),
        };
        let mut out = [0u8; RESPONSE_LEN];
        // A response always fits its fixed-size buffer.
        let _ = response.encode(&mut out);
        (out, action)
    }

    fn execute(&mut self, command: Command, ctx: Context) -> (Response, Action) {
        let mut host_time_us = 0;
        let (result, action) = match command.operation {
            Operation::Start => match self.state {
                StreamState::Streaming => (ResultCode::Ok, Action::None),
                StreamState::Idle if !ctx.can_stream => (ResultCode::Failed, Action::None),
                StreamState::Idle => {
                    self.state = StreamState::Streaming;
                    (ResultCode::Ok, Action::StartStreaming)
                }
            },
            Operation::Stop => match self.state {
                StreamState::Idle => (ResultCode::Ok, Action::None),
                StreamState::Streaming => {
                    self.state = StreamState::Idle;
                    (ResultCode::Ok, Action::StopStreaming)
                }
            },
            Operation::SetRate { sample_rate_mhz } => {
                if self.state == StreamState::Streaming {
                    (ResultCode::Busy, Action::None)
                } else {
                    match supported_rate(self.rates_mhz, sample_rate_mhz) {
                        Some(rate) => {
                            self.sample_rate_mhz = rate;
                            (ResultCode::Ok, Action::Reconfigure)
                        }
                        None => (ResultCode::InvalidParameter, Action::None),
                    }
                }
            }
            Operation::TimeSync { host_time_us: t } => {
                host_time_us = t;
                self.time_synced = true;
                (ResultCode::Ok, Action::StatusChanged)
            }
            Operation::SetPlacement(placement) => {
                self.placement = placement;
                (ResultCode::Ok, Action::StatusChanged)
            }
            Operation::SetStepDetection(on) => {
                if on && !self.step_detection_supported {
                    (ResultCode::UnsupportedOpcode, Action::None)
                } else {
                    self.step_detection = on;
                    (ResultCode::Ok, Action::StatusChanged)
                }
            }
        };
        (
            Response {
                opcode: command.operation.opcode(),
                token: command.token,
                result,
                sensor_time_us: ctx.sensor_time_us,
                host_time_us,
            },
            action,
        )
    }

    /// The status packet for the current settings.
    pub fn status(
        &self,
        battery_percent: Option<u8>,
        acc_ug_per_lsb: u16,
        gyr_udps_per_lsb: u32,
        firmware: FirmwareVersion,
    ) -> Status {
        let mut flags = 0;
        if self.state == StreamState::Streaming {
            flags |= FLAG_STREAMING;
        }
        if self.step_detection {
            flags |= FLAG_STEP_DETECTION;
        }
        if self.time_synced {
            flags |= FLAG_TIME_SYNCED;
        }
        Status {
            battery_percent,
            placement: self.placement,
            scale: ImuScale {
                sample_rate_mhz: self.sample_rate_mhz,
                acc_ug_per_lsb,
                gyr_udps_per_lsb,
            },
            firmware,
            flags,
        }
    }
}

/// Length of an encoded status packet.
pub const STATUS_LEN: usize = status::LEN;

/// The lowest supported rate at or above `requested_mhz`, or `None` if it is faster than all.
pub fn supported_rate(rates_mhz: SupportedRates, requested_mhz: u32) -> Option<u32> {
    if requested_mhz == 0 {
        return None;
    }
    rates_mhz.iter().copied().find(|&r| r >= requested_mhz)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: Context = Context {
        sensor_time_us: 4242,
        can_stream: true,
    };

    fn cmd(token: u8, operation: Operation) -> ([u8; 12], usize) {
        let mut buf = [0u8; 12];
        let n = Command { token, operation }.encode(&mut buf).unwrap();
        (buf, n)
    }

    fn run(cp: &mut ControlPoint, token: u8, op: Operation, ctx: Context) -> (Response, Action) {
        let (buf, n) = cmd(token, op);
        let (resp, action) = cp.handle(&buf[..n], ctx);
        (Response::decode(&resp).unwrap(), action)
    }

    fn new_cp() -> ControlPoint {
        ControlPoint::new(LSM6DSOX_RATES_MHZ, 104_000, SensorPlacement::LeftFoot, true)
    }

    #[test]
    fn start_stop_cycle() {
        let mut cp = new_cp();
        let (r, a) = run(&mut cp, 7, Operation::Start, CTX);
        assert_eq!(
            (r.result, a, r.token, r.opcode),
            (ResultCode::Ok, Action::StartStreaming, 7, 0x01)
        );
        assert_eq!(r.sensor_time_us, 4242);
        assert_eq!(cp.state(), StreamState::Streaming);
        // Start again: fine, nothing to do.
        assert_eq!(run(&mut cp, 8, Operation::Start, CTX).1, Action::None);
        let (r, a) = run(&mut cp, 9, Operation::Stop, CTX);
        assert_eq!((r.result, a), (ResultCode::Ok, Action::StopStreaming));
        assert_eq!(run(&mut cp, 10, Operation::Stop, CTX).1, Action::None);
    }

    #[test]
    fn start_fails_when_the_mtu_is_too_small() {
        let mut cp = new_cp();
        let ctx = Context {
            can_stream: false,
            ..CTX
        };
        let (r, a) = run(&mut cp, 1, Operation::Start, ctx);
        assert_eq!((r.result, a), (ResultCode::Failed, Action::None));
        assert_eq!(cp.state(), StreamState::Idle);
    }

    #[test]
    fn rate_is_rounded_up_to_a_supported_one_and_refused_while_streaming() {
        let mut cp = new_cp();
        let (r, a) = run(
            &mut cp,
            1,
            Operation::SetRate {
                sample_rate_mhz: 100_000,
            },
            CTX,
        );
        assert_eq!((r.result, a), (ResultCode::Ok, Action::Reconfigure));
        assert_eq!(cp.sample_rate_mhz(), 104_000);
        run(
            &mut cp,
            2,
            Operation::SetRate {
                sample_rate_mhz: 200_000,
            },
            CTX,
        );
        assert_eq!(cp.sample_rate_mhz(), 208_000);
        let (r, _) = run(
            &mut cp,
            3,
            Operation::SetRate {
                sample_rate_mhz: 2_000_000,
            },
            CTX,
        );
        assert_eq!(r.result, ResultCode::InvalidParameter);
        assert_eq!(cp.sample_rate_mhz(), 208_000);
        run(&mut cp, 4, Operation::Start, CTX);
        let (r, a) = run(
            &mut cp,
            5,
            Operation::SetRate {
                sample_rate_mhz: 52_000,
            },
            CTX,
        );
        assert_eq!((r.result, a), (ResultCode::Busy, Action::None));
        assert_eq!(cp.sample_rate_mhz(), 208_000);
    }

    #[test]
    fn time_sync_echoes_the_host_time_and_marks_the_status() {
        let mut cp = new_cp();
        let host = 1_700_000_000_123_456u64;
        let (r, _) = run(&mut cp, 3, Operation::TimeSync { host_time_us: host }, CTX);
        assert_eq!(
            (r.result, r.host_time_us, r.sensor_time_us),
            (ResultCode::Ok, host, 4242)
        );
        let fw = FirmwareVersion {
            major: 0,
            minor: 1,
            patch: 0,
        };
        let s = cp.status(Some(80), 488, 70_000, fw);
        assert_eq!(s.flags & FLAG_TIME_SYNCED, FLAG_TIME_SYNCED);
        assert_eq!(cp.disconnected(), Action::None);
        assert!(!cp.time_synced());
    }

    #[test]
    fn placement_and_detection() {
        let mut cp = new_cp();
        run(
            &mut cp,
            1,
            Operation::SetPlacement(SensorPlacement::RightFoot),
            CTX,
        );
        assert_eq!(cp.placement(), SensorPlacement::RightFoot);
        run(&mut cp, 2, Operation::SetStepDetection(false), CTX);
        assert!(!cp.step_detection());
        let mut no_detector = ControlPoint::new(
            LSM6DSOX_RATES_MHZ,
            104_000,
            SensorPlacement::LeftFoot,
            false,
        );
        let (r, _) = run(&mut no_detector, 3, Operation::SetStepDetection(true), CTX);
        assert_eq!(r.result, ResultCode::UnsupportedOpcode);
    }

    #[test]
    fn malformed_writes_get_answers_naming_their_opcode_and_token() {
        let mut cp = new_cp();
        let (resp, a) = cp.handle(&[1, 0x10, 0x7F, 33], CTX);
        let r = Response::decode(&resp).unwrap();
        assert_eq!(
            (r.opcode, r.token, r.result, a),
            (0x7F, 33, ResultCode::UnsupportedOpcode, Action::None)
        );
        // Set rate without its parameter.
        let (resp, _) = cp.handle(&[1, 0x10, 0x03, 34], CTX);
        let r = Response::decode(&resp).unwrap();
        assert_eq!(
            (r.opcode, r.token, r.result),
            (0x03, 34, ResultCode::InvalidParameter)
        );
        // Nothing readable at all.
        let (resp, _) = cp.handle(&[], CTX);
        assert_eq!(
            Response::decode(&resp).unwrap().result,
            ResultCode::InvalidParameter
        );
        // Wrong protocol version.
        let (resp, _) = cp.handle(&[9, 0x10, 0x01, 35], CTX);
        assert_eq!(Response::decode(&resp).unwrap().token, 35);
        assert_eq!(cp.state(), StreamState::Idle);
    }

    #[test]
    fn a_failed_start_returns_to_idle() {
        let mut cp = new_cp();
        run(&mut cp, 1, Operation::Start, CTX);
        cp.streaming_failed();
        assert_eq!(cp.state(), StreamState::Idle);
        assert_eq!(
            run(&mut cp, 2, Operation::Start, CTX).1,
            Action::StartStreaming
        );
    }

    #[test]
    fn disconnect_while_streaming_stops() {
        let mut cp = new_cp();
        run(&mut cp, 1, Operation::Start, CTX);
        assert_eq!(cp.disconnected(), Action::StopStreaming);
        assert_eq!(cp.state(), StreamState::Idle);
    }

    #[test]
    fn status_reflects_settings_and_encodes() {
        let mut cp = new_cp();
        run(&mut cp, 1, Operation::Start, CTX);
        let fw = FirmwareVersion {
            major: 0,
            minor: 1,
            patch: 2,
        };
        let s = cp.status(None, 488, 70_000, fw);
        assert_eq!(s.flags, FLAG_STREAMING | FLAG_STEP_DETECTION);
        assert_eq!(s.scale.sample_rate_mhz, 104_000);
        let mut buf = [0u8; STATUS_LEN];
        let n = s.encode(&mut buf).unwrap();
        assert_eq!(Status::decode(&buf[..n]).unwrap(), s);
    }
}
