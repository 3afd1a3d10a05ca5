//! The two bus front ends. Each is a thin sequence of register accesses around the pure encoders and
//! decoders of the crate root and [`crate::ds3trc`], so the blocking and the async driver cannot
//! drift apart in meaning, and the chip variant changes only which registers are touched.

use crate::{
    Address, Chip, Config, DrainReport, Error, FifoAssembler, FifoStatus, FifoWord, Plan,
    RESET_POLLS, RawSample, ds3trc, plan, regs, stop_writes,
};

/// An LSM6DSOX or LSM6DS3TR-C over a blocking `embedded-hal` 1.0 I2C bus.
#[derive(Debug)]
pub struct Lsm6ds<I2C> {
    i2c: I2C,
    address: u8,
    state: State,
}

/// An LSM6DSOX or LSM6DS3TR-C over an `embedded-hal-async` I2C bus.
#[derive(Debug)]
pub struct Lsm6dsAsync<I2C> {
    i2c: I2C,
    address: u8,
    state: State,
}

/// What both front ends keep between calls: the chip, the write that starts the FIFO for the
/// configuration in place, and (DS3TR-C) the extension of its 24-bit timestamp.
#[derive(Debug, Clone, Copy)]
struct State {
    chip: Chip,
    start: Option<(u8, u8)>,
    clock: ds3trc::TimestampExtender,
}

impl State {
    fn new(chip: Chip) -> State {
        State {
            chip,
            start: None,
            clock: ds3trc::TimestampExtender::new(),
        }
    }

    fn start_write<E: core::fmt::Debug>(&self) -> Result<(u8, u8), Error<E>> {
        self.start.ok_or(Error::NotConfigured { chip: self.chip })
    }

    fn timestamp_bytes(&self) -> usize {
        match self.chip {
            Chip::Lsm6dsox => 4,
            Chip::Lsm6ds3trc => 3,
        }
    }

    fn timestamp(&mut self, b: [u8; 4]) -> u32 {
        match self.chip {
            Chip::Lsm6dsox => u32::from_le_bytes(b),
            Chip::Lsm6ds3trc => self
                .clock
                .extend(ds3trc::timestamp_from_registers([b[0], b[1], b[2]])),
        }
    }

    fn extend(&mut self, sample: RawSample) -> RawSample {
        match self.chip {
            Chip::Lsm6dsox => sample,
            Chip::Lsm6ds3trc => RawSample {
                timestamp_ticks: self.clock.extend(sample.timestamp_ticks),
                ..sample
            },
        }
    }

    fn status_reg(&self) -> u8 {
        match self.chip {
            Chip::Lsm6dsox => regs::FIFO_STATUS1,
            Chip::Lsm6ds3trc => ds3trc::FIFO_STATUS1,
        }
    }

    fn status_bytes(&self) -> usize {
        match self.chip {
            Chip::Lsm6dsox => 2,
            Chip::Lsm6ds3trc => 4,
        }
    }

    /// The fill state and (DS3TR-C) the pattern position of the next word; 0 on the DSOX, whose
    /// words carry their own tags.
    fn decode_status(&self, b: [u8; 4]) -> (FifoStatus, u16) {
        match self.chip {
            Chip::Lsm6dsox => (FifoStatus::from_registers(b[0], b[1]), 0),
            Chip::Lsm6ds3trc => ds3trc::fifo_status(b),
        }
    }
}

impl<I2C, E> Lsm6ds<I2C>
where
    I2C: embedded_hal::i2c::I2c<Error = E>,
    E: core::fmt::Debug,
{
    /// Wraps the bus for `chip` at `address`; nothing is sent until [`Lsm6ds::init`].
    pub fn new(i2c: I2C, chip: Chip, address: Address) -> Self {
        Lsm6ds {
            i2c,
            address: address.bits(),
            state: State::new(chip),
        }
    }

    /// The chip this driver talks to.
    pub fn chip(&self) -> Chip {
        self.state.chip
    }

    /// Gives the bus back.
    pub fn release(self) -> I2C {
        self.i2c
    }

    fn write_reg(&mut self, reg: u8, value: u8) -> Result<(), Error<E>> {
        self.i2c
            .write(self.address, &[reg, value])
            .map_err(Error::Bus)
    }

    fn read_regs(&mut self, reg: u8, buf: &mut [u8]) -> Result<(), Error<E>> {
        self.i2c
            .write_read(self.address, &[reg], buf)
            .map_err(Error::Bus)
    }

    /// Reads WHO_AM_I.
    pub fn who_am_i(&mut self) -> Result<u8, Error<E>> {
        let mut b = [0u8; 1];
        self.read_regs(regs::WHO_AM_I, &mut b)?;
        Ok(b[0])
    }

    /// Checks the chip identity, resets it and applies `config`, FIFO still in bypass.
    pub fn init(&mut self, config: &Config) -> Result<(), Error<E>> {
        let chip = self.state.chip;
        let plan = plan::<E>(chip, config)?;
        let found = self.who_am_i()?;
        if found != chip.who_am_i() {
            return Err(Error::WrongChip { chip, found });
        }
        self.write_reg(regs::CTRL3_C, regs::CTRL3_C_SW_RESET)?;
        let mut done = false;
        for _ in 0..RESET_POLLS {
            let mut b = [0u8; 1];
            self.read_regs(regs::CTRL3_C, &mut b)?;
            if b[0] & regs::CTRL3_C_SW_RESET == 0 {
                done = true;
                break;
            }
        }
        if !done {
            return Err(Error::ResetTimeout {
                chip,
                polls: RESET_POLLS,
            });
        }
        self.apply(&plan)
    }

    /// Applies `config` without a reset (the timestamp counter keeps counting), FIFO in bypass
    /// until [`start`](Self::start).
    pub fn configure(&mut self, config: &Config) -> Result<(), Error<E>> {
        let plan = plan::<E>(self.state.chip, config)?;
        self.apply(&plan)
    }

    fn apply(&mut self, plan: &Plan) -> Result<(), Error<E>> {
        self.state.start = None;
        for &(reg, value) in plan.config.as_slice() {
            self.write_reg(reg, value)?;
        }
        self.state.start = Some(plan.start);
        Ok(())
    }

    /// Starts batching into the FIFO (after [`init`](Self::init) or [`configure`](Self::configure)).
    pub fn start(&mut self) -> Result<(), Error<E>> {
        let (reg, value) = self.state.start_write::<E>()?;
        self.write_reg(reg, value)
    }

    /// Powers both sensors down and empties the FIFO.
    pub fn stop(&mut self) -> Result<(), Error<E>> {
        for (reg, value) in stop_writes(self.state.chip) {
            self.write_reg(reg, value)?;
        }
        Ok(())
    }

    /// Reads the timestamp counter (25 µs ticks, wrapping at 2^32; the DS3TR-C's 24-bit counter
    /// extended by the driver).
    pub fn timestamp_ticks(&mut self) -> Result<u32, Error<E>> {
        let mut b = [0u8; 4];
        let n = self.state.timestamp_bytes();
        self.read_regs(regs::TIMESTAMP0, &mut b[..n])?;
        Ok(self.state.timestamp(b))
    }

    /// Reads the FIFO status (on the LSM6DSOX this clears the latched overrun flag).
    pub fn fifo_status(&mut self) -> Result<FifoStatus, Error<E>> {
        Ok(self.fifo_status_and_pattern()?.0)
    }

    fn fifo_status_and_pattern(&mut self) -> Result<(FifoStatus, u16), Error<E>> {
        let mut b = [0u8; 4];
        let n = self.state.status_bytes();
        self.read_regs(self.state.status_reg(), &mut b[..n])?;
        Ok(self.state.decode_status(b))
    }

    /// Reads and decodes one LSM6DSOX FIFO word.
    pub fn read_fifo_word(&mut self) -> Result<FifoWord, Error<E>> {
        let mut raw = [0u8; regs::FIFO_WORD_BYTES];
        self.read_regs(regs::FIFO_DATA_OUT_TAG, &mut raw)?;
        Ok(FifoWord::decode(&raw))
    }

    /// Reads every word the FIFO holds now (at most `max_words` of the chip's FIFO words, see
    /// [`Chip::fifo_words_per_sample`]), passing each completed sample to `on_sample`.
    pub fn drain(
        &mut self,
        assembler: &mut FifoAssembler,
        max_words: u16,
        mut on_sample: impl FnMut(RawSample),
    ) -> Result<DrainReport, Error<E>> {
        let (status, mut position) = self.fifo_status_and_pattern()?;
        let mut report = DrainReport {
            overrun: status.overrun,
            ..DrainReport::default()
        };
        for _ in 0..status.unread_words.min(max_words) {
            let sample = match self.state.chip {
                Chip::Lsm6dsox => {
                    let word = self.read_fifo_word()?;
                    assembler.push(word)
                }
                Chip::Lsm6ds3trc => {
                    let mut word = [0u8; 2];
                    self.read_regs(ds3trc::FIFO_DATA_OUT_L, &mut word)?;
                    let at = position;
                    position = (position + 1) % ds3trc::PATTERN_WORDS;
                    assembler.push_pattern(at, word)
                }
            };
            report.words += 1;
            if let Some(sample) = sample {
                report.samples += 1;
                on_sample(self.state.extend(sample));
            }
        }
        Ok(report)
    }
}

impl<I2C, E> Lsm6dsAsync<I2C>
where
    I2C: embedded_hal_async::i2c::I2c<Error = E>,
    E: core::fmt::Debug,
{
    /// Wraps the bus for `chip` at `address`; nothing is sent until [`Lsm6dsAsync::init`].
    pub fn new(i2c: I2C, chip: Chip, address: Address) -> Self {
        Lsm6dsAsync {
            i2c,
            address: address.bits(),
            state: State::new(chip),
        }
    }

    /// The chip this driver talks to.
    pub fn chip(&self) -> Chip {
        self.state.chip
    }

    /// Gives the bus back.
    pub fn release(self) -> I2C {
        self.i2c
    }

    async fn write_reg(&mut self, reg: u8, value: u8) -> Result<(), Error<E>> {
        self.i2c
            .write(self.address, &[reg, value])
            .await
            .map_err(Error::Bus)
    }

    async fn read_regs(&mut self, reg: u8, buf: &mut [u8]) -> Result<(), Error<E>> {
        self.i2c
            .write_read(self.address, &[reg], buf)
            .await
            .map_err(Error::Bus)
    }

    /// Reads WHO_AM_I.
    pub async fn who_am_i(&mut self) -> Result<u8, Error<E>> {
        let mut b = [0u8; 1];
        self.read_regs(regs::WHO_AM_I, &mut b).await?;
        Ok(b[0])
    }

    /// Checks the chip identity, resets it and applies `config`, FIFO still in bypass.
    pub async fn init(&mut self, config: &Config) -> Result<(), Error<E>> {
        let chip = self.state.chip;
        let plan = plan::<E>(chip, config)?;
        let found = self.who_am_i().await?;
        if found != chip.who_am_i() {
            return Err(Error::WrongChip { chip, found });
        }
        self.write_reg(regs::CTRL3_C, regs::CTRL3_C_SW_RESET)
            .await?;
        let mut done = false;
        for _ in 0..RESET_POLLS {
            let mut b = [0u8; 1];
            self.read_regs(regs::CTRL3_C, &mut b).await?;
            if b[0] & regs::CTRL3_C_SW_RESET == 0 {
                done = true;
                break;
            }
        }
        if !done {
            return Err(Error::ResetTimeout {
                chip,
                polls: RESET_POLLS,
            });
        }
        self.apply(&plan).await
    }

    /// Applies `config` without a reset (the timestamp counter keeps counting), FIFO in bypass
    /// until [`start`](Self::start).
    pub async fn configure(&mut self, config: &Config) -> Result<(), Error<E>> {
        let plan = plan::<E>(self.state.chip, config)?;
        self.apply(&plan).await
    }

    async fn apply(&mut self, plan: &Plan) -> Result<(), Error<E>> {
        self.state.start = None;
        for &(reg, value) in plan.config.as_slice() {
            self.write_reg(reg, value).await?;
        }
        self.state.start = Some(plan.start);
        Ok(())
    }

    /// Starts batching into the FIFO (after [`init`](Self::init) or [`configure`](Self::configure)).
    pub async fn start(&mut self) -> Result<(), Error<E>> {
        let (reg, value) = self.state.start_write::<E>()?;
        self.write_reg(reg, value).await
    }

    /// Powers both sensors down and empties the FIFO.
    pub async fn stop(&mut self) -> Result<(), Error<E>> {
        for (reg, value) in stop_writes(self.state.chip) {
            self.write_reg(reg, value).await?;
        }
        Ok(())
    }

    /// Reads the timestamp counter (25 µs ticks, wrapping at 2^32; the DS3TR-C's 24-bit counter
    /// extended by the driver).
    pub async fn timestamp_ticks(&mut self) -> Result<u32, Error<E>> {
        let mut b = [0u8; 4];
        let n = self.state.timestamp_bytes();
        self.read_regs(regs::TIMESTAMP0, &mut b[..n]).await?;
        Ok(self.state.timestamp(b))
    }

    /// Reads the FIFO status (on the LSM6DSOX this clears the latched overrun flag).
    pub async fn fifo_status(&mut self) -> Result<FifoStatus, Error<E>> {
        Ok(self.fifo_status_and_pattern().await?.0)
    }

    async fn fifo_status_and_pattern(&mut self) -> Result<(FifoStatus, u16), Error<E>> {
        let mut b = [0u8; 4];
        let n = self.state.status_bytes();
        self.read_regs(self.state.status_reg(), &mut b[..n]).await?;
        Ok(self.state.decode_status(b))
    }

    /// Reads and decodes one LSM6DSOX FIFO word.
    pub async fn read_fifo_word(&mut self) -> Result<FifoWord, Error<E>> {
        let mut raw = [0u8; regs::FIFO_WORD_BYTES];
        self.read_regs(regs::FIFO_DATA_OUT_TAG, &mut raw).await?;
        Ok(FifoWord::decode(&raw))
    }

    /// Reads every word the FIFO holds now (at most `max_words` of the chip's FIFO words, see
    /// [`Chip::fifo_words_per_sample`]), passing each completed sample to `on_sample`.
    pub async fn drain(
        &mut self,
        assembler: &mut FifoAssembler,
        max_words: u16,
        mut on_sample: impl FnMut(RawSample),
    ) -> Result<DrainReport, Error<E>> {
        let (status, mut position) = self.fifo_status_and_pattern().await?;
        let mut report = DrainReport {
            overrun: status.overrun,
            ..DrainReport::default()
        };
        for _ in 0..status.unread_words.min(max_words) {
            let sample = match self.state.chip {
                Chip::Lsm6dsox => {
                    let word = self.read_fifo_word().await?;
                    assembler.push(word)
                }
                Chip::Lsm6ds3trc => {
                    let mut word = [0u8; 2];
                    self.read_regs(ds3trc::FIFO_DATA_OUT_L, &mut word).await?;
                    let at = position;
                    position = (position + 1) % ds3trc::PATTERN_WORDS;
                    assembler.push_pattern(at, word)
                }
            };
            report.words += 1;
            if let Some(sample) = sample {
                report.samples += 1;
                on_sample(self.state.extend(sample));
            }
        }
        Ok(report)
    }
}
