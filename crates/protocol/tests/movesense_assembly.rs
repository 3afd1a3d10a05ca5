//! The Movesense data assembler against the app's two-part sending: lost and mismatched parts,
//! and data longer than the app can send. The rules are those of `onNotify` in
//! `samples/gatt_sensordata_app/GATTSensorDataClient.cpp` (movesense-device-lib, commit
//! f58142d48975535e354915016dc44bc6846b96fe): a DATA of exactly 150 payload bytes, then a
//! DATA_PART2 with the same reference and at most 156.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use entrain_protocol::movesense::notification::{MAX_DATA_LEN, Notification, split_data};
use entrain_protocol::movesense::{AssemblyError, DataAssembler};

#[test]
fn lost_parts_are_counted_or_refused() {
    let mut asm = DataAssembler::new();
    let first = [vec![2u8, 1], vec![0u8; 150]].concat();
    let whole = [vec![2u8, 1], vec![0u8; 28]].concat();
    let part2_for = |r: u8| [vec![3u8, r], vec![0u8; 46]].concat();
    // A second part with no first.
    let p = part2_for(1);
    assert_eq!(
        asm.push(&Notification::decode(&p).unwrap()),
        Err(AssemblyError::Part2WithoutFirst { reference: 1 })
    );
    // A first part whose second was lost, then a whole one.
    asm.push(&Notification::decode(&first).unwrap()).unwrap();
    let got = asm
        .push(&Notification::decode(&whole).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(got.payload.len(), 28);
    assert_eq!(asm.dropped_first_parts(), 1);
    // A second part for another reference.
    asm.push(&Notification::decode(&first).unwrap()).unwrap();
    let p = part2_for(2);
    assert_eq!(
        asm.push(&Notification::decode(&p).unwrap()),
        Err(AssemblyError::ReferenceMismatch { held: 1, got: 2 })
    );
    assert_eq!(asm.dropped_first_parts(), 2);
    assert!(!asm.is_holding());
    // Command results pass through without disturbing a held part.
    asm.push(&Notification::decode(&first).unwrap()).unwrap();
    assert_eq!(
        asm.push(&Notification::decode(&[1, 9, 0x01, 0xFB]).unwrap()),
        Ok(None)
    );
    assert!(asm.is_holding());
    assert_eq!(
        asm.push(&Notification::decode(&[4, 1]).unwrap()),
        Err(AssemblyError::Part3 { reference: 1 })
    );
}

#[test]
fn data_too_long_for_the_app_is_refused() {
    let (mut a, mut b) = ([0u8; 400], [0u8; 400]);
    assert!(split_data(1, &[0u8; MAX_DATA_LEN + 1], &mut a, &mut b).is_err());
    assert!(split_data(1, &[0u8; MAX_DATA_LEN], &mut a, &mut b).is_ok());
    let mut asm = DataAssembler::new();
    let first = [vec![2u8, 1], vec![0u8; 150]].concat();
    asm.push(&Notification::decode(&first).unwrap()).unwrap();
    let long = [vec![3u8, 1], vec![0u8; 157]].concat();
    assert!(matches!(
        asm.push(&Notification::decode(&long).unwrap()),
        Err(AssemblyError::TooLong { len: 307, .. })
    ));
}
