//! Property tests of the Movesense GATT SensorData codec: no decoder panics on any input, what
//! decodes re-encodes to the same bytes, IMU data survives the app's two-part split, and a cut
//! packet is refused with the field and offset it ends in. The layout is the one described in
//! `samples/gatt_sensordata_app/GATTSensorDataClient.cpp` (movesense-device-lib, commit
//! f58142d48975535e354915016dc44bc6846b96fe); see tests/movesense.rs for the byte-level cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use entrain_protocol::DecodeError;
use entrain_protocol::movesense::DataAssembler;
use entrain_protocol::movesense::command::{self, Command};
use entrain_protocol::movesense::gatt;
use entrain_protocol::movesense::imu::ImuData;
use entrain_protocol::movesense::notification::{
    FIRST_PART_LEN, MAX_DATA_LEN, Notification, split_data,
};
use entrain_protocol::movesense::path::{IMU_RATES_HZ, MeasKind, ResourcePath};
use proptest::prelude::*;

fn encode(command: &Command) -> Vec<u8> {
    let mut out = [0u8; command::MAX_LEN];
    let n = command.encode(&mut out).unwrap();
    out[..n].to_vec()
}

fn kind() -> impl Strategy<Value = MeasKind> {
    prop::sample::select(MeasKind::ALL.to_vec())
}

fn rate() -> impl Strategy<Value = u16> {
    prop::sample::select(IMU_RATES_HZ.to_vec())
}

prop_compose! {
    fn imu_data()(kind in kind(), ts in any::<u32>(), samples in prop::collection::vec(
        (any::<[u32; 3]>(), any::<[u32; 3]>(), any::<[u32; 3]>()), 1..=8)) -> ImuData {
        let mut d = ImuData::new(kind, ts);
        for (a, g, m) in samples {
            d.push(a.map(f32::from_bits), g.map(f32::from_bits), m.map(f32::from_bits)).unwrap();
        }
        d
    }
}

proptest! {
    #[test]
    fn no_decoder_panics_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut out = [0u8; 400];
        if let Ok(c) = Command::decode(&bytes) {
            let n = c.encode(&mut out).unwrap();
            prop_assert_eq!(&out[..n], &bytes[..]);
        }
        if let Ok(p) = ResourcePath::decode(&bytes) {
            let n = p.encode(&mut out).unwrap();
            prop_assert_eq!(&out[..n], &bytes[..]);
        }
        for kind in MeasKind::ALL {
            if let Ok(d) = ImuData::decode(kind, &bytes) {
                let n = d.encode(&mut out).unwrap();
                prop_assert_eq!(&out[..n], &bytes[..]);
            }
        }
        let mut asm = DataAssembler::new();
        if let Ok(n) = Notification::decode(&bytes) {
            let len = n.encode(&mut out).unwrap();
            prop_assert_eq!(&out[..len], &bytes[..]);
            let _ = n.status_code();
            let _ = asm.push(&n);
        }
    }

    #[test]
    fn the_assembler_survives_any_sequence(packets in prop::collection::vec(
        (0u8..6, any::<u8>(), 0usize..320), 0..12)) {
        let mut asm = DataAssembler::new();
        for (t, r, len) in packets {
            let mut bytes = vec![t, r];
            bytes.resize(2 + len, 0xA5);
            if let Ok(n) = Notification::decode(&bytes)
                && let Ok(Some(data)) = asm.push(&n)
            {
                prop_assert!(data.payload.len() <= MAX_DATA_LEN);
                prop_assert_eq!(data.reference, r);
            }
        }
    }

    #[test]
    fn commands_round_trip(reference in 1u8.., kind in kind(), rate in rate(), which in 0u8..3) {
        let cmd = match which {
            0 => Command::Hello { reference },
            1 => Command::Unsubscribe { reference },
            _ => Command::subscribe(reference, ResourcePath::new(kind, u32::from(rate)).unwrap()),
        };
        let bytes = encode(&cmd);
        prop_assert_eq!(Command::decode(&bytes).unwrap(), cmd);
        // Every proper prefix is refused, never read as another command.
        for cut in 0..bytes.len() {
            prop_assert!(Command::decode(&bytes[..cut]).is_err());
        }
    }

    #[test]
    fn imu_data_round_trips_through_the_split(data in imu_data(), reference in 1u8..) {
        let mut payload = [0u8; MAX_DATA_LEN];
        let len = data.encode(&mut payload).unwrap();
        let (mut a, mut b) = ([0u8; 160], [0u8; 160]);
        let lens = split_data(reference, &payload[..len], &mut a, &mut b).unwrap();
        prop_assert!(lens.first <= gatt::MAX_NOTIFICATION_LEN);
        prop_assert!(lens.second <= gatt::MAX_NOTIFICATION_LEN);
        prop_assert_eq!(lens.second == 0, len <= FIRST_PART_LEN);
        let mut asm = DataAssembler::new();
        let mut whole = asm.push(&Notification::decode(&a[..lens.first]).unwrap()).unwrap()
            .map(|d| d.payload.to_vec());
        if lens.second > 0 {
            prop_assert!(whole.is_none());
            let n2 = Notification::decode(&b[..lens.second]).unwrap();
            whole = asm.push(&n2).unwrap().map(|d| d.payload.to_vec());
        }
        let whole = whole.unwrap();
        let back = ImuData::decode(data.kind(), &whole).unwrap();
        // Compare bits: NaNs must survive unchanged too.
        let bits = |d: &ImuData| (d.timestamp_ms(), d.len(),
            [d.acc_mps2(), d.gyro_dps(), d.magn_ut()].map(|a| a.iter()
                .flat_map(|v| v.map(f32::to_bits)).collect::<Vec<_>>()));
        prop_assert_eq!(bits(&back), bits(&data));
    }

    #[test]
    fn truncated_imu_data_names_field_and_offset(data in imu_data(), cut in any::<prop::sample::Index>()) {
        let mut payload = [0u8; MAX_DATA_LEN];
        let len = data.encode(&mut payload).unwrap();
        let cut = cut.index(len);
        let stride = data.kind().vectors_per_sample() * 12;
        match ImuData::decode(data.kind(), &payload[..cut]) {
            Err(DecodeError::Truncated { field, offset, needed, len: got, .. }) => {
                prop_assert_eq!(got, cut);
                prop_assert!(offset <= cut && cut < needed, "{} {} {}", offset, cut, needed);
                prop_assert!(["Timestamp", "ArrayAcc", "ArrayGyro", "ArrayMagn"].contains(&field));
            }
            // A cut at a whole number of samples cannot be told from shorter data (no count
            // field); it still decodes to the right number of bytes.
            Ok(short) => {
                prop_assert!(cut > 4 && (cut - 4) % stride == 0);
                prop_assert_eq!(short.len(), (cut - 4) / stride);
            }
            Err(other) => prop_assert!(false, "unexpected {:?}", other),
        }
    }
}
