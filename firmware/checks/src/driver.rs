//! The driver checks: each chip's driver against its register-level fake (identity,
//! configuration, FIFO samples back exactly with their timestamps, overrun reported), blocking and
//! async.

use alloc::vec::Vec;
use core::cell::RefCell;

use entrain_lsm6dsox::fake::{FakeBus, FakeLsm6dsox};
use entrain_lsm6dsox::fake_ds3trc::{self, FakeLsm6ds3trc};
use entrain_lsm6dsox::{Address, Chip, Config, DataRate, FifoAssembler, Lsm6ds, Lsm6dsAsync, regs};

use crate::{Failure, ensure};

fn counts(i: i16) -> ([i16; 3], [i16; 3]) {
    ([i, i.wrapping_mul(-3), 2048], [i.wrapping_mul(7), -i, 1])
}

/// The blocking driver against the register-level fake: identity, configuration, FIFO samples
/// back exactly with their timestamps, overrun reported.
pub fn driver_fifo() -> Result<(), Failure> {
    const C: &str = "driver_fifo";
    let fake = RefCell::new(FakeLsm6dsox::new(0x6A));
    let mut imu = Lsm6ds::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0Low);
    imu.init(&Config::default()).map_err(|_| Failure {
        check: C,
        what: "init failed",
        value: 0,
    })?;
    ensure(
        fake.borrow().reg(regs::CTRL1_XL) == 0x44,
        C,
        "CTRL1_XL",
        fake.borrow().reg(regs::CTRL1_XL).into(),
    )?;
    imu.start().map_err(|_| Failure {
        check: C,
        what: "start failed",
        value: 0,
    })?;
    for i in 0..10 {
        let (a, g) = counts(i);
        fake.borrow_mut().sample(a, g);
    }
    ensure(
        fake.borrow().int1_level(),
        C,
        "INT1 not raised at the watermark",
        0,
    )?;
    let mut asm = FifoAssembler::new();
    let mut got: Vec<entrain_lsm6dsox::RawSample> = Vec::new();
    let report = imu
        .drain(&mut asm, u16::MAX, |s| got.push(s))
        .map_err(|_| Failure {
            check: C,
            what: "drain failed",
            value: 0,
        })?;
    ensure(
        report.samples == 10,
        C,
        "samples drained",
        report.samples.into(),
    )?;
    for (i, s) in got.iter().enumerate() {
        let (a, g) = counts(i as i16);
        ensure(
            s.acc_counts == a && s.gyr_counts == g,
            C,
            "sample differs",
            i as i64,
        )?;
        let ticks = ((i as u64 + 1) * 40_000_000 / 104_000) as u32;
        ensure(s.timestamp_ticks == ticks, C, "timestamp differs", i as i64)?;
    }
    for i in 0..300 {
        let (a, g) = counts(i);
        fake.borrow_mut().sample(a, g);
    }
    let report = imu.drain(&mut asm, u16::MAX, |_| {}).map_err(|_| Failure {
        check: C,
        what: "drain failed",
        value: 1,
    })?;
    ensure(report.overrun, C, "overrun not reported", 0)?;
    Ok(())
}

/// The async driver (what the board uses) through a minimal executor.
pub fn driver_async() -> Result<(), Failure> {
    const C: &str = "driver_async";
    let fake = RefCell::new(FakeLsm6dsox::new(0x6A));
    let mut imu = Lsm6dsAsync::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0Low);
    let config = Config {
        rate: DataRate::Hz208,
        ..Config::default()
    };
    embassy_futures::block_on(async {
        imu.init(&config).await?;
        imu.start().await
    })
    .map_err(|_| Failure {
        check: C,
        what: "init/start failed",
        value: 0,
    })?;
    for i in 0..7 {
        let (a, g) = counts(i);
        fake.borrow_mut().sample(a, g);
    }
    let mut asm = FifoAssembler::new();
    let mut n = 0i64;
    let mut last = None;
    let report = embassy_futures::block_on(imu.drain(&mut asm, u16::MAX, |s| {
        n += 1;
        last = Some(s);
    }))
    .map_err(|_| Failure {
        check: C,
        what: "drain failed",
        value: 0,
    })?;
    ensure(n == 7 && report.samples == 7, C, "samples drained", n)?;
    let (a, _) = counts(6);
    ensure(
        last.is_some_and(|s| s.acc_counts == a),
        C,
        "last sample differs",
        6,
    )?;
    Ok(())
}

/// The LSM6DS3TR-C through the blocking driver against its register-level fake: identity,
/// configuration, FIFO samples back exactly with their (extended) timestamps, overrun reported.
pub fn driver_fifo_ds3trc() -> Result<(), Failure> {
    const C: &str = "driver_fifo_ds3trc";
    let fake = RefCell::new(FakeLsm6ds3trc::new(0x6A));
    let mut imu = Lsm6ds::new(
        fake_ds3trc::FakeBus(&fake),
        Chip::Lsm6ds3trc,
        Address::Sa0Low,
    );
    imu.init(&Config::default())
        .and_then(|()| imu.start())
        .map_err(|_| Failure {
            check: C,
            what: "init/start failed",
            value: 0,
        })?;
    let fifo_ctrl5 = fake.borrow().reg(entrain_lsm6dsox::ds3trc::FIFO_CTRL5);
    ensure(fifo_ctrl5 == 0x26, C, "FIFO_CTRL5", fifo_ctrl5.into())?;
    for i in 0..10 {
        let (a, g) = counts(i);
        fake.borrow_mut().sample(a, g);
    }
    ensure(
        fake.borrow().int1_level(),
        C,
        "INT1 not raised at the watermark",
        0,
    )?;
    let mut asm = FifoAssembler::new();
    let mut got: Vec<entrain_lsm6dsox::RawSample> = Vec::new();
    let report = imu
        .drain(&mut asm, u16::MAX, |s| got.push(s))
        .map_err(|_| Failure {
            check: C,
            what: "drain failed",
            value: 0,
        })?;
    ensure(
        report.samples == 10 && report.words == 90,
        C,
        "samples drained",
        report.samples.into(),
    )?;
    for (i, s) in got.iter().enumerate() {
        let (a, g) = counts(i as i16);
        ensure(
            s.acc_counts == a && s.gyr_counts == g,
            C,
            "sample differs",
            i as i64,
        )?;
        let ticks = ((i as u64 + 1) * 40_000_000 / 104_000) as u32;
        ensure(s.timestamp_ticks == ticks, C, "timestamp differs", i as i64)?;
    }
    for i in 0..300 {
        let (a, g) = counts(i);
        fake.borrow_mut().sample(a, g);
    }
    let report = imu.drain(&mut asm, u16::MAX, |_| {}).map_err(|_| Failure {
        check: C,
        what: "drain failed",
        value: 1,
    })?;
    ensure(report.overrun, C, "overrun not reported", 0)?;
    Ok(())
}
