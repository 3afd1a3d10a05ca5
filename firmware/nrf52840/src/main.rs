//! The Entrain foot sensor image for the nRF52840, for two boards (README.md):
//!
//! - default: Seeed XIAO nRF52840 with an LSM6DSOX breakout on I2C (wired by hand), linked at 0
//!   and flashed with a probe;
//! - feature `xiao-sense`: Seeed XIAO nRF52840 Sense and its on-board LSM6DS3TR-C, linked behind
//!   the factory UF2 bootloader's SoftDevice region (`memory-uf2.x`) and flashed by copying a
//!   `.uf2` file over USB.
//!
//! Glue only: the decisions (packets, control point, battery, link parameters, on-board steps)
//! live in `entrain-fw-core`, the IMU in `entrain-lsm6dsox` (both chips). This crate wires them to the
//! SoftDevice Controller (nrf-sdc + nrf-mpsl) and the TrouBLE host:
//!
//! - advertise as "Entrain L" / "Entrain R" with the Entrain service, RSC and Battery, and the
//!   placement as service data;
//! - on connection: ask for LE Secure Connections pairing, a 251-byte data length, and handle
//!   control-point writes;
//! - while streaming: drain the IMU FIFO on each INT1 (watermark = one packet), notify IMU packets,
//!   step packets and the RSC measurement, on streaming link parameters;
//! - every 30 s: battery voltage through the SAADC, notified as Battery Level and in the status.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

mod gatt;

use core::cell::{Cell, RefCell};

use defmt::{info, unwrap, warn};
use embassy_executor::Spawner;
use embassy_futures::select::{Either, Either3, select, select3};
use embassy_nrf::gpio::{Input, Level, Output, OutputDrive, Pull};
use embassy_nrf::interrupt::{InterruptExt, Priority};
use embassy_nrf::mode::Async;
use embassy_nrf::{bind_interrupts, interrupt, peripherals, rng, saadc, twim};
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_sync::channel::Channel;
use embassy_time::{Duration, Instant, Timer};
use entrain_fw_core::battery::{BatteryConfig, BatteryEstimator, millivolts_from_adc};
use entrain_fw_core::control::{Action, Context, ControlPoint, LSM6DSOX_RATES_MHZ};
use entrain_fw_core::link::{
    self, IDLE_PARAMS, MAX_PACKET_DELAY_MICROS, STREAMING_PARAMS, samples_per_packet,
};
use entrain_fw_core::packetizer::{Packetizer, SensorClock, TimedSample, ticks_to_micros};
use entrain_fw_core::steps::{OnBoardSteps, Side};

use entrain_lsm6dsox::{self as lsm, FifoAssembler, Lsm6dsAsync};
use entrain_protocol::imu::{self, ImuScale, RawSample};
use entrain_protocol::status::FirmwareVersion;
use entrain_protocol::{SensorPlacement, uuid};
use nrf_sdc::mpsl::MultiprotocolServiceLayer;
use nrf_sdc::{self as sdc, mpsl};
use static_cell::StaticCell;
use trouble_host::prelude::*;
use {defmt_rtt as _, panic_probe as _};

use crate::gatt::Server;

bind_interrupts!(struct Irqs {
    RNG => rng::InterruptHandler<peripherals::RNG>;
    EGU0_SWI0 => mpsl::LowPrioInterruptHandler;
    CLOCK_POWER => mpsl::ClockInterruptHandler;
    RADIO => mpsl::HighPrioInterruptHandler;
    TIMER0 => mpsl::HighPrioInterruptHandler;
    RTC0 => mpsl::HighPrioInterruptHandler;
    TWISPI0 => twim::InterruptHandler<peripherals::TWISPI0>;
    SAADC => saadc::InterruptHandler;
});

/// The foot this image is built for (feature `right-foot`).
#[cfg(not(feature = "right-foot"))]
const SIDE: Side = Side::Left;
#[cfg(feature = "right-foot")]
const SIDE: Side = Side::Right;

/// The IMU on this board.
#[cfg(not(feature = "xiao-sense"))]
const IMU_CHIP: lsm::Chip = lsm::Chip::Lsm6dsox;
#[cfg(feature = "xiao-sense")]
const IMU_CHIP: lsm::Chip = lsm::Chip::Lsm6ds3trc;

/// XIAO nRF52840 Sense: the LSM6DS3TR-C's supply is switched by P1.08; wait this long after
/// switching it on before talking to it (the datasheet's turn-on time is some 35 ms for the
/// accelerometer and gyroscope together; Zephyr's board file waits 3 ms for the supply only).
#[cfg(feature = "xiao-sense")]
const IMU_POWER_UP: Duration = Duration::from_millis(50);

const PLACEMENT: SensorPlacement = match SIDE {
    Side::Left => SensorPlacement::LeftFoot,
    Side::Right => SensorPlacement::RightFoot,
};

const NAME: &str = match SIDE {
    Side::Left => "Entrain L",
    Side::Right => "Entrain R",
};

const FIRMWARE: FirmwareVersion = FirmwareVersion {
    major: 0,
    minor: 1,
    patch: 0,
};

/// IMU ranges: ±16 g (heel impacts exceed 8 g), ±2000 dps (swing peaks reach 600 dps and more).
const ACCEL_RANGE: lsm::AccelRange = lsm::AccelRange::G16;
const GYRO_RANGE: lsm::GyroRange = lsm::GyroRange::Dps2000;
/// Default rate: 104 Hz (the detector is tuned for 50–250 Hz).
const DEFAULT_RATE_MHZ: u32 = 104_000;

/// XIAO nRF52840 battery divider: 1 MΩ over 510 kΩ on P0.31 (AIN7), enabled by P0.14 low.
const VBAT_DIVIDER: (u32, u32) = (1510, 510);
/// SAADC full scale with the internal 0.6 V reference and gain 1/6.
const SAADC_FULL_SCALE_MV: u32 = 3600;
const BATTERY_PERIOD: Duration = Duration::from_secs(30);
/// While connected and not streaming, the IMU's timestamp counter is read this often: the
/// LSM6DS3TR-C's 24-bit counter wraps every 419 s and the driver follows its wraps only if readings
/// are less than half that apart; the reading also keeps the sensor clock anchored for time sync.
const CLOCK_KEEPALIVE: Duration = Duration::from_secs(60);

/// One connection, signalling + ATT channels.
const CONNECTIONS_MAX: usize = 1;
const L2CAP_CHANNELS_MAX: usize = 2;
/// Link-layer buffers: 251-byte payloads (data length extension), three each way.
const L2CAP_MTU: u16 = 251;
const L2CAP_TXQ: u8 = 3;
const L2CAP_RXQ: u8 = 3;
/// SoftDevice Controller memory pool; generously sized (the controller logs the exact need).
const SDC_MEM: usize = 8192;

/// Heap for the on-board step detector (its filters and histories).
const HEAP_BYTES: usize = 16 * 1024;

#[global_allocator]
static HEAP: embedded_alloc::LlffHeap = embedded_alloc::LlffHeap::empty();

type Imu = Lsm6dsAsync<twim::Twim<'static>>;
type Sdc = nrf_sdc::SoftdeviceController<'static>;

#[embassy_executor::task]
async fn mpsl_task(mpsl: &'static MultiprotocolServiceLayer<'static>) -> ! {
    mpsl.run().await
}

fn build_sdc<'d, const N: usize>(
    p: nrf_sdc::Peripherals<'d>,
    rng: &'d mut rng::Rng<'d, Async>,
    mpsl: &'d MultiprotocolServiceLayer,
    mem: &'d mut sdc::Mem<N>,
) -> Result<nrf_sdc::SoftdeviceController<'d>, nrf_sdc::Error> {
    sdc::Builder::new()?
        .support_adv()
        .support_peripheral()
        .support_dle_peripheral()
        .support_le_2m_phy()
        .support_phy_update_peripheral()
        .peripheral_count(1)?
        .buffer_cfg(L2CAP_MTU, L2CAP_MTU, L2CAP_TXQ, L2CAP_RXQ)?
        .build(p, rng, mpsl, mem)
}

#[allow(unsafe_code)]
fn init_heap() {
    use core::mem::MaybeUninit;
    static mut HEAP_MEM: [MaybeUninit<u8>; HEAP_BYTES] = [MaybeUninit::uninit(); HEAP_BYTES];
    // SAFETY: called once, before anything allocates; the region is a static used only by the
    // allocator from here on.
    unsafe { HEAP.init(core::ptr::addr_of_mut!(HEAP_MEM) as usize, HEAP_BYTES) }
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    init_heap();
    let mut config = embassy_nrf::config::Config::default();
    // Keep the application's interrupts below the radio's (MPSL owns priority 0).
    config.gpiote_interrupt_priority = Priority::P2;
    config.time_interrupt_priority = Priority::P2;
    let p = embassy_nrf::init(config);

    let mpsl_p =
        mpsl::Peripherals::new(p.RTC0, p.TIMER0, p.TEMP, p.PPI_CH19, p.PPI_CH30, p.PPI_CH31);
    let lfclk_cfg = mpsl::raw::mpsl_clock_lfclk_cfg_t {
        source: mpsl::raw::MPSL_CLOCK_LF_SRC_RC as u8,
        rc_ctiv: mpsl::raw::MPSL_RECOMMENDED_RC_CTIV as u8,
        rc_temp_ctiv: mpsl::raw::MPSL_RECOMMENDED_RC_TEMP_CTIV as u8,
        accuracy_ppm: mpsl::raw::MPSL_DEFAULT_CLOCK_ACCURACY_PPM as u16,
        skip_wait_lfclk_started: mpsl::raw::MPSL_DEFAULT_SKIP_WAIT_LFCLK_STARTED != 0,
    };
    static MPSL: StaticCell<MultiprotocolServiceLayer> = StaticCell::new();
    let mpsl = MPSL.init(unwrap!(mpsl::MultiprotocolServiceLayer::new(
        mpsl_p, Irqs, lfclk_cfg
    )));
    spawner.spawn(unwrap!(mpsl_task(&*mpsl)));

    let sdc_p = sdc::Peripherals::new(
        p.PPI_CH17, p.PPI_CH18, p.PPI_CH20, p.PPI_CH21, p.PPI_CH22, p.PPI_CH23, p.PPI_CH24,
        p.PPI_CH25, p.PPI_CH26, p.PPI_CH27, p.PPI_CH28, p.PPI_CH29,
    );
    static RNG: StaticCell<rng::Rng<'static, Async>> = StaticCell::new();
    let rng = RNG.init(rng::Rng::new(p.RNG, Irqs));
    static SDC_MEM_CELL: StaticCell<sdc::Mem<SDC_MEM>> = StaticCell::new();
    let sdc_mem = SDC_MEM_CELL.init(sdc::Mem::new());
    let controller = unwrap!(build_sdc(sdc_p, rng, mpsl, sdc_mem));

    interrupt::TWISPI0.set_priority(Priority::P2);
    let mut twim_config = twim::Config::default();
    twim_config.frequency = twim::Frequency::K400;
    static TWIM_BUF: StaticCell<[u8; 16]> = StaticCell::new();
    // IMU on TWIM0: SDA P0.04 (XIAO D4), SCL P0.05 (D5), INT1 on P0.28 (D2).
    #[cfg(not(feature = "xiao-sense"))]
    let (sda, scl, int1_pin) = (p.P0_04, p.P0_05, p.P0_28);
    // XIAO nRF52840 Sense, on-board IMU (Seeed's schematic v1.1; Zephyr's xiao_ble_nrf52840_sense
    // board files): SDA P0.07, SCL P0.27 on the internal I2C bus, INT1 on P0.11, supply switched on
    // by P1.08 high (high drive, as the board file configures it). Kept for the whole run.
    #[cfg(feature = "xiao-sense")]
    let (sda, scl, int1_pin) = (p.P0_07, p.P0_27, p.P0_11);
    #[cfg(feature = "xiao-sense")]
    let _imu_power = {
        let pin = Output::new(p.P1_08, Level::High, OutputDrive::HighDrive);
        Timer::after(IMU_POWER_UP).await;
        pin
    };
    let twim = twim::Twim::new(
        p.TWISPI0,
        Irqs,
        sda,
        scl,
        twim_config,
        TWIM_BUF.init([0; 16]),
    );
    let mut imu: Imu = Lsm6dsAsync::new(twim, IMU_CHIP, lsm::Address::Sa0Low);
    let int1 = Input::new(int1_pin, Pull::Down);
    let mut boot_ticks = None;
    match imu.init(&imu_config(DEFAULT_RATE_MHZ, 1)).await {
        Ok(()) => {
            info!("{} ready", IMU_CHIP.name());
            boot_ticks = imu.timestamp_ticks().await.ok();
        }
        Err(e) => warn!(
            "{} init failed: {}",
            IMU_CHIP.name(),
            defmt::Debug2Format(&e)
        ),
    }

    // Battery: P0.14 low connects the divider; P0.31 = AIN7.
    interrupt::SAADC.set_priority(Priority::P3);
    let _vbat_enable = Output::new(p.P0_14, Level::Low, OutputDrive::Standard);
    let channel = saadc::ChannelConfig::single_ended(p.P0_31);
    let adc = saadc::Saadc::new(p.SAADC, Irqs, saadc::Config::default(), [channel]);

    run_ble(controller, imu, int1, adc, boot_ticks).await;
}

/// The IMU configuration for a rate and a packet size (watermark: one packet's samples).
fn imu_config(rate_mhz: u32, samples_per_packet: usize) -> lsm::Config {
    let hz = u16::try_from(rate_mhz.div_ceil(1000)).unwrap_or(u16::MAX);
    lsm::Config {
        rate: lsm::DataRate::at_least_hz(hz).unwrap_or(lsm::DataRate::Hz833),
        accel_range: ACCEL_RANGE,
        gyro_range: GYRO_RANGE,
        fifo_watermark_samples: samples_per_packet.clamp(1, imu::MAX_SAMPLES) as u16,
        int1: lsm::Int1::FifoThreshold,
    }
}

fn scale(rate_mhz: u32) -> ImuScale {
    ImuScale {
        sample_rate_mhz: rate_mhz,
        acc_ug_per_lsb: ACCEL_RANGE.micro_g_per_lsb() as u16,
        gyr_udps_per_lsb: GYRO_RANGE.micro_dps_per_lsb(),
    }
}

/// What the sensor owns across connections.
struct Sensor {
    imu: Imu,
    int1: Input<'static>,
    adc: saadc::Saadc<'static, 1>,
    control: RefCell<ControlPoint>,
    battery: RefCell<BatteryEstimator>,
    clock: Cell<SensorClock>,
}

async fn run_ble(
    controller: Sdc,
    imu: Imu,
    int1: Input<'static>,
    adc: saadc::Saadc<'static, 1>,
    boot_ticks: Option<u32>,
) {
    let address = Address::random(device_address());
    let mut resources: HostResources<DefaultPacketPool, CONNECTIONS_MAX, L2CAP_CHANNELS_MAX> =
        HostResources::new();
    let stack = trouble_host::new(controller, &mut resources)
        .set_random_address(address)
        .set_io_capabilities(IoCapabilities::NoInputNoOutput)
        .build();
    let mut runner = stack.runner();
    let mut peripheral = stack.peripheral();
    let server = unwrap!(Server::new_with_config(GapConfig::Peripheral(
        PeripheralConfig {
            name: NAME,
            appearance: &appearance::running_walking_sensor::ON_SHOE_RUNNING_WALKING_SENSOR,
        }
    )));
    let mut sensor = Sensor {
        imu,
        int1,
        adc,
        control: RefCell::new(ControlPoint::new(
            LSM6DSOX_RATES_MHZ,
            DEFAULT_RATE_MHZ,
            PLACEMENT,
            true,
        )),
        battery: RefCell::new(BatteryEstimator::new(BatteryConfig::default())),
        clock: Cell::new(SensorClock::default()),
    };
    if let Some(ticks) = boot_ticks {
        observe(&sensor.clock, ticks);
    }
    info!(
        "[gatt] {} firmware {}, DIS handle {}",
        NAME,
        env!("CARGO_PKG_VERSION"),
        server.info.firmware.handle
    );
    sensor.adc.calibrate().await;
    read_battery(&mut sensor.adc, &sensor.battery).await;
    update_status(&server, &sensor);

    let _ = embassy_futures::join::join(
        async {
            loop {
                if let Err(e) = runner.run().await {
                    warn!("[ble] host stopped: {}", defmt::Debug2Format(&e));
                }
            }
        },
        async {
            loop {
                match advertise(&mut peripheral, &server).await {
                    Ok(conn) => {
                        serve(&stack, &server, &conn, &mut sensor).await;
                        let action = sensor.control.borrow_mut().disconnected();
                        if action == Action::StopStreaming {
                            let _ = sensor.imu.stop().await;
                        }
                    }
                    Err(e) => {
                        warn!("[adv] {}", defmt::Debug2Format(&e));
                        Timer::after_secs(1).await;
                    }
                }
            }
        },
    )
    .await;
}

/// A static random address from the chip's unique device ID (top two bits set, as required).
fn device_address() -> [u8; 6] {
    let ficr = embassy_nrf::pac::FICR;
    let id = (u64::from(ficr.deviceid(1).read()) << 32) | u64::from(ficr.deviceid(0).read());
    let b = (id | 0x0000_c000_0000_0000).to_le_bytes();
    [b[0], b[1], b[2], b[3], b[4], b[5]]
}

async fn advertise<'v, 's>(
    peripheral: &mut Peripheral<'v, Sdc, DefaultPacketPool>,
    server: &'s Server<'v>,
) -> Result<
    GattConnection<'v, 's, DefaultPacketPool>,
    BleHostError<<Sdc as embedded_io::ErrorType>::Error>,
> {
    let service = uuid::to_bytes(uuid::SERVICE);
    let mut service_le = service;
    service_le.reverse();
    let mut adv = [0u8; 31];
    let adv_len = AdStructure::encode_slice(
        &[
            AdStructure::Flags(LE_GENERAL_DISCOVERABLE | BR_EDR_NOT_SUPPORTED),
            AdStructure::CompleteServiceUuids128(&[service_le]),
            AdStructure::IncompleteServiceUuids16(&[[0x14, 0x18], [0x0f, 0x18]]),
        ],
        &mut adv,
    )?;
    // Scan response: the name, and the placement as Entrain service data (AD type 0x21:
    // 128-bit UUID, little-endian, then the placement byte as in the status packet).
    let mut service_data = [0u8; 17];
    service_data[..16].copy_from_slice(&service_le);
    service_data[16] = PLACEMENT as u8;
    let mut scan = [0u8; 31];
    let scan_len = AdStructure::encode_slice(
        &[
            AdStructure::CompleteLocalName(NAME.as_bytes()),
            AdStructure::Unknown {
                ty: 0x21,
                data: &service_data,
            },
        ],
        &mut scan,
    )?;
    let params = AdvertisementParameters {
        interval_min: Duration::from_millis(100),
        interval_max: Duration::from_millis(150),
        ..Default::default()
    };
    let advertiser = peripheral
        .advertise(
            &params,
            Advertisement::ConnectableScannableUndirected {
                adv_data: &adv[..adv_len],
                scan_data: &scan[..scan_len],
            },
        )
        .await?;
    info!("[adv] advertising as {}", NAME);
    let conn = advertiser.accept().await?.with_attribute_server(server)?;
    info!("[adv] connected");
    Ok(conn)
}

/// Commands from the control point to the streaming loop.
type Actions = Channel<NoopRawMutex, Action, 4>;

async fn serve(
    stack: &Stack<'_, Sdc, DefaultPacketPool>,
    server: &Server<'_>,
    conn: &GattConnection<'_, '_, DefaultPacketPool>,
    sensor: &mut Sensor,
) {
    // No bonds are stored (no flash writes): each connection pairs again, Just Works LESC.
    if let Err(e) = conn.raw().set_bondable(false) {
        warn!("[sec] {}", e);
    }
    if let Err(e) = conn.raw().request_security() {
        warn!("[sec] security request: {}", e);
    }
    if let Err(e) = conn.raw().update_data_length(stack, L2CAP_MTU, 2120).await {
        warn!("[link] data length: {}", defmt::Debug2Format(&e));
    }
    let actions = Actions::new();
    let Sensor {
        imu,
        int1,
        adc,
        control,
        battery,
        clock,
    } = sensor;
    let events = gatt_events(server, conn, control, clock, &actions);
    let streaming = stream(
        stack, server, conn, imu, int1, control, battery, clock, &actions,
    );
    let power = async {
        loop {
            Timer::after(BATTERY_PERIOD).await;
            if let Some(level) = read_battery(adc, battery).await {
                let _ = server.battery.level.notify(conn, &level, true).await;
            }
            let bytes = status_bytes(&control.borrow(), &battery.borrow());
            let _ = server.entrain.status.notify(conn, &bytes, true).await;
        }
    };
    match select3(events, streaming, power).await {
        Either3::First(()) => info!("[gatt] disconnected"),
        Either3::Second(()) | Either3::Third(()) => {}
    }
}

async fn gatt_events(
    server: &Server<'_>,
    conn: &GattConnection<'_, '_, DefaultPacketPool>,
    control: &RefCell<ControlPoint>,
    clock: &Cell<SensorClock>,
    actions: &Actions,
) {
    let control_handle = server.entrain.control.handle;
    loop {
        match conn.next().await {
            GattConnectionEvent::Disconnected { reason } => {
                info!("[gatt] disconnected: {}", defmt::Debug2Format(&reason));
                return;
            }
            GattConnectionEvent::PairingComplete { security_level, .. } => {
                info!("[sec] paired: {}", defmt::Debug2Format(&security_level));
            }
            GattConnectionEvent::PairingFailed(e) => warn!("[sec] pairing failed: {}", e),
            GattConnectionEvent::Gatt { event } => {
                let mut answer = None;
                if let GattEvent::Write(write) = &event
                    && write.handle() == control_handle
                {
                    let ctx = Context {
                        sensor_time_us: clock.get().now_us(Instant::now().as_micros()),
                        can_stream: link::samples_per_notification(conn.raw().att_mtu()) > 0,
                    };
                    let (response, action) =
                        write.with_data(|_offset, data| control.borrow_mut().handle(data, ctx));
                    answer = Some(response);
                    if action != Action::None && actions.try_send(action).is_err() {
                        warn!("[ctl] action queue full");
                    }
                }
                match event.accept() {
                    Ok(reply) => reply.send().await,
                    Err(e) => warn!("[gatt] reply: {}", e),
                }
                if let Some(response) = answer
                    && let Err(e) = server.entrain.control.notify(conn, &response, false).await
                {
                    warn!("[ctl] response: {}", e);
                }
            }
            _ => {}
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn stream(
    stack: &Stack<'_, Sdc, DefaultPacketPool>,
    server: &Server<'_>,
    conn: &GattConnection<'_, '_, DefaultPacketPool>,
    imu: &mut Imu,
    int1: &mut Input<'static>,
    control: &RefCell<ControlPoint>,
    battery: &RefCell<BatteryEstimator>,
    clock: &Cell<SensorClock>,
    actions: &Actions,
) {
    loop {
        let action = match select(actions.receive(), Timer::after(CLOCK_KEEPALIVE)).await {
            Either::First(action) => action,
            Either::Second(()) => {
                match imu.timestamp_ticks().await {
                    Ok(ticks) => observe(clock, ticks),
                    Err(e) => warn!("[imu] clock read: {}", defmt::Debug2Format(&e)),
                }
                continue;
            }
        };
        match action {
            Action::StartStreaming => {}
            Action::StatusChanged | Action::Reconfigure => {
                let bytes = status_now(control, battery);
                let _ = server.entrain.status.notify(conn, &bytes, true).await;
                continue;
            }
            Action::StopStreaming | Action::None => continue,
        }
        let rate_mhz = control.borrow().sample_rate_mhz();
        let per_packet =
            samples_per_packet(conn.raw().att_mtu(), rate_mhz, MAX_PACKET_DELAY_MICROS);
        let Ok(mut packetizer) =
            Packetizer::new(scale(rate_mhz), lsm::regs::TIMESTAMP_TICK_NANOS, per_packet)
        else {
            warn!("[imu] cannot packetize {} samples", per_packet);
            control.borrow_mut().streaming_failed();
            continue;
        };
        let mut steps = if control.borrow().step_detection() {
            OnBoardSteps::new(Some(SIDE), scale(rate_mhz), lsm::regs::TIMESTAMP_TICK_NANOS).ok()
        } else {
            None
        };
        // Reconfigure without a reset, so the IMU's timestamp counter (the sensor clock) goes on.
        let started = async {
            imu.configure(&imu_config(rate_mhz, per_packet)).await?;
            imu.start().await?;
            imu.timestamp_ticks().await
        };
        match started.await {
            Ok(ticks) => observe(clock, ticks),
            Err(e) => {
                warn!("[imu] start failed: {}", defmt::Debug2Format(&e));
                control.borrow_mut().streaming_failed();
                continue;
            }
        }
        request_params(stack, conn, &STREAMING_PARAMS).await;
        let bytes = status_now(control, battery);
        let _ = server.entrain.status.notify(conn, &bytes, true).await;
        info!(
            "[imu] streaming at {} mHz, {} samples per packet",
            rate_mhz, per_packet
        );
        let mut assembler = FifoAssembler::new();
        loop {
            match select(int1.wait_for_high(), actions.receive()).await {
                Either::First(()) => {
                    let mut samples = heapless::Vec::<TimedSample, 64>::new();
                    let report = imu
                        .drain(&mut assembler, 64 * IMU_CHIP.fifo_words_per_sample(), |s| {
                            let _ = samples.push(TimedSample {
                                ticks: s.timestamp_ticks,
                                sample: RawSample {
                                    acc: s.acc_counts,
                                    gyr: s.gyr_counts,
                                },
                            });
                        })
                        .await;
                    let report = match report {
                        Ok(r) => r,
                        Err(e) => {
                            warn!("[imu] FIFO read: {}", defmt::Debug2Format(&e));
                            Timer::after_millis(10).await;
                            continue;
                        }
                    };
                    if report.overrun {
                        packetizer.note_overrun();
                    }
                    if let Some(last) = samples.last() {
                        observe(clock, last.ticks);
                    }
                    for s in &samples {
                        let mut ready = heapless::Vec::<imu::ImuPacket, 2>::new();
                        packetizer.push(*s, |p| {
                            let _ = ready.push(p.clone());
                        });
                        for p in &ready {
                            notify_imu(server, conn, p).await;
                        }
                        if let Some(detector) = steps.as_mut()
                            && let Some(packet) = detector.push(s)
                        {
                            let mut buf = [0u8; entrain_protocol::step::MAX_LEN];
                            if let Ok(n) = packet.encode(&mut buf) {
                                let _ =
                                    server.entrain.step.notify_raw(conn, &buf[..n], false).await;
                            }
                            let mut rsc = [0u8; entrain_protocol::rsc::MAX_LEN];
                            if let Ok(n) = detector.rsc().encode(&mut rsc) {
                                let _ = server
                                    .rsc
                                    .measurement
                                    .notify_raw(conn, &rsc[..n], false)
                                    .await;
                            }
                        }
                    }
                }
                Either::Second(Action::StopStreaming) => break,
                Either::Second(Action::StatusChanged) => {
                    let bytes = status_now(control, battery);
                    let _ = server.entrain.status.notify(conn, &bytes, true).await;
                }
                Either::Second(_) => {}
            }
        }
        if let Err(e) = imu.stop().await {
            warn!("[imu] stop: {}", defmt::Debug2Format(&e));
        }
        if let Some(p) = packetizer.flush() {
            notify_imu(server, conn, &p).await;
        }
        request_params(stack, conn, &IDLE_PARAMS).await;
        let bytes = status_now(control, battery);
        let _ = server.entrain.status.notify(conn, &bytes, true).await;
        info!("[imu] stopped; {} samples lost", packetizer.lost_samples());
    }
}

/// Anchors the sensor clock (µs of the IMU's timestamp counter) to the MCU clock now.
fn observe(clock: &Cell<SensorClock>, imu_ticks: u32) {
    let mut c = clock.get();
    c.observe(
        ticks_to_micros(imu_ticks, lsm::regs::TIMESTAMP_TICK_NANOS),
        Instant::now().as_micros(),
    );
    clock.set(c);
}

async fn notify_imu(
    server: &Server<'_>,
    conn: &GattConnection<'_, '_, DefaultPacketPool>,
    packet: &imu::ImuPacket,
) {
    let mut buf = [0u8; imu::MAX_LEN];
    if let Ok(n) = packet.encode(&mut buf)
        && let Err(e) = server.entrain.imu.notify_raw(conn, &buf[..n], false).await
    {
        warn!("[imu] notify: {}", e);
    }
}

async fn request_params(
    stack: &Stack<'_, Sdc, DefaultPacketPool>,
    conn: &GattConnection<'_, '_, DefaultPacketPool>,
    params: &link::ConnectionParams,
) {
    let requested = RequestedConnParams {
        min_connection_interval: Duration::from_micros(u64::from(params.interval_min_micros())),
        max_connection_interval: Duration::from_micros(u64::from(params.interval_max_micros())),
        max_latency: params.peripheral_latency,
        min_event_length: Duration::from_micros(0),
        max_event_length: Duration::from_micros(0),
        supervision_timeout: Duration::from_millis(u64::from(params.supervision_timeout_millis())),
    };
    if let Err(e) = conn.raw().update_connection_params(stack, &requested).await {
        warn!("[link] parameter request: {}", defmt::Debug2Format(&e));
    }
}

async fn read_battery(
    adc: &mut saadc::Saadc<'static, 1>,
    battery: &RefCell<BatteryEstimator>,
) -> Option<u8> {
    let mut buf = [0i16; 1];
    adc.sample(&mut buf).await;
    let mv = millivolts_from_adc(
        buf[0],
        SAADC_FULL_SCALE_MV,
        12,
        VBAT_DIVIDER.0,
        VBAT_DIVIDER.1,
    );
    battery.borrow_mut().update(mv)
}

fn status_bytes(
    control: &ControlPoint,
    battery: &BatteryEstimator,
) -> [u8; entrain_protocol::status::LEN] {
    let status = control.status(
        battery.percent(),
        ACCEL_RANGE.micro_g_per_lsb() as u16,
        GYRO_RANGE.micro_dps_per_lsb(),
        FIRMWARE,
    );
    let mut out = [0u8; entrain_protocol::status::LEN];
    let _ = status.encode(&mut out);
    out
}

fn status_now(
    control: &RefCell<ControlPoint>,
    battery: &RefCell<BatteryEstimator>,
) -> [u8; entrain_protocol::status::LEN] {
    status_bytes(&control.borrow(), &battery.borrow())
}

fn update_status(server: &Server<'_>, sensor: &Sensor) {
    let bytes = status_bytes(&sensor.control.borrow(), &sensor.battery.borrow());
    if let Err(e) = server.set(&server.entrain.status, &bytes) {
        warn!("[gatt] status: {}", e);
    }
    if let Some(level) = sensor.battery.borrow().percent()
        && let Err(e) = server.set(&server.battery.level, &level)
    {
        warn!("[gatt] battery: {}", e);
    }
}
