//! The Movesense GATT SensorData codec against the layout its sources describe.
//!
//! Sources (movesense-device-lib, commit f58142d48975535e354915016dc44bc6846b96fe, release 2.3.0
//! with its default-firmware fix): `samples/gatt_sensordata_app/GATTSensorDataClient.cpp` (the
//! sensor side), `samples/gatt_sensordata_app/python_client/movesense_sensor_data.py` and
//! `samples/gatt_sensordata_app/web_client/index.html` (the vendor's clients), and
//! `MovesenseCoreLib/resources/movesense-api/meas/*.yaml`. The expected bytes below are written
//! out by hand from those descriptions, not produced by the encoder under test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use entrain_protocol::DecodeError;
use entrain_protocol::EncodeError;
use entrain_protocol::movesense::DataAssembler;
use entrain_protocol::movesense::command::{self, Command};
use entrain_protocol::movesense::gatt;
use entrain_protocol::movesense::imu::{self, ImuData, MAX_SAMPLES};
use entrain_protocol::movesense::notification::{
    FIRST_PART_LEN, MAX_DATA_LEN, Notification, ResponseType, split_data,
};
use entrain_protocol::movesense::path::{IMU_RATES_HZ, MeasKind, ResourcePath};

fn uuid_string(uuid: u128) -> String {
    let h = format!("{uuid:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn encode(command: &Command) -> Vec<u8> {
    let mut out = [0u8; command::MAX_LEN];
    let n = command.encode(&mut out).unwrap();
    out[..n].to_vec()
}

fn path(kind: MeasKind, rate: u32) -> ResourcePath {
    ResourcePath::new(kind, rate).unwrap()
}

#[test]
fn uuids_are_the_documented_strings() {
    // GATTSensorDataClient.cpp comment "UUID: 34802252-..." and the byte arrays after it (stored
    // little-endian there); python client WRITE_/NOTIFY_CHARACTERISTIC_UUID; the GSP doc page.
    assert_eq!(
        uuid_string(gatt::SERVICE),
        "34802252-7185-4d5d-b431-630e7050e8f0"
    );
    assert_eq!(
        uuid_string(gatt::COMMAND),
        "34800001-7185-4d5d-b431-630e7050e8f0"
    );
    assert_eq!(
        uuid_string(gatt::DATA),
        "34800002-7185-4d5d-b431-630e7050e8f0"
    );
    // The app finds its characteristics by bytes 12..14 of the little-endian UUID (0x0001, 0x0002).
    let le = gatt::COMMAND.to_le_bytes();
    assert_eq!(u16::from_le_bytes([le[12], le[13]]), 0x0001);
    let le = gatt::DATA.to_le_bytes();
    assert_eq!(u16::from_le_bytes([le[12], le[13]]), 0x0002);
}

#[test]
fn subscribe_imu9_is_the_python_clients_bytes() {
    // movesense_sensor_data.py: bytearray([1, 99]) + bytearray("/Meas/IMU9/104", "utf-8")
    let mut expected = vec![1u8, 99];
    expected.extend_from_slice(b"/Meas/IMU9/104");
    let cmd = Command::subscribe(99, path(MeasKind::Imu9, 104));
    assert_eq!(encode(&cmd), expected);
    assert_eq!(Command::decode(&expected).unwrap(), cmd);
}

#[test]
fn subscribe_acc_is_the_web_clients_bytes() {
    // index.html subscribe_data(): [SUBSCRIBE, ACCDATA_REFERENCE] then "/Meas/Acc/"+rate, with
    // SUBSCRIBE = 1 (GATTSensorDataClient.cpp enum Commands) and ACCDATA_REFERENCE = 99.
    let expected = [
        0x01, 0x63, b'/', b'M', b'e', b'a', b's', b'/', b'A', b'c', b'c', b'/', b'1', b'3',
    ];
    assert_eq!(
        encode(&Command::subscribe(99, path(MeasKind::Acc, 13))),
        expected
    );
}

#[test]
fn subscribe_other_kinds_spell_their_paths() {
    let cases = [
        (MeasKind::Imu6, 208, &b"/Meas/IMU6/208"[..]),
        (MeasKind::Gyro, 104, b"/Meas/Gyro/104"),
        (MeasKind::Acc, 104, b"/Meas/Acc/104"),
        (MeasKind::Imu6, 1666, b"/Meas/IMU6/1666"),
    ];
    for (kind, rate, text) in cases {
        let mut expected = vec![1u8, 7];
        expected.extend_from_slice(text);
        assert_eq!(encode(&Command::subscribe(7, path(kind, rate))), expected);
    }
}

#[test]
fn unsubscribe_and_hello_are_two_bytes() {
    // movesense_sensor_data.py: bytearray([2, 99]); index.html: [HELLO, HELLO_REFERENCE] with
    // HELLO = 0 and HELLO_REFERENCE = 123.
    assert_eq!(encode(&Command::Unsubscribe { reference: 99 }), [2, 99]);
    assert_eq!(encode(&Command::Hello { reference: 123 }), [0, 123]);
    assert_eq!(
        Command::decode(&[2, 99]).unwrap(),
        Command::Unsubscribe { reference: 99 }
    );
}

#[test]
fn reference_zero_and_bad_commands_are_refused() {
    // "client reference [1 byte, not zero!]" (GATTSensorDataClient.cpp).
    let mut out = [0u8; 32];
    assert!(matches!(
        Command::Unsubscribe { reference: 0 }.encode(&mut out),
        Err(EncodeError::InvalidField {
            field: "reference",
            ..
        })
    ));
    assert!(matches!(
        Command::decode(&[2, 0]),
        Err(DecodeError::InvalidField {
            field: "reference",
            offset: 1,
            ..
        })
    ));
    assert!(matches!(
        Command::decode(&[9, 1]),
        Err(DecodeError::InvalidField {
            field: "command",
            offset: 0,
            value: 9,
            ..
        })
    ));
    assert!(matches!(
        Command::decode(&[2, 1, 0]),
        Err(DecodeError::LengthMismatch {
            expected: 2,
            len: 3,
            ..
        })
    ));
    let mut small = [0u8; 5];
    assert!(matches!(
        Command::subscribe(1, path(MeasKind::Imu6, 104)).encode(&mut small),
        Err(EncodeError::BufferTooSmall { .. })
    ));
}

#[test]
fn rates_the_sensor_does_not_offer_are_refused_by_name() {
    for kind in MeasKind::ALL {
        for rate in IMU_RATES_HZ {
            assert!(ResourcePath::new(kind, u32::from(rate)).is_ok());
        }
        for rate in [0, 12, 100, 200, 1000, 1667, 65_536, u32::MAX] {
            let err = ResourcePath::new(kind, rate).unwrap_err();
            assert_eq!(err.rate_hz, rate);
            let text = err.to_string();
            assert!(text.contains(&format!("{rate} Hz")), "{text}");
            assert!(text.contains(kind.segment()), "{text}");
            assert!(
                text.contains("13, 26, 52, 104, 208, 416, 833, 1666"),
                "{text}"
            );
        }
    }
}

#[test]
fn paths_decode_strictly() {
    assert_eq!(
        ResourcePath::decode(b"/Meas/IMU6/208").unwrap(),
        path(MeasKind::Imu6, 208)
    );
    let bad: [(&[u8], &str, usize); 6] = [
        (b"/Meas/IMU6/0208", "rate", 11),
        (b"/Meas/IMU6/100", "rate", 11),
        (b"/Meas/IMU6/10x", "rate", 13),
        (b"/Meas/ECG/200", "measurement", 6),
        (b"/Mess/IMU6/208", "path prefix", 3),
        (b"Meas/IMU6/208", "path prefix", 0),
    ];
    for (bytes, field, offset) in bad {
        match ResourcePath::decode(bytes) {
            Err(DecodeError::InvalidField {
                field: f,
                offset: o,
                ..
            }) => {
                assert_eq!(
                    (f, o),
                    (field, offset),
                    "{}",
                    String::from_utf8_lossy(bytes)
                );
            }
            other => panic!("{}: {other:?}", String::from_utf8_lossy(bytes)),
        }
    }
    assert!(matches!(
        ResourcePath::decode(b"/Meas/IM"),
        Err(DecodeError::Truncated {
            field: "measurement",
            offset: 6,
            ..
        })
    ));
    assert!(matches!(
        ResourcePath::decode(b"/Meas/IMU6/"),
        Err(DecodeError::Truncated {
            field: "rate",
            offset: 11,
            ..
        })
    ));
}

#[test]
fn hello_reply_and_the_507_status_decode() {
    // handleIncomingCommand: helloMsg = {COMMAND_RESULT, reference, 'H','e','l','l','o'} and,
    // with no free slot, errorMsg = {COMMAND_RESULT, reference, 0x01, 0xFB} ("507").
    let hello = Notification::decode(&[1, 123, b'H', b'e', b'l', b'l', b'o']).unwrap();
    assert_eq!(hello.response, ResponseType::CommandResult);
    assert_eq!(hello.reference, 123);
    assert!(hello.is_hello_reply());
    assert_eq!(hello.status_code(), None);
    let full = Notification::decode(&[1, 5, 0x01, 0xFB]).unwrap();
    assert_eq!(full.status_code(), Some(507));
    assert!(!full.is_hello_reply());
}

#[test]
fn notification_headers_are_checked() {
    assert!(matches!(
        Notification::decode(&[]),
        Err(DecodeError::Truncated {
            field: "response type",
            offset: 0,
            needed: 1,
            len: 0,
            ..
        })
    ));
    assert!(matches!(
        Notification::decode(&[2]),
        Err(DecodeError::Truncated {
            field: "reference",
            offset: 1,
            needed: 2,
            len: 1,
            ..
        })
    ));
    assert!(matches!(
        Notification::decode(&[0, 1]),
        Err(DecodeError::InvalidField {
            field: "response type",
            offset: 0,
            value: 0,
            ..
        })
    ));
    assert!(matches!(
        Notification::decode(&[5, 1, 2]),
        Err(DecodeError::InvalidField {
            field: "response type",
            value: 5,
            ..
        })
    ));
    let part3 = Notification::decode(&[4, 1]).unwrap();
    assert_eq!(part3.response, ResponseType::DataPart3);
    assert!(part3.payload.is_empty());
}

fn push_le_f32(bytes: &mut Vec<u8>, v: f32) {
    bytes.extend_from_slice(&v.to_le_bytes());
}

#[test]
fn acc_data_in_one_notification_decodes_as_the_web_client_reads_it() {
    // index.html handleNotifications: timestamp = getUint32(2, LE); numOfSamples =
    // (byteLength - 6) / 12; x, y, z = getFloat32(6 + i*12 (+4, +8), LE).
    let mut bytes = vec![2u8, 99];
    bytes.extend_from_slice(&123_456u32.to_le_bytes());
    let samples = [
        [0.5f32, -9.81, 0.25],
        [1.0, 2.0, 3.0],
        [-0.125, 0.0, 9.80665],
        [4.0, 5.0, 6.0],
    ];
    for s in samples {
        for v in s {
            push_le_f32(&mut bytes, v);
        }
    }
    let n = Notification::decode(&bytes).unwrap();
    let mut asm = DataAssembler::new();
    let data = asm
        .push(&n)
        .unwrap()
        .expect("54 bytes of payload are whole");
    assert_eq!(data.reference, 99);
    let imu = ImuData::decode(MeasKind::Acc, data.payload).unwrap();
    assert_eq!(imu.timestamp_ms(), 123_456);
    assert_eq!(imu.len(), (bytes.len() - 6) / 12);
    assert_eq!(imu.acc_mps2(), &samples);
    assert!(imu.gyro_dps().is_empty() && imu.magn_ut().is_empty());
}

/// IMU9 at 104 Hz as the Python client reads it: 8 samples; acc, gyro, magn arrays one after the
/// other; 292 bytes, sent as a DATA of 150 and a DATA_PART2 of 142.
fn imu9_bytes() -> (Vec<u8>, [[[f32; 3]; 8]; 3]) {
    let mut arrays = [[[0f32; 3]; 8]; 3];
    for (a, array) in arrays.iter_mut().enumerate() {
        for (i, v) in array.iter_mut().enumerate() {
            *v = [
                a as f32 * 100.0 + i as f32,
                -(i as f32) * 0.5,
                a as f32 + 0.125 * i as f32,
            ];
        }
    }
    let mut payload = 4_000_000_000u32.to_le_bytes().to_vec();
    for array in &arrays {
        for v in array {
            for c in v {
                push_le_f32(&mut payload, *c);
            }
        }
    }
    (payload, arrays)
}

#[test]
fn imu9_split_in_two_parts_is_joined_and_decoded() {
    let (payload, arrays) = imu9_bytes();
    assert_eq!(payload.len(), 4 + 3 * 8 * 12);
    // onNotify: first part 150 bytes with type DATA, then DATA_PART2 with the rest, same reference.
    let mut first = vec![2u8, 99];
    first.extend_from_slice(&payload[..150]);
    let mut second = vec![3u8, 99];
    second.extend_from_slice(&payload[150..]);
    assert_eq!((first.len(), second.len()), (152, 144));

    let mut asm = DataAssembler::new();
    assert_eq!(
        asm.push(&Notification::decode(&first).unwrap()).unwrap(),
        None
    );
    assert!(asm.is_holding());
    let n2 = Notification::decode(&second).unwrap();
    let data = asm
        .push(&n2)
        .unwrap()
        .expect("second part completes the data");
    // The Python client: combined = part1 + part2[2:]; timestamp at 2; row i at 6 + i*12, the
    // next array 3*8*4 bytes later. In payload terms: 0, then 4 + i*12 (+96, +192).
    assert_eq!(data.payload, &payload[..]);
    let imu = ImuData::decode(MeasKind::Imu9, data.payload).unwrap();
    assert_eq!(imu.timestamp_ms(), 4_000_000_000);
    assert_eq!(imu.len(), 8);
    assert_eq!(imu.acc_mps2(), &arrays[0]);
    assert_eq!(imu.gyro_dps(), &arrays[1]);
    assert_eq!(imu.magn_ut(), &arrays[2]);
    // The row timestamps of the Python client: timestamp + int(i*1000/104) ms.
    for i in 0..8 {
        let t = imu.sample_time_nanos(i, 104);
        assert_eq!(t / 1_000_000, 4_000_000_000 + (i as i64 * 1000 / 104));
    }

    // The encoder sends the same two notifications.
    let (mut a, mut b) = ([0u8; 160], [0u8; 160]);
    let lens = split_data(99, &payload, &mut a, &mut b).unwrap();
    assert_eq!(
        (&a[..lens.first], &b[..lens.second]),
        (&first[..], &second[..])
    );
}

#[test]
fn imu6_at_104_hz_with_8_samples_needs_two_parts() {
    let mut imu = ImuData::new(MeasKind::Imu6, 77);
    for i in 0..8 {
        let f = i as f32;
        imu.push([f, f + 0.5, -f], [10.0 * f, 0.0, -1.0], [9.0; 3])
            .unwrap();
    }
    let mut payload = [0u8; MAX_DATA_LEN];
    let len = imu.encode(&mut payload).unwrap();
    assert_eq!(len, 4 + 2 * 8 * 12);
    assert!(len > FIRST_PART_LEN);
    // Hand-checked layout: gyro of sample 3 starts after the 8 acc vectors.
    let at = 4 + 8 * 12 + 3 * 12;
    assert_eq!(payload[at..at + 4], 30.0f32.to_le_bytes());
    let (mut a, mut b) = ([0u8; 160], [0u8; 160]);
    let lens = split_data(4, &payload[..len], &mut a, &mut b).unwrap();
    assert_eq!((lens.first, lens.second), (152, 2 + len - 150));
    let mut asm = DataAssembler::new();
    assert_eq!(
        asm.push(&Notification::decode(&a[..lens.first]).unwrap())
            .unwrap(),
        None
    );
    let part2 = Notification::decode(&b[..lens.second]).unwrap();
    let data = asm.push(&part2).unwrap().unwrap();
    let back = ImuData::decode(MeasKind::Imu6, data.payload).unwrap();
    assert_eq!(back, imu);
    assert!(back.magn_ut().is_empty());
}

#[test]
fn truncated_imu_payloads_name_the_vector_they_end_in() {
    assert!(matches!(
        ImuData::decode(MeasKind::Imu6, &[1, 2, 3]),
        Err(DecodeError::Truncated {
            field: "Timestamp",
            offset: 0,
            needed: 4,
            len: 3,
            ..
        })
    ));
    // 4 bytes: no samples at all; the first acc vector is missing.
    assert!(matches!(
        ImuData::decode(MeasKind::Imu6, &[0; 4]),
        Err(DecodeError::Truncated {
            field: "ArrayAcc",
            offset: 4,
            needed: 16,
            len: 4,
            ..
        })
    ));
    // IMU6 of 2 samples is 52 bytes: acc 4..28, gyro 28..52. Cut at 40, gyro[0] (28..40) is
    // whole and the packet ends at the start of gyro[1] (40..52).
    assert!(matches!(
        ImuData::decode(MeasKind::Imu6, &[0; 40]),
        Err(DecodeError::Truncated {
            field: "ArrayGyro",
            offset: 40,
            needed: 52,
            len: 40,
            ..
        })
    ));
    assert!(matches!(
        ImuData::decode(MeasKind::Gyro, &[0; 17]),
        Err(DecodeError::Truncated {
            field: "ArrayGyro",
            offset: 16,
            needed: 28,
            ..
        })
    ));
    // More samples than one piece of data can carry.
    let len = 4 + 12 * (MAX_SAMPLES + 1);
    assert!(matches!(
        ImuData::decode(MeasKind::Acc, &vec![0; len]),
        Err(DecodeError::InvalidField {
            field: "sample count",
            ..
        })
    ));
}

#[test]
fn sample_offsets_are_exact_and_spaced_by_the_rate() {
    assert_eq!(imu::sample_offset_nanos(0, 104), 0);
    assert_eq!(imu::sample_offset_nanos(1, 104), 9_615_384);
    assert_eq!(imu::sample_offset_nanos(104, 104), 1_000_000_000);
    assert_eq!(imu::sample_offset_nanos(3, 13), 230_769_230);
    assert_eq!(imu::sample_offset_nanos(5, 0), 0);
    assert_eq!(
        path(MeasKind::Imu6, 208).sample_offset_nanos(208),
        1_000_000_000
    );
    let imu = ImuData::new(MeasKind::Acc, 1000);
    assert_eq!(imu.sample_time_nanos(0, 52), 1_000_000_000);
    assert_eq!(imu.sample_time_nanos(13, 52), 1_250_000_000);
}

#[test]
fn notifications_round_trip() {
    let mut out = [0u8; 200];
    for bytes in [
        &[1u8, 3, 0x01, 0xFB][..],
        &[2, 200, 1, 2, 3],
        &[3, 1],
        &[4, 255, 0],
    ] {
        let n = Notification::decode(bytes).unwrap();
        let len = n.encode(&mut out).unwrap();
        assert_eq!(&out[..len], bytes);
    }
}
