//! The LSM6DS3TR-C: its register map where it differs from the LSM6DSOX, and the pure encoders and
//! decoders of its FIFO and timestamp, from ST's LSM6DS3TR-C datasheet (register map and
//! description, the copy Seeed publishes with the XIAO nRF52840 Sense:
//! files.seeedstudio.com/wiki/XIAO-BLE/ST_LSM6DS3TR_Datasheet.pdf) and the FIFO chapter of ST's
//! LSM6DS3-family application note AN4650 ("Step counter and time stamp data in FIFO").
//!
//! Shared with the LSM6DSOX, same address and same bits (so taken from [`crate::regs`]):
//! WHO_AM_I (0x0F, but it reads 0x6A here), CTRL1_XL (ODR 7:4, FS_XL 3:2), CTRL2_G (ODR 7:4,
//! FS_G 3:2, FS_125 1), CTRL3_C (BDU, IF_INC, SW_RESET), INT1_CTRL bits 0 (DRDY_XL), 3 (FIFO
//! threshold) and 4 (FIFO overrun), CTRL10_C bit 5 (the timer enable), STATUS_REG, the output
//! registers, and TIMESTAMP0 at 0x40.
//!
//! Different: the FIFO control registers sit one address lower and are laid out differently
//! (FIFO_CTRL1..5 at 0x06..0x0A: 11-bit threshold, decimation per data set, FIFO rate and mode in
//! FIFO_CTRL5); FIFO_STATUS1..4 (11-bit count, 10-bit pattern position); the FIFO holds untagged
//! 16-bit words read at 0x3E/0x3F in a fixed pattern (gyroscope X Y Z, accelerometer X Y Z, then
//! the fourth data set, here timestamp and step count); the timestamp is 24 bits wide and its
//! 25 µs resolution must be chosen (TIMER_HR in WAKE_UP_DUR), and it needs the embedded functions on.

use crate::{Config, FifoStatus, Int1, RawSample, regs};

/// `FIFO_CTRL1`: FIFO threshold FTH bits 7:0, in 16-bit words.
pub const FIFO_CTRL1: u8 = 0x06;
/// `FIFO_CTRL2`: bit 7 TIMER_PEDO_FIFO_EN, bit 6 TIMER_PEDO_FIFO_DRDY, bits 2:0 FTH 10:8.
pub const FIFO_CTRL2: u8 = 0x07;
/// `FIFO_CTRL3`: DEC_FIFO_GYRO (5:3), DEC_FIFO_XL (2:0).
pub const FIFO_CTRL3: u8 = 0x08;
/// `FIFO_CTRL4`: DEC_DS4_FIFO (5:3), DEC_DS3_FIFO (2:0).
pub const FIFO_CTRL4: u8 = 0x09;
/// `FIFO_CTRL5`: ODR_FIFO (6:3), FIFO_MODE (2:0).
pub const FIFO_CTRL5: u8 = 0x0A;
/// `FIFO_STATUS1`: DIFF_FIFO bits 7:0, unread 16-bit words.
pub const FIFO_STATUS1: u8 = 0x3A;
/// `FIFO_STATUS2`: bit 7 WaterM, bit 6 OVER_RUN, bit 5 FIFO_FULL_SMART, bit 4 FIFO_EMPTY, bits 2:0
/// DIFF_FIFO 10:8.
pub const FIFO_STATUS2: u8 = 0x3B;
/// `FIFO_STATUS3`: FIFO_PATTERN bits 7:0, the pattern position of the next word to be read.
pub const FIFO_STATUS3: u8 = 0x3C;
/// `FIFO_STATUS4`: FIFO_PATTERN bits 9:8 (bits 1:0).
pub const FIFO_STATUS4: u8 = 0x3D;
/// `FIFO_DATA_OUT_L`: low byte of the next FIFO word; `FIFO_DATA_OUT_H` (0x3F) its high byte.
pub const FIFO_DATA_OUT_L: u8 = 0x3E;
/// `WAKE_UP_DUR`: bit 4 TIMER_HR (timestamp resolution: 0 = 6.4 ms, 1 = 25 µs).
pub const WAKE_UP_DUR: u8 = 0x5C;

/// The value `WHO_AM_I` reads on an LSM6DS3TR-C.
pub const WHO_AM_I_VALUE: u8 = 0x6A;

/// `FIFO_CTRL2` bit: step counter and timestamp as the FIFO's fourth data set.
pub const TIMER_PEDO_FIFO_EN: u8 = 1 << 7;
/// `FIFO_CTRL3`/`FIFO_CTRL4` decimation code: the data set is batched at every FIFO tick.
pub const DEC_NONE: u8 = 0b001;
/// `FIFO_CTRL5` FIFO_MODE: bypass (FIFO disabled and emptied).
pub const FIFO_MODE_BYPASS: u8 = 0b000;
/// `FIFO_CTRL5` FIFO_MODE: continuous (newest data overwrite the oldest when full).
pub const FIFO_MODE_CONTINUOUS: u8 = 0b110;
/// `FIFO_STATUS2` bit: the threshold is reached.
pub const FIFO_STATUS2_WATERM: u8 = 1 << 7;
/// `FIFO_STATUS2` bit: the FIFO is full and at least one word was overwritten.
pub const FIFO_STATUS2_OVER_RUN: u8 = 1 << 6;
/// `FIFO_STATUS2` bit: the FIFO is empty.
pub const FIFO_STATUS2_EMPTY: u8 = 1 << 4;
/// `WAKE_UP_DUR` bit: timestamp resolution 25 µs (instead of 6.4 ms).
pub const WAKE_UP_DUR_TIMER_HR: u8 = 1 << 4;
/// `CTRL10_C` bit: timer enable (TIMER_EN; the same bit as the DSOX's TIMESTAMP_EN).
pub const CTRL10_C_TIMER_EN: u8 = regs::CTRL10_C_TIMESTAMP_EN;
/// `CTRL10_C` bit: pedometer enable (the application note's procedure for the timestamp in the
/// FIFO enables "the time stamp and pedometer"; the step count itself is not used).
pub const CTRL10_C_PEDO_EN: u8 = 1 << 4;
/// `CTRL10_C` bit: embedded functions enable (timer and pedometer are embedded functions).
pub const CTRL10_C_FUNC_EN: u8 = 1 << 2;

/// Words in one FIFO pattern: three data sets (gyroscope, accelerometer, timestamp and steps) of
/// three 16-bit words each.
pub const PATTERN_WORDS: u16 = 9;
/// Largest threshold the 11-bit FTH field holds, in 16-bit words.
pub const MAX_FIFO_WATERMARK_WORDS: u16 = 0x7FF;
/// Width of the timestamp counter (TIMESTAMP0..2), in bits: it wraps every 2^24 × 25 µs ≈ 419 s.
pub const TIMESTAMP_BITS: u32 = 24;

/// The register writes that configure the sensor after a reset, in order, FIFO left in bypass;
/// [`start_write`] then starts batching. The watermark must already be checked against
/// [`crate::Chip::max_fifo_watermark_samples`].
pub fn config_writes(config: &Config) -> [(u8, u8); 11] {
    let odr = config.rate.code() << 4;
    let int1 = match config.int1 {
        Int1::FifoThreshold => regs::INT1_FIFO_TH | regs::INT1_FIFO_OVR,
        Int1::DataReady => regs::INT1_DRDY_XL,
    };
    let wtm = config.fifo_watermark_samples * PATTERN_WORDS;
    [
        (regs::CTRL3_C, regs::CTRL3_C_BDU | regs::CTRL3_C_IF_INC),
        (FIFO_CTRL5, FIFO_MODE_BYPASS),
        (regs::CTRL1_XL, odr | config.accel_range.bits()),
        (regs::CTRL2_G, odr | config.gyro_range.bits()),
        (WAKE_UP_DUR, WAKE_UP_DUR_TIMER_HR),
        (
            regs::CTRL10_C,
            CTRL10_C_TIMER_EN | CTRL10_C_PEDO_EN | CTRL10_C_FUNC_EN,
        ),
        (FIFO_CTRL1, (wtm & 0xFF) as u8),
        (FIFO_CTRL2, TIMER_PEDO_FIFO_EN | ((wtm >> 8) & 0x07) as u8),
        (FIFO_CTRL3, (DEC_NONE << 3) | DEC_NONE),
        (FIFO_CTRL4, DEC_NONE << 3),
        (regs::INT1_CTRL, int1),
    ]
}

/// The write that starts batching: continuous mode at the FIFO rate `rate` (the same code as the
/// output data rate, so one pattern per sample).
pub const fn start_write(rate: crate::DataRate) -> (u8, u8) {
    (FIFO_CTRL5, (rate.code() << 3) | FIFO_MODE_CONTINUOUS)
}

/// The writes that stop sampling: FIFO bypassed (and emptied), both sensors powered down. The
/// timer stays enabled, so the sensor clock goes on.
pub const STOP_WRITES: [(u8, u8); 3] = [
    (FIFO_CTRL5, FIFO_MODE_BYPASS),
    (regs::CTRL1_XL, 0),
    (regs::CTRL2_G, 0),
];

/// Decodes FIFO_STATUS1..4: the fill state and the pattern position of the next word to be read.
pub fn fifo_status(status: [u8; 4]) -> (FifoStatus, u16) {
    let fill = FifoStatus {
        unread_words: u16::from(status[0]) | (u16::from(status[1] & 0b111) << 8),
        watermark: status[1] & FIFO_STATUS2_WATERM != 0,
        overrun: status[1] & FIFO_STATUS2_OVER_RUN != 0,
    };
    let pattern = u16::from(status[2]) | (u16::from(status[3] & 0b11) << 8);
    (fill, pattern)
}

/// The 24-bit timestamp from the fourth data set's first two words. AN4650's table gives the six
/// bytes as TIMESTAMP[15:8], TIMESTAMP[23:16], (unused), TIMESTAMP[7:0], STEPS[7:0], STEPS[15:8];
/// each word is read low byte (0x3E) first.
pub fn timestamp_from_words(first: [u8; 2], second: [u8; 2]) -> u32 {
    (u32::from(first[1]) << 16) | (u32::from(first[0]) << 8) | u32::from(second[1])
}

/// The 24-bit timestamp from TIMESTAMP0..2 (little-endian).
pub fn timestamp_from_registers(bytes: [u8; 3]) -> u32 {
    u32::from_le_bytes([bytes[0], bytes[1], bytes[2], 0])
}

/// Groups the untagged FIFO words into samples by their pattern position: a sample is emitted once
/// positions 0 to 8 arrived in order. A word whose position is not the next one expected (words
/// lost to an overrun) drops the partial sample; the assembler then waits for position 0.
#[derive(Debug, Clone, Default)]
pub struct PatternAssembler {
    words: [[u8; 2]; PATTERN_WORDS as usize],
    filled: u16,
    dropped_samples: u32,
}

impl PatternAssembler {
    /// A new assembler with no partial sample.
    pub fn new() -> PatternAssembler {
        PatternAssembler::default()
    }

    /// Partial samples dropped so far.
    pub fn dropped_samples(&self) -> u32 {
        self.dropped_samples
    }

    /// Forgets any partial sample (after a FIFO flush).
    pub fn reset(&mut self) {
        self.filled = 0;
    }

    /// Feeds the word at pattern `position`; returns the sample it completes, with the raw 24-bit
    /// timestamp.
    pub fn push(&mut self, position: u16, word: [u8; 2]) -> Option<RawSample> {
        if position != self.filled {
            if self.filled > 0 {
                self.dropped_samples = self.dropped_samples.saturating_add(1);
            }
            self.filled = 0;
            if position != 0 {
                return None;
            }
        }
        self.words[usize::from(position)] = word;
        self.filled += 1;
        if self.filled < PATTERN_WORDS {
            return None;
        }
        self.filled = 0;
        let axes = |first: usize| {
            let w = |i: usize| i16::from_le_bytes(self.words[first + i]);
            [w(0), w(1), w(2)]
        };
        Some(RawSample {
            timestamp_ticks: timestamp_from_words(self.words[6], self.words[7]),
            gyr_counts: axes(0),
            acc_counts: axes(3),
        })
    }
}

/// Extends the 24-bit counter to the 32 bits the sensor clock uses (wrapping at 2^32 ticks, like
/// the LSM6DSOX's counter), from successive readings: each reading is taken as the nearest value
/// to the previous one, so readings may come slightly out of order (a register read, then older
/// FIFO samples) and the counter may wrap once between readings. Readings more than 2^23 ticks
/// (≈ 210 s) apart lose wraps: the board reads the counter at least that often while it matters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimestampExtender {
    last: Option<u32>,
}

impl TimestampExtender {
    /// A new extender; the first reading is taken as is.
    pub fn new() -> TimestampExtender {
        TimestampExtender::default()
    }

    /// The 32-bit counter value for a 24-bit reading.
    pub fn extend(&mut self, raw: u32) -> u32 {
        const MASK: u32 = (1 << TIMESTAMP_BITS) - 1;
        let raw = raw & MASK;
        let extended = match self.last {
            None => raw,
            Some(last) => {
                let forward = raw.wrapping_sub(last) & MASK;
                if forward < 1 << (TIMESTAMP_BITS - 1) {
                    last.wrapping_add(forward)
                } else {
                    last.wrapping_sub((1 << TIMESTAMP_BITS) - forward)
                }
            }
        };
        self.last = Some(extended);
        extended
    }
}
