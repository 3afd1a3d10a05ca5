//! Checks of the firmware logic that run unchanged on the host (`tests/host.rs`) and on an emulated
//! Cortex-M4 (`firmware/qemu-tests`, `qemu-system-arm -machine mps2-an386`), so the code the sensor
//! runs is exercised on the sensor's instruction set, FPU and word size, not only on x86-64.
//!
//! Each check returns what it measured ([`Summary`]) or the first thing that was wrong
//! ([`Failure`]). Both runners print the summary line; `firmware/test.sh` compares the two, so the
//! emulated target must compute exactly what the host computes.
//!
//! Needs a global allocator (the on-board step detector allocates).
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::vec::Vec;
use core::cell::RefCell;
use core::fmt;

use entrain_fw_core::battery::{BatteryConfig, BatteryEstimator};
use entrain_fw_core::control::{Context, ControlPoint, LSM6DSOX_RATES_MHZ};
use entrain_fw_core::packetizer::{Packetizer, TimedSample};
use entrain_fw_core::steps::{OnBoardSteps, Side};
use entrain_lsm6dsox::fake::{FakeBus, FakeLsm6dsox};
use entrain_lsm6dsox::fake_ds3trc::{self, FakeLsm6ds3trc};
use entrain_lsm6dsox::{
    AccelRange, Address, Chip, Config, DataRate, FifoAssembler, GyroRange, Int1, Lsm6ds, regs,
};
use entrain_protocol::control::{Command, Operation, Response, ResultCode};
use entrain_protocol::imu::{self, ImuPacket, ImuScale, RawSample};
use entrain_protocol::step::StepKind;
use entrain_protocol::{SensorPlacement, rsc};

/// One IMU packet vector from `data/protocol/vectors.json`.
#[derive(Debug, Clone, Copy)]
pub struct ImuVector {
    /// Vector name.
    pub name: &'static str,
    /// The packet's bytes.
    pub bytes: &'static [u8],
    /// Fields.
    pub seq: u16,
    /// First sample index.
    pub first_sample_index: u64,
    /// Timestamp, µs.
    pub timestamp_us: u32,
    /// Rate, mHz.
    pub sample_rate_mhz: u32,
    /// Accelerometer sensitivity.
    pub acc_ug_per_lsb: u16,
    /// Gyroscope sensitivity.
    pub gyr_udps_per_lsb: u32,
    /// Flags.
    pub flags: u8,
    /// Samples: acc x, y, z, gyr x, y, z.
    pub samples: &'static [[i16; 6]],
}

mod driver;
pub use driver::{driver_async, driver_fifo, driver_fifo_ds3trc};

/// Generated from the shared data by `build.rs`.
pub mod data {
    use super::ImuVector;
    include!(concat!(env!("OUT_DIR"), "/vectors.rs"));
    include!(concat!(env!("OUT_DIR"), "/gaitmap_left.rs"));
    /// The gaitmap example's left foot as LSM6DSOX counts, 6 × i16 LE per sample (204.8 Hz).
    pub const GAITMAP_LEFT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/gaitmap_left.bin"));
}

/// What went wrong, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// Which check.
    pub check: &'static str,
    /// What was wrong.
    pub what: &'static str,
    /// The offending value (or index).
    pub value: i64,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.check, self.what, self.value)
    }
}

fn ensure(ok: bool, check: &'static str, what: &'static str, value: i64) -> Result<(), Failure> {
    if ok {
        Ok(())
    } else {
        Err(Failure { check, what, value })
    }
}

/// The numbers the checks measured; identical on every platform the logic is right on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// IMU vectors reproduced byte for byte.
    pub imu_vectors: u32,
    /// Command vectors accepted.
    pub command_vectors: u32,
    /// Samples through the whole pipeline.
    pub pipeline_samples: u32,
    /// IMU packets produced.
    pub pipeline_packets: u32,
    /// Heel strikes detected on board, within the annotated span.
    pub ics_in_span: u32,
    /// Reference heel strikes matched within 80 ms.
    pub ics_matched: u32,
    /// Reference heel strikes.
    pub ics_reference: u32,
    /// Median on-board cadence at the contacts, centi-steps per minute.
    pub cadence_centi_spm: u32,
    /// Battery percentage after the simulated discharge.
    pub battery_end_percent: u8,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SUMMARY imu_vectors={} command_vectors={} samples={} packets={} ics_in_span={} matched={}/{} cadence_centi_spm={} battery_end={}",
            self.imu_vectors,
            self.command_vectors,
            self.pipeline_samples,
            self.pipeline_packets,
            self.ics_in_span,
            self.ics_matched,
            self.ics_reference,
            self.cadence_centi_spm,
            self.battery_end_percent
        )
    }
}

/// Every check, in order; `each` is told the name of every check that passed.
pub fn run_all(mut each: impl FnMut(&'static str)) -> Result<Summary, Failure> {
    let imu_vectors = imu_vectors()?;
    each("imu_vectors");
    let command_vectors = control_vectors()?;
    each("control_vectors");
    let mut summary = Summary {
        imu_vectors,
        command_vectors,
        ..Summary::default()
    };
    driver_fifo()?;
    each("driver_fifo");
    driver_async()?;
    each("driver_async");
    driver_fifo_ds3trc()?;
    each("driver_fifo_ds3trc");
    pipeline(&mut summary)?;
    each("pipeline_gaitmap");
    pipeline_ds3trc(&summary)?;
    each("pipeline_gaitmap_ds3trc");
    summary.battery_end_percent = battery()?;
    each("battery");
    Ok(summary)
}

/// The packetizer rebuilds every IMU vector byte for byte, and the bytes decode to its samples.
pub fn imu_vectors() -> Result<u32, Failure> {
    const C: &str = "imu_vectors";
    let mut n = 0;
    for v in data::IMU_VECTORS {
        let scale = ImuScale {
            sample_rate_mhz: v.sample_rate_mhz,
            acc_ug_per_lsb: v.acc_ug_per_lsb,
            gyr_udps_per_lsb: v.gyr_udps_per_lsb,
        };
        let mut p = Packetizer::new(scale, 1_000, v.samples.len())
            .map_err(|_| Failure {
                check: C,
                what: "packetizer refused the vector's scale",
                value: n,
            })?
            .starting_at(v.seq, v.first_sample_index);
        if v.flags & imu::FLAG_SENSOR_OVERRUN != 0 {
            p.note_overrun();
        }
        let mut out: Option<ImuPacket> = None;
        let mut count = 0;
        for (i, s) in v.samples.iter().enumerate() {
            let offset_us = scale.sample_offset_nanos(i as u64) / 1000;
            let sample = TimedSample {
                ticks: v.timestamp_us.wrapping_add(offset_us as u32),
                sample: RawSample {
                    acc: [s[0], s[1], s[2]],
                    gyr: [s[3], s[4], s[5]],
                },
            };
            p.push(sample, |pkt| {
                count += 1;
                out = Some(pkt.clone());
            });
        }
        ensure(count == 1, C, "packets per vector", count)?;
        let pkt = out.ok_or(Failure {
            check: C,
            what: "no packet",
            value: n,
        })?;
        let mut buf = [0u8; imu::MAX_LEN];
        let len = pkt.encode(&mut buf).map_err(|_| Failure {
            check: C,
            what: "encode failed",
            value: n,
        })?;
        ensure(
            buf.get(..len) == Some(v.bytes),
            C,
            "bytes differ from vector",
            n,
        )?;
        let decoded = ImuPacket::decode(v.bytes).map_err(|_| Failure {
            check: C,
            what: "vector does not decode",
            value: n,
        })?;
        ensure(
            decoded.samples() == pkt.samples(),
            C,
            "decoded samples differ",
            n,
        )?;
        n += 1;
    }
    ensure(n > 0, C, "no IMU vectors", 0)?;
    Ok(n as u32)
}

/// The control point accepts every command vector, and answers a time sync with the vector's bytes.
pub fn control_vectors() -> Result<u32, Failure> {
    const C: &str = "control_vectors";
    let mut n = 0;
    for (i, (_name, bytes, token)) in data::COMMAND_VECTORS.iter().enumerate() {
        let mut cp =
            ControlPoint::new(LSM6DSOX_RATES_MHZ, 104_000, SensorPlacement::LeftFoot, true);
        let ctx = Context {
            sensor_time_us: 1,
            can_stream: true,
        };
        let (resp, _) = cp.handle(bytes, ctx);
        let r = Response::decode(&resp).map_err(|_| Failure {
            check: C,
            what: "response does not decode",
            value: i as i64,
        })?;
        ensure(r.result == ResultCode::Ok, C, "command refused", i as i64)?;
        ensure(r.token == *token, C, "token not echoed", i as i64)?;
        n += 1;
    }
    let (bytes, token, sensor_time_us, host_time_us) = data::TIME_SYNC_RESPONSE;
    let mut cp = ControlPoint::new(LSM6DSOX_RATES_MHZ, 104_000, SensorPlacement::LeftFoot, true);
    let mut cmd = [0u8; 12];
    let len = Command {
        token,
        operation: Operation::TimeSync { host_time_us },
    }
    .encode(&mut cmd)
    .map_err(|_| Failure {
        check: C,
        what: "time sync encode",
        value: 0,
    })?;
    let ctx = Context {
        sensor_time_us,
        can_stream: true,
    };
    let (resp, _) = cp.handle(&cmd[..len], ctx);
    ensure(
        &resp[..] == bytes,
        C,
        "time-sync response differs from vector",
        0,
    )?;
    ensure(n > 0, C, "no command vectors", 0)?;
    Ok(n)
}

/// Rate at which the fake plays the gaitmap walk (recorded at 204.8 Hz; the nearest LSM6DSOX
/// rate, so the walk runs 1.6 % faster, which the detector does not mind).
const PIPELINE_RATE_MHZ: u32 = 208_000;
const PIPELINE_SAMPLES_PER_PACKET: usize = 5;

/// The whole sample path on a real walk: the fake chip is fed the gaitmap left foot as counts;
/// the driver drains its FIFO on each watermark interrupt; the packetizer makes IMU packets; every
/// packet is encoded and decoded with `entrain-protocol` and must give back exactly the samples
/// put in, none lost; the on-board detector finds the motion-capture heel strikes and the cadence.
pub fn pipeline(summary: &mut Summary) -> Result<(), Failure> {
    const C: &str = "pipeline_gaitmap";
    let input = gaitmap_input();
    ensure(input.len() > 5000, C, "gaitmap samples", input.len() as i64)?;

    let fake = RefCell::new(FakeLsm6dsox::new(0x6A));
    let bus = FakeBus(&fake);
    let feed = |s: &RawSample| {
        fake.borrow_mut().sample(s.acc, s.gyr);
        fake.borrow().int1_level()
    };
    let result = pipeline_on(Chip::Lsm6dsox, bus, feed, &input)?;
    *summary = Summary {
        pipeline_samples: result.pipeline_samples,
        pipeline_packets: result.pipeline_packets,
        ics_in_span: result.ics_in_span,
        ics_matched: result.ics_matched,
        ics_reference: result.ics_reference,
        cadence_centi_spm: result.cadence_centi_spm,
        ..*summary
    };
    Ok(())
}

/// The same walk through the LSM6DS3TR-C driver and its fake (the XIAO nRF52840 Sense's IMU):
/// the same samples, packets, heel strikes and cadence as through the LSM6DSOX.
pub fn pipeline_ds3trc(dsox: &Summary) -> Result<(), Failure> {
    const C: &str = "pipeline_gaitmap_ds3trc";
    let input = gaitmap_input();
    let fake = RefCell::new(FakeLsm6ds3trc::new(0x6A));
    let bus = fake_ds3trc::FakeBus(&fake);
    let feed = |s: &RawSample| {
        fake.borrow_mut().sample(s.acc, s.gyr);
        fake.borrow().int1_level()
    };
    let r = pipeline_on(Chip::Lsm6ds3trc, bus, feed, &input)?;
    let same = (
        r.pipeline_samples,
        r.pipeline_packets,
        r.ics_in_span,
        r.ics_matched,
        r.cadence_centi_spm,
    ) == (
        dsox.pipeline_samples,
        dsox.pipeline_packets,
        dsox.ics_in_span,
        dsox.ics_matched,
        dsox.cadence_centi_spm,
    );
    ensure(
        same,
        C,
        "differs from the LSM6DSOX run; packets",
        r.pipeline_packets.into(),
    )
}

/// The gaitmap left foot as raw counts.
fn gaitmap_input() -> Vec<RawSample> {
    data::GAITMAP_LEFT
        .chunks_exact(12)
        .map(|b| {
            let v = |k: usize| i16::from_le_bytes([b[2 * k], b[2 * k + 1]]);
            RawSample {
                acc: [v(0), v(1), v(2)],
                gyr: [v(3), v(4), v(5)],
            }
        })
        .collect()
}

/// The pipeline on one chip: `feed` plays one sample into the fake and tells the INT1 level.
fn pipeline_on<B, E>(
    chip: Chip,
    bus: B,
    mut feed: impl FnMut(&RawSample) -> bool,
    input: &[RawSample],
) -> Result<Summary, Failure>
where
    B: embedded_hal::i2c::I2c<Error = E>,
    E: core::fmt::Debug,
{
    const C: &str = "pipeline_gaitmap";
    let mut imu = Lsm6ds::new(bus, chip, Address::Sa0Low);
    let config = Config {
        rate: DataRate::Hz208,
        accel_range: AccelRange::G16,
        gyro_range: GyroRange::Dps2000,
        fifo_watermark_samples: PIPELINE_SAMPLES_PER_PACKET as u16,
        int1: Int1::FifoThreshold,
    };
    imu.init(&config)
        .and_then(|()| imu.start())
        .map_err(|_| Failure {
            check: C,
            what: "IMU start failed",
            value: 0,
        })?;
    let scale = ImuScale {
        sample_rate_mhz: PIPELINE_RATE_MHZ,
        acc_ug_per_lsb: AccelRange::G16.micro_g_per_lsb() as u16,
        gyr_udps_per_lsb: GyroRange::Dps2000.micro_dps_per_lsb(),
    };
    let mut packetizer = Packetizer::new(
        scale,
        regs::TIMESTAMP_TICK_NANOS,
        PIPELINE_SAMPLES_PER_PACKET,
    )
    .map_err(|_| Failure {
        check: C,
        what: "packetizer",
        value: 0,
    })?;
    let mut steps = OnBoardSteps::new(Some(Side::Left), scale, regs::TIMESTAMP_TICK_NANOS)
        .map_err(|_| Failure {
            check: C,
            what: "detector design",
            value: 0,
        })?;
    let mut asm = FifoAssembler::new();

    let mut sink = Sink {
        received: Vec::with_capacity(input.len()),
        packets: 0,
        next_seq: 0,
        ics_us: Vec::new(),
        cadences: Vec::new(),
        error: None,
    };
    let mut batch: Vec<entrain_lsm6dsox::RawSample> = Vec::with_capacity(64);
    for s in input {
        if feed(s) {
            batch.clear();
            let report = imu
                .drain(&mut asm, u16::MAX, |r| batch.push(r))
                .map_err(|_| Failure {
                    check: C,
                    what: "drain failed",
                    value: sink.received.len() as i64,
                })?;
            ensure(
                !report.overrun,
                C,
                "FIFO overran",
                sink.received.len() as i64,
            )?;
            sink.samples(&batch, &mut packetizer, &mut steps);
        }
    }
    batch.clear();
    imu.drain(&mut asm, u16::MAX, |r| batch.push(r))
        .map_err(|_| Failure {
            check: C,
            what: "final drain failed",
            value: 0,
        })?;
    sink.samples(&batch, &mut packetizer, &mut steps);
    if let Some(last) = packetizer.flush() {
        sink.packet(&last);
    }
    let Sink {
        received,
        packets,
        ics_us,
        mut cadences,
        error,
        ..
    } = sink;
    if let Some(e) = error {
        return Err(e);
    }
    ensure(
        received.len() == input.len(),
        C,
        "samples received",
        received.len() as i64,
    )?;
    if let Some(i) = (0..input.len()).find(|&i| received[i] != input[i]) {
        return Err(Failure {
            check: C,
            what: "sample changed on the way",
            value: i as i64,
        });
    }
    ensure(
        packetizer.lost_samples() == 0,
        C,
        "samples lost",
        packetizer.lost_samples() as i64,
    )?;

    // Heel strikes: the fake stamps sample i at i × 40000/208 ticks of 25 µs.
    let sample_us = |i: u32| (u64::from(i + 1) * 40_000_000 / 208_000) * 25;
    let (span_start, span_end) = data::REFERENCE_SPAN;
    let in_span: Vec<u32> = ics_us
        .iter()
        .copied()
        .filter(|&t| u64::from(t) >= sample_us(span_start) && u64::from(t) <= sample_us(span_end))
        .collect();
    let matched = data::REFERENCE_ICS
        .iter()
        .filter(|&&r| {
            let r_us = sample_us(r) as i64;
            in_span
                .iter()
                .any(|&d| (i64::from(d) - r_us).abs() <= 80_000)
        })
        .count() as u32;
    let reference = data::REFERENCE_ICS.len() as u32;
    ensure(
        matched * 10 >= reference * 9,
        C,
        "recall below 0.9, matched",
        matched.into(),
    )?;
    ensure(
        matched * 10 >= in_span.len() as u32 * 9,
        C,
        "precision below 0.9, detections",
        in_span.len() as i64,
    )?;
    cadences.sort_unstable();
    let cadence = cadences.get(cadences.len() / 2).copied().unwrap_or(0);
    // Reference cadence at 208 Hz playback: two steps per median stride.
    let mut strides: Vec<u32> = data::REFERENCE_ICS
        .windows(2)
        .map(|w| w[1] - w[0])
        .collect();
    strides.sort_unstable();
    let stride = strides.get(strides.len() / 2).copied().unwrap_or(1);
    let reference_centi_spm = (120.0 * 208.0 * 100.0 / f64::from(stride)) as i64;
    ensure(
        (i64::from(cadence) - reference_centi_spm).abs() <= 300,
        C,
        "cadence (centi-spm) off the reference by more than 3 spm",
        i64::from(cadence),
    )?;
    Ok(Summary {
        pipeline_samples: received.len() as u32,
        pipeline_packets: packets,
        ics_in_span: in_span.len() as u32,
        ics_matched: matched,
        ics_reference: reference,
        cadence_centi_spm: cadence,
        ..Summary::default()
    })
}

/// Where the pipeline's packets and steps go: decoded as the host would, checked for order.
struct Sink {
    received: Vec<RawSample>,
    packets: u32,
    next_seq: u16,
    ics_us: Vec<u32>,
    cadences: Vec<u32>,
    error: Option<Failure>,
}

impl Sink {
    fn packet(&mut self, pkt: &ImuPacket) {
        let mut buf = [0u8; imu::MAX_LEN];
        let decoded = pkt
            .encode(&mut buf)
            .ok()
            .and_then(|n| ImuPacket::decode(buf.get(..n)?).ok());
        match decoded {
            Some(d)
                if d.seq == self.next_seq
                    && d.first_sample_index as usize == self.received.len() =>
            {
                self.received.extend_from_slice(d.samples());
                self.next_seq = self.next_seq.wrapping_add(1);
                self.packets += 1;
            }
            _ => {
                self.error.get_or_insert(Failure {
                    check: "pipeline_gaitmap",
                    what: "packet out of order or undecodable",
                    value: i64::from(self.packets),
                });
            }
        }
    }

    fn samples(
        &mut self,
        samples: &[entrain_lsm6dsox::RawSample],
        packetizer: &mut Packetizer,
        steps: &mut OnBoardSteps,
    ) {
        for s in samples {
            let t = TimedSample {
                ticks: s.timestamp_ticks,
                sample: RawSample {
                    acc: s.acc_counts,
                    gyr: s.gyr_counts,
                },
            };
            packetizer.push(t, |pkt| self.packet(pkt));
            if let Some(p) = steps.push(&t) {
                for e in p.events() {
                    if e.kind == StepKind::InitialContact {
                        self.ics_us.push(e.timestamp_us);
                        self.cadences.push(libm_round(steps.cadence_spm() * 100.0));
                    }
                }
                let mut rsc_buf = [0u8; rsc::MAX_LEN];
                if steps.rsc().encode(&mut rsc_buf).is_err() {
                    self.error.get_or_insert(Failure {
                        check: "pipeline_gaitmap",
                        what: "RSC encode",
                        value: 0,
                    });
                }
            }
        }
    }
}

fn libm_round(x: f64) -> u32 {
    if x <= 0.0 { 0 } else { (x + 0.5) as u32 }
}

/// The battery estimator over a simulated discharge from 4.15 V to 3.45 V with 60 mV radio dips
/// (none on the first reading: the board takes it at boot, before the radio starts).
pub fn battery() -> Result<u8, Failure> {
    const C: &str = "battery";
    let mut est = BatteryEstimator::new(BatteryConfig::default());
    let mut last = 100u8;
    for i in 0..2000u32 {
        let mv = 4150 - (i * 700 / 2000) as u16;
        let dip = if i % 7 == 3 { 60 } else { 0 };
        let p = est.update(mv - dip).ok_or(Failure {
            check: C,
            what: "no estimate",
            value: i64::from(i),
        })?;
        ensure(
            p <= last,
            C,
            "percentage rose during discharge",
            i64::from(i),
        )?;
        last = p;
    }
    ensure(est.is_low(), C, "not low at the end", i64::from(last))?;
    Ok(last)
}
