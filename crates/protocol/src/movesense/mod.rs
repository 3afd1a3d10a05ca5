//! The Movesense GATT SensorData Protocol ("GSP") of Movesense's `gatt_sensordata_app` sample:
//! how a host subscribes to a Movesense sensor's IMU over plain GATT (without Movesense's MDS
//! library) and decodes what it streams.
//!
//! A pure codec, like the rest of the crate: commands are encoded into, and notifications decoded
//! from, the caller's byte slices; nothing here talks to Bluetooth.
//!
//! - [`gatt`]: the service and characteristic UUIDs, the name a Movesense advertises.
//! - [`path`]: resource paths (`/Meas/IMU6/208`) from a kind and a rate the sensor offers.
//! - [`command`]: HELLO, SUBSCRIBE and UNSUBSCRIBE.
//! - [`notification`]: what comes back on the data characteristic, and how data is split.
//! - [`assembler`]: joining split data.
//! - [`imu`]: the IMU payload: timestamp, acc m/s², gyro deg/s, magn µT; sample times.
//!
//! A session: enable notifications on [`gatt::DATA`]; write
//! `Command::subscribe(ref, ResourcePath::new(MeasKind::Imu6, 104)?)` to [`gatt::COMMAND`];
//! feed each notification to [`assembler::DataAssembler::push`] and each completed piece with
//! reference `ref` to [`imu::ImuData::decode`]; write `Command::Unsubscribe { reference: ref }`
//! to stop.
//!
//! The sources (the sample app's C++ and its Python and web clients in `movesense-device-lib`,
//! the Movesense API yaml, the Movesense documentation) and their terms are listed in
//! `docs/sensors/movesense.md`. No vendor code is used; the layout is written from their
//! description.

pub mod assembler;
pub mod command;
pub mod gatt;
pub mod imu;
pub mod notification;
pub mod path;

pub use assembler::{AssemblyError, Data, DataAssembler};
pub use command::Command;
pub use imu::ImuData;
pub use notification::{Notification, ResponseType};
pub use path::{MeasKind, ResourcePath, UnsupportedRate};
