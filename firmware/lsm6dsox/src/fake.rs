//! A register-level simulation of the LSM6DSOX on the I2C bus, for testing the driver without the
//! chip: a register file with the reset values, the address pointer with auto-increment (IF_INC),
//! SW_RESET that takes a few polls to clear, a timestamp counter, and the FIFO in continuous mode
//! with tagged words, time-slot counters, watermark and overrun flags, the FIFO_DATA_OUT address
//! roll-over, and the INT1 level. It implements both the blocking and the async `I2c` traits.
//!
//! It is a stand-in only for the chip itself (which cannot be on this machine); everything above
//! the bus is the real driver.

use core::cell::RefCell;

use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource, Operation};

use crate::regs;

/// How many FIFO words the fake holds before it overruns.
pub const FAKE_FIFO_CAPACITY_WORDS: usize = 512;

/// An error the fake bus reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FakeBusError {
    /// Nobody answered at that address.
    AddressNack,
    /// The test asked the bus to fail this transaction.
    Injected,
}

impl embedded_hal::i2c::Error for FakeBusError {
    fn kind(&self) -> ErrorKind {
        match self {
            FakeBusError::AddressNack => ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address),
            FakeBusError::Injected => ErrorKind::Bus,
        }
    }
}

/// The order in which the fake writes a time slot's words into the FIFO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotOrder {
    /// Gyroscope, accelerometer, timestamp.
    GyroAccelTimestamp,
    /// Timestamp, accelerometer, gyroscope.
    TimestampAccelGyro,
}

/// The simulated chip.
#[derive(Debug, Clone)]
pub struct FakeLsm6dsox {
    address: u8,
    who_am_i: u8,
    regs: [u8; 128],
    pointer: u8,
    fifo: [[u8; regs::FIFO_WORD_BYTES]; FAKE_FIFO_CAPACITY_WORDS],
    fifo_head: usize,
    fifo_len: usize,
    overrun_latched: bool,
    overrun_now: bool,
    reset_busy_reads: u8,
    samples_since_start: u64,
    timestamp_base: u32,
    slot: u8,
    slot_order: SlotOrder,
    transactions: u32,
    fail_transaction: Option<u32>,
}

impl FakeLsm6dsox {
    /// A powered-up chip at `address` (7-bit) with reset register values.
    pub fn new(address: u8) -> FakeLsm6dsox {
        let mut fake = FakeLsm6dsox {
            address,
            who_am_i: regs::WHO_AM_I_VALUE,
            regs: [0; 128],
            pointer: 0,
            fifo: [[0; regs::FIFO_WORD_BYTES]; FAKE_FIFO_CAPACITY_WORDS],
            fifo_head: 0,
            fifo_len: 0,
            overrun_latched: false,
            overrun_now: false,
            reset_busy_reads: 0,
            samples_since_start: 0,
            timestamp_base: 0,
            slot: 0,
            slot_order: SlotOrder::GyroAccelTimestamp,
            transactions: 0,
            fail_transaction: None,
        };
        fake.power_on_reset();
        fake
    }

    /// Makes WHO_AM_I read `value` (to simulate another chip).
    pub fn with_who_am_i(mut self, value: u8) -> FakeLsm6dsox {
        self.who_am_i = value;
        self
    }

    /// Sets the order of words within a slot.
    pub fn with_slot_order(mut self, order: SlotOrder) -> FakeLsm6dsox {
        self.slot_order = order;
        self
    }

    /// Starts the timestamp counter at `ticks` (to exercise wrap-around). The fake's counter is not
    /// cleared by a software reset, so a test can place it anywhere.
    pub fn with_timestamp_base(mut self, ticks: u32) -> FakeLsm6dsox {
        self.timestamp_base = ticks;
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

    /// The timestamp counter now.
    pub fn timestamp_ticks(&self) -> u32 {
        if self.regs[usize::from(regs::CTRL10_C)] & regs::CTRL10_C_TIMESTAMP_EN == 0 {
            return self.timestamp_base;
        }
        let millihertz = match self.odr_millihertz() {
            Some(m) => u64::from(m),
            None => return self.timestamp_base,
        };
        // 40 000 ticks per second (25 µs each).
        let ticks = self.samples_since_start * 40_000_000 / millihertz;
        self.timestamp_base.wrapping_add(ticks as u32)
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

    /// The level of the INT1 pin (active high, push-pull: the reset configuration).
    pub fn int1_level(&self) -> bool {
        let int1 = self.regs[usize::from(regs::INT1_CTRL)];
        let wtm = self.watermark_words();
        (int1 & regs::INT1_FIFO_TH != 0 && wtm > 0 && self.fifo_len >= wtm)
            || (int1 & regs::INT1_FIFO_OVR != 0 && self.overrun_now)
            || (int1 & regs::INT1_DRDY_XL != 0 && self.regs[usize::from(regs::STATUS_REG)] & 1 != 0)
    }

    fn watermark_words(&self) -> usize {
        usize::from(self.regs[usize::from(regs::FIFO_CTRL1)])
            | (usize::from(self.regs[usize::from(regs::FIFO_CTRL2)] & 1) << 8)
    }

    fn power_on_reset(&mut self) {
        self.regs = [0; 128];
        self.regs[usize::from(regs::CTRL3_C)] = regs::CTRL3_C_RESET;
        self.fifo_head = 0;
        self.fifo_len = 0;
        self.overrun_latched = false;
        self.overrun_now = false;
        self.samples_since_start = 0;
        self.slot = 0;
    }

    /// One output-data-rate period passes with these readings: the output registers and the
    /// timestamp advance, and, if the FIFO is in continuous mode with both batch rates set, one time
    /// slot of words (gyroscope, accelerometer, timestamp) is written. Does nothing while the
    /// accelerometer is powered down.
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

        let fifo_ctrl3 = self.regs[usize::from(regs::FIFO_CTRL3)];
        let fifo_ctrl4 = self.regs[usize::from(regs::FIFO_CTRL4)];
        let continuous = fifo_ctrl4 & 0b111 == regs::FIFO_MODE_CONTINUOUS;
        if !continuous || fifo_ctrl3 & 0x0F == 0 || fifo_ctrl3 >> 4 == 0 {
            return;
        }
        let word = |tag: u8, slot: u8, data: [u8; 6]| {
            let tag_byte = (tag << 3) | (slot << 1);
            let parity = (tag_byte.count_ones() & 1) as u8;
            [
                tag_byte | parity,
                data[0],
                data[1],
                data[2],
                data[3],
                data[4],
                data[5],
            ]
        };
        let axes = |c: [i16; 3]| {
            let (x, y, z) = (c[0].to_le_bytes(), c[1].to_le_bytes(), c[2].to_le_bytes());
            [x[0], x[1], y[0], y[1], z[0], z[1]]
        };
        let g = word(regs::TAG_GYRO, self.slot, axes(gyr_counts));
        let a = word(regs::TAG_ACCEL, self.slot, axes(acc_counts));
        let t = ts.to_le_bytes();
        let with_ts = fifo_ctrl4 & (0b11 << 6) != 0;
        let t = word(
            regs::TAG_TIMESTAMP,
            self.slot,
            [t[0], t[1], t[2], t[3], 0, 0],
        );
        match self.slot_order {
            SlotOrder::GyroAccelTimestamp => {
                self.fifo_push(g);
                self.fifo_push(a);
                if with_ts {
                    self.fifo_push(t);
                }
            }
            SlotOrder::TimestampAccelGyro => {
                if with_ts {
                    self.fifo_push(t);
                }
                self.fifo_push(a);
                self.fifo_push(g);
            }
        }
        self.slot = (self.slot + 1) & 0b11;
    }

    fn fifo_push(&mut self, word: [u8; regs::FIFO_WORD_BYTES]) {
        if self.fifo_len == FAKE_FIFO_CAPACITY_WORDS {
            // Continuous mode: the oldest word is overwritten.
            self.fifo_head = (self.fifo_head + 1) % FAKE_FIFO_CAPACITY_WORDS;
            self.fifo_len -= 1;
            self.overrun_latched = true;
            self.overrun_now = true;
        }
        let tail = (self.fifo_head + self.fifo_len) % FAKE_FIFO_CAPACITY_WORDS;
        self.fifo[tail] = word;
        self.fifo_len += 1;
    }

    fn fifo_pop_into_output(&mut self) {
        let word = if self.fifo_len == 0 {
            [0; regs::FIFO_WORD_BYTES]
        } else {
            let w = self.fifo[self.fifo_head];
            self.fifo_head = (self.fifo_head + 1) % FAKE_FIFO_CAPACITY_WORDS;
            self.fifo_len -= 1;
            self.overrun_now = false;
            w
        };
        let base = usize::from(regs::FIFO_DATA_OUT_TAG);
        self.regs[base..base + regs::FIFO_WORD_BYTES].copy_from_slice(&word);
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
            regs::FIFO_STATUS1 => (self.fifo_len & 0xFF) as u8,
            regs::FIFO_STATUS2 => {
                let wtm = self.watermark_words();
                let mut v = ((self.fifo_len >> 8) & 0b11) as u8;
                if wtm > 0 && self.fifo_len >= wtm {
                    v |= regs::FIFO_STATUS2_WTM_IA;
                }
                if self.overrun_now {
                    v |= regs::FIFO_STATUS2_OVR_IA;
                }
                if self.overrun_latched {
                    v |= regs::FIFO_STATUS2_OVR_LATCHED;
                    self.overrun_latched = false;
                }
                v
            }
            r if (regs::TIMESTAMP0..regs::TIMESTAMP0 + 4).contains(&r) => {
                self.timestamp_ticks().to_le_bytes()[usize::from(r - regs::TIMESTAMP0)]
            }
            regs::FIFO_DATA_OUT_TAG => {
                self.fifo_pop_into_output();
                self.regs[usize::from(reg)]
            }
            r if r >= 0x80 => 0,
            r => {
                if (regs::OUTX_L_A..regs::OUTX_L_A + 6).contains(&r) {
                    self.regs[usize::from(regs::STATUS_REG)] &= !1;
                }
                self.regs[usize::from(r)]
            }
        };
        self.advance_pointer();
        value
    }

    fn advance_pointer(&mut self) {
        if self.regs[usize::from(regs::CTRL3_C)] & regs::CTRL3_C_IF_INC == 0 {
            return;
        }
        // Reading past FIFO_DATA_OUT_Z_H rolls back to FIFO_DATA_OUT_TAG (burst FIFO reads).
        self.pointer = if self.pointer == regs::FIFO_DATA_OUT_TAG + 6 {
            regs::FIFO_DATA_OUT_TAG
        } else {
            self.pointer.wrapping_add(1) & 0x7F
        };
    }

    fn write_byte(&mut self, value: u8) {
        let reg = self.pointer;
        match reg {
            regs::CTRL3_C if value & regs::CTRL3_C_SW_RESET != 0 => {
                self.power_on_reset();
                self.reset_busy_reads = 2;
            }
            regs::FIFO_CTRL4 => {
                self.regs[usize::from(reg)] = value;
                if value & 0b111 == regs::FIFO_MODE_BYPASS {
                    self.fifo_head = 0;
                    self.fifo_len = 0;
                    self.overrun_now = false;
                }
            }
            regs::CTRL1_XL => {
                // The counter goes on at the new rate from where it is.
                self.timestamp_base = self.timestamp_ticks();
                self.samples_since_start = 0;
                self.regs[usize::from(reg)] = value;
            }
            // Read-only registers ignore writes, as on the chip.
            regs::WHO_AM_I | regs::STATUS_REG | regs::FIFO_STATUS1 | regs::FIFO_STATUS2 => {}
            r if r < 0x80 => self.regs[usize::from(r)] = value,
            _ => {}
        }
        self.advance_pointer();
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

/// A handle to a shared fake, so a test can drive the chip (feed samples, read registers) while the
/// driver owns its bus handle.
#[derive(Debug, Clone, Copy)]
pub struct FakeBus<'a>(pub &'a RefCell<FakeLsm6dsox>);

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
