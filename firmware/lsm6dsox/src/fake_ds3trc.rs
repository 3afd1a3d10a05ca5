//! A register-level simulation of the LSM6DS3TR-C on the I2C bus, for testing the driver without the
//! chip: a register file with the reset values, the address pointer with auto-increment (IF_INC),
//! SW_RESET that takes a few polls to clear, the 24-bit timer (25 µs or 6.4 ms per tick, counting
//! only with the timer and the embedded functions enabled), and the FIFO in continuous mode: untagged
//! 16-bit words in the datasheet's pattern (gyroscope, accelerometer, then timestamp and steps when
//! the fourth data set is enabled), the pattern position of the next word, threshold and overrun
//! flags, and the INT1 level. It implements both the blocking and the async `I2c` traits.
//!
//! Simplification: one pattern is written per output-data-rate period, so the fake assumes the
//! FIFO rate (ODR_FIFO) equals the sensors' rate and no decimation, which is what the driver sets.

use core::cell::RefCell;

use embedded_hal::i2c::Operation;

use crate::ds3trc::{self as ds, PATTERN_WORDS};
use crate::fake::FakeBusError;
use crate::regs;

/// How many 16-bit words the fake holds before it overruns (not a whole number of patterns, so an
/// overrun leaves a partial pattern at the head, as it can on the chip).
pub const FAKE_FIFO_CAPACITY_WORDS: usize = 2046;

/// The simulated chip.
#[derive(Debug, Clone)]
pub struct FakeLsm6ds3trc {
    address: u8,
    who_am_i: u8,
    regs: [u8; 128],
    pointer: u8,
    /// Each word with its pattern position.
    fifo: [([u8; 2], u16); FAKE_FIFO_CAPACITY_WORDS],
    fifo_head: usize,
    fifo_len: usize,
    next_position: u16,
    latched_high: u8,
    overrun_now: bool,
    reset_busy_reads: u8,
    samples_since_start: u64,
    timestamp_base: u32,
    transactions: u32,
    fail_transaction: Option<u32>,
}

impl FakeLsm6ds3trc {
    /// A powered-up chip at `address` (7-bit) with reset register values.
    pub fn new(address: u8) -> FakeLsm6ds3trc {
        let mut fake = FakeLsm6ds3trc {
            address,
            who_am_i: ds::WHO_AM_I_VALUE,
            regs: [0; 128],
            pointer: 0,
            fifo: [([0; 2], 0); FAKE_FIFO_CAPACITY_WORDS],
            fifo_head: 0,
            fifo_len: 0,
            next_position: 0,
            latched_high: 0,
            overrun_now: false,
            reset_busy_reads: 0,
            samples_since_start: 0,
            timestamp_base: 0,
            transactions: 0,
            fail_transaction: None,
        };
        fake.power_on_reset();
        fake
    }

    /// Makes WHO_AM_I read `value` (to simulate another chip).
    pub fn with_who_am_i(mut self, value: u8) -> FakeLsm6ds3trc {
        self.who_am_i = value;
        self
    }

    /// Starts the timer at `ticks` (24 bits; to exercise wrap-around). Not cleared by a software
    /// reset, so a test can place it anywhere.
    pub fn with_timestamp_base(mut self, ticks: u32) -> FakeLsm6ds3trc {
        self.timestamp_base = ticks & 0xFF_FFFF;
        self
    }

    /// Makes transaction number `n` (counting from 0) fail.
    pub fn fail_transaction(&mut self, n: u32) {
        self.fail_transaction = Some(n);
    }

    /// Transactions seen so far.
    pub fn transactions(&self) -> u32 {
        self.transactions
    }

    /// The current value of a register (as stored, without read side effects).
    pub fn reg(&self, reg: u8) -> u8 {
        self.regs[usize::from(reg & 0x7F)]
    }

    /// Unread FIFO words.
    pub fn fifo_len(&self) -> usize {
        self.fifo_len
    }

    fn timer_running(&self) -> bool {
        let ctrl10 = self.regs[usize::from(regs::CTRL10_C)];
        ctrl10 & ds::CTRL10_C_TIMER_EN != 0 && ctrl10 & ds::CTRL10_C_FUNC_EN != 0
    }

    /// The 24-bit timer now.
    pub fn timestamp_ticks(&self) -> u32 {
        let millihertz = match self.odr_millihertz() {
            Some(m) if self.timer_running() => u64::from(m),
            _ => return self.timestamp_base,
        };
        // 40 000 ticks per second at 25 µs, 156.25 at 6.4 ms.
        let ticks_per_kilosecond: u64 =
            if self.regs[usize::from(ds::WAKE_UP_DUR)] & ds::WAKE_UP_DUR_TIMER_HR != 0 {
                40_000_000
            } else {
                156_250
            };
        let ticks = self.samples_since_start * ticks_per_kilosecond / millihertz;
        self.timestamp_base.wrapping_add(ticks as u32) & 0xFF_FFFF
    }

    fn odr_millihertz(&self) -> Option<u32> {
        match self.regs[usize::from(regs::CTRL1_XL)] >> 4 {
            0b0001 => Some(12_500),
            0b0010 => Some(26_000),
            0b0011 => Some(52_000),
            0b0100 => Some(104_000),
            0b0101 => Some(208_000),
            0b0110 => Some(416_000),
            0b0111 => Some(833_000),
            _ => None,
        }
    }

    fn watermark_words(&self) -> usize {
        usize::from(self.regs[usize::from(ds::FIFO_CTRL1)])
            | (usize::from(self.regs[usize::from(ds::FIFO_CTRL2)] & 0b111) << 8)
    }

    /// The level of the INT1 pin (active high, push-pull: the reset configuration).
    pub fn int1_level(&self) -> bool {
        let int1 = self.regs[usize::from(regs::INT1_CTRL)];
        let wtm = self.watermark_words();
        (int1 & regs::INT1_FIFO_TH != 0 && wtm > 0 && self.fifo_len >= wtm)
            || (int1 & regs::INT1_FIFO_OVR != 0 && self.overrun_now)
            || (int1 & regs::INT1_DRDY_XL != 0 && self.regs[usize::from(regs::STATUS_REG)] & 1 != 0)
    }

    fn power_on_reset(&mut self) {
        self.regs = [0; 128];
        self.regs[usize::from(regs::CTRL3_C)] = regs::CTRL3_C_RESET;
        self.flush();
        self.samples_since_start = 0;
    }

    fn flush(&mut self) {
        self.fifo_head = 0;
        self.fifo_len = 0;
        self.next_position = 0;
        self.overrun_now = false;
    }

    /// One output-data-rate period passes with these readings: the output registers and the timer
    /// advance, and, if the FIFO is in continuous mode with a FIFO rate and both sensors batched,
    /// one pattern of words is written. Does nothing while the accelerometer is powered down.
    pub fn sample(&mut self, acc_counts: [i16; 3], gyr_counts: [i16; 3]) {
        if self.odr_millihertz().is_none() {
            return;
        }
        self.samples_since_start += 1;
        let ts = self.timestamp_ticks();
        for (i, c) in acc_counts.iter().enumerate() {
            let b = c.to_le_bytes();
            self.regs[usize::from(regs::OUTX_L_A) + 2 * i] = b[0];
            self.regs[usize::from(regs::OUTX_L_A) + 2 * i + 1] = b[1];
        }
        for (i, c) in gyr_counts.iter().enumerate() {
            let b = c.to_le_bytes();
            self.regs[usize::from(regs::OUTX_L_G) + 2 * i] = b[0];
            self.regs[usize::from(regs::OUTX_L_G) + 2 * i + 1] = b[1];
        }
        self.regs[usize::from(regs::STATUS_REG)] |= 0b011;

        let ctrl5 = self.regs[usize::from(ds::FIFO_CTRL5)];
        let ctrl3 = self.regs[usize::from(ds::FIFO_CTRL3)];
        let with_ds4 = self.regs[usize::from(ds::FIFO_CTRL2)] & ds::TIMER_PEDO_FIFO_EN != 0
            && (self.regs[usize::from(ds::FIFO_CTRL4)] >> 3) & 0b111 == ds::DEC_NONE;
        let continuous = ctrl5 & 0b111 == ds::FIFO_MODE_CONTINUOUS;
        let batched = ctrl3 & 0b111 == ds::DEC_NONE && (ctrl3 >> 3) & 0b111 == ds::DEC_NONE;
        if !continuous || (ctrl5 >> 3) & 0x0F == 0 || !batched {
            return;
        }
        let pattern_words = if with_ds4 { PATTERN_WORDS } else { 6 };
        for c in gyr_counts.iter().chain(acc_counts.iter()) {
            self.fifo_push(c.to_le_bytes(), pattern_words);
        }
        if with_ds4 {
            let t = ts.to_le_bytes();
            // AN4650: TIMESTAMP[15:8], TIMESTAMP[23:16], unused, TIMESTAMP[7:0], STEPS[7:0],
            // STEPS[15:8]; the step counter is not simulated.
            self.fifo_push([t[1], t[2]], pattern_words);
            self.fifo_push([0, t[0]], pattern_words);
            self.fifo_push([0, 0], pattern_words);
        }
    }

    /// Like [`sample`](Self::sample), from physical readings converted to counts with the
    /// sensitivity of the full scales set in CTRL1_XL and CTRL2_G. The table is the datasheet's
    /// (mechanical characteristics), kept here apart from the driver's so a test compares the
    /// driver's range encoding with the chip's.
    pub fn sample_physical(&mut self, acc_milli_g: [i32; 3], gyr_milli_dps: [i32; 3]) {
        let acc_micro_g_per_lsb: i64 = match (self.regs[usize::from(regs::CTRL1_XL)] >> 2) & 0b11 {
            0b00 => 61,
            0b01 => 488,
            0b10 => 122,
            _ => 244,
        };
        let gyr_micro_dps_per_lsb: i64 = match (self.regs[usize::from(regs::CTRL2_G)] >> 1) & 0b111
        {
            0b001 | 0b011 | 0b101 | 0b111 => 4_375,
            0b000 => 8_750,
            0b010 => 17_500,
            0b100 => 35_000,
            _ => 70_000,
        };
        let counts = |milli: i32, per_lsb: i64| {
            let micro = i64::from(milli) * 1000;
            let rounded = (2 * micro + micro.signum() * per_lsb) / (2 * per_lsb);
            rounded.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16
        };
        let acc = acc_milli_g.map(|m| counts(m, acc_micro_g_per_lsb));
        let gyr = gyr_milli_dps.map(|m| counts(m, gyr_micro_dps_per_lsb));
        self.sample(acc, gyr);
    }

    fn fifo_push(&mut self, word: [u8; 2], pattern_words: u16) {
        if self.fifo_len == FAKE_FIFO_CAPACITY_WORDS {
            // Continuous mode: the oldest word is overwritten.
            self.fifo_head = (self.fifo_head + 1) % FAKE_FIFO_CAPACITY_WORDS;
            self.fifo_len -= 1;
            self.overrun_now = true;
        }
        let tail = (self.fifo_head + self.fifo_len) % FAKE_FIFO_CAPACITY_WORDS;
        self.fifo[tail] = (word, self.next_position);
        self.fifo_len += 1;
        self.next_position = (self.next_position + 1) % pattern_words;
    }

    fn head_position(&self) -> u16 {
        if self.fifo_len == 0 {
            self.next_position
        } else {
            self.fifo[self.fifo_head].1
        }
    }

    fn fifo_pop_low(&mut self) -> u8 {
        if self.fifo_len == 0 {
            self.latched_high = 0;
            return 0;
        }
        let (word, _) = self.fifo[self.fifo_head];
        self.fifo_head = (self.fifo_head + 1) % FAKE_FIFO_CAPACITY_WORDS;
        self.fifo_len -= 1;
        self.overrun_now = false;
        self.latched_high = word[1];
        word[0]
    }

    fn read_byte(&mut self) -> u8 {
        let reg = self.pointer;
        let value = match reg {
            regs::WHO_AM_I => self.who_am_i,
            regs::CTRL3_C => {
                let v = self.regs[usize::from(reg)];
                if self.reset_busy_reads > 0 {
                    self.reset_busy_reads -= 1;
                    v | regs::CTRL3_C_SW_RESET
                } else {
                    v
                }
            }
            ds::FIFO_STATUS1 => (self.fifo_len & 0xFF) as u8,
            ds::FIFO_STATUS2 => {
                let wtm = self.watermark_words();
                let mut v = ((self.fifo_len >> 8) & 0b111) as u8;
                if wtm > 0 && self.fifo_len >= wtm {
                    v |= ds::FIFO_STATUS2_WATERM;
                }
                if self.overrun_now {
                    v |= ds::FIFO_STATUS2_OVER_RUN;
                }
                if self.fifo_len == 0 {
                    v |= ds::FIFO_STATUS2_EMPTY;
                }
                v
            }
            ds::FIFO_STATUS3 => (self.head_position() & 0xFF) as u8,
            ds::FIFO_STATUS4 => (self.head_position() >> 8) as u8,
            ds::FIFO_DATA_OUT_L => self.fifo_pop_low(),
            r if r == ds::FIFO_DATA_OUT_L + 1 => self.latched_high,
            r if (regs::TIMESTAMP0..regs::TIMESTAMP0 + 3).contains(&r) => {
                self.timestamp_ticks().to_le_bytes()[usize::from(r - regs::TIMESTAMP0)]
            }
            r if r >= 0x80 => 0,
            r => {
                if (regs::OUTX_L_A..regs::OUTX_L_A + 6).contains(&r) {
                    self.regs[usize::from(regs::STATUS_REG)] &= !1;
                }
                self.regs[usize::from(r)]
            }
        };
        if self.regs[usize::from(regs::CTRL3_C)] & regs::CTRL3_C_IF_INC != 0 {
            self.pointer = self.pointer.wrapping_add(1) & 0x7F;
        }
        value
    }

    fn write_byte(&mut self, value: u8) {
        let reg = self.pointer;
        match reg {
            regs::CTRL3_C if value & regs::CTRL3_C_SW_RESET != 0 => {
                self.power_on_reset();
                self.reset_busy_reads = 2;
            }
            ds::FIFO_CTRL5 => {
                self.regs[usize::from(reg)] = value;
                if value & 0b111 == ds::FIFO_MODE_BYPASS {
                    self.flush();
                }
            }
            regs::CTRL1_XL | regs::CTRL10_C | ds::WAKE_UP_DUR => {
                // The timer goes on at the new rate (or stops) from where it is.
                self.timestamp_base = self.timestamp_ticks();
                self.samples_since_start = 0;
                self.regs[usize::from(reg)] = value;
            }
            // Read-only registers ignore writes, as on the chip.
            regs::WHO_AM_I
            | regs::STATUS_REG
            | ds::FIFO_STATUS1
            | ds::FIFO_STATUS2
            | ds::FIFO_STATUS3
            | ds::FIFO_STATUS4 => {}
            r if r < 0x80 => self.regs[usize::from(r)] = value,
            _ => {}
        }
        if self.regs[usize::from(regs::CTRL3_C)] & regs::CTRL3_C_IF_INC != 0 {
            self.pointer = self.pointer.wrapping_add(1) & 0x7F;
        }
    }

    fn run(&mut self, address: u8, operations: &mut [Operation<'_>]) -> Result<(), FakeBusError> {
        let n = self.transactions;
        self.transactions = self.transactions.wrapping_add(1);
        if self.fail_transaction == Some(n) {
            return Err(FakeBusError::Injected);
        }
        if address != self.address {
            return Err(FakeBusError::AddressNack);
        }
        let mut first_write = true;
        for op in operations.iter_mut() {
            match op {
                Operation::Write(bytes) => {
                    for (i, b) in bytes.iter().enumerate() {
                        if first_write && i == 0 {
                            self.pointer = *b & 0x7F;
                        } else {
                            self.write_byte(*b);
                        }
                    }
                    first_write = false;
                }
                Operation::Read(buf) => {
                    for b in buf.iter_mut() {
                        *b = self.read_byte();
                    }
                }
            }
        }
        Ok(())
    }
}

/// A handle to a shared fake, so a test can drive the chip while the driver owns its bus handle.
#[derive(Debug, Clone, Copy)]
pub struct FakeBus<'a>(pub &'a RefCell<FakeLsm6ds3trc>);

impl embedded_hal::i2c::ErrorType for FakeBus<'_> {
    type Error = FakeBusError;
}

impl embedded_hal::i2c::I2c for FakeBus<'_> {
    fn transaction(
        &mut self,
        address: u8,
        operations: &mut [Operation<'_>],
    ) -> Result<(), Self::Error> {
        self.0.borrow_mut().run(address, operations)
    }
}

impl embedded_hal_async::i2c::I2c for FakeBus<'_> {
    async fn transaction(
        &mut self,
        address: u8,
        operations: &mut [Operation<'_>],
    ) -> Result<(), Self::Error> {
        self.0.borrow_mut().run(address, operations)
    }
}
