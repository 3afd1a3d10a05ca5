//! Driver for the ST LSM6DSOX 6-axis IMU over I2C, written in the project from the datasheet register
//! map (DS12814): identification, reset, output data rate and full scale, the FIFO in continuous mode
//! with a timestamp word per sample and a watermark (or data-ready) interrupt on INT1.
//!
//! Two front ends share one set of pure encoders and decoders: [`Lsm6dsox`] over blocking
//! `embedded-hal` 1.0 I2C and [`Lsm6dsoxAsync`] over `embedded-hal-async` I2C (what the board uses).
//! With the `fake` feature, [`fake::FakeLsm6dsox`] simulates the chip at register level so the driver
//! is tested without hardware.
#![no_std]
#![forbid(unsafe_code)]

#[cfg(any(test, feature = "fake"))]
pub mod fake;
pub mod regs;

mod driver;
#[cfg(test)]
mod tests;

pub use driver::{Lsm6dsox, Lsm6dsoxAsync};

/// The 7-bit I2C address, chosen by the SA0 pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Address {
    /// SA0 tied to ground: 0x6A.
    Sa0Low,
    /// SA0 tied to supply: 0x6B.
    Sa0High,
}

impl Address {
    /// The 7-bit bus address.
    pub const fn bits(self) -> u8 {
        match self {
            Address::Sa0Low => 0x6A,
            Address::Sa0High => 0x6B,
        }
    }
}

/// Output (and FIFO batch) data rate, the same for accelerometer and gyroscope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataRate {
    /// 12.5 Hz.
    Hz12_5,
    /// 26 Hz.
    Hz26,
    /// 52 Hz.
    Hz52,
    /// 104 Hz.
    Hz104,
    /// 208 Hz.
    Hz208,
    /// 416 Hz.
    Hz416,
    /// 833 Hz.
    Hz833,
}

impl DataRate {
    /// The 4-bit ODR / BDR code (CTRL1_XL, CTRL2_G, FIFO_CTRL3).
    pub const fn code(self) -> u8 {
        match self {
            DataRate::Hz12_5 => 0b0001,
            DataRate::Hz26 => 0b0010,
            DataRate::Hz52 => 0b0011,
            DataRate::Hz104 => 0b0100,
            DataRate::Hz208 => 0b0101,
            DataRate::Hz416 => 0b0110,
            DataRate::Hz833 => 0b0111,
        }
    }

    /// Nominal rate in millihertz (12.5 Hz is 12 500).
    pub const fn millihertz(self) -> u32 {
        match self {
            DataRate::Hz12_5 => 12_500,
            DataRate::Hz26 => 26_000,
            DataRate::Hz52 => 52_000,
            DataRate::Hz104 => 104_000,
            DataRate::Hz208 => 208_000,
            DataRate::Hz416 => 416_000,
            DataRate::Hz833 => 833_000,
        }
    }

    /// The lowest supported rate at or above `hz` (rates above 833 Hz give `None`).
    pub fn at_least_hz(hz: u16) -> Option<DataRate> {
        const ALL: [DataRate; 7] = [
            DataRate::Hz12_5,
            DataRate::Hz26,
            DataRate::Hz52,
            DataRate::Hz104,
            DataRate::Hz208,
            DataRate::Hz416,
            DataRate::Hz833,
        ];
        ALL.into_iter()
            .find(|r| r.millihertz() >= u32::from(hz) * 1000)
    }
}

/// Accelerometer full scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccelRange {
    /// ±2 g.
    G2,
    /// ±4 g.
    G4,
    /// ±8 g.
    G8,
    /// ±16 g (foot impacts at heel strike exceed 8 g in brisk walking).
    G16,
}

impl AccelRange {
    /// FS_XL bits as placed in CTRL1_XL (bits 3:2).
    pub const fn bits(self) -> u8 {
        match self {
            AccelRange::G2 => 0b00 << 2,
            AccelRange::G16 => 0b01 << 2,
            AccelRange::G4 => 0b10 << 2,
            AccelRange::G8 => 0b11 << 2,
        }
    }

    /// Sensitivity, micro-g per LSB (datasheet table 2).
    pub const fn micro_g_per_lsb(self) -> u32 {
        match self {
            AccelRange::G2 => 61,
            AccelRange::G4 => 122,
            AccelRange::G8 => 244,
            AccelRange::G16 => 488,
        }
    }
}

/// Gyroscope full scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GyroRange {
    /// ±125 dps.
    Dps125,
    /// ±250 dps.
    Dps250,
    /// ±500 dps.
    Dps500,
    /// ±1000 dps.
    Dps1000,
    /// ±2000 dps (foot swing peaks reach 400–600 dps, more in fast walking).
    Dps2000,
}

impl GyroRange {
    /// FS_G and FS_125 bits as placed in CTRL2_G (bits 3:1).
    pub const fn bits(self) -> u8 {
        match self {
            GyroRange::Dps125 => 0b001 << 1,
            GyroRange::Dps250 => 0b000 << 1,
            GyroRange::Dps500 => 0b010 << 1,
            GyroRange::Dps1000 => 0b100 << 1,
            GyroRange::Dps2000 => 0b110 << 1,
        }
    }

    /// Sensitivity, micro-dps per LSB (datasheet table 2).
    pub const fn micro_dps_per_lsb(self) -> u32 {
        match self {
            GyroRange::Dps125 => 4_375,
            GyroRange::Dps250 => 8_750,
            GyroRange::Dps500 => 17_500,
            GyroRange::Dps1000 => 35_000,
            GyroRange::Dps2000 => 70_000,
        }
    }
}

/// What drives the INT1 pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Int1 {
    /// FIFO watermark reached, or FIFO overrun: drain in batches (the low-power choice).
    FifoThreshold,
    /// Accelerometer data ready: one interrupt per sample.
    DataReady,
}

/// The sensor configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Output and batch data rate for both sensors.
    pub rate: DataRate,
    /// Accelerometer full scale.
    pub accel_range: AccelRange,
    /// Gyroscope full scale.
    pub gyro_range: GyroRange,
    /// FIFO watermark in FIFO words (three words per sample: gyro, accel, timestamp), at most 511.
    pub fifo_watermark_words: u16,
    /// The INT1 source.
    pub int1: Int1,
}

impl Default for Config {
    /// 104 Hz, ±16 g, ±2000 dps, watermark of 4 samples (12 words, one notification's worth at
    /// 26 notifications/s), FIFO threshold on INT1.
    fn default() -> Self {
        Config {
            rate: DataRate::Hz104,
            accel_range: AccelRange::G16,
            gyro_range: GyroRange::Dps2000,
            fifo_watermark_words: 12,
            int1: Int1::FifoThreshold,
        }
    }
}

/// Largest watermark the 9-bit WTM field holds.
pub const MAX_FIFO_WATERMARK_WORDS: u16 = 511;

/// Errors of the driver; `E` is the bus error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error<E: core::fmt::Debug> {
    /// The I2C transfer failed.
    #[error("LSM6DSOX I2C transfer failed: {0:?}")]
    Bus(E),
    /// WHO_AM_I did not read 0x6C: wrong chip, wrong address, or no chip.
    #[error("LSM6DSOX WHO_AM_I (0x0F) read {found:#04x}, expected 0x6c")]
    WrongChip {
        /// The byte read.
        found: u8,
    },
    /// SW_RESET in CTRL3_C did not clear.
    #[error("LSM6DSOX software reset did not complete after {polls} polls of CTRL3_C")]
    ResetTimeout {
        /// How many times CTRL3_C was read.
        polls: u32,
    },
    /// The requested watermark does not fit the 9-bit field.
    #[error("LSM6DSOX FIFO watermark {words} words exceeds the maximum of 511")]
    WatermarkTooLarge {
        /// The requested watermark.
        words: u16,
    },
}

/// The register writes that configure the sensor after a reset, in order, FIFO left in bypass;
/// [`FIFO_START_WRITE`] then starts batching with every other setting in place.
pub fn config_writes<E: core::fmt::Debug>(config: &Config) -> Result<[(u8, u8); 9], Error<E>> {
    if config.fifo_watermark_words > MAX_FIFO_WATERMARK_WORDS {
        return Err(Error::WatermarkTooLarge {
            words: config.fifo_watermark_words,
        });
    }
    let odr = config.rate.code() << 4;
    let int1 = match config.int1 {
        Int1::FifoThreshold => regs::INT1_FIFO_TH | regs::INT1_FIFO_OVR,
        Int1::DataReady => regs::INT1_DRDY_XL,
    };
    let wtm = config.fifo_watermark_words;
    Ok([
        (regs::CTRL3_C, regs::CTRL3_C_BDU | regs::CTRL3_C_IF_INC),
        (regs::FIFO_CTRL4, regs::FIFO_MODE_BYPASS),
        (regs::CTRL1_XL, odr | config.accel_range.bits()),
        (regs::CTRL2_G, odr | config.gyro_range.bits()),
        (regs::CTRL10_C, regs::CTRL10_C_TIMESTAMP_EN),
        (regs::FIFO_CTRL1, (wtm & 0xFF) as u8),
        (regs::FIFO_CTRL2, ((wtm >> 8) & 0x01) as u8),
        (
            regs::FIFO_CTRL3,
            (config.rate.code() << 4) | config.rate.code(),
        ),
        (regs::INT1_CTRL, int1),
    ])
}

/// The final write that starts batching: continuous mode with a timestamp at every batch tick.
pub const FIFO_START_WRITE: (u8, u8) = (
    regs::FIFO_CTRL4,
    regs::DEC_TS_BATCH_EVERY_BDR | regs::FIFO_MODE_CONTINUOUS,
);

/// The writes that stop sampling: both sensors powered down, FIFO bypassed (and emptied).
pub const STOP_WRITES: [(u8, u8); 3] = [
    (regs::FIFO_CTRL4, regs::FIFO_MODE_BYPASS),
    (regs::CTRL1_XL, 0),
    (regs::CTRL2_G, 0),
];

/// FIFO fill state, from FIFO_STATUS1/2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FifoStatus {
    /// Unread FIFO words.
    pub unread_words: u16,
    /// The watermark is reached.
    pub watermark: bool,
    /// The FIFO overran since the last status read (the oldest data were overwritten).
    pub overrun: bool,
}

impl FifoStatus {
    /// Decodes FIFO_STATUS1 and FIFO_STATUS2.
    pub fn from_registers(status1: u8, status2: u8) -> FifoStatus {
        FifoStatus {
            unread_words: u16::from(status1) | (u16::from(status2 & 0b11) << 8),
            watermark: status2 & regs::FIFO_STATUS2_WTM_IA != 0,
            overrun: status2 & (regs::FIFO_STATUS2_OVR_IA | regs::FIFO_STATUS2_OVR_LATCHED) != 0,
        }
    }
}

/// One decoded FIFO word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FifoWord {
    /// Gyroscope X, Y, Z counts.
    Gyro {
        /// TAG_CNT: the 2-bit time-slot counter the word belongs to.
        slot: u8,
        /// Counts.
        counts: [i16; 3],
    },
    /// Accelerometer X, Y, Z counts.
    Accel {
        /// TAG_CNT.
        slot: u8,
        /// Counts.
        counts: [i16; 3],
    },
    /// Timestamp counter (25 µs per tick nominal).
    Timestamp {
        /// TAG_CNT.
        slot: u8,
        /// Counter value.
        ticks: u32,
    },
    /// A word this driver does not use (temperature, configuration change, compressed data...).
    Other {
        /// TAG_SENSOR.
        tag: u8,
    },
}

impl FifoWord {
    /// Decodes a 7-byte FIFO word (FIFO_DATA_OUT_TAG and the six data bytes).
    pub fn decode(raw: &[u8; regs::FIFO_WORD_BYTES]) -> FifoWord {
        let tag = raw[0] >> 3;
        let slot = (raw[0] >> 1) & 0b11;
        let axis = |i: usize| i16::from_le_bytes([raw[1 + 2 * i], raw[2 + 2 * i]]);
        match tag {
            regs::TAG_GYRO => FifoWord::Gyro {
                slot,
                counts: [axis(0), axis(1), axis(2)],
            },
            regs::TAG_ACCEL => FifoWord::Accel {
                slot,
                counts: [axis(0), axis(1), axis(2)],
            },
            regs::TAG_TIMESTAMP => FifoWord::Timestamp {
                slot,
                ticks: u32::from_le_bytes([raw[1], raw[2], raw[3], raw[4]]),
            },
            other => FifoWord::Other { tag: other },
        }
    }
}

/// One sample as read from the FIFO: raw counts and the sensor's timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawSample {
    /// The sensor's timestamp counter when the sample was batched.
    pub timestamp_ticks: u32,
    /// Accelerometer counts, X, Y, Z.
    pub acc_counts: [i16; 3],
    /// Gyroscope counts, X, Y, Z.
    pub gyr_counts: [i16; 3],
}

/// Groups FIFO words into samples by their time slot (TAG_CNT): a sample is emitted once its slot
/// has a gyroscope, an accelerometer and a timestamp word, in whatever order the FIFO gave them.
/// A slot left incomplete (words lost to an overrun) is dropped and counted.
#[derive(Debug, Clone, Default)]
pub struct FifoAssembler {
    slot: Option<u8>,
    gyr: Option<[i16; 3]>,
    acc: Option<[i16; 3]>,
    ticks: Option<u32>,
    dropped_slots: u32,
}

impl FifoAssembler {
    /// A new assembler with no partial slot.
    pub fn new() -> FifoAssembler {
        FifoAssembler::default()
    }

    /// Incomplete slots dropped so far.
    pub fn dropped_slots(&self) -> u32 {
        self.dropped_slots
    }

    /// Forgets any partial slot (after a FIFO flush).
    pub fn reset(&mut self) {
        let dropped = self.dropped_slots;
        *self = FifoAssembler::default();
        self.dropped_slots = dropped;
    }

    /// Feeds one word; returns the sample it completes, if any.
    pub fn push(&mut self, word: FifoWord) -> Option<RawSample> {
        let slot = match word {
            FifoWord::Gyro { slot, .. }
            | FifoWord::Accel { slot, .. }
            | FifoWord::Timestamp { slot, .. } => slot,
            FifoWord::Other { .. } => return None,
        };
        if self.slot != Some(slot) {
            if self.slot.is_some() {
                self.dropped_slots = self.dropped_slots.saturating_add(1);
            }
            self.slot = Some(slot);
            self.gyr = None;
            self.acc = None;
            self.ticks = None;
        }
        match word {
            FifoWord::Gyro { counts, .. } => self.gyr = Some(counts),
            FifoWord::Accel { counts, .. } => self.acc = Some(counts),
            FifoWord::Timestamp { ticks, .. } => self.ticks = Some(ticks),
            FifoWord::Other { .. } => {}
        }
        match (self.ticks, self.acc, self.gyr) {
            (Some(timestamp_ticks), Some(acc_counts), Some(gyr_counts)) => {
                self.slot = None;
                self.gyr = None;
                self.acc = None;
                self.ticks = None;
                Some(RawSample {
                    timestamp_ticks,
                    acc_counts,
                    gyr_counts,
                })
            }
            _ => None,
        }
    }
}

/// What one FIFO drain did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DrainReport {
    /// FIFO words read.
    pub words: u16,
    /// Complete samples emitted.
    pub samples: u16,
    /// The FIFO had overrun (samples were lost before this drain).
    pub overrun: bool,
}

/// How many times the driver reads CTRL3_C waiting for SW_RESET to clear (the reset takes about
/// 50 µs; one 400 kHz I2C register read takes about 70 µs).
pub const RESET_POLLS: u32 = 100;
