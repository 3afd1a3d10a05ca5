//! Driver tests against the register-level fake.

use core::cell::RefCell;

use crate::fake::{FAKE_FIFO_CAPACITY_WORDS, FakeBus, FakeBusError, FakeLsm6dsox, SlotOrder};
use crate::*;

extern crate std;
use std::vec::Vec;

const ADDR: u8 = 0x6A;

fn acc(i: i16) -> [i16; 3] {
    [i, -2 * i, 2048 + i]
}

fn gyr(i: i16) -> [i16; 3] {
    [-i, 3 * i, i / 2]
}

#[test]
fn init_programs_the_datasheet_registers() {
    let fake = RefCell::new(FakeLsm6dsox::new(ADDR));
    let mut imu = Lsm6ds::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0Low);
    imu.init(&Config::default()).unwrap();
    {
        let f = fake.borrow();
        // 104 Hz = 0100 in ODR bits, ±16 g = 01 in FS_XL.
        assert_eq!(f.reg(regs::CTRL1_XL), 0x44);
        // ±2000 dps = 11 in FS_G.
        assert_eq!(f.reg(regs::CTRL2_G), 0x4C);
        assert_eq!(f.reg(regs::CTRL3_C), 0x44, "BDU | IF_INC");
        assert_eq!(f.reg(regs::CTRL10_C), 0x20, "TIMESTAMP_EN");
        assert_eq!(f.reg(regs::FIFO_CTRL1), 12);
        assert_eq!(f.reg(regs::FIFO_CTRL2), 0);
        assert_eq!(f.reg(regs::FIFO_CTRL3), 0x44, "BDR 104 Hz for both");
        assert_eq!(f.reg(regs::INT1_CTRL), 0x18, "FIFO_TH | FIFO_OVR");
        assert_eq!(f.reg(regs::FIFO_CTRL4), 0x00, "bypass until start");
    }
    imu.start().unwrap();
    assert_eq!(fake.borrow().reg(regs::FIFO_CTRL4), 0x46);
}

#[test]
fn other_ranges_and_rates_encode() {
    let fake = RefCell::new(FakeLsm6dsox::new(ADDR));
    let mut imu = Lsm6ds::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0Low);
    let config = Config {
        rate: DataRate::Hz208,
        accel_range: AccelRange::G8,
        gyro_range: GyroRange::Dps125,
        fifo_watermark_samples: 100,
        int1: Int1::DataReady,
    };
    imu.init(&config).unwrap();
    let f = fake.borrow();
    assert_eq!(f.reg(regs::CTRL1_XL), 0x5C);
    assert_eq!(f.reg(regs::CTRL2_G), 0x52);
    // 100 samples of three words: 300 words, bit 8 in FIFO_CTRL2.
    assert_eq!(f.reg(regs::FIFO_CTRL1), (300 & 0xFF) as u8);
    assert_eq!(f.reg(regs::FIFO_CTRL2), 1);
    assert_eq!(f.reg(regs::INT1_CTRL), 0x01);
}

#[test]
fn wrong_chip_and_wrong_address_are_errors() {
    let fake = RefCell::new(FakeLsm6dsox::new(ADDR).with_who_am_i(0x6B));
    let mut imu = Lsm6ds::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0Low);
    assert_eq!(
        imu.init(&Config::default()),
        Err(Error::WrongChip {
            chip: Chip::Lsm6dsox,
            found: 0x6B
        })
    );
    let fake = RefCell::new(FakeLsm6dsox::new(ADDR));
    let mut imu = Lsm6ds::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0High);
    assert_eq!(
        imu.init(&Config::default()),
        Err(Error::Bus(FakeBusError::AddressNack))
    );
}

#[test]
fn bus_failure_mid_init_is_reported() {
    let fake = RefCell::new(FakeLsm6dsox::new(ADDR));
    fake.borrow_mut().fail_transaction(5);
    let mut imu = Lsm6ds::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0Low);
    assert_eq!(
        imu.init(&Config::default()),
        Err(Error::Bus(FakeBusError::Injected))
    );
}

#[test]
fn oversized_watermark_is_refused_before_touching_the_bus() {
    let fake = RefCell::new(FakeLsm6dsox::new(ADDR));
    let mut imu = Lsm6ds::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0Low);
    let config = Config {
        fifo_watermark_samples: 171,
        ..Config::default()
    };
    assert_eq!(
        imu.init(&config),
        Err(Error::WatermarkTooLarge {
            chip: Chip::Lsm6dsox,
            samples: 171
        })
    );
    assert_eq!(fake.borrow().transactions(), 0);
}

fn run_fifo(order: SlotOrder) -> Vec<RawSample> {
    let fake = RefCell::new(FakeLsm6dsox::new(ADDR).with_slot_order(order));
    let mut imu = Lsm6ds::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0Low);
    imu.init(&Config::default()).unwrap();
    imu.start().unwrap();
    let mut asm = FifoAssembler::new();
    let mut out = Vec::new();
    for i in 0..10 {
        fake.borrow_mut().sample(acc(i), gyr(i));
        // Watermark 12 words = 4 samples of 3 words.
        assert_eq!(fake.borrow().int1_level(), (i + 1) * 3 >= 12, "sample {i}");
    }
    let report = imu.drain(&mut asm, u16::MAX, |s| out.push(s)).unwrap();
    assert_eq!(
        report,
        DrainReport {
            words: 30,
            samples: 10,
            overrun: false
        }
    );
    assert_eq!(fake.borrow().fifo_len(), 0);
    assert!(!fake.borrow().int1_level());
    assert_eq!(asm.dropped_slots(), 0);
    out
}

#[test]
fn fifo_samples_come_back_exactly_with_timestamps() {
    let out = run_fifo(SlotOrder::GyroAccelTimestamp);
    assert_eq!(out.len(), 10);
    for (i, s) in out.iter().enumerate() {
        let i16i = i as i16;
        assert_eq!(s.acc_counts, acc(i16i));
        assert_eq!(s.gyr_counts, gyr(i16i));
        // 104 Hz at 25 µs per tick: 384.6 ticks per sample.
        assert_eq!(
            s.timestamp_ticks as u64,
            (i as u64 + 1) * 40_000_000 / 104_000
        );
    }
    assert_eq!(out, run_fifo(SlotOrder::TimestampAccelGyro));
}

#[test]
fn drain_respects_max_words_and_resumes_mid_slot() {
    let fake = RefCell::new(FakeLsm6dsox::new(ADDR));
    let mut imu = Lsm6ds::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0Low);
    imu.init(&Config::default()).unwrap();
    imu.start().unwrap();
    for i in 0..5 {
        fake.borrow_mut().sample(acc(i), gyr(i));
    }
    let mut asm = FifoAssembler::new();
    let mut out = Vec::new();
    let first = imu.drain(&mut asm, 7, |s| out.push(s)).unwrap();
    assert_eq!((first.words, first.samples), (7, 2));
    let second = imu.drain(&mut asm, u16::MAX, |s| out.push(s)).unwrap();
    assert_eq!((second.words, second.samples), (8, 3));
    assert_eq!(out.len(), 5);
    assert_eq!(out[2].acc_counts, acc(2));
}

#[test]
fn overrun_is_reported_and_the_newest_samples_survive() {
    let fake = RefCell::new(FakeLsm6dsox::new(ADDR));
    let mut imu = Lsm6ds::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0Low);
    imu.init(&Config::default()).unwrap();
    imu.start().unwrap();
    let n = 200;
    for i in 0..n {
        fake.borrow_mut().sample(acc(i), gyr(i));
    }
    assert!(fake.borrow().int1_level(), "overrun drives INT1 too");
    let mut asm = FifoAssembler::new();
    let mut out = Vec::new();
    let report = imu.drain(&mut asm, u16::MAX, |s| out.push(s)).unwrap();
    assert!(report.overrun);
    assert_eq!(usize::from(report.words), FAKE_FIFO_CAPACITY_WORDS);
    // 512 words = 170 whole slots and 2 words of a slot whose first word was overwritten.
    assert_eq!(out.len(), 170);
    assert_eq!(out.last().unwrap().acc_counts, acc(n - 1));
    assert!(asm.dropped_slots() <= 1);
    // The latched flag is cleared by the status read.
    assert!(!imu.fifo_status().unwrap().overrun);
}

#[test]
fn stop_powers_down_and_flushes() {
    let fake = RefCell::new(FakeLsm6dsox::new(ADDR));
    let mut imu = Lsm6ds::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0Low);
    imu.init(&Config::default()).unwrap();
    imu.start().unwrap();
    fake.borrow_mut().sample(acc(1), gyr(1));
    imu.stop().unwrap();
    assert_eq!(fake.borrow().fifo_len(), 0);
    fake.borrow_mut().sample(acc(2), gyr(2));
    assert_eq!(fake.borrow().fifo_len(), 0);
    assert_eq!(fake.borrow().reg(regs::CTRL1_XL), 0);
}

#[test]
fn data_ready_interrupt_follows_status() {
    let fake = RefCell::new(FakeLsm6dsox::new(ADDR));
    let mut imu = Lsm6ds::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0Low);
    let config = Config {
        int1: Int1::DataReady,
        ..Config::default()
    };
    imu.init(&config).unwrap();
    assert!(!fake.borrow().int1_level());
    fake.borrow_mut().sample(acc(1), gyr(1));
    assert!(fake.borrow().int1_level());
}

#[test]
fn timestamp_register_reads_the_counter_and_wraps() {
    let fake = RefCell::new(FakeLsm6dsox::new(ADDR).with_timestamp_base(u32::MAX - 100));
    let mut imu = Lsm6ds::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0Low);
    imu.init(&Config::default()).unwrap();
    imu.start().unwrap();
    fake.borrow_mut().sample(acc(0), gyr(0));
    assert_eq!(imu.timestamp_ticks().unwrap(), 283, "wrapped past u32::MAX");
}

#[test]
fn async_driver_matches_the_blocking_one() {
    let fake = RefCell::new(FakeLsm6dsox::new(ADDR));
    let mut imu = Lsm6dsAsync::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0Low);
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
    assert_eq!(
        embassy_futures::block_on(imu.who_am_i()).unwrap(),
        regs::WHO_AM_I_VALUE
    );
}

#[test]
fn fifo_word_decoding_by_hand() {
    // Accelerometer, slot 1: tag byte = 0b00010_01_1 (parity bit ignored).
    let w = FifoWord::decode(&[0x13, 0x01, 0x00, 0xFF, 0xFF, 0x00, 0x80]);
    assert_eq!(
        w,
        FifoWord::Accel {
            slot: 1,
            counts: [1, -1, i16::MIN]
        }
    );
    let w = FifoWord::decode(&[0x04 << 3 | 3 << 1, 0x78, 0x56, 0x34, 0x12, 0, 0]);
    assert_eq!(
        w,
        FifoWord::Timestamp {
            slot: 3,
            ticks: 0x1234_5678
        }
    );
    assert_eq!(
        FifoWord::decode(&[0x03 << 3, 0, 0, 0, 0, 0, 0]),
        FifoWord::Other { tag: 3 }
    );
}

#[test]
fn assembler_drops_incomplete_slots() {
    let mut asm = FifoAssembler::new();
    assert_eq!(
        asm.push(FifoWord::Gyro {
            slot: 0,
            counts: [1, 1, 1]
        }),
        None
    );
    // Slot 0's accelerometer and timestamp were lost.
    assert_eq!(
        asm.push(FifoWord::Accel {
            slot: 1,
            counts: [2, 2, 2]
        }),
        None
    );
    assert_eq!(asm.dropped_slots(), 1);
    assert_eq!(
        asm.push(FifoWord::Gyro {
            slot: 1,
            counts: [3, 3, 3]
        }),
        None
    );
    assert_eq!(
        asm.push(FifoWord::Timestamp { slot: 1, ticks: 9 }),
        Some(RawSample {
            timestamp_ticks: 9,
            acc_counts: [2, 2, 2],
            gyr_counts: [3, 3, 3]
        })
    );
}

#[test]
fn data_rate_lookup() {
    assert_eq!(DataRate::at_least_hz(100), Some(DataRate::Hz104));
    assert_eq!(DataRate::at_least_hz(104), Some(DataRate::Hz104));
    assert_eq!(DataRate::at_least_hz(105), Some(DataRate::Hz208));
    assert_eq!(DataRate::at_least_hz(1), Some(DataRate::Hz12_5));
    assert_eq!(DataRate::at_least_hz(1000), None);
}

#[test]
fn configure_changes_rate_without_resetting_the_timestamp() {
    let fake = RefCell::new(FakeLsm6dsox::new(ADDR));
    let mut imu = Lsm6ds::new(FakeBus(&fake), Chip::Lsm6dsox, Address::Sa0Low);
    imu.init(&Config::default()).unwrap();
    imu.start().unwrap();
    for i in 0..4 {
        fake.borrow_mut().sample(acc(i), gyr(i));
    }
    imu.stop().unwrap();
    let config = Config {
        rate: DataRate::Hz208,
        ..Config::default()
    };
    let before = imu.timestamp_ticks().unwrap();
    assert_eq!(before, 4 * 40_000_000 / 104_000);
    imu.configure(&config).unwrap();
    assert_eq!(imu.timestamp_ticks().unwrap(), before, "no reset");
    assert_eq!(fake.borrow().reg(regs::CTRL1_XL) >> 4, 0b0101);
    assert_eq!(
        fake.borrow().reg(regs::CTRL10_C),
        regs::CTRL10_C_TIMESTAMP_EN
    );
    let mut asm = FifoAssembler::new();
    let mut n = 0;
    imu.drain(&mut asm, u16::MAX, |_| n += 1).unwrap();
    assert_eq!(n, 0, "stop flushed the FIFO, configure left it in bypass");
}
