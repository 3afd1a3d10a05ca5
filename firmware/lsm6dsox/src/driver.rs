//! The two bus front ends. Each is a thin sequence of register accesses around the pure encoders and
//! decoders of the crate root, so the blocking and the async driver cannot drift apart in meaning.

use crate::{
    Address, Config, DrainReport, Error, FIFO_START_WRITE, FifoAssembler, FifoStatus, FifoWord,
    RESET_POLLS, RawSample, STOP_WRITES, config_writes, regs,
};

/// LSM6DSOX over a blocking `embedded-hal` 1.0 I2C bus.
#[derive(Debug)]
pub struct Lsm6dsox<I2C> {
    i2c: I2C,
    address: u8,
}

/// LSM6DSOX over an `embedded-hal-async` I2C bus.
#[derive(Debug)]
pub struct Lsm6dsoxAsync<I2C> {
    i2c: I2C,
    address: u8,
}

impl<I2C, E> Lsm6dsox<I2C>
where
    I2C: embedded_hal::i2c::I2c<Error = E>,
    E: core::fmt::Debug,
{
    /// Wraps the bus; nothing is sent until [`Lsm6dsox::init`].
    pub fn new(i2c: I2C, address: Address) -> Self {
        Lsm6dsox {
            i2c,
            address: address.bits(),
        }
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
        let writes = config_writes::<E>(config)?;
        let found = self.who_am_i()?;
        if found != regs::WHO_AM_I_VALUE {
            return Err(Error::WrongChip { found });
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
            return Err(Error::ResetTimeout { polls: RESET_POLLS });
        }
        for (reg, value) in writes {
            self.write_reg(reg, value)?;
        }
        Ok(())
    }

    /// Applies `config` without a reset (the timestamp counter keeps counting), FIFO in bypass
    /// until [`start`](Self::start).
    pub fn configure(&mut self, config: &Config) -> Result<(), Error<E>> {
        for (reg, value) in config_writes::<E>(config)? {
            self.write_reg(reg, value)?;
        }
        Ok(())
    }

    /// Starts batching into the FIFO.
    pub fn start(&mut self) -> Result<(), Error<E>> {
        self.write_reg(FIFO_START_WRITE.0, FIFO_START_WRITE.1)
    }

    /// Powers both sensors down and empties the FIFO.
    pub fn stop(&mut self) -> Result<(), Error<E>> {
        for (reg, value) in STOP_WRITES {
            self.write_reg(reg, value)?;
        }
        Ok(())
    }

    /// Reads the timestamp counter.
    pub fn timestamp_ticks(&mut self) -> Result<u32, Error<E>> {
        let mut b = [0u8; 4];
        self.read_regs(regs::TIMESTAMP0, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// Reads FIFO_STATUS1/2 (this clears the latched overrun flag).
    pub fn fifo_status(&mut self) -> Result<FifoStatus, Error<E>> {
        let mut b = [0u8; 2];
        self.read_regs(regs::FIFO_STATUS1, &mut b)?;
        Ok(FifoStatus::from_registers(b[0], b[1]))
    }

    /// Reads and decodes one FIFO word.
    pub fn read_fifo_word(&mut self) -> Result<FifoWord, Error<E>> {
        let mut raw = [0u8; regs::FIFO_WORD_BYTES];
        self.read_regs(regs::FIFO_DATA_OUT_TAG, &mut raw)?;
        Ok(FifoWord::decode(&raw))
    }

    /// Reads every word the FIFO holds now (at most `max_words`), passing each completed sample to
    /// `on_sample`.
    pub fn drain(
        &mut self,
        assembler: &mut FifoAssembler,
        max_words: u16,
        mut on_sample: impl FnMut(RawSample),
    ) -> Result<DrainReport, Error<E>> {
        let status = self.fifo_status()?;
        let mut report = DrainReport {
            overrun: status.overrun,
            ..DrainReport::default()
        };
        for _ in 0..status.unread_words.min(max_words) {
            let word = self.read_fifo_word()?;
            report.words += 1;
            if let Some(sample) = assembler.push(word) {
                report.samples += 1;
                on_sample(sample);
            }
        }
        Ok(report)
    }
}

impl<I2C, E> Lsm6dsoxAsync<I2C>
where
    I2C: embedded_hal_async::i2c::I2c<Error = E>,
    E: core::fmt::Debug,
{
    /// Wraps the bus; nothing is sent until [`Lsm6dsoxAsync::init`].
    pub fn new(i2c: I2C, address: Address) -> Self {
        Lsm6dsoxAsync {
            i2c,
            address: address.bits(),
        }
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
        let writes = config_writes::<E>(config)?;
        let found = self.who_am_i().await?;
        if found != regs::WHO_AM_I_VALUE {
            return Err(Error::WrongChip { found });
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
            return Err(Error::ResetTimeout { polls: RESET_POLLS });
        }
        for (reg, value) in writes {
            self.write_reg(reg, value).await?;
        }
        Ok(())
    }

    /// Applies `config` without a reset (the timestamp counter keeps counting), FIFO in bypass
    /// until [`start`](Self::start).
    pub async fn configure(&mut self, config: &Config) -> Result<(), Error<E>> {
        for (reg, value) in config_writes::<E>(config)? {
            self.write_reg(reg, value).await?;
        }
        Ok(())
    }

    /// Starts batching into the FIFO.
    pub async fn start(&mut self) -> Result<(), Error<E>> {
        self.write_reg(FIFO_START_WRITE.0, FIFO_START_WRITE.1).await
    }

    /// Powers both sensors down and empties the FIFO.
    pub async fn stop(&mut self) -> Result<(), Error<E>> {
        for (reg, value) in STOP_WRITES {
            self.write_reg(reg, value).await?;
        }
        Ok(())
    }

    /// Reads the timestamp counter.
    pub async fn timestamp_ticks(&mut self) -> Result<u32, Error<E>> {
        let mut b = [0u8; 4];
        self.read_regs(regs::TIMESTAMP0, &mut b).await?;
        Ok(u32::from_le_bytes(b))
    }

    /// Reads FIFO_STATUS1/2 (this clears the latched overrun flag).
    pub async fn fifo_status(&mut self) -> Result<FifoStatus, Error<E>> {
        let mut b = [0u8; 2];
        self.read_regs(regs::FIFO_STATUS1, &mut b).await?;
        Ok(FifoStatus::from_registers(b[0], b[1]))
    }

    /// Reads and decodes one FIFO word.
    pub async fn read_fifo_word(&mut self) -> Result<FifoWord, Error<E>> {
        let mut raw = [0u8; regs::FIFO_WORD_BYTES];
        self.read_regs(regs::FIFO_DATA_OUT_TAG, &mut raw).await?;
        Ok(FifoWord::decode(&raw))
    }

    /// Reads every word the FIFO holds now (at most `max_words`), passing each completed sample to
    /// `on_sample`.
    pub async fn drain(
        &mut self,
        assembler: &mut FifoAssembler,
        max_words: u16,
        mut on_sample: impl FnMut(RawSample),
    ) -> Result<DrainReport, Error<E>> {
        let status = self.fifo_status().await?;
        let mut report = DrainReport {
            overrun: status.overrun,
            ..DrainReport::default()
        };
        for _ in 0..status.unread_words.min(max_words) {
            let word = self.read_fifo_word().await?;
            report.words += 1;
            if let Some(sample) = assembler.push(word) {
                report.samples += 1;
                on_sample(sample);
            }
        }
        Ok(report)
    }
}
