//! The LSM6DSOX register map and field encodings this driver uses (ST datasheet DS12814, section 8/9).

/// `FUNC_CFG_ACCESS`: embedded-function register bank selection (must be 0 for the user bank).
pub const FUNC_CFG_ACCESS: u8 = 0x01;
/// `FIFO_CTRL1`: FIFO watermark threshold, bits 7:0 (in FIFO words of 7 bytes).
pub const FIFO_CTRL1: u8 = 0x07;
/// `FIFO_CTRL2`: bit 0 = watermark bit 8, bit 7 = STOP_ON_WTM.
pub const FIFO_CTRL2: u8 = 0x08;
/// `FIFO_CTRL3`: BDR_GY (7:4), BDR_XL (3:0): batch data rates of gyroscope and accelerometer.
pub const FIFO_CTRL3: u8 = 0x09;
/// `FIFO_CTRL4`: DEC_TS_BATCH (7:6), ODR_T_BATCH (5:4), FIFO_MODE (2:0).
pub const FIFO_CTRL4: u8 = 0x0A;
/// `INT1_CTRL`: what drives the INT1 pin.
pub const INT1_CTRL: u8 = 0x0D;
/// `WHO_AM_I`: fixed identification byte.
pub const WHO_AM_I: u8 = 0x0F;
/// `CTRL1_XL`: accelerometer ODR (7:4) and full scale (3:2).
pub const CTRL1_XL: u8 = 0x10;
/// `CTRL2_G`: gyroscope ODR (7:4) and full scale (3:1).
pub const CTRL2_G: u8 = 0x11;
/// `CTRL3_C`: BOOT, BDU, interrupt polarity, IF_INC, SW_RESET.
pub const CTRL3_C: u8 = 0x12;
/// `CTRL10_C`: bit 5 = TIMESTAMP_EN.
pub const CTRL10_C: u8 = 0x19;
/// `STATUS_REG`: bit 0 XLDA, bit 1 GDA, bit 2 TDA.
pub const STATUS_REG: u8 = 0x1E;
/// `OUTX_L_G`: first of the six gyroscope output bytes (X, Y, Z little-endian).
pub const OUTX_L_G: u8 = 0x22;
/// `OUTX_L_A`: first of the six accelerometer output bytes.
pub const OUTX_L_A: u8 = 0x28;
/// `FIFO_STATUS1`: DIFF_FIFO bits 7:0, the number of unread FIFO words.
pub const FIFO_STATUS1: u8 = 0x3A;
/// `FIFO_STATUS2`: bit 7 WTM_IA, bit 6 OVR_IA, bit 5 FULL_IA, bit 3 OVR_LATCHED, bits 1:0 DIFF_FIFO 9:8.
pub const FIFO_STATUS2: u8 = 0x3B;
/// `TIMESTAMP0`: first of four timestamp bytes (little-endian, 25 µs per LSB nominal).
pub const TIMESTAMP0: u8 = 0x40;
/// `FIFO_DATA_OUT_TAG`: tag byte of the next FIFO word, followed by its six data bytes.
pub const FIFO_DATA_OUT_TAG: u8 = 0x78;

/// The value `WHO_AM_I` reads on an LSM6DSOX.
pub const WHO_AM_I_VALUE: u8 = 0x6C;

/// `CTRL3_C` bit: software reset (self-clearing).
pub const CTRL3_C_SW_RESET: u8 = 1 << 0;
/// `CTRL3_C` bit: register address auto-increment on multi-byte access.
pub const CTRL3_C_IF_INC: u8 = 1 << 2;
/// `CTRL3_C` bit: block data update (output registers not updated until both bytes are read).
pub const CTRL3_C_BDU: u8 = 1 << 6;
/// `CTRL10_C` bit: enable the timestamp counter.
pub const CTRL10_C_TIMESTAMP_EN: u8 = 1 << 5;

/// `INT1_CTRL` bit: accelerometer data ready on INT1.
pub const INT1_DRDY_XL: u8 = 1 << 0;
/// `INT1_CTRL` bit: FIFO threshold (watermark) on INT1.
pub const INT1_FIFO_TH: u8 = 1 << 3;
/// `INT1_CTRL` bit: FIFO overrun on INT1.
pub const INT1_FIFO_OVR: u8 = 1 << 4;

/// `FIFO_STATUS2` bit: the watermark level is reached.
pub const FIFO_STATUS2_WTM_IA: u8 = 1 << 7;
/// `FIFO_STATUS2` bit: the FIFO is full and overwriting (overrun).
pub const FIFO_STATUS2_OVR_IA: u8 = 1 << 6;
/// `FIFO_STATUS2` bit: latched overrun, cleared by reading `FIFO_STATUS2`.
pub const FIFO_STATUS2_OVR_LATCHED: u8 = 1 << 3;

/// `FIFO_CTRL4` FIFO_MODE: bypass (FIFO disabled and emptied).
pub const FIFO_MODE_BYPASS: u8 = 0b000;
/// `FIFO_CTRL4` FIFO_MODE: continuous (newest data overwrite the oldest when full).
pub const FIFO_MODE_CONTINUOUS: u8 = 0b110;
/// `FIFO_CTRL4` DEC_TS_BATCH: write a timestamp word at every batch data rate tick.
pub const DEC_TS_BATCH_EVERY_BDR: u8 = 0b01 << 6;

/// FIFO tag (TAG_SENSOR, bits 7:3 of the tag byte): gyroscope, not compressed.
pub const TAG_GYRO: u8 = 0x01;
/// FIFO tag: accelerometer, not compressed.
pub const TAG_ACCEL: u8 = 0x02;
/// FIFO tag: temperature.
pub const TAG_TEMPERATURE: u8 = 0x03;
/// FIFO tag: timestamp.
pub const TAG_TIMESTAMP: u8 = 0x04;
/// FIFO tag: configuration change.
pub const TAG_CFG_CHANGE: u8 = 0x05;

/// Bytes in one FIFO word: tag plus six data bytes.
pub const FIFO_WORD_BYTES: usize = 7;

/// Nominal timestamp resolution: 25 µs per LSB (datasheet; the real period is trimmed by FREQ_FINE).
pub const TIMESTAMP_TICK_NANOS: u32 = 25_000;

/// Reset values of the registers the driver and the fake bus care about.
pub const CTRL3_C_RESET: u8 = CTRL3_C_IF_INC;
