//! Driver for two ST 6-axis IMUs of the LSM6DS family over I2C, written in the project from the
//! datasheet register maps: the LSM6DSOX (DS12814) and the LSM6DS3TR-C (the IMU on the Seeed XIAO
//! nRF52840 Sense; its FIFO and timestamp in [`ds3trc`]). Identification, reset, output data rate and
//! full scale, the FIFO in continuous mode with a timestamp per sample and a watermark (or
//! data-ready) interrupt on INT1. The [`Chip`] chosen at construction selects the register map where
//! the two differ (FIFO, timestamp width, WHO_AM_I); everything else is shared.
//!
//! Two front ends share one set of pure encoders and decoders: [`Lsm6ds`] over blocking
//! `embedded-hal` 1.0 I2C and [`Lsm6dsAsync`] over `embedded-hal-async` I2C (what the board uses).
//! With the `fake` feature, [`fake::FakeLsm6dsox`] and [`fake_ds3trc::FakeLsm6ds3trc`] simulate the
//! chips at register level so the driver is tested without hardware.
#![no_std]
#![forbid(unsafe_code)]

pub mod ds3trc;
#[cfg(any(test, feature = "fake"))]
pub mod fake;
#[cfg(any(test, feature = "fake"))]
pub mod fake_ds3trc;
pub mod regs;

mod driver;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_ds3trc;

pub use driver::{Lsm6ds, Lsm6dsAsync};

/// Which chip of the family is on the bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chip {
    /// ST LSM6DSOX: tagged 7-byte FIFO words, 32-bit timestamp.
    Lsm6dsox,
    /// ST LSM6DS3TR-C: untagged 16-bit FIFO words in a fixed pattern, 24-bit timestamp.
    Lsm6ds3trc,
}

impl Chip {
    /// The value WHO_AM_I (0x0F) reads on this chip.
    pub const fn who_am_i(self) -> u8 {
        match self {
            Chip::Lsm6dsox => regs::WHO_AM_I_VALUE,
            Chip::Lsm6ds3trc => ds3trc::WHO_AM_I_VALUE,
        }
    }

    /// The chip's name, for logs and errors.
    pub const fn name(self) -> &'static str {
        match self {
            Chip::Lsm6dsox => "LSM6DSOX",
            Chip::Lsm6ds3trc => "LSM6DS3TR-C",
        }
    }

    /// FIFO words one sample (gyroscope, accelerometer, timestamp) takes: three tagged words on
    /// the DSOX, nine 16-bit words (three data sets of three axes) on the DS3TR-C.
    pub const fn fifo_words_per_sample(self) -> u16 {
        match self {
            Chip::Lsm6dsox => 3,
            Chip::Lsm6ds3trc => ds3trc::PATTERN_WORDS,
        }
    }

    /// The largest FIFO watermark, in samples, the chip's threshold field holds.
    pub const fn max_fifo_watermark_samples(self) -> u16 {
        match self {
            Chip::Lsm6dsox => MAX_FIFO_WATERMARK_WORDS / 3,
            Chip::Lsm6ds3trc => ds3trc::MAX_FIFO_WATERMARK_WORDS / ds3trc::PATTERN_WORDS,
        }
    }
}

impl core::fmt::Display for Chip {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

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

/// Output (and FIFO batch) data rate, the same for accelerometer and gyroscope. The codes are the
/// same on both chips (CTRL1_XL/CTRL2_G ODR bits 7:4; the DSOX's FIFO_CTRL3 BDR and the DS3TR-C's
/// FIFO_CTRL5 ODR_FIFO use the same 4-bit codes).
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

/// Accelerometer full scale (same FS_XL codes and sensitivities on both chips).
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

/// Gyroscope full scale (same FS_G/FS_125 codes and sensitivities on both chips).
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
    /// FIFO watermark in samples (the driver converts to the chip's FIFO words), at most
    /// [`Chip::max_fifo_watermark_samples`].
    pub fifo_watermark_samples: u16,
    /// The INT1 source.
    pub int1: Int1,
}

impl Default for Config {
    /// 104 Hz, ±16 g, ±2000 dps, watermark of 4 samples (one notification's worth at 26
    /// notifications/s), FIFO threshold on INT1.
    fn default() -> Self {
        Config {
            rate: DataRate::Hz104,
            accel_range: AccelRange::G16,
            gyro_range: GyroRange::Dps2000,
            fifo_watermark_samples: 4,
            int1: Int1::FifoThreshold,
        }
    }
}

/// Largest watermark the LSM6DSOX's 9-bit WTM field holds, in FIFO words.
pub const MAX_FIFO_WATERMARK_WORDS: u16 = 511;

/// Errors of the driver; `E` is the bus error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error<E: core::fmt::Debug> {
    /// The I2C transfer failed.
    #[error("LSM6DS IMU I2C transfer failed: {0:?}")]
    Bus(E),
    /// WHO_AM_I did not read the chip's value: wrong chip, wrong address, or no chip.
    #[error("{chip} WHO_AM_I (0x0F) read {found:#04x}, expected {:#04x}", chip.who_am_i())]
    WrongChip {
        /// The chip the driver was built for.
        chip: Chip,
        /// The byte read.
        found: u8,
    },
    /// SW_RESET in CTRL3_C did not clear.
    #[error("{chip} software reset did not complete after {polls} polls of CTRL3_C")]
    ResetTimeout {
        /// The chip the driver was built for.
        chip: Chip,
        /// How many times CTRL3_C was read.
        polls: u32,
    },
    /// The requested watermark does not fit the chip's threshold field.
    #[error("{chip} FIFO watermark of {samples} samples exceeds the maximum of {}", chip.max_fifo_watermark_samples())]
    WatermarkTooLarge {
        /// The chip the driver was built for.
        chip: Chip,
        /// The requested watermark.
        samples: u16,
    },
    /// `start` was called before `init` or `configure` chose a rate.
    #[error("{chip} FIFO start requested before any configuration")]
    NotConfigured {
        /// The chip the driver was built for.
        chip: Chip,
    },
}

/// The register writes of one configuration, in order (at most [`Writes::CAPACITY`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Writes {
    regs: [(u8, u8); Writes::CAPACITY],
    len: usize,
}

impl Writes {
    /// The most writes any chip's configuration needs.
    pub const CAPACITY: usize = 12;

    /// Collects `list`; a list longer than [`Writes::CAPACITY`] does not compile.
    pub(crate) const fn from_array<const N: usize>(list: [(u8, u8); N]) -> Writes {
        const { assert!(N <= Writes::CAPACITY) };
        let mut regs = [(0u8, 0u8); Writes::CAPACITY];
        let mut i = 0;
        while i < N {
            regs[i] = list[i];
            i += 1;
        }
        Writes { regs, len: N }
    }

    /// The (register, value) pairs in order.
    pub fn as_slice(&self) -> &[(u8, u8)] {
        &self.regs[..self.len]
    }
}

/// What a configuration means for the bus: the writes that apply it after a reset (FIFO left in
/// bypass), the write that then starts batching, and the writes that stop sampling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Applies the configuration, FIFO in bypass.
    pub config: Writes,
    /// Starts batching with every other setting in place.
    pub start: (u8, u8),
}

/// The plan for `config` on `chip`.
pub fn plan<E: core::fmt::Debug>(chip: Chip, config: &Config) -> Result<Plan, Error<E>> {
    if config.fifo_watermark_samples > chip.max_fifo_watermark_samples() {
        return Err(Error::WatermarkTooLarge {
            chip,
            samples: config.fifo_watermark_samples,
        });
    }
    Ok(match chip {
        Chip::Lsm6dsox => Plan {
            config: Writes::from_array(dsox_config_writes(config)),
            start: FIFO_START_WRITE,
        },
        Chip::Lsm6ds3trc => Plan {
            config: Writes::from_array(ds3trc::config_writes(config)),
            start: ds3trc::start_write(config.rate),
        },
    })
}

/// The writes that stop sampling on `chip`: both sensors powered down, FIFO bypassed (and emptied).
pub const fn stop_writes(chip: Chip) -> [(u8, u8); 3] {
    match chip {
        Chip::Lsm6dsox => STOP_WRITES,
        Chip::Lsm6ds3trc => ds3trc::STOP_WRITES,
    }
}

/// The LSM6DSOX register writes that configure the sensor after a reset, in order, FIFO left in
/// bypass; [`FIFO_START_WRITE`] then starts batching with every other setting in place. The
/// watermark must already be checked against [`Chip::max_fifo_watermark_samples`].
fn dsox_config_writes(config: &Config) -> [(u8, u8); 9] {
    let odr = config.rate.code() << 4;
    let int1 = match config.int1 {
        Int1::FifoThreshold => regs::INT1_FIFO_TH | regs::INT1_FIFO_OVR,
        Int1::DataReady => regs::INT1_DRDY_XL,
    };
    let wtm = config.fifo_watermark_samples * Chip::Lsm6dsox.fifo_words_per_sample();
    [
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
    ]
}

/// The LSM6DSOX write that starts batching: continuous mode with a timestamp at every batch tick.
pub const FIFO_START_WRITE: (u8, u8) = (
    regs::FIFO_CTRL4,
    regs::DEC_TS_BATCH_EVERY_BDR | regs::FIFO_MODE_CONTINUOUS,
);

/// The LSM6DSOX writes that stop sampling: both sensors powered down, FIFO bypassed (and emptied).
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
    /// Decodes the LSM6DSOX's FIFO_STATUS1 and FIFO_STATUS2.
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

/// Groups FIFO words into samples. LSM6DSOX words by their time slot (TAG_CNT): a sample is
/// emitted once its slot has a gyroscope, an accelerometer and a timestamp word, in whatever order
/// the FIFO gave them. LSM6DS3TR-C words by their pattern position ([`ds3trc::PatternAssembler`]).
/// A slot left incomplete (words lost to an overrun) is dropped and counted.
#[derive(Debug, Clone, Default)]
pub struct FifoAssembler {
    slot: Option<u8>,
    gyr: Option<[i16; 3]>,
    acc: Option<[i16; 3]>,
    ticks: Option<u32>,
    dropped_slots: u32,
    pattern: ds3trc::PatternAssembler,
}

impl FifoAssembler {
    /// A new assembler with no partial slot.
    pub fn new() -> FifoAssembler {
        FifoAssembler::default()
    }

    /// Incomplete slots (or DS3TR-C patterns) dropped so far.
    pub fn dropped_slots(&self) -> u32 {
        self.dropped_slots
            .saturating_add(self.pattern.dropped_samples())
    }

    /// Forgets any partial slot (after a FIFO flush).
    pub fn reset(&mut self) {
        let dropped = self.dropped_slots;
        let mut pattern = core::mem::take(&mut self.pattern);
        pattern.reset();
        *self = FifoAssembler::default();
        self.dropped_slots = dropped;
        self.pattern = pattern;
    }

    /// Feeds one LSM6DS3TR-C FIFO word at pattern `position`; returns the sample it completes
    /// (with the raw 24-bit timestamp).
    pub fn push_pattern(&mut self, position: u16, word: [u8; 2]) -> Option<RawSample> {
        self.pattern.push(position, word)
    }

    /// Feeds one LSM6DSOX word; returns the sample it completes, if any.
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
