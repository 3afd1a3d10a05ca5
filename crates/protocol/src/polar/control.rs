//! The PMD control point ([`super::gatt::PMD_CONTROL_POINT`]).
//!
//! **Requests** (written by the host; online_measurement.pdf Table 4 and Figures 2–6):
//!
//! | op code | request | then |
//! |---|---|---|
//! | 0x01 | get measurement settings | measurement type byte |
//! | 0x02 | start measurement | measurement type byte, settings list ([`SettingSet`]) |
//! | 0x03 | stop measurement | measurement type byte |
//! | 0x04 | get SDK mode measurement settings | measurement type byte |
//!
//! The measurement type byte is the type number with the recording type in bit 7 (0 online,
//! 1 offline). SDK mode is entered by *starting* measurement type 9 with no settings (`02 09`)
//! and left by stopping it (`03 09`); while it is on, "get SDK mode settings" lists the wider
//! choice (Verity Sense ACC and gyro 26–416 Hz) and a start may choose from it. Op code 0x04 is
//! only in Figure 6, not in Table 4.
//!
//! **Responses** (indicated by the device):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | response code 0xF0 |
//! | 1 | 1 | op code answered |
//! | 2 | 1 | measurement type byte |
//! | 3 | 1 | status ([`Status`]; 0 = success) |
//! | 4 | 1 | more frames (0 or 1) |
//! | 5 | n | parameters: a settings list for "get settings" (and the factor after a start) |
//!
//! Reading the control point gives the feature answer instead ([`super::features`]).

use crate::polar::settings::{SettingSet, SettingsList};
use crate::polar::types::{
    MEASUREMENT_TYPE_MASK, MeasurementType, RECORDING_OFFLINE_BIT, RecordingType,
};
use crate::wire::{need_fields, put, room, u8_at};
use crate::{DecodeError, EncodeError};

/// Op code: get measurement settings.
pub const OP_GET_SETTINGS: u8 = 0x01;
/// Op code: start measurement.
pub const OP_START: u8 = 0x02;
/// Op code: stop measurement.
pub const OP_STOP: u8 = 0x03;
/// Op code: get SDK mode measurement settings.
pub const OP_GET_SDK_MODE_SETTINGS: u8 = 0x04;
/// Byte 0 of a control point response.
pub const RESPONSE_CODE: u8 = 0xf0;
/// Length of a response without parameters.
pub const RESPONSE_HEADER_LEN: usize = 5;

const WHAT_REQUEST: &str = "PMD control point request";
const WHAT_RESPONSE: &str = "PMD control point response";

/// A request written to the control point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Request {
    /// Which settings a measurement offers.
    GetSettings {
        /// The measurement.
        measurement: MeasurementType,
        /// Online or offline recording.
        recording: RecordingType,
    },
    /// Which settings a measurement offers in SDK mode.
    GetSdkModeSettings {
        /// The measurement.
        measurement: MeasurementType,
    },
    /// Start a measurement with the chosen settings.
    Start {
        /// The measurement.
        measurement: MeasurementType,
        /// Online or offline recording.
        recording: RecordingType,
        /// One value per chosen setting (none for SDK mode, PPI, HR).
        settings: SettingSet,
    },
    /// Stop a measurement.
    Stop {
        /// The measurement.
        measurement: MeasurementType,
    },
}

impl Request {
    /// Enter SDK mode (`02 09`).
    pub fn start_sdk_mode() -> Self {
        Self::Start {
            measurement: MeasurementType::SdkMode,
            recording: RecordingType::Online,
            settings: SettingSet::new(),
        }
    }

    /// Leave SDK mode (`03 09`).
    pub fn stop_sdk_mode() -> Self {
        Self::Stop {
            measurement: MeasurementType::SdkMode,
        }
    }

    /// The op code byte.
    pub fn op_code(&self) -> u8 {
        match self {
            Self::GetSettings { .. } => OP_GET_SETTINGS,
            Self::GetSdkModeSettings { .. } => OP_GET_SDK_MODE_SETTINGS,
            Self::Start { .. } => OP_START,
            Self::Stop { .. } => OP_STOP,
        }
    }

    /// Encoded length.
    pub fn encoded_len(&self) -> usize {
        match self {
            Self::Start { settings, .. } => 2 + settings.encoded_len(),
            _ => 2,
        }
    }

    /// Encodes into `out`; returns the bytes written. A measurement number above 63 cannot be
    /// carried (bits 6 and 7 of the type byte are not the number's).
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let (measurement, recording) = match *self {
            Self::GetSettings {
                measurement,
                recording,
            }
            | Self::Start {
                measurement,
                recording,
                ..
            } => (measurement, recording),
            Self::GetSdkModeSettings { measurement } | Self::Stop { measurement } => {
                (measurement, RecordingType::Online)
            }
        };
        let number = measurement.number();
        if number & !MEASUREMENT_TYPE_MASK != 0 {
            return Err(EncodeError::InvalidField {
                what: WHAT_REQUEST,
                field: "measurement type",
                value: u64::from(number),
            });
        }
        let len = self.encoded_len();
        room(WHAT_REQUEST, out, len)?;
        put(out, 0, &[self.op_code(), type_byte(measurement, recording)]);
        if let Self::Start { settings, .. } = self {
            let rest = out.get_mut(2..).unwrap_or_default();
            settings.encode(rest)?;
        }
        Ok(len)
    }

    /// Decodes a request (what a device, or a simulator of one, receives).
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        need_fields(
            WHAT_REQUEST,
            bytes,
            &[("op code", 0, 1), ("measurement type", 1, 1)],
        )?;
        let op_code = u8_at(bytes, 0);
        let (measurement, recording) = split_type_byte(WHAT_REQUEST, u8_at(bytes, 1), 1)?;
        let exactly_two = |request: Self| {
            if bytes.len() == 2 {
                Ok(request)
            } else {
                Err(DecodeError::LengthMismatch {
                    what: WHAT_REQUEST,
                    expected: 2,
                    len: bytes.len(),
                })
            }
        };
        let online_only = |field_ok: bool| {
            if field_ok {
                Ok(())
            } else {
                Err(DecodeError::InvalidField {
                    what: WHAT_REQUEST,
                    field: "recording type",
                    offset: 1,
                    value: 1,
                })
            }
        };
        match op_code {
            OP_GET_SETTINGS => exactly_two(Self::GetSettings {
                measurement,
                recording,
            }),
            OP_GET_SDK_MODE_SETTINGS => {
                online_only(recording == RecordingType::Online)?;
                exactly_two(Self::GetSdkModeSettings { measurement })
            }
            OP_STOP => {
                online_only(recording == RecordingType::Online)?;
                exactly_two(Self::Stop { measurement })
            }
            OP_START => {
                let list = SettingsList::decode(bytes.get(2..).unwrap_or_default(), 2)?;
                Ok(Self::Start {
                    measurement,
                    recording,
                    settings: SettingSet::from_list(&list, 2)?,
                })
            }
            other => Err(DecodeError::InvalidField {
                what: WHAT_REQUEST,
                field: "op code",
                offset: 0,
                value: u64::from(other),
            }),
        }
    }
}

fn type_byte(measurement: MeasurementType, recording: RecordingType) -> u8 {
    let bit = match recording {
        RecordingType::Online => 0,
        RecordingType::Offline => RECORDING_OFFLINE_BIT,
    };
    (measurement.number() & MEASUREMENT_TYPE_MASK) | bit
}

fn split_type_byte(
    what: &'static str,
    byte: u8,
    offset: usize,
) -> Result<(MeasurementType, RecordingType), DecodeError> {
    if byte & !(MEASUREMENT_TYPE_MASK | RECORDING_OFFLINE_BIT) != 0 {
        return Err(DecodeError::InvalidField {
            what,
            field: "measurement type",
            offset,
            value: u64::from(byte),
        });
    }
    let recording = if byte & RECORDING_OFFLINE_BIT != 0 {
        RecordingType::Offline
    } else {
        RecordingType::Online
    };
    Ok((
        MeasurementType::from_number(byte & MEASUREMENT_TYPE_MASK),
        recording,
    ))
}

/// A response's status byte (the 2021 specification's "Control Point Error Codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Status {
    /// 0: handled.
    Success,
    /// 1: the op code is not supported.
    InvalidOpCode,
    /// 2: the measurement type is not known.
    InvalidMeasurementType,
    /// 3: the measurement is not supported (also: SDK mode on a device without it).
    NotSupported,
    /// 4: the length does not match the data.
    InvalidLength,
    /// 5: a parameter prevents handling the request.
    InvalidParameter,
    /// 6: already in the requested state.
    AlreadyInState,
    /// 7: resolution not supported.
    InvalidResolution,
    /// 8: sample rate not supported.
    InvalidSampleRate,
    /// 9: range not supported.
    InvalidRange,
    /// 10: the connection's MTU is not what the device requires.
    InvalidMtu,
    /// 11: invalid number of channels.
    InvalidNumberOfChannels,
    /// 12: the device is in a state that does not allow it (e.g. changing SDK mode while
    /// streaming).
    InvalidState,
    /// 13: the device is in its charger.
    DeviceInCharger,
    /// 14–255: reserved.
    Other(u8),
}

impl Status {
    /// The status for a status byte (total).
    pub fn from_byte(byte: u8) -> Self {
        match byte {
            0 => Self::Success,
            1 => Self::InvalidOpCode,
            2 => Self::InvalidMeasurementType,
            3 => Self::NotSupported,
            4 => Self::InvalidLength,
            5 => Self::InvalidParameter,
            6 => Self::AlreadyInState,
            7 => Self::InvalidResolution,
            8 => Self::InvalidSampleRate,
            9 => Self::InvalidRange,
            10 => Self::InvalidMtu,
            11 => Self::InvalidNumberOfChannels,
            12 => Self::InvalidState,
            13 => Self::DeviceInCharger,
            other => Self::Other(other),
        }
    }

    /// The status byte.
    pub fn byte(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::InvalidOpCode => 1,
            Self::InvalidMeasurementType => 2,
            Self::NotSupported => 3,
            Self::InvalidLength => 4,
            Self::InvalidParameter => 5,
            Self::AlreadyInState => 6,
            Self::InvalidResolution => 7,
            Self::InvalidSampleRate => 8,
            Self::InvalidRange => 9,
            Self::InvalidMtu => 10,
            Self::InvalidNumberOfChannels => 11,
            Self::InvalidState => 12,
            Self::DeviceInCharger => 13,
            Self::Other(byte) => byte,
        }
    }
}

/// A control point response, borrowing its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Response<'a> {
    /// The op code answered (any byte: a device answers unknown op codes too).
    pub op_code: u8,
    /// The measurement answered about.
    pub measurement: MeasurementType,
    /// Online or offline (bit 7 of the type byte).
    pub recording: RecordingType,
    /// Whether it worked.
    pub status: Status,
    /// Whether more response frames follow (a long settings list split over indications).
    pub more_frames: bool,
    /// What follows the fixed part: a settings list for "get settings", the factor after a
    /// start, a reserved byte in some devices' start answers (the H10's `01`).
    pub parameters: &'a [u8],
}

impl<'a> Response<'a> {
    /// Decodes a response.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        need_fields(
            WHAT_RESPONSE,
            bytes,
            &[
                ("response code", 0, 1),
                ("op code", 1, 1),
                ("measurement type", 2, 1),
                ("status", 3, 1),
                ("more frames", 4, 1),
            ],
        )?;
        let code = u8_at(bytes, 0);
        if code != RESPONSE_CODE {
            return Err(DecodeError::InvalidField {
                what: WHAT_RESPONSE,
                field: "response code",
                offset: 0,
                value: u64::from(code),
            });
        }
        let (measurement, recording) = split_type_byte(WHAT_RESPONSE, u8_at(bytes, 2), 2)?;
        let more_frames = match u8_at(bytes, 4) {
            0 => false,
            1 => true,
            other => {
                return Err(DecodeError::InvalidField {
                    what: WHAT_RESPONSE,
                    field: "more frames",
                    offset: 4,
                    value: u64::from(other),
                });
            }
        };
        Ok(Self {
            op_code: u8_at(bytes, 1),
            measurement,
            recording,
            status: Status::from_byte(u8_at(bytes, 3)),
            more_frames,
            parameters: bytes.get(RESPONSE_HEADER_LEN..).unwrap_or_default(),
        })
    }

    /// The parameters read as a settings list (offsets in errors are the response's).
    pub fn settings(&self) -> Result<SettingsList<'a>, DecodeError> {
        SettingsList::decode(self.parameters, RESPONSE_HEADER_LEN)
    }

    /// Encoded length.
    pub fn encoded_len(&self) -> usize {
        RESPONSE_HEADER_LEN + self.parameters.len()
    }

    /// Encodes into `out` (for a device simulator and round-trip tests); returns the bytes
    /// written.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let number = self.measurement.number();
        if number & !MEASUREMENT_TYPE_MASK != 0 {
            return Err(EncodeError::InvalidField {
                what: WHAT_RESPONSE,
                field: "measurement type",
                value: u64::from(number),
            });
        }
        let len = self.encoded_len();
        room(WHAT_RESPONSE, out, len)?;
        put(
            out,
            0,
            &[
                RESPONSE_CODE,
                self.op_code,
                type_byte(self.measurement, self.recording),
                self.status.byte(),
                u8::from(self.more_frames),
            ],
        );
        put(out, RESPONSE_HEADER_LEN, self.parameters);
        Ok(len)
    }
}
