//! A Polar Verity Sense over the Polar Measurement Data service (`docs/sensors/polar-pmd.md`):
//! recognised by its name (`Polar Sense <id>`) or by the PMD service with Polar's company id;
//! control point (indications) and data (notifications) subscribed.
//!
//! **Starting** ([`Setup`]): ask the ACC settings; if the chosen rate is not offered, enter SDK
//! mode (which offers 26–416 Hz) and ask the SDK-mode settings; the same for the gyro; then start
//! ACC and gyro with the chosen rate, 16-bit resolution (or the first offered), the widest range
//! offered and 3 channels ([`choose`]). Every step waits for the device's answer and a refusal
//! ends the setup naming the device's status.
//!
//! **Decoding** ([`Decoder`]): the decoder sees the same answers and applies the same
//! [`choose`], so it knows each stream's resolution (for delta frames) and the start answer's
//! conversion factor. A frame's timestamp is its last sample's, ns since 2000-01-01 on the
//! device's clock; earlier samples precede it by the sample period. ACC and gyro come in frames of
//! their own, batched differently; their samples are paired by time (within half a period) into
//! one IMU sample each. Acceleration counts × factor are g, turned into m/s²; gyro counts × factor
//! are deg/s. Axes are the device's own.

use std::collections::VecDeque;

use entrain_protocol::polar::control::{
    OP_GET_SDK_MODE_SETTINGS, OP_GET_SETTINGS, OP_START, Request, Response, Status,
};
use entrain_protocol::polar::frame::DataFrame;
use entrain_protocol::polar::gatt as pmd;
use entrain_protocol::polar::settings::{DeltaFormat, Setting, SettingSet, SettingsList};
use entrain_protocol::polar::units::{AccelScale, gyro_dps_from_counts};
use entrain_protocol::polar::{MeasurementType, RecordingType, time};
use entrain_protocol::uuid;

use super::{
    Advertisement, Batch, BatchSample, IndexFromTime, SetupError, Subscription, Write,
    period_nanos, sub,
};

/// Subscribed: the control point (its answers), the data; Battery Level if present.
pub const SUBSCRIPTIONS: &[Subscription] = &[
    sub(pmd::PMD_CONTROL_POINT, true),
    sub(pmd::PMD_DATA, true),
    sub(uuid::BATTERY_LEVEL, false),
];

/// The resolution asked for when the device offers it.
pub const RESOLUTION_BITS: u16 = 16;

/// Frames stamped further than this from the first frame are refused, ns (a clock set far off
/// mid-session; the unwrapped times must stay well inside `i64`).
const MAX_CLOCK_SPAN_NANOS: i128 = 10 * 365 * 86_400 * 1_000_000_000;

/// At most this long of one stream's samples wait for the other's to pair with, ns.
const MAX_UNPAIRED_NANOS: i64 = 2_000_000_000;

/// Whether the advertisement is a Verity Sense's.
pub fn recognises(ad: &Advertisement<'_>) -> bool {
    ad.name.is_some_and(pmd::is_verity_sense_name)
        || (ad.services.contains(&pmd::PMD_SERVICE)
            && ad
                .manufacturer_ids
                .iter()
                .any(|&id| pmd::is_polar_company(id)))
}

/// The settings to start a measurement with, from the device's settings answer: `rate_hz`
/// (refused, listing what is offered, if it is not), [`RESOLUTION_BITS`] or the first
/// resolution offered, the widest range offered, 3 channels if the device lists channels.
pub fn choose(list: &SettingsList<'_>, rate_hz: u16) -> Result<SettingSet, String> {
    let mut rates = Vec::new();
    let mut resolutions = Vec::new();
    let mut ranges = Vec::new();
    let mut channels = Vec::new();
    for entry in list.entries() {
        for value in entry.values() {
            match value {
                Setting::SampleRateHz(r) => rates.push(r),
                Setting::ResolutionBits(b) => resolutions.push(b),
                Setting::Range(r) => ranges.push(r),
                Setting::Channels(c) => channels.push(c),
                Setting::Factor(_) => {}
            }
        }
    }
    if !rates.contains(&rate_hz) {
        return Err(format!(
            "{rate_hz} Hz is not offered (offered: {rates:?} Hz)"
        ));
    }
    let mut set = SettingSet::new().with(Setting::SampleRateHz(rate_hz));
    let resolution = if resolutions.contains(&RESOLUTION_BITS) {
        Some(RESOLUTION_BITS)
    } else {
        resolutions.first().copied()
    };
    if let Some(bits) = resolution {
        set = set.with(Setting::ResolutionBits(bits));
    }
    if let Some(range) = ranges.iter().max() {
        set = set.with(Setting::Range(*range));
    }
    if !channels.is_empty() {
        set = set.with(Setting::Channels(if channels.contains(&3) {
            3
        } else {
            channels[0]
        }));
    }
    Ok(set)
}

fn measurement_name(m: MeasurementType) -> &'static str {
    match m {
        MeasurementType::Acc => "ACC",
        MeasurementType::Gyro => "gyro",
        MeasurementType::SdkMode => "SDK mode",
        _ => "measurement",
    }
}

fn is_settings_answer(op_code: u8) -> bool {
    // The documents' SDK-mode settings answer echoes op code 1 for a request with op code 4.
    op_code == OP_GET_SETTINGS || op_code == OP_GET_SDK_MODE_SETTINGS
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    AskSettings {
        measurement: MeasurementType,
        sdk: bool,
    },
    EnterSdk,
    Start {
        measurement: MeasurementType,
    },
    Done,
}

/// The start dialogue of one connection.
#[derive(Debug, Clone)]
pub struct Setup {
    rate_hz: u16,
    step: Step,
    sdk: bool,
    acc: Option<SettingSet>,
    gyro: Option<SettingSet>,
}

fn request(request: Request) -> Result<Write, SetupError> {
    let mut buf = [0u8; 32];
    let n = request
        .encode(&mut buf)
        .map_err(|e| SetupError(format!("PMD request: {e}")))?;
    Ok(Write {
        uuid: pmd::PMD_CONTROL_POINT,
        bytes: buf.get(..n).unwrap_or_default().to_vec(),
    })
}

fn ask(measurement: MeasurementType, sdk: bool) -> Result<Write, SetupError> {
    request(if sdk {
        Request::GetSdkModeSettings { measurement }
    } else {
        Request::GetSettings {
            measurement,
            recording: RecordingType::Online,
        }
    })
}

impl Setup {
    /// Streaming ACC and gyro at `rate_hz`.
    pub fn new(rate_hz: u16) -> Self {
        Self {
            rate_hz,
            step: Step::AskSettings {
                measurement: MeasurementType::Acc,
                sdk: false,
            },
            sdk: false,
            acc: None,
            gyro: None,
        }
    }

    /// Asks the ACC settings.
    pub fn begin(&mut self) -> Result<Vec<Write>, SetupError> {
        self.step = Step::AskSettings {
            measurement: MeasurementType::Acc,
            sdk: false,
        };
        Ok(vec![ask(MeasurementType::Acc, false)?])
    }

    /// Whether ACC and gyro are both started.
    pub fn is_done(&self) -> bool {
        self.step == Step::Done
    }

    fn start(&mut self, measurement: MeasurementType) -> Result<Vec<Write>, SetupError> {
        let settings = match measurement {
            MeasurementType::Acc => self.acc,
            _ => self.gyro,
        }
        .ok_or_else(|| SetupError(format!("no {} settings", measurement_name(measurement))))?;
        self.step = Step::Start { measurement };
        Ok(vec![request(Request::Start {
            measurement,
            recording: RecordingType::Online,
            settings,
        })?])
    }

    fn enter_sdk(&mut self, why: String) -> Result<Vec<Write>, SetupError> {
        if self.sdk {
            return Err(SetupError(format!(
                "Polar Verity Sense, in SDK mode: {why}"
            )));
        }
        self.step = Step::EnterSdk;
        Ok(vec![request(Request::start_sdk_mode())?])
    }

    /// An indication from the control point; answers that are not the one awaited are ignored.
    pub fn on_answer(&mut self, bytes: &[u8]) -> Result<Vec<Write>, SetupError> {
        let answer =
            Response::decode(bytes).map_err(|e| SetupError(format!("Polar Verity Sense: {e}")))?;
        match self.step {
            Step::AskSettings { measurement, sdk }
                if is_settings_answer(answer.op_code) && answer.measurement == measurement =>
            {
                let name = measurement_name(measurement);
                if answer.status != Status::Success {
                    return self.enter_sdk(format!("{name} settings refused: {:?}", answer.status));
                }
                let chosen = answer
                    .settings()
                    .map_err(|e| SetupError(format!("Polar Verity Sense {name} settings: {e}")))
                    .map(|list| choose(&list, self.rate_hz))?;
                match chosen {
                    Err(why) => self.enter_sdk(format!("{name}: {why}")),
                    Ok(set) if measurement == MeasurementType::Acc => {
                        self.acc = Some(set);
                        self.step = Step::AskSettings {
                            measurement: MeasurementType::Gyro,
                            sdk,
                        };
                        Ok(vec![ask(MeasurementType::Gyro, sdk)?])
                    }
                    Ok(set) => {
                        self.gyro = Some(set);
                        self.start(MeasurementType::Acc)
                    }
                }
            }
            Step::EnterSdk
                if answer.op_code == OP_START && answer.measurement == MeasurementType::SdkMode =>
            {
                if !matches!(answer.status, Status::Success | Status::AlreadyInState) {
                    return Err(SetupError(format!(
                        "Polar Verity Sense refused SDK mode: {:?}",
                        answer.status
                    )));
                }
                self.sdk = true;
                self.step = Step::AskSettings {
                    measurement: MeasurementType::Acc,
                    sdk: true,
                };
                Ok(vec![ask(MeasurementType::Acc, true)?])
            }
            Step::Start { measurement }
                if answer.op_code == OP_START && answer.measurement == measurement =>
            {
                if answer.status != Status::Success {
                    return Err(SetupError(format!(
                        "Polar Verity Sense refused to start {} at {} Hz: {:?}",
                        measurement_name(measurement),
                        self.rate_hz,
                        answer.status
                    )));
                }
                if measurement == MeasurementType::Acc {
                    self.start(MeasurementType::Gyro)
                } else {
                    self.step = Step::Done;
                    Ok(Vec::new())
                }
            }
            _ => Ok(Vec::new()),
        }
    }
}

/// What the decoder knows of one measurement stream.
#[derive(Debug, Clone, Default)]
struct Stream {
    /// Chosen from the last settings answer.
    chosen: Option<SettingSet>,
    /// From the start answer: the delta format and the conversion factor.
    format: Option<DeltaFormat>,
    factor: Option<f32>,
    started: bool,
    /// Decoded samples waiting for the other stream's: sensor ns, value in SI units.
    waiting: VecDeque<(i64, [f32; 3])>,
}

/// Control answers and data frames → batches of paired ACC + gyro samples.
#[derive(Debug, Clone)]
pub struct Decoder {
    rate_hz: u16,
    acc: Stream,
    gyro: Stream,
    /// The first frame's device time: sensor times count from it (ns since 2000 overflow an
    /// f64's exact range in the clock fit otherwise).
    base_nanos: Option<u64>,
    indices: IndexFromTime,
    unpaired: u64,
}

impl Decoder {
    /// For streams started at `rate_hz`.
    pub fn new(rate_hz: u16) -> Self {
        Self {
            rate_hz,
            acc: Stream::default(),
            gyro: Stream::default(),
            base_nanos: None,
            indices: IndexFromTime::new(),
            unpaired: 0,
        }
    }

    /// Samples of one stream dropped because the other had none at their time.
    pub fn unpaired(&self) -> u64 {
        self.unpaired
    }

    /// A new connection: samples still waiting for a partner never get one.
    pub fn on_reconnect(&mut self) {
        self.acc.waiting.clear();
        self.gyro.waiting.clear();
    }

    fn stream(&mut self, m: MeasurementType) -> Option<&mut Stream> {
        match m {
            MeasurementType::Acc => Some(&mut self.acc),
            MeasurementType::Gyro => Some(&mut self.gyro),
            _ => None,
        }
    }

    /// A control point answer: settings offered (the choice is remembered) or a start answered
    /// (its factor kept). `Err` for an answer that cannot be read or a refused start.
    pub fn on_control(&mut self, bytes: &[u8]) -> Result<(), String> {
        let answer = Response::decode(bytes).map_err(|e| e.to_string())?;
        let rate_hz = self.rate_hz;
        let Some(stream) = self.stream(answer.measurement) else {
            return Ok(());
        };
        if answer.status != Status::Success {
            return if answer.op_code == OP_START {
                Err(format!("start refused: {:?}", answer.status))
            } else {
                Ok(())
            };
        }
        if is_settings_answer(answer.op_code) {
            let list = answer.settings().map_err(|e| e.to_string())?;
            stream.chosen = choose(&list, rate_hz).ok();
        } else if answer.op_code == OP_START {
            let chosen = stream.chosen.unwrap_or_default();
            stream.format = DeltaFormat::from_settings(&chosen, answer.measurement);
            stream.factor = answer.settings().ok().and_then(|s| s.factor());
            stream.started = true;
        }
        Ok(())
    }

    /// A data frame: the samples it completes (paired with the other stream's), split where
    /// samples are missing.
    pub fn on_data(&mut self, bytes: &[u8]) -> Result<Vec<Batch>, String> {
        let frame = DataFrame::decode(bytes).map_err(|e| e.to_string())?;
        let rate_hz = self.rate_hz;
        let measurement = frame.measurement;
        let name = measurement_name(measurement);
        let Some(stream) = self.stream(measurement) else {
            return Err(format!(
                "a frame of measurement type {}",
                measurement.number()
            ));
        };
        if !stream.started {
            return Err(format!("a {name} frame before its start was answered"));
        }
        let values = frame
            .samples::<3>(stream.format)
            .map_err(|e| e.to_string())?
            .collect::<Result<Vec<[i32; 3]>, _>>()
            .map_err(|e| e.to_string())?;
        let convert: Box<dyn Fn(i32) -> f32> = match (measurement, stream.factor) {
            (MeasurementType::Acc, factor) => {
                let scale = AccelScale::from_factor(factor);
                Box::new(move |c| scale.accel_mps2(c) as f32)
            }
            (_, Some(factor)) => Box::new(move |c| gyro_dps_from_counts(c, factor) as f32),
            (_, None) => return Err("gyro start answer carried no conversion factor".into()),
        };
        let base = *self.base_nanos.get_or_insert(frame.time_nanos);
        let count = values.len();
        let stream = match measurement {
            MeasurementType::Acc => &mut self.acc,
            _ => &mut self.gyro,
        };
        for (i, v) in values.iter().enumerate() {
            let t =
                time::sample_time_nanos(frame.time_nanos, i, count, rate_hz).ok_or_else(|| {
                    format!("{name} frame time {} before the epoch", frame.time_nanos)
                })?;
            let since_base = i128::from(t) - i128::from(base);
            if since_base.abs() > MAX_CLOCK_SPAN_NANOS {
                return Err(format!(
                    "{name} frame time {t} ns is over ten years from the first frame's {base} ns"
                ));
            }
            let sensor_nanos = i64::try_from(since_base)
                .map_err(|_| format!("{name} frame time {t} out of range"))?;
            stream.waiting.push_back((sensor_nanos, v.map(&convert)));
        }
        Ok(self.pair())
    }

    fn pair(&mut self) -> Vec<Batch> {
        let period = period_nanos(self.rate_hz);
        let mut paired: Vec<BatchSample> = Vec::new();
        while let (Some(&(ta, acc)), Some(&(tg, gyr))) =
            (self.acc.waiting.front(), self.gyro.waiting.front())
        {
            if (ta - tg).abs() <= period / 2 {
                paired.push(BatchSample {
                    sensor_nanos: ta,
                    acc_mps2: acc,
                    gyr_dps: gyr,
                });
                self.acc.waiting.pop_front();
                self.gyro.waiting.pop_front();
            } else {
                let older = if ta < tg {
                    &mut self.acc
                } else {
                    &mut self.gyro
                };
                older.waiting.pop_front();
                self.unpaired += 1;
            }
        }
        // One stream alone (the other stopped): don't hold its samples for ever.
        for stream in [&mut self.acc, &mut self.gyro] {
            while let (Some(first), Some(last)) = (stream.waiting.front(), stream.waiting.back()) {
                if last.0 - first.0 <= MAX_UNPAIRED_NANOS {
                    break;
                }
                stream.waiting.pop_front();
                self.unpaired += 1;
            }
        }
        let mut batches: Vec<Batch> = Vec::new();
        let mut run: Vec<BatchSample> = Vec::new();
        for s in paired {
            if let Some(last) = run.last()
                && s.sensor_nanos - last.sensor_nanos > period * 3 / 2
            {
                batches.push(self.batch(std::mem::take(&mut run), period));
            }
            run.push(s);
        }
        if !run.is_empty() {
            batches.push(self.batch(run, period));
        }
        batches
    }

    fn batch(&mut self, samples: Vec<BatchSample>, period: i64) -> Batch {
        let first = samples.first().map_or(0, |s| s.sensor_nanos);
        Batch {
            first_index: self.indices.index(first, samples.len(), period),
            seq: None,
            period_nanos: period,
            samples,
        }
    }
}
