"""An independent Python encoder of the Entrain sensor protocol (version 1) and of the Bluetooth
SIG RSC Measurement (0x2A53), written from the byte tables in crates/protocol's docs.

Used to generate data/protocol/vectors.json (make_vectors.py) and by the fake BlueZ sensors of the
end-to-end tests (tests/ble/fake_bluez.py). Standard library only.
"""
import struct

VERSION = 1
KIND_IMU, KIND_STEP, KIND_STATUS, KIND_COMMAND, KIND_RESPONSE = 0x01, 0x02, 0x03, 0x10, 0x11
MAX_SAMPLES = 18

SERVICE_UUID = "5e1f0001-2c4b-4a8e-9d57-e17a11c0ffee"
IMU_UUID = "5e1f0002-2c4b-4a8e-9d57-e17a11c0ffee"
STEP_UUID = "5e1f0003-2c4b-4a8e-9d57-e17a11c0ffee"
STATUS_UUID = "5e1f0004-2c4b-4a8e-9d57-e17a11c0ffee"
CONTROL_UUID = "5e1f0005-2c4b-4a8e-9d57-e17a11c0ffee"
RSC_SERVICE_UUID = "00001814-0000-1000-8000-00805f9b34fb"
RSC_MEASUREMENT_UUID = "00002a53-0000-1000-8000-00805f9b34fb"
BATTERY_SERVICE_UUID = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL_UUID = "00002a19-0000-1000-8000-00805f9b34fb"


def imu(seq, first_sample_index, timestamp_us, sample_rate_mhz, acc_ug_per_lsb,
        gyr_udps_per_lsb, samples, flags=0):
    """samples: list of (ax, ay, az, gx, gy, gz) i16 counts."""
    out = struct.pack("<BBHIIIHIBB", VERSION, KIND_IMU, seq & 0xFFFF,
                      first_sample_index & 0xFFFFFFFF, timestamp_us & 0xFFFFFFFF,
                      sample_rate_mhz, acc_ug_per_lsb, gyr_udps_per_lsb, len(samples), flags)
    for s in samples:
        out += struct.pack("<6h", *s)
    return out


def step(seq, events):
    """events: list of (timestamp_us, kind, side, confidence, latency_ms)."""
    out = struct.pack("<BBHBB", VERSION, KIND_STEP, seq & 0xFFFF, len(events), 0)
    for e in events:
        out += struct.pack("<IBBBB", *e)
    return out


def status(battery_percent, placement, sample_rate_mhz, acc_ug_per_lsb, gyr_udps_per_lsb,
           fw_major, fw_minor, fw_patch, flags):
    battery = 255 if battery_percent is None else battery_percent
    return struct.pack("<BBBBIHIBBHBB", VERSION, KIND_STATUS, battery, placement,
                       sample_rate_mhz, acc_ug_per_lsb, gyr_udps_per_lsb,
                       fw_major, fw_minor, fw_patch, flags, 0)


def command(opcode, token, params=b""):
    return struct.pack("<BBBB", VERSION, KIND_COMMAND, opcode, token) + params


def response(opcode, token, result, sensor_time_us, host_time_us):
    return struct.pack("<BBBBBBIQ", VERSION, KIND_RESPONSE, opcode, token, result, 0,
                       sensor_time_us & 0xFFFFFFFF, host_time_us)


def rsc(speed_256ths_mps, cadence_per_min, stride_length_cm=None, total_distance_dm=None,
        running=False, reserved_flags=0):
    flags = reserved_flags
    tail = b""
    if stride_length_cm is not None:
        flags |= 0x01
        tail += struct.pack("<H", stride_length_cm)
    if total_distance_dm is not None:
        flags |= 0x02
        tail += struct.pack("<I", total_distance_dm)
    if running:
        flags |= 0x04
    return struct.pack("<BHB", flags, speed_256ths_mps, cadence_per_min) + tail
