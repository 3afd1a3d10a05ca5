"""Bought sensors for the fake BlueZ (fake_bluez.py): a Movesense running the GATT SensorData app,
and a Polar Verity Sense with its PMD service. Written from the protocol descriptions in
docs/sensors/movesense.md and docs/sensors/polar-pmd.md, independently of crates/protocol.

Both stream a recorded walk in real time once started, sampling whether or not the link is up
(like the Entrain sensor in fake_bluez.py): sample i is taken i / rate s of the sensor's clock
after the walk started, (1 + drift) longer in real time.

Movesense ("kind": "movesense"): no advertised service (found by its name); service
34802252-... with a command characteristic (write) and a data characteristic (notify). SUBSCRIBE
"/Meas/IMU6/<rate>" under a reference starts the stream if the rate is the sensor's
("rate_hz"), else nothing happens (the app answers no subscription). Every
"samples_per_notification" samples go out as one piece of data (u32 ms timestamp of the first
sample, the acc array in m/s^2, the gyro array in deg/s, little-endian f32), cut as the app cuts
it: the first 150 bytes in a DATA (type 2), the rest in a DATA_PART2 (type 3). The samples come
from "samples_csv" (ax,ay,az m/s^2, gx,gy,gz deg/s per line).

Polar ("kind": "polar"): advertises Polar's company id in its manufacturer data; PMD service
(control point: read = features, write, indicate; data: notify) and a Battery Service. Get
settings (op 1) lists "normal_rates_hz" (or the SDK-mode list once SDK mode is on); get SDK-mode
settings (op 4) lists "sdk_rates_hz" (answered with op code 1, as the documents' figure shows);
start SDK mode (02 09); start ACC (type 2) or gyro (type 5) with a settings list (a rate not in
the current list is refused with status 8) answered with the conversion factor
("acc_factor" g per count, "gyro_factor" deg/s per count); stop (op 3). Started streams send
delta-compressed frames (16-bit reference sample, then blocks of at most "block_samples" deltas,
each at the narrowest signed width that holds them, packed least significant bit first),
timestamped with their last sample's time in ns since 2000-01-01 on the device clock
("clock_offset_ns" plus the sensor's time since the fake started); a frame is sent when the next
sample would no longer fit in "frame_bytes" bytes (the MTU less 3), so the batching is the
device's. Samples come from "counts_csv" (acc counts, gyro counts per line). A disconnect stops
SDK mode and both streams, as on the device.

Events on stdout besides fake_bluez.py's: SENT addr first count (Movesense: once the data's last
part is delivered), SENT_PMD addr acc|gyro first count (per frame delivered).
"""
import struct

MS_SERVICE = "34802252-7185-4d5d-b431-630e7050e8f0"
MS_COMMAND = "34800001-7185-4d5d-b431-630e7050e8f0"
MS_DATA = "34800002-7185-4d5d-b431-630e7050e8f0"
PMD_SERVICE = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
PMD_CONTROL = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
PMD_DATA = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"
BATTERY_SERVICE = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL = "00002a19-0000-1000-8000-00805f9b34fb"
POLAR_COMPANY_ID = 0x006B
ACC, GYRO, SDK_MODE = 2, 5, 9


def load_rows(path, cast):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0].isalpha():
                continue
            rows.append(tuple(cast(x) for x in line.split(",")))
    return rows


class Movesense:
    def __init__(self, device, spec, emit):
        self.device = device
        self.spec = spec
        self.emit = emit
        self.rate = spec.get("rate_hz", 208)
        self.per_notification = spec.get("samples_per_notification", 8)
        self.samples = load_rows(spec["samples_csv"], float)
        self.reference = None
        self.next_index = 0
        self.finished = False

    def services(self):
        return [(MS_SERVICE, [(MS_COMMAND, ["write"]), (MS_DATA, ["notify"])])]

    def advertised_uuids(self):
        return []

    def manufacturer_data(self):
        return {}

    def streaming(self):
        return self.reference is not None

    def link_down(self):
        self.reference = None

    def read(self, uuid):
        return None

    def write(self, uuid, value):
        if uuid != MS_COMMAND or len(value) < 2 or value[1] == 0:
            return False
        cmd, ref = value[0], value[1]
        if cmd == 0:
            self.device.notify(MS_DATA, bytes([1, ref]) + b"Hello")
        elif cmd == 1 and value[2:].decode("ascii", "replace") == f"/Meas/IMU6/{self.rate}":
            self.reference = ref
            self.device.fake.started(self.device)
        elif cmd == 2 and ref == self.reference:
            self.reference = None
        return True

    def tick(self, walk, drift):
        n = self.per_notification
        while self.next_index < len(self.samples):
            last = min(self.next_index + n, len(self.samples)) - 1
            if walk < last / self.rate * (1.0 + drift):
                break
            chunk = self.samples[self.next_index:last + 1]
            first_real = self.device.fake.walk_start - self.device.fake.t0 + \
                self.next_index / self.rate * (1.0 + drift)
            ts_ms = (self.device.sensor_time_us(first_real) // 1000) & 0xFFFFFFFF
            if self.streaming() and self.device.connected and not self.device.muted():
                payload = struct.pack("<I", ts_ms)
                payload += b"".join(struct.pack("<3f", *s[0:3]) for s in chunk)
                payload += b"".join(struct.pack("<3f", *s[3:6]) for s in chunk)
                parts = [bytes([2, self.reference]) + payload[:150]]
                if len(payload) > 150:
                    parts.append(bytes([3, self.reference]) + payload[150:])
                for i, part in enumerate(parts):
                    done = None
                    if i == len(parts) - 1:
                        done = (lambda f=self.next_index, k=len(chunk):
                                self.emit("SENT", self.device.address, f, k))
                    self.device.notify(MS_DATA, part, done)
            self.next_index = last + 1
        if self.next_index >= len(self.samples) and not self.finished:
            self.finished = True
            self.emit("FINISHED", self.device.address)


def signed_width(d):
    w = 1
    while not -(1 << (w - 1)) <= d < (1 << (w - 1)):
        w += 1
    return w


def delta_frame(measurement, last_time_ns, samples, block_samples):
    """A delta-compressed PMD frame of 3-channel samples (16-bit reference)."""
    out = bytearray([measurement]) + struct.pack("<Q", last_time_ns) + bytes([0x80])
    out += struct.pack("<3h", *samples[0])
    deltas = [[b[c] - a[c] for c in range(3)] for a, b in zip(samples, samples[1:])]
    for k in range(0, len(deltas), block_samples):
        block = deltas[k:k + block_samples]
        width = max(signed_width(d) for s in block for d in s)
        out += bytes([width, len(block)])
        acc, nbits = 0, 0
        for s in block:
            for d in s:
                acc |= (d & ((1 << width) - 1)) << nbits
                nbits += width
        out += acc.to_bytes((nbits + 7) // 8, "little")
    return bytes(out)


def frame_len(n_samples, widths, block_samples):
    """Bytes of a delta frame of `n_samples` whose deltas need `widths` (one per delta)."""
    size = 10 + 6
    for k in range(0, len(widths), block_samples):
        block = widths[k:k + block_samples]
        size += 2 + (max(block) * 3 * len(block) + 7) // 8
    return size


class PmdStream:
    """One started measurement's pending frame."""

    def __init__(self, name, measurement, columns, factor, rate):
        self.name = name
        self.measurement = measurement
        self.columns = columns
        self.factor = factor
        self.rate = rate
        self.pending = []  # (index, sensor ns, values)
        self.widths = []


class Polar:
    def __init__(self, device, spec, emit):
        self.device = device
        self.spec = spec
        self.emit = emit
        self.counts = load_rows(spec["counts_csv"], int)
        self.normal_rates = spec.get("normal_rates_hz", [52])
        self.sdk_rates = spec.get("sdk_rates_hz", [26, 52, 104, 208, 416])
        self.frame_bytes = spec.get("frame_bytes", 229)
        self.block_samples = spec.get("block_samples", 32)
        # The rate the walk was recorded at: the test starts the streams at it.
        self.walk_rate = spec.get("rate_hz", 208)
        self.sdk = False
        self.streams = {}
        self.next_index = 0
        self.finished = False

    def services(self):
        return [(PMD_SERVICE, [(PMD_CONTROL, ["read", "write", "indicate"]),
                               (PMD_DATA, ["notify"])]),
                (BATTERY_SERVICE, [(BATTERY_LEVEL, ["read", "notify"])])]

    def advertised_uuids(self):
        return []

    def manufacturer_data(self):
        return {POLAR_COMPANY_ID: bytes([0x3f, 0x00, 0x00])}

    def streaming(self):
        return ACC in self.streams and GYRO in self.streams

    def link_down(self):
        self.sdk = False
        self.streams = {}

    def read(self, uuid):
        if uuid == PMD_CONTROL:
            mask = (1 << ACC) | (1 << GYRO) | (1 << SDK_MODE)
            return bytes([0x0F]) + mask.to_bytes(2, "little")
        if uuid == BATTERY_LEVEL:
            return bytes([self.spec.get("battery", 90)])
        return None

    def rates(self):
        return self.sdk_rates if self.sdk else self.normal_rates

    def settings_list(self, measurement, sdk):
        rates = self.sdk_rates if sdk else self.normal_rates
        if measurement == ACC:
            ranges = [2, 4, 8, 16] if sdk else [8]
        else:
            ranges = [250, 500, 1000, 2000] if sdk else [2000]
        out = bytes([0, len(rates)]) + b"".join(struct.pack("<H", r) for r in rates)
        out += bytes([1, 1]) + struct.pack("<H", 16)
        out += bytes([2, len(ranges)]) + b"".join(struct.pack("<H", r) for r in ranges)
        return out + bytes([4, 1, 3])

    def answer(self, op, measurement, status, params=b""):
        self.device.notify(PMD_CONTROL, bytes([0xF0, op, measurement, status, 0]) + params)

    def write(self, uuid, value):
        if uuid != PMD_CONTROL or len(value) < 2:
            return False
        op, measurement = value[0], value[1] & 0x3F
        if op in (1, 4):
            if measurement not in (ACC, GYRO):
                self.answer(op, measurement, 3)
            elif op == 4 and not self.sdk:
                self.answer(op, measurement, 12)
            else:
                self.answer(1, measurement, 0, self.settings_list(measurement, op == 4 or self.sdk))
        elif op == 2 and measurement == SDK_MODE:
            status = 6 if self.sdk else 0
            self.sdk = True
            self.answer(op, measurement, status)
        elif op == 2 and measurement in (ACC, GYRO):
            settings, at = {}, 2
            while at + 2 <= len(value):
                kind, n = value[at], value[at + 1]
                size = 1 if kind == 4 else 2
                settings[kind] = int.from_bytes(value[at + 2:at + 2 + size], "little")
                at += 2 + n * size
            rate = settings.get(0)
            if rate not in self.rates():
                self.answer(op, measurement, 8)
                return True
            if settings.get(1, 16) != 16:
                self.answer(op, measurement, 7)
                return True
            factor = self.spec["acc_factor" if measurement == ACC else "gyro_factor"]
            columns = (0, 1, 2) if measurement == ACC else (3, 4, 5)
            name = "acc" if measurement == ACC else "gyro"
            self.streams[measurement] = PmdStream(name, measurement, columns, factor, rate)
            self.answer(op, measurement, 0, bytes([5, 1]) + struct.pack("<f", factor))
            if self.streaming():
                self.device.fake.started(self.device)
        elif op == 3:
            if measurement == SDK_MODE:
                self.sdk = False
            self.streams.pop(measurement, None)
            self.answer(op, measurement, 0)
        else:
            self.answer(op, measurement, 1)
        return True

    def sensor_ns(self, real_secs):
        drift = self.spec.get("drift_ppm", 0.0) * 1e-6
        return int(self.spec.get("clock_offset_ns", 0) + real_secs * 1e9 / (1.0 + drift))

    def send(self, stream):
        frame = delta_frame(stream.measurement, stream.pending[-1][1],
                            [p[2] for p in stream.pending], self.block_samples)
        first, count = stream.pending[0][0], len(stream.pending)
        if self.device.connected and not self.device.muted():
            self.device.notify(PMD_DATA, frame,
                               lambda: self.emit("SENT_PMD", self.device.address, stream.name,
                                                 first, count))
        stream.pending, stream.widths = [], []

    def tick(self, walk, drift):
        fake = self.device.fake
        while self.next_index < len(self.counts):
            i = self.next_index
            rate = self.walk_rate
            if walk < i / rate * (1.0 + drift):
                break
            t_ns = self.sensor_ns(fake.walk_start - fake.t0 + i / rate * (1.0 + drift))
            for stream in list(self.streams.values()):
                values = [self.counts[i][c] for c in stream.columns]
                if stream.pending:
                    prev = stream.pending[-1][2]
                    width = max(signed_width(v - p) for v, p in zip(values, prev))
                    if frame_len(len(stream.pending) + 1, stream.widths + [width],
                                 self.block_samples) > self.frame_bytes:
                        self.send(stream)
                    else:
                        stream.widths.append(width)
                stream.pending.append((i, t_ns, values))
            self.next_index += 1
        if self.next_index >= len(self.counts) and not self.finished:
            for stream in self.streams.values():
                if stream.pending:
                    self.send(stream)
            self.finished = True
            self.emit("FINISHED", self.device.address)
