//! Measurement types and recording types, shared by the control point and the data frames.

/// What a measurement is (online_measurement.pdf Table 2; the 2021 specification's "PMD
/// Measurement Types"). Every byte value has a variant: numbers the documents do not name are
/// [`MeasurementType::Other`], so a frame or answer of a type this crate does not know is still
/// reported by number rather than refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MeasurementType {
    /// 0: electrocardiogram, µV (not on the Verity Sense, which has no ECG).
    Ecg,
    /// 1: photoplethysmogram.
    Ppg,
    /// 2: acceleration.
    Acc,
    /// 3: peak-to-peak (pulse-to-pulse) interval.
    Ppi,
    /// 5: gyroscope, deg/s.
    Gyro,
    /// 6: magnetometer, gauss.
    Magnetometer,
    /// 9: SDK mode: started and stopped like a measurement, it unlocks the wider sample rates
    /// and ranges (Verity Sense: 26–416 Hz for ACC and gyro) and turns off the on-board
    /// algorithms.
    SdkMode,
    /// 10: location.
    Location,
    /// 11: pressure, hPa.
    Pressure,
    /// 12: temperature, °C.
    Temperature,
    /// Any other number (4 is reserved in the 2021 specification; 7, 8 and 13 and up are not
    /// named by either document).
    Other(u8),
}

impl MeasurementType {
    /// The type for a type number (total: unknown numbers are [`MeasurementType::Other`]).
    pub fn from_number(number: u8) -> Self {
        match number {
            0 => Self::Ecg,
            1 => Self::Ppg,
            2 => Self::Acc,
            3 => Self::Ppi,
            5 => Self::Gyro,
            6 => Self::Magnetometer,
            9 => Self::SdkMode,
            10 => Self::Location,
            11 => Self::Pressure,
            12 => Self::Temperature,
            other => Self::Other(other),
        }
    }

    /// The type number.
    pub fn number(self) -> u8 {
        match self {
            Self::Ecg => 0,
            Self::Ppg => 1,
            Self::Acc => 2,
            Self::Ppi => 3,
            Self::Gyro => 5,
            Self::Magnetometer => 6,
            Self::SdkMode => 9,
            Self::Location => 10,
            Self::Pressure => 11,
            Self::Temperature => 12,
            Self::Other(number) => number,
        }
    }
}

/// Whether a measurement streams over BLE now (online) or is recorded on the device for later
/// transfer (offline). The control point carries it in bit 7 of the measurement type byte
/// (online_measurement.pdf §1: "requestByte = (recordingType shl 7) | measurementType").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum RecordingType {
    /// Streamed over the PMD data characteristic.
    #[default]
    Online,
    /// Recorded on the device (fetched later over Polar's file transfer service, not in this
    /// crate).
    Offline,
}

/// Bit 7 of a control point measurement type byte: the recording type.
pub(crate) const RECORDING_OFFLINE_BIT: u8 = 0x80;
/// The measurement type number's bits. The data frame's type byte is masked with 0x3F
/// (online_measurement.pdf §4.2.9); the control point uses the same six bits, bit 7 being the
/// recording type and bit 6 unassigned.
pub(crate) const MEASUREMENT_TYPE_MASK: u8 = 0x3f;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_round_trips() {
        for n in 0..=u8::MAX {
            assert_eq!(MeasurementType::from_number(n).number(), n);
        }
    }

    #[test]
    fn the_documents_numbers() {
        // online_measurement.pdf Table 2.
        assert_eq!(MeasurementType::from_number(2), MeasurementType::Acc);
        assert_eq!(MeasurementType::from_number(5), MeasurementType::Gyro);
        assert_eq!(MeasurementType::from_number(9), MeasurementType::SdkMode);
        assert_eq!(MeasurementType::from_number(4), MeasurementType::Other(4));
    }
}
