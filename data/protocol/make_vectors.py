#!/usr/bin/env python3
"""Writes vectors.json: Entrain protocol test vectors (encoded by entrain_protocol.py, an encoder
independent of the Rust one) that host and firmware tests both decode and re-encode.

Run from anywhere: python3 data/protocol/make_vectors.py
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import entrain_protocol as p  # noqa: E402

valid = []
invalid = []


def add(name, kind, data, fields):
    valid.append({"name": name, "kind": kind, "hex": data.hex(), "fields": fields})


def bad(name, kind, data, error, field=None):
    v = {"name": name, "kind": kind, "hex": data.hex(), "error": error}
    if field is not None:
        v["field"] = field
    invalid.append(v)


def imu_fields(seq, first, ts, rate, acc, gyr, samples, flags=0):
    return {"seq": seq, "first_sample_index": first, "timestamp_us": ts,
            "sample_rate_mhz": rate, "acc_ug_per_lsb": acc, "gyr_udps_per_lsb": gyr,
            "flags": flags, "samples": [list(s) for s in samples]}


# IMU
one = [(100, -200, 4096, -1, 0, 32767)]
add("imu_one_sample", "imu", p.imu(7, 1000, 123456, 100000, 244, 70000, one),
    imu_fields(7, 1000, 123456, 100000, 244, 70000, one))
full = [(i * 3 - 27, -i * 5, 4100 + i, i * 11, -i * 13 - 1, (i * 997) % 32768 - 16384)
        for i in range(18)]
add("imu_full_packet_wrapping_counters", "imu",
    p.imu(65535, 0xFFFFFFF8, 0xFFFFF000, 204800, 488, 70000, full, flags=1),
    imu_fields(65535, 0xFFFFFFF8, 0xFFFFF000, 204800, 488, 70000, full, flags=1))
extremes = [(-32768, 32767, 0, -32768, 32767, 0), (0, 0, 0, 0, 0, 0)]
add("imu_extreme_counts", "imu", p.imu(0, 0, 0, 52000, 61, 4375, extremes),
    imu_fields(0, 0, 0, 52000, 61, 4375, extremes))

# Step events
ev = [(500000, 0, 1, 90, 12), (820000, 1, 2, 100, 255)]
add("step_two_events", "step", p.step(3, ev),
    {"seq": 3, "events": [{"timestamp_us": e[0], "kind": ["initial_contact", "toe_off"][e[1]],
                           "side": ["unknown", "left", "right"][e[2]], "confidence": e[3],
                           "latency_ms": e[4]} for e in ev]})

# Status
add("status_left_foot", "status", p.status(87, 1, 204800, 244, 70000, 1, 2, 300, 0x05),
    {"battery_percent": 87, "placement": "left_foot", "sample_rate_mhz": 204800,
     "acc_ug_per_lsb": 244, "gyr_udps_per_lsb": 70000,
     "firmware": [1, 2, 300], "flags": 5})
add("status_battery_unknown", "status", p.status(None, 3, 100000, 122, 35000, 0, 0, 1, 0),
    {"battery_percent": None, "placement": "lower_back", "sample_rate_mhz": 100000,
     "acc_ug_per_lsb": 122, "gyr_udps_per_lsb": 35000, "firmware": [0, 0, 1], "flags": 0})

# Control point
add("command_start", "command", p.command(0x01, 9), {"token": 9, "op": "start"})
add("command_stop", "command", p.command(0x02, 10), {"token": 10, "op": "stop"})
add("command_set_rate", "command", p.command(0x03, 11, struct.pack("<I", 204800)),
    {"token": 11, "op": "set_rate", "value": 204800})
add("command_time_sync", "command",
    p.command(0x04, 12, struct.pack("<Q", 1234567890123)),
    {"token": 12, "op": "time_sync", "value": 1234567890123})
add("command_set_placement", "command", p.command(0x05, 13, bytes([2])),
    {"token": 13, "op": "set_placement", "value": 2})
add("command_step_detection_on", "command", p.command(0x06, 14, bytes([1])),
    {"token": 14, "op": "set_step_detection", "value": 1})
add("response_time_sync_ok", "response", p.response(0x04, 12, 0, 0xFEDCBA98, 1234567890123),
    {"opcode": 4, "token": 12, "result": "ok", "sensor_time_us": 0xFEDCBA98,
     "host_time_us": 1234567890123})
add("response_unsupported_opcode", "response", p.response(0x7F, 1, 1, 42, 0),
    {"opcode": 0x7F, "token": 1, "result": "unsupported_opcode", "sensor_time_us": 42,
     "host_time_us": 0})

# RSC Measurement 0x2A53
def rsc_fields(speed, cadence, stride=None, dist=None, running=False, flags=None):
    return {"flags": flags, "speed_256ths_mps": speed, "cadence_per_min": cadence,
            "stride_length_cm": stride, "total_distance_dm": dist, "running": running}


add("rsc_minimal_walking", "rsc", p.rsc(333, 104), rsc_fields(333, 104, flags=0))
add("rsc_stride_only_running", "rsc", p.rsc(1024, 172, stride_length_cm=142, running=True),
    rsc_fields(1024, 172, 142, None, True, flags=5))
add("rsc_distance_only", "rsc", p.rsc(256, 96, total_distance_dm=123456),
    rsc_fields(256, 96, None, 123456, flags=2))
add("rsc_all_fields", "rsc", p.rsc(65535, 255, 65535, 0xFFFFFFFF, running=True),
    rsc_fields(65535, 255, 65535, 0xFFFFFFFF, True, flags=7))
add("rsc_reserved_flag_bits_ignored", "rsc", p.rsc(300, 110, reserved_flags=0xF8),
    rsc_fields(300, 110, flags=0xF8))

# Invalid packets: every decoder must reject them with the named error, never panic.
bad("empty", "any", b"", "TooShort")
bad("version_2", "any", bytes([2, 1]) + bytes(22), "UnsupportedVersion")
bad("unknown_kind", "any", bytes([1, 0x7E]), "UnknownKind")
bad("imu_truncated_header", "imu", p.imu(1, 0, 0, 100000, 244, 70000, one)[:20], "TooShort")
bad("imu_truncated_samples", "imu", p.imu(1, 0, 0, 100000, 244, 70000, full)[:-1],
    "LengthMismatch")
bad("imu_trailing_byte", "imu", p.imu(1, 0, 0, 100000, 244, 70000, one) + b"\x00",
    "LengthMismatch")
zero = bytearray(p.imu(1, 0, 0, 100000, 244, 70000, one)); zero[22] = 0
bad("imu_zero_count", "imu", bytes(zero), "InvalidField", "count")
many = bytearray(p.imu(1, 0, 0, 100000, 244, 70000, full)); many[22] = 19
bad("imu_count_too_large", "imu", bytes(many), "InvalidField", "count")
bad("imu_zero_rate", "imu", p.imu(1, 0, 0, 0, 244, 70000, one), "InvalidField",
    "sample_rate_mhz")
bad("imu_unknown_flag", "imu", p.imu(1, 0, 0, 100000, 244, 70000, one, flags=0x80),
    "InvalidField", "flags")
bad("imu_as_status", "status", p.imu(1, 0, 0, 100000, 244, 70000, one), "WrongKind")
bad("step_bad_kind", "step", p.step(1, [(0, 7, 0, 50, 0)]), "InvalidField", "event kind")
bad("step_confidence_over_100", "step", p.step(1, [(0, 0, 0, 101, 0)]), "InvalidField",
    "event confidence")
bad("status_battery_101", "status", p.status(101, 1, 100000, 244, 70000, 1, 0, 0, 0),
    "InvalidField", "battery_percent")
bad("status_bad_placement", "status", p.status(50, 9, 100000, 244, 70000, 1, 0, 0, 0),
    "InvalidField", "placement")
bad("status_short", "status", p.status(50, 1, 100000, 244, 70000, 1, 0, 0, 0)[:19], "TooShort")
bad("command_unknown_opcode", "command", p.command(0x42, 1), "InvalidField", "opcode")
bad("command_set_rate_zero", "command", p.command(0x03, 1, struct.pack("<I", 0)),
    "InvalidField", "sample_rate_mhz")
bad("command_time_sync_short", "command", p.command(0x04, 1, b"\x01\x02"), "TooShort")
bad("response_bad_result", "response", p.response(1, 1, 9, 0, 0), "InvalidField", "result")
bad("rsc_too_short", "rsc", bytes([0, 1, 2]), "TooShort")
bad("rsc_stride_flag_without_field", "rsc", bytes([1, 0, 1, 100]), "LengthMismatch")
bad("rsc_distance_truncated", "rsc", bytes([2, 0, 1, 100, 1, 2, 3]), "LengthMismatch")
bad("rsc_trailing_byte", "rsc", p.rsc(333, 104) + b"\x00", "LengthMismatch")

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "vectors.json"), "w") as f:
    json.dump({"protocol_version": p.VERSION,
               "generated_by": "data/protocol/make_vectors.py (independent Python encoder)",
               "valid": valid, "invalid": invalid}, f, indent=1)
    f.write("\n")
print(f"{len(valid)} valid, {len(invalid)} invalid vectors")
