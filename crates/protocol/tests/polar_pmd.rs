//! The Polar PMD codec against every worked example of Polar's documents, byte for byte.
//!
//! "online" is `technical_documentation/online_measurement.pdf` (Version 1.0, polar-ble-sdk
//! commit e5a11b32); "2021 spec" is `Polar_Measurement_Data_Specification.pdf` (last in the
//! repository before commit 0d58c747). Both draw the same exchanges; the figure numbers are the
//! online document's. Where an example's annotation contradicts its own bytes, the test follows
//! the bytes and says so.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use entrain_protocol::DecodeError;
use entrain_protocol::polar::control::{Request, Response, Status};
use entrain_protocol::polar::features::Features;
use entrain_protocol::polar::frame::DataFrame;
use entrain_protocol::polar::settings::{DeltaFormat, Setting, SettingKind, SettingSet};
use entrain_protocol::polar::{MeasurementType, RecordingType};

/// The bytes of a hex dump, kept for the whole test (decoded answers borrow them).
fn hex(s: &str) -> &'static [u8] {
    let bytes: Vec<u8> = s
        .split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect();
    bytes.leak()
}

fn encode(request: Request) -> Vec<u8> {
    let mut out = [0u8; 64];
    let n = request.encode(&mut out).unwrap();
    let bytes = out[..n].to_vec();
    assert_eq!(Request::decode(&bytes).unwrap(), request, "round trip");
    bytes
}

fn values(response: &Response<'_>, kind: SettingKind) -> Vec<Setting> {
    let list = response.settings().unwrap();
    let entry = list.entries().find(|e| e.kind == kind).unwrap();
    entry.values().collect()
}

fn get_settings(measurement: MeasurementType) -> Request {
    Request::GetSettings {
        measurement,
        recording: RecordingType::Online,
    }
}

/// Online Figure 1 (2021 spec "Read Features from device"): a Verity Sense's feature read.
#[test]
fn feature_read_of_a_verity_sense() {
    let bytes = hex("0F 6E 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
    let features = Features::decode(bytes).unwrap();
    // 0x6E: bit 0 ECG false, 1 PPG, 2 ACC, 3 PPI true, 4 false, 5 gyro, 6 magnetometer true.
    let supported: Vec<_> = features.supported().collect();
    assert_eq!(
        supported,
        [
            MeasurementType::Ppg,
            MeasurementType::Acc,
            MeasurementType::Ppi,
            MeasurementType::Gyro,
            MeasurementType::Magnetometer
        ]
    );
    assert!(!features.supports(MeasurementType::Ecg));
    assert!(!features.supports(MeasurementType::SdkMode));
}

/// Online Figure 2, first exchange: an H10's ACC settings (a list of several values each).
#[test]
fn h10_acc_settings() {
    assert_eq!(encode(get_settings(MeasurementType::Acc)), hex("01 02"));
    let bytes =
        hex("F0 01 02 00 00 00 04 19 00 32 00 64 00 C8 00 01 01 10 00 02 03 02 00 04 00 08 00");
    let r = Response::decode(bytes).unwrap();
    assert_eq!(r.op_code, 0x01);
    assert_eq!(r.measurement, MeasurementType::Acc);
    assert_eq!(r.status, Status::Success);
    assert!(!r.more_frames);
    assert_eq!(
        values(&r, SettingKind::SampleRate),
        [25, 50, 100, 200].map(Setting::SampleRateHz)
    );
    assert_eq!(
        values(&r, SettingKind::Resolution),
        [Setting::ResolutionBits(16)]
    );
    assert_eq!(
        values(&r, SettingKind::Range),
        [2, 4, 8].map(Setting::Range)
    );
    assert_eq!(r.settings().unwrap().entries().count(), 3);
}

/// Online Figure 2, second exchange: a Verity Sense's ACC settings, channels included.
#[test]
fn verity_sense_acc_settings() {
    let bytes = hex("F0 01 02 00 00 00 01 34 00 01 01 10 00 02 01 08 00 04 01 03");
    let r = Response::decode(bytes).unwrap();
    assert_eq!(
        (r.op_code, r.measurement, r.status),
        (1, MeasurementType::Acc, Status::Success)
    );
    let list = r.settings().unwrap();
    assert_eq!(
        list.first(SettingKind::SampleRate),
        Some(Setting::SampleRateHz(52))
    );
    assert_eq!(
        list.first(SettingKind::Resolution),
        Some(Setting::ResolutionBits(16))
    );
    assert_eq!(list.first(SettingKind::Range), Some(Setting::Range(8)));
    assert_eq!(
        list.first(SettingKind::Channels),
        Some(Setting::Channels(3))
    );
    assert_eq!(list.factor(), None);
}

/// Online Figure 2, third and fourth exchanges: H10 ECG (130 Hz, 14 bits) and OH1 PPG (130 Hz,
/// 22 bits). The online figure labels the PPG request "measurement_type(ECG)", but its byte is
/// 01, PPG, as the 2021 spec labels it.
#[test]
fn ecg_and_ppg_settings() {
    assert_eq!(encode(get_settings(MeasurementType::Ecg)), hex("01 00"));
    let r = Response::decode(hex("F0 01 00 00 00 00 01 82 00 01 01 0E 00")).unwrap();
    assert_eq!(r.measurement, MeasurementType::Ecg);
    assert_eq!(
        values(&r, SettingKind::SampleRate),
        [Setting::SampleRateHz(130)]
    );
    assert_eq!(
        values(&r, SettingKind::Resolution),
        [Setting::ResolutionBits(14)]
    );

    assert_eq!(encode(get_settings(MeasurementType::Ppg)), hex("01 01"));
    let r = Response::decode(hex("F0 01 01 00 00 00 01 82 00 01 01 16 00")).unwrap();
    assert_eq!(r.measurement, MeasurementType::Ppg);
    assert_eq!(
        values(&r, SettingKind::Resolution),
        [Setting::ResolutionBits(22)]
    );
}

/// Online Figure 3, first exchange: start an H10's ACC stream (range, rate, resolution, in that
/// order); its answer ends in one byte the figure calls reserved.
#[test]
fn h10_start_acc() {
    let settings = SettingSet::new()
        .with(Setting::Range(8))
        .with(Setting::SampleRateHz(200))
        .with(Setting::ResolutionBits(16));
    let request = Request::Start {
        measurement: MeasurementType::Acc,
        recording: RecordingType::Online,
        settings,
    };
    assert_eq!(
        encode(request),
        hex("02 02 02 01 08 00 00 01 C8 00 01 01 10 00")
    );
    let r = Response::decode(hex("F0 02 02 00 00 01")).unwrap();
    assert_eq!(
        (r.op_code, r.measurement, r.status, r.more_frames),
        (2, MeasurementType::Acc, Status::Success, false)
    );
    assert_eq!(r.parameters, [0x01]);
}

/// Online Figure 3, first data frame: the H10's uncompressed 16-bit ACC (frame type 1).
///
/// The figure annotates sample 0's x bytes `45 FF` as -184 mG; as a little-endian i16 they are
/// 0xFF45 = -187 (its y and z, `E4 FF` = -28 and `B5 03` = 949, agree with the annotation). The
/// test follows the bytes. Sample 1 is not annotated; its values are read off the bytes by hand.
#[test]
fn h10_raw_acc_frame() {
    let bytes = hex("02 EA 54 A2 42 8B 45 52 08 01 45 FF E4 FF B5 03 45 FF E4 FF B8 03");
    let frame = DataFrame::decode(bytes).unwrap();
    assert_eq!(frame.measurement, MeasurementType::Acc);
    assert_eq!(frame.time_nanos, 599_618_164_814_402_794);
    assert_eq!((frame.frame_type, frame.compressed), (1, false));
    let samples: Vec<_> = frame
        .samples::<3>(None)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(samples, [[-187, -28, 949], [-187, -28, 952]]);
}

/// Online Figure 3, second exchange: start a Verity Sense's ACC stream (52 Hz, 16 bits, ±8 g,
/// 3 channels); its answer carries the conversion factor.
#[test]
fn verity_sense_start_acc() {
    let request = Request::Start {
        measurement: MeasurementType::Acc,
        recording: RecordingType::Online,
        settings: SettingSet::imu(52, 16, 8, 3),
    };
    assert_eq!(
        encode(request),
        hex("02 02 00 01 34 00 01 01 10 00 02 01 08 00 04 01 03")
    );
    let r = Response::decode(hex("F0 02 02 00 00 05 01 40 DA 7F 39")).unwrap();
    assert_eq!(
        (r.op_code, r.measurement, r.status),
        (2, MeasurementType::Acc, Status::Success)
    );
    // "0x397FDA40 = 964680256 = 0.000243999995291G"
    let factor = r.settings().unwrap().factor().unwrap();
    assert_eq!(factor.to_bits(), 0x397f_da40);
    assert!((f64::from(factor) - 0.000_243_999_995_291).abs() < 1e-15);
}

/// Online Figure 3, last frame: the Verity Sense's delta-compressed ACC (frame type 0x80). The
/// figure prints the frame only up to its sixth delta sample ("…"), while its block header
/// announces 29: the samples before the cut decode, then the cut is reported where it is.
/// Samples 0–2 are the figure's own; 3–5 are read off its bytes by hand.
#[test]
fn verity_sense_delta_acc_frame() {
    let bytes = hex(
        "02 64 6C 76 C4 3C C6 7F 07 80 D0 FF 65 01 E4 0F 08 1D FC 07 FF 0C 13 F2 11 F1 1A F9 EE F8 \
         EF 0C 03 09 F2",
    );
    let frame = DataFrame::decode(bytes).unwrap();
    assert_eq!(frame.measurement, MeasurementType::Acc);
    assert_eq!(frame.time_nanos, 540_368_444_604_181_604);
    assert_eq!((frame.frame_type, frame.compressed), (0, true));
    let format = DeltaFormat::from_settings(&SettingSet::imu(52, 16, 8, 3), frame.measurement);
    let decoded: Vec<_> = frame.samples::<3>(format).unwrap().collect();
    let ok: Vec<_> = decoded.iter().filter_map(|s| s.ok()).collect();
    assert_eq!(
        ok,
        [
            [-48, 357, 4068],
            [-52, 364, 4067],
            [-40, 383, 4053],
            [-23, 368, 4079],
            [-30, 350, 4071],
            [-47, 362, 4074],
        ]
    );
    // Reference 10..16, header 16..18, 29 samples of 3 bytes 18..105; sample 6 would start at 33.
    assert_eq!(
        decoded.last().unwrap().unwrap_err(),
        DecodeError::Truncated {
            what: "PMD delta frame",
            field: "delta sample",
            offset: 33,
            needed: 105,
            len: 35,
        }
    );
    assert_eq!(decoded.len(), 7);
    assert!(frame.sample_count::<3>(format).is_err());
}

/// Online Figure 4 (2021 spec "Stop Stream"). The second exchange stops ECG (`03 00`) and is
/// annotated measurement_type(ECG), but the answer's bytes say ACC (`F0 03 02 00 00`): decoded
/// as the bytes say.
#[test]
fn stop_streams() {
    let stop = |measurement| Request::Stop { measurement };
    assert_eq!(encode(stop(MeasurementType::Acc)), hex("03 02"));
    let r = Response::decode(hex("F0 03 02 00 00")).unwrap();
    assert_eq!(
        (r.op_code, r.measurement, r.status, r.parameters.len()),
        (3, MeasurementType::Acc, Status::Success, 0)
    );
    assert_eq!(encode(stop(MeasurementType::Ecg)), hex("03 00"));
}

/// Online Figure 5: enter and leave SDK mode.
#[test]
fn sdk_mode_start_and_stop() {
    assert_eq!(encode(Request::start_sdk_mode()), hex("02 09"));
    let r = Response::decode(hex("F0 02 09 00 00")).unwrap();
    assert_eq!(
        (r.op_code, r.measurement, r.status),
        (2, MeasurementType::SdkMode, Status::Success)
    );
    assert_eq!(encode(Request::stop_sdk_mode()), hex("03 09"));
    let r = Response::decode(hex("F0 03 09 00 00")).unwrap();
    assert_eq!(
        (r.op_code, r.measurement, r.status),
        (3, MeasurementType::SdkMode, Status::Success)
    );
}

/// Online Figure 6: SDK mode settings for ACC (op code 0x04). The figure's answer echoes op
/// code 0x01, not 0x04, and repeats the H10's list from Figure 2; decoded as printed.
#[test]
fn sdk_mode_settings() {
    let request = Request::GetSdkModeSettings {
        measurement: MeasurementType::Acc,
    };
    assert_eq!(encode(request), hex("04 02"));
    let bytes =
        hex("F0 01 02 00 00 00 04 19 00 32 00 64 00 C8 00 01 01 10 00 02 03 02 00 04 00 08 00");
    let r = Response::decode(bytes).unwrap();
    assert_eq!(r.op_code, 0x01);
    assert_eq!(
        values(&r, SettingKind::SampleRate),
        [25, 50, 100, 200].map(Setting::SampleRateHz)
    );
}

/// The offline document §1: an offline request sets bit 7 of the type byte ("(1 shl 7) | 2").
#[test]
fn offline_recording_bit() {
    let request = Request::GetSettings {
        measurement: MeasurementType::Acc,
        recording: RecordingType::Offline,
    };
    assert_eq!(encode(request), hex("01 82"));
}

/// An error answer, and a type this crate does not name: reported by number, not refused.
#[test]
fn error_status_and_unknown_type() {
    let r = Response::decode(hex("F0 02 07 03 00")).unwrap();
    assert_eq!(r.measurement, MeasurementType::Other(7));
    assert_eq!(r.status, Status::NotSupported);
    let r = Response::decode(hex("F0 02 02 0C 00")).unwrap();
    assert_eq!(r.status, Status::InvalidState);
    let r = Response::decode(hex("F0 02 02 2A 00")).unwrap();
    assert_eq!(r.status, Status::Other(42));
}

/// Not a document example: a real Verity Sense ACC frame (compressed frame type 1, values in
/// mG, no factor) that a user posted in polar-ble-sdk issue #443 ("Questions on ACC data
/// format", 2024-02-23), reported as 227 bytes; the stored copy of the issue holds its first 188.
/// It checks what the documents leave open (`polar::delta` module docs): with deltas read least
/// significant bit first and packed per block, the frame's second block (10-bit deltas, 47
/// samples) ends exactly at byte 227, and the signal stays near 1 g and continuous across the
/// change of bit width.
#[test]
fn delta_packing_matches_a_real_verity_sense_frame() {
    let bytes = hex(
        "02 00 41 6F C4 12 45 93 0A 81 EE 02 1F FE 82 FF 08 0A 10 DA 20 D6 A3 0B D9 CB E7 D6 F6 C4 \
         E6 F1 E1 F3 E0 15 1A FE 28 1B F8 37 2C 25 20 13 19 11 0A 2F ED 4F C0 7E F4 E9 BB 6E 80 0D \
         C8 2F B0 3E 14 D1 AF B0 7F 16 C4 CC 20 87 34 03 54 12 8B FF 8D 00 C1 42 FB E6 D3 DF B5 E1 \
         91 53 2F BE F9 ED 43 B0 3E FD DB 9B 90 3D F5 03 60 5F 7B FA D9 DF AE 00 0B 24 64 70 40 12 \
         CC CF BF 04 E4 C5 33 B0 38 08 41 80 EF C2 12 EC 17 81 46 FD FE 5B B0 01 F3 D1 D7 6F 81 FF \
         CD 7B 0F C2 01 36 60 7F 43 D3 5F 3F 3F 78 CB 06 48 4E FF 00 0E FC 82 05 51 AB 55 E3 4A 2D \
         1D 0C 5F BD E8 58 73 4D",
    );
    assert_eq!(bytes.len(), 188);
    let frame = DataFrame::decode(bytes).unwrap();
    assert_eq!((frame.frame_type, frame.compressed), (1, true));
    let format = DeltaFormat {
        resolution_bits: 16,
        channels: 3,
    };
    let decoded: Vec<_> = frame.samples::<3>(Some(format)).unwrap().collect();
    let samples: Vec<[i32; 3]> = decoded.iter().filter_map(|s| s.ok()).collect();
    // The reference, 10 samples of the 8-bit block, and the 36 whole 10-bit samples present.
    assert_eq!(samples.len(), 1 + 10 + 36);
    match decoded.last().unwrap() {
        Err(DecodeError::Truncated { needed, len, .. }) => assert_eq!((*needed, *len), (227, 188)),
        other => panic!("expected the cut to be reported, got {other:?}"),
    }
    let norm_mg = |s: &[i32; 3]| {
        s.iter()
            .map(|&v| f64::from(v) * f64::from(v))
            .sum::<f64>()
            .sqrt()
    };
    for s in &samples {
        assert!((500.0..1500.0).contains(&norm_mg(s)), "{s:?}");
    }
    // Across the change from 8-bit to 10-bit deltas, no jump larger than the 8-bit deltas'.
    let step = |a: &[i32; 3], b: &[i32; 3]| (0..3).map(|c| (a[c] - b[c]).abs()).max().unwrap();
    assert!(step(&samples[10], &samples[11]) < 128);
}
