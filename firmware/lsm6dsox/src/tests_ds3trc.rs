//! Driver tests for the LSM6DS3TR-C against its register-level fake.

use core::cell::RefCell;

use crate::ds3trc::{self as ds, PatternAssembler, TimestampExtender};
use crate::fake::FakeBusError;
use crate::fake_ds3trc::{FAKE_FIFO_CAPACITY_WORDS, FakeBus, FakeLsm6ds3trc};
use crate::*;

extern crate std;
use std::vec::Vec;

const ADDR: u8 = 0x6A;
const CHIP: Chip = Chip::Lsm6ds3trc;

fn acc(i: i16) -> [i16; 3] {
    [i, -2 * i, 2048 + i]
}

fn gyr(i: i16) -> [i16; 3] {
    [-i, 3 * i, i / 2]
}

fn started<'a>(fake: &'a RefCell<FakeLsm6ds3trc>, config: &Config) -> Lsm6ds<FakeBus<'a>> {
    let mut imu = Lsm6ds::new(FakeBus(fake), CHIP, Address::Sa0Low);
    imu.init(config).unwrap();
    imu.start().unwrap();
    imu
}

#[test]
fn init_programs_the_datasheet_registers() {
    let fake = RefCell::new(FakeLsm6ds3trc::new(ADDR));
    let mut imu = Lsm6ds::new(FakeBus(&fake), CHIP, Address::Sa0Low);
    imu.init(&Config::default()).unwrap();
    {
        let f = fake.borrow();
        // 104 Hz = 0100 in ODR bits, ±16 g = 01 in FS_XL, ±2000 dps = 11 in FS_G.
        assert_eq!(f.reg(regs::CTRL1_XL), 0x44);
        assert_eq!(f.reg(regs::CTRL2_G), 0x4C);
        assert_eq!(f.reg(regs::CTRL3_C), 0x44, "BDU | IF_INC");
        assert_eq!(f.reg(regs::CTRL10_C), 0x34, "TIMER_EN | PEDO_EN | FUNC_EN");
        assert_eq!(f.reg(ds::WAKE_UP_DUR), 0x10, "TIMER_HR: 25 us ticks");
        assert_eq!(f.reg(ds::FIFO_CTRL1), 36, "4 samples of 9 words");
        assert_eq!(f.reg(ds::FIFO_CTRL2), 0x80, "TIMER_PEDO_FIFO_EN");
        assert_eq!(f.reg(ds::FIFO_CTRL3), 0x09, "gyro and accel undecimated");
        assert_eq!(
            f.reg(ds::FIFO_CTRL4),
            0x08,
            "timestamp data set undecimated"
        );
        assert_eq!(f.reg(regs::INT1_CTRL), 0x18, "FTH | FIFO_OVR");
        assert_eq!(f.reg(ds::FIFO_CTRL5), 0x00, "bypass until start");
    }
    imu.start().unwrap();
    assert_eq!(
        fake.borrow().reg(ds::FIFO_CTRL5),
        0x26,
        "104 Hz, continuous"
    );
}

#[test]
fn other_ranges_rates_and_a_large_watermark_encode() {
    let fake = RefCell::new(FakeLsm6ds3trc::new(ADDR));
    let config = Config {
        rate: DataRate::Hz208,
        accel_range: AccelRange::G8,
        gyro_range: GyroRange::Dps125,
        fifo_watermark_samples: 100,
        int1: Int1::DataReady,
    };
    let _imu = started(&fake, &config);
    let f = fake.borrow();
    assert_eq!(f.reg(regs::CTRL1_XL), 0x5C);
    assert_eq!(f.reg(regs::CTRL2_G), 0x52);
    // 900 words = 0x384: FTH 7:0 in FIFO_CTRL1, 10:8 in FIFO_CTRL2 next to TIMER_PEDO_FIFO_EN.
    assert_eq!(f.reg(ds::FIFO_CTRL1), 0x84);
    assert_eq!(f.reg(ds::FIFO_CTRL2), 0x83);
    assert_eq!(f.reg(regs::INT1_CTRL), 0x01);
    assert_eq!(f.reg(ds::FIFO_CTRL5), 0x2E, "208 Hz, continuous");
}

#[test]
fn wrong_chip_and_wrong_address_are_errors() {
    // An LSM6DSOX answering where the DS3TR-C is expected, and the other way round.
    let fake = RefCell::new(FakeLsm6ds3trc::new(ADDR).with_who_am_i(0x6C));
    let mut imu = Lsm6ds::new(FakeBus(&fake), CHIP, Address::Sa0Low);
    assert_eq!(
        imu.init(&Config::default()),
        Err(Error::WrongChip {
            chip: CHIP,
            found: 0x6C
        })
    );
    let fake = RefCell::new(FakeLsm6ds3trc::new(ADDR));
    let mut imu = Lsm6ds::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0Low);
    assert_eq!(
        imu.init(&Config::default()),
        Err(Error::WrongChip {
            chip: Chip::Lsm6dsox,
            found: 0x6A
        })
    );
    let mut imu = Lsm6ds::new(FakeBus(&fake), CHIP, Address::Sa0High);
    assert_eq!(
        imu.init(&Config::default()),
        Err(Error::Bus(FakeBusError::AddressNack))
    );
}

#[test]
fn oversized_watermark_and_unconfigured_start_are_refused_before_the_bus() {
    let fake = RefCell::new(FakeLsm6ds3trc::new(ADDR));
    let mut imu = Lsm6ds::new(FakeBus(&fake), CHIP, Address::Sa0Low);
    assert_eq!(CHIP.max_fifo_watermark_samples(), 227, "2047 words / 9");
    let config = Config {
        fifo_watermark_samples: 228,
        ..Config::default()
    };
    assert_eq!(
        imu.init(&config),
        Err(Error::WatermarkTooLarge {
            chip: CHIP,
            samples: 228
        })
    );
    assert_eq!(imu.start(), Err(Error::NotConfigured { chip: CHIP }));
    assert_eq!(fake.borrow().transactions(), 0);
}

#[test]
fn fifo_samples_come_back_exactly_with_timestamps() {
    let fake = RefCell::new(FakeLsm6ds3trc::new(ADDR));
    let mut imu = started(&fake, &Config::default());
    for i in 0..10 {
        fake.borrow_mut().sample(acc(i), gyr(i));
        // Watermark: 4 samples of 9 words.
        assert_eq!(fake.borrow().int1_level(), (i + 1) * 9 >= 36, "sample {i}");
    }
    let mut asm = FifoAssembler::new();
    let mut out = Vec::new();
    let report = imu.drain(&mut asm, u16::MAX, |s| out.push(s)).unwrap();
    assert_eq!(
        report,
        DrainReport {
            words: 90,
            samples: 10,
            overrun: false
        }
    );
    assert!(!fake.borrow().int1_level());
    assert_eq!(asm.dropped_slots(), 0);
    for (i, s) in out.iter().enumerate() {
        let i16i = i as i16;
        assert_eq!(s.acc_counts, acc(i16i));
        assert_eq!(s.gyr_counts, gyr(i16i));
        assert_eq!(
            s.timestamp_ticks as u64,
            (i as u64 + 1) * 40_000_000 / 104_000,
            "25 us ticks at 104 Hz"
        );
    }
}

#[test]
fn counts_scale_to_physical_units_for_every_range() {
    // The fake converts a physical reading to counts with the datasheet sensitivity of the full
    // scale written in CTRL1_XL/CTRL2_G; the driver's sensitivity must bring it back.
    for (accel_range, gyro_range) in [
        (AccelRange::G16, GyroRange::Dps2000),
        (AccelRange::G4, GyroRange::Dps500),
        (AccelRange::G2, GyroRange::Dps125),
    ] {
        let fake = RefCell::new(FakeLsm6ds3trc::new(ADDR));
        let config = Config {
            accel_range,
            gyro_range,
            ..Config::default()
        };
        let mut imu = started(&fake, &config);
        let acc_milli_g = [1000, -500, 250];
        let gyr_milli_dps = [100_000, -50_000, 12_000];
        fake.borrow_mut()
            .sample_physical(acc_milli_g, gyr_milli_dps);
        let mut out = Vec::new();
        imu.drain(&mut FifoAssembler::new(), u16::MAX, |s| out.push(s))
            .unwrap();
        assert_eq!(out.len(), 1);
        for k in 0..3 {
            let micro_g =
                i64::from(out[0].acc_counts[k]) * i64::from(accel_range.micro_g_per_lsb());
            let micro_dps =
                i64::from(out[0].gyr_counts[k]) * i64::from(gyro_range.micro_dps_per_lsb());
            let acc_error = (micro_g - i64::from(acc_milli_g[k]) * 1000).abs();
            let gyr_error = (micro_dps - i64::from(gyr_milli_dps[k]) * 1000).abs();
            assert!(
                acc_error <= i64::from(accel_range.micro_g_per_lsb()),
                "{accel_range:?} axis {k}: {micro_g} ug"
            );
            assert!(
                gyr_error <= i64::from(gyro_range.micro_dps_per_lsb()),
                "{gyro_range:?} axis {k}: {micro_dps} udps"
            );
        }
    }
}

#[test]
fn drain_respects_max_words_and_resumes_mid_pattern() {
    let fake = RefCell::new(FakeLsm6ds3trc::new(ADDR));
    let mut imu = started(&fake, &Config::default());
    for i in 0..5 {
        fake.borrow_mut().sample(acc(i), gyr(i));
    }
    let mut asm = FifoAssembler::new();
    let mut out = Vec::new();
    let first = imu.drain(&mut asm, 13, |s| out.push(s)).unwrap();
    assert_eq!((first.words, first.samples), (13, 1));
    let second = imu.drain(&mut asm, u16::MAX, |s| out.push(s)).unwrap();
    assert_eq!((second.words, second.samples), (32, 4));
    assert_eq!(out.len(), 5);
    assert_eq!(out[4].gyr_counts, gyr(4));
    assert_eq!(asm.dropped_slots(), 0);
}

#[test]
fn overrun_is_reported_and_the_newest_samples_survive() {
    let fake = RefCell::new(FakeLsm6ds3trc::new(ADDR));
    let mut imu = started(&fake, &Config::default());
    let n = 300;
    for i in 0..n {
        fake.borrow_mut().sample(acc(i), gyr(i));
    }
    assert!(fake.borrow().int1_level(), "overrun drives INT1 too");
    let mut asm = FifoAssembler::new();
    let mut out = Vec::new();
    let report = imu.drain(&mut asm, u16::MAX, |s| out.push(s)).unwrap();
    assert!(report.overrun);
    assert_eq!(usize::from(report.words), FAKE_FIFO_CAPACITY_WORDS);
    // 2700 words written, the newest 2046 kept: the head is at pattern position 654 % 9 = 6, so
    // three words of a cut pattern, then 227 whole samples.
    assert_eq!(out.len(), 227);
    assert_eq!(out[0].acc_counts, acc(n - 227));
    assert_eq!(out.last().unwrap().acc_counts, acc(n - 1));
    assert!(!imu.fifo_status().unwrap().overrun, "reading made room");
}

#[test]
fn stop_powers_down_and_flushes_and_configure_keeps_the_clock() {
    let fake = RefCell::new(FakeLsm6ds3trc::new(ADDR));
    let mut imu = started(&fake, &Config::default());
    for i in 0..4 {
        fake.borrow_mut().sample(acc(i), gyr(i));
    }
    imu.stop().unwrap();
    assert_eq!(fake.borrow().fifo_len(), 0);
    fake.borrow_mut().sample(acc(9), gyr(9));
    assert_eq!(fake.borrow().fifo_len(), 0, "powered down");
    let before = imu.timestamp_ticks().unwrap();
    assert_eq!(before, 4 * 40_000_000 / 104_000);
    let config = Config {
        rate: DataRate::Hz208,
        ..Config::default()
    };
    imu.configure(&config).unwrap();
    assert_eq!(imu.timestamp_ticks().unwrap(), before, "no reset");
    imu.start().unwrap();
    fake.borrow_mut().sample(acc(5), gyr(5));
    let mut out = Vec::new();
    imu.drain(&mut FifoAssembler::new(), u16::MAX, |s| out.push(s))
        .unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].timestamp_ticks,
        before + 40_000_000 / 208_000,
        "one 208 Hz period later"
    );
}

#[test]
fn the_24_bit_timer_is_extended_across_its_wrap() {
    let base = 0xFF_FFFF - 100;
    let fake = RefCell::new(FakeLsm6ds3trc::new(ADDR).with_timestamp_base(base));
    let mut imu = started(&fake, &Config::default());
    assert_eq!(imu.timestamp_ticks().unwrap(), base);
    fake.borrow_mut().sample(acc(0), gyr(0));
    fake.borrow_mut().sample(acc(1), gyr(1));
    // The register (newer) is read before the FIFO's older samples: no false wrap.
    let now = imu.timestamp_ticks().unwrap();
    assert_eq!(now, base + 2 * 40_000_000 / 104_000);
    assert!(now > 0xFF_FFFF, "past the 24-bit wrap: {now}");
    let mut out = Vec::new();
    imu.drain(&mut FifoAssembler::new(), u16::MAX, |s| out.push(s))
        .unwrap();
    let ticks: Vec<u32> = out.iter().map(|s| s.timestamp_ticks).collect();
    assert_eq!(
        ticks,
        [base + 40_000_000 / 104_000, base + 2 * 40_000_000 / 104_000]
    );
}

#[test]
fn async_driver_matches_the_blocking_one() {
    let fake = RefCell::new(FakeLsm6ds3trc::new(ADDR));
    let mut imu = Lsm6dsAsync::new(FakeBus(&fake), CHIP, Address::Sa0Low);
    embassy_futures::block_on(async {
        imu.init(&Config::default()).await.unwrap();
        imu.start().await.unwrap();
    });
    for i in 0..6 {
        fake.borrow_mut().sample(acc(i), gyr(i));
    }
    let mut asm = FifoAssembler::new();
    let mut out = Vec::new();
    let report = embassy_futures::block_on(imu.drain(&mut asm, u16::MAX, |s| out.push(s))).unwrap();
    assert_eq!(report.samples, 6);
    assert_eq!(out[5].gyr_counts, gyr(5));
    assert_eq!(out[5].timestamp_ticks, 6 * 40_000_000 / 104_000);
    assert_eq!(
        embassy_futures::block_on(imu.who_am_i()).unwrap(),
        ds::WHO_AM_I_VALUE
    );
}

#[test]
fn status_and_timestamp_words_decode_by_hand() {
    // 0x5FF unread words, threshold and overrun, pattern position 0x107.
    let (fill, pattern) = ds::fifo_status([0xFF, 0xC5, 0x07, 0x01]);
    assert_eq!(
        fill,
        FifoStatus {
            unread_words: 0x5FF,
            watermark: true,
            overrun: true
        }
    );
    assert_eq!(pattern, 0x107);
    // AN4650 byte order: TIMESTAMP[15:8], TIMESTAMP[23:16], unused, TIMESTAMP[7:0].
    assert_eq!(
        ds::timestamp_from_words([0x34, 0x12], [0xAA, 0x56]),
        0x12_3456
    );
    assert_eq!(ds::timestamp_from_registers([0x56, 0x34, 0x12]), 0x12_3456);
}

#[test]
fn pattern_assembler_drops_a_cut_pattern_and_resyncs_at_position_zero() {
    let mut asm = PatternAssembler::new();
    for p in 0..5 {
        assert_eq!(asm.push(p, [p as u8, 0]), None);
    }
    // Position 5 was lost: the partial sample goes, 6..8 are skipped.
    for p in 6..9 {
        assert_eq!(asm.push(p, [0, 0]), None);
    }
    assert_eq!(asm.dropped_samples(), 1);
    let mut sample = None;
    for p in 0..9u16 {
        sample = asm.push(p, [p as u8 + 1, 0]);
    }
    assert_eq!(
        sample,
        Some(RawSample {
            timestamp_ticks: 7 << 8,
            gyr_counts: [1, 2, 3],
            acc_counts: [4, 5, 6],
        })
    );
    assert_eq!(asm.dropped_samples(), 1);
}

#[test]
fn extender_follows_wraps_both_ways_and_the_32_bit_wrap() {
    let mut x = TimestampExtender::new();
    assert_eq!(x.extend(0xFF_FF00), 0xFF_FF00);
    assert_eq!(
        x.extend(0x00_0010),
        0x100_0010,
        "forward over the 24-bit wrap"
    );
    assert_eq!(
        x.extend(0xFF_FFF0),
        0xFF_FFF0,
        "slightly back, across the wrap"
    );
    assert_eq!(x.extend(0x40_0000), 0x140_0000);
    let mut x = TimestampExtender::new();
    let mut raw = 0xFF_FFFF;
    let mut extended = x.extend(raw);
    // A quarter of the 24-bit range at a time, 255 turns: up to the 32-bit wrap.
    for _ in 0..255 * 4 {
        raw = (raw + 0x40_0000) & 0xFF_FFFF;
        extended = x.extend(raw);
    }
    assert_eq!(extended, u32::MAX);
    assert_eq!(
        x.extend(0x00_0005),
        5,
        "wraps at 2^32 like the DSOX counter"
    );
}
