#!/usr/bin/python3
"""A fake BlueZ (org.bluez) on a private D-Bus bus, for Entrain's end-to-end BLE tests.

It serves what btleplug's BlueZ backend (bluez-async) uses: ObjectManager.GetManagedObjects on
"/", InterfacesAdded, org.freedesktop.DBus.Properties (Get/GetAll/Set + PropertiesChanged),
Introspect with child nodes, Adapter1 (SetDiscoveryFilter, StartDiscovery, StopDiscovery),
Device1 (Connect, Disconnect; Connected/ServicesResolved), GattService1, GattCharacteristic1
(ReadValue, WriteValue, StartNotify, StopNotify; notifications as PropertiesChanged "Value").

Sensors:
  * "entrain": the Entrain service (crates/protocol). Streams a pre-quantised recording (counts per
    sample, one CSV per sensor, written by the test harness) in real time once every Entrain
    sensor has been sent Start on its control point, packetised by data/protocol/entrain_protocol.py.
    Its clock has an offset and a drift; samples are taken whether or not the link is up.
  * "rsc": a Running Speed and Cadence pod (0x1814 / 0x2A53) notifying a list of measurements.
  * "movesense", "polar": a Movesense (GATT SensorData app) and a Polar Verity Sense (PMD), in
    bought_sensors.py, which describes their layout, dialogue and batching.

Like BlueZ: only one Connect at a time; a disconnect drops notification sessions (the client must
StartNotify again) and stops the sensor's stream (the client must send Start again).

Entrain sensors answer every control command with a response notification carrying their clock
(the time-sync command's host time echoed), unless "answers_time_sync" is false: then a time sync
is never answered, as by a sensor without it.

Link latency, per device: "latency_ms" (a floor) plus "latency_jitter_ms" (uniform extra) delays
every notification (sensor -> host), and also every control-point write (host -> sensor: the sensor
handles the command, reading its clock, only then, and the write's reply comes back with the
response notification), as a real link delays both ways by waiting for connection events. The link
keeps notifications in order; those still in flight when the link goes down are lost. With no
latency configured, everything happens at once, as before.

Control on stdin, one command per line:
  drop ADDRESS SECONDS   the sensor walks out of range: link lost, Connect fails for SECONDS
  mute ADDRESS SECONDS   the link stays up but no packet gets through for SECONDS
  inject ADDRESS UUID HEX   notifies raw bytes on a characteristic (a malformed packet)
  quit
Events on stdout, one per line, for the test to check: READY, CONNECT addr, DISCONNECT addr,
START_NOTIFY addr uuid, COMMAND addr hex, INJECTED addr uuid hex, SENT addr first_index count, SENT_RSC addr i,
FINISHED addr, WALK_START and WALK_START_UNIX_NS ns (when sample 0 was taken, on CLOCK_REALTIME,
for a test that compares with a session clock in another process). SENT lines come when a packet
is delivered, after its latency.

Usage: fake_bluez.py CONFIG.json   (DBUS_SYSTEM_BUS_ADDRESS names the bus)
"""
import json
import os
import random
import sys
import time

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "data", "protocol"))
import entrain_protocol as proto  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bought_sensors  # noqa: E402

BLUEZ = "org.bluez"
PROPS = "org.freedesktop.DBus.Properties"
OM = "org.freedesktop.DBus.ObjectManager"
ADAPTER = "org.bluez.Adapter1"
DEVICE = "org.bluez.Device1"
SERVICE = "org.bluez.GattService1"
CHAR = "org.bluez.GattCharacteristic1"


def emit(*words):
    print(" ".join(str(w) for w in words), flush=True)


class Failed(dbus.DBusException):
    _dbus_error_name = "org.bluez.Error.Failed"


class InProgress(dbus.DBusException):
    _dbus_error_name = "org.bluez.Error.InProgress"


class NotConnected(dbus.DBusException):
    _dbus_error_name = "org.bluez.Error.NotConnected"


class PropObject(dbus.service.Object):
    """An object with properties on one interface."""

    def __init__(self, bus, path, iface, props):
        super().__init__(bus, path)
        self.path = path
        self.iface = iface
        self.props = props

    def interfaces(self):
        return {self.iface: self.props}

    @dbus.service.method(PROPS, in_signature="ss", out_signature="v")
    def Get(self, iface, name):
        if iface != self.iface or name not in self.props:
            raise dbus.exceptions.DBusException(
                f"no property {iface}.{name} on {self.path}",
                name="org.freedesktop.DBus.Error.InvalidArgs")
        return self.props[name]

    @dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}")
    def GetAll(self, iface):
        return self.props if iface == self.iface else {}

    @dbus.service.method(PROPS, in_signature="ssv")
    def Set(self, iface, name, value):
        self.set(name, value)

    @dbus.service.signal(PROPS, signature="sa{sv}as")
    def PropertiesChanged(self, iface, changed, invalidated):
        pass

    def set(self, name, value):
        self.props[name] = value
        self.PropertiesChanged(self.iface, {name: value}, [])


class Root(dbus.service.Object):
    def __init__(self, bus, fake):
        super().__init__(bus, "/")
        self.fake = fake

    @dbus.service.method(OM, out_signature="a{oa{sa{sv}}}")
    def GetManagedObjects(self):
        return {o.path: o.interfaces() for o in self.fake.objects}

    @dbus.service.signal(OM, signature="oa{sa{sv}}")
    def InterfacesAdded(self, path, interfaces):
        pass


class Adapter(PropObject):
    def __init__(self, bus, path, fake):
        super().__init__(bus, path, ADAPTER, {
            "Address": dbus.String("00:1A:7D:DA:71:13"),
            "AddressType": dbus.String("public"),
            "Name": dbus.String("entrain-test"),
            "Alias": dbus.String("entrain-test"),
            "Modalias": dbus.String("usb:v1D6Bp0246d0540"),
            "Powered": dbus.Boolean(True),
            "Discovering": dbus.Boolean(False),
            "Discoverable": dbus.Boolean(False),
            "Pairable": dbus.Boolean(True),
            "UUIDs": dbus.Array([], signature="s"),
        })
        self.fake = fake

    @dbus.service.method(ADAPTER, in_signature="a{sv}")
    def SetDiscoveryFilter(self, _filter):
        pass

    @dbus.service.method(ADAPTER)
    def StartDiscovery(self):
        self.set("Discovering", dbus.Boolean(True))
        self.fake.discover()

    @dbus.service.method(ADAPTER)
    def StopDiscovery(self):
        self.set("Discovering", dbus.Boolean(False))


class Characteristic(PropObject):
    def __init__(self, bus, path, service_path, uuid, flags, device, value=b""):
        super().__init__(bus, path, CHAR, {
            "UUID": dbus.String(uuid),
            "Service": dbus.ObjectPath(service_path),
            "Flags": dbus.Array(flags, signature="s"),
            "Notifying": dbus.Boolean(False),
            "Value": dbus.Array(value, signature="y"),
        })
        self.uuid = uuid
        self.device = device

    @dbus.service.method(CHAR, in_signature="a{sv}", out_signature="ay")
    def ReadValue(self, _options):
        if not self.device.connected:
            raise NotConnected("not connected")
        return dbus.Array(self.device.read(self.uuid), signature="y")

    @dbus.service.method(CHAR, in_signature="aya{sv}", async_callbacks=("reply", "error"))
    def WriteValue(self, value, _options, reply, error):
        if not self.device.connected:
            raise NotConnected("not connected")
        value = bytes(value)
        device = self.device

        def handle():
            # The command reaches the sensor only now (uplink latency).
            if not device.connected:
                error(NotConnected("not connected"))
                return
            try:
                device.write(self.uuid, value)
            except dbus.DBusException as e:
                error(e)
                return
            # The write's acknowledgement comes back over the link like a notification.
            device.downlink(reply)

        device.uplink(handle)

    @dbus.service.method(CHAR)
    def StartNotify(self):
        if not self.device.connected:
            raise NotConnected("not connected")
        self.props["Notifying"] = dbus.Boolean(True)
        emit("START_NOTIFY", self.device.address, self.uuid)

    @dbus.service.method(CHAR)
    def StopNotify(self):
        self.props["Notifying"] = dbus.Boolean(False)

    def notify(self, value):
        if self.props["Notifying"]:
            self.set("Value", dbus.Array(value, signature="y"))
            return True
        return False


class Device(PropObject):
    def __init__(self, bus, fake, adapter_path, spec):
        self.address = spec["address"]
        path = adapter_path + "/dev_" + self.address.replace(":", "_")
        self.kind = spec["kind"]
        models = {"movesense": bought_sensors.Movesense, "polar": bought_sensors.Polar}
        self.model = models[self.kind](self, spec, emit) if self.kind in models else None
        uuids = {"entrain": [proto.SERVICE_UUID],
                 "rsc": [proto.RSC_SERVICE_UUID]}.get(self.kind, spec.get("uuids", []))
        if self.model:
            uuids = self.model.advertised_uuids()
        manufacturer = self.model.manufacturer_data() if self.model else {}
        super().__init__(bus, path, DEVICE, {
            "Address": dbus.String(self.address),
            "AddressType": dbus.String("random"),
            "Name": dbus.String(spec["name"]),
            "Alias": dbus.String(spec["name"]),
            "Adapter": dbus.ObjectPath(adapter_path),
            "Paired": dbus.Boolean(False),
            "Bonded": dbus.Boolean(False),
            "Trusted": dbus.Boolean(False),
            "Blocked": dbus.Boolean(False),
            "LegacyPairing": dbus.Boolean(False),
            "Connected": dbus.Boolean(False),
            "ServicesResolved": dbus.Boolean(False),
            "RSSI": dbus.Int16(spec.get("rssi", -60)),
            "UUIDs": dbus.Array(uuids, signature="s"),
            "ServiceData": dbus.Dictionary(
                {proto.BATTERY_SERVICE_UUID: dbus.Array([spec.get("battery", 90)], signature="y")}
                if self.kind == "entrain" else {}, signature="sv"),
            "ManufacturerData": dbus.Dictionary(
                {dbus.UInt16(k): dbus.Array(v, signature="y") for k, v in manufacturer.items()},
                signature="qv"),
        })
        self.fake = fake
        self.spec = spec
        self.connected = False
        self.out_of_range_until = 0.0
        self.streaming = False
        self.chars = {}
        self.gatt = []
        self.muted_until = 0.0
        if self.kind == "other":
            services = []
        elif self.model:
            services = self.model.services()
        elif self.kind == "entrain":
            services = [(proto.SERVICE_UUID, [
                (proto.IMU_UUID, ["notify"]),
                (proto.STATUS_UUID, ["read", "notify"]),
                (proto.CONTROL_UUID, ["write", "notify"]),
                (proto.STEP_UUID, ["notify"]),
            ])]
        else:
            services = [(proto.RSC_SERVICE_UUID, [(proto.RSC_MEASUREMENT_UUID, ["notify"])])]
        for k, (svc_uuid, chars) in enumerate(services):
            svc_path = path + f"/service{0x10 + 0x20 * k:04x}"
            self.gatt.append(PropObject(bus, svc_path, SERVICE, {
                "UUID": dbus.String(svc_uuid),
                "Primary": dbus.Boolean(True),
                "Device": dbus.ObjectPath(path),
                "Includes": dbus.Array([], signature="o"),
            }))
            for i, (uuid, flags) in enumerate(chars):
                c = Characteristic(bus, f"{svc_path}/char{0x11 + 0x20 * k + 3 * i:04x}",
                                   svc_path, uuid, flags, self)
                self.chars[uuid] = c
                self.gatt.append(c)
        # Streaming state.
        if self.kind == "entrain":
            self.samples = load_counts(spec["counts_csv"])
        elif self.kind == "rsc":
            self.rsc_values = spec["rsc"]
        self.next_index = 0
        self.seq = 0
        self.finished = False
        # Link latency: messages in flight towards the host, in order, as (due, action).
        self.in_flight = []
        self.last_due = 0.0

    @dbus.service.method(DEVICE)
    def Connect(self):
        if self.fake.connecting:
            raise InProgress("another connection is in progress")
        if time.monotonic() < self.out_of_range_until:
            raise Failed("le-connection-abort-by-local")
        self.fake.connecting = True
        try:
            self.connected = True
            self.set("Connected", dbus.Boolean(True))
            self.set("ServicesResolved", dbus.Boolean(True))
            emit("CONNECT", self.address)
        finally:
            self.fake.connecting = False

    @dbus.service.method(DEVICE)
    def Disconnect(self):
        self.link_down()

    def delay_secs(self):
        floor = self.spec.get("latency_ms", 0.0)
        jitter = self.spec.get("latency_jitter_ms", 0.0)
        return (floor + random.uniform(0.0, jitter)) / 1000.0 if floor or jitter else 0.0

    def uplink(self, action):
        """Runs `action` (a command reaching the sensor) after the link's latency."""
        delay = self.delay_secs()
        if delay <= 0.0:
            action()
            return

        def run():
            action()
            return False
        GLib.timeout_add(max(0, round(delay * 1000)), run)

    def downlink(self, action):
        """Runs `action` (a message reaching the host) after the link's latency, in order."""
        delay = self.delay_secs()
        if delay <= 0.0 and not self.in_flight:
            action()
            return
        due = max(self.last_due, time.monotonic() + delay)
        self.last_due = due
        self.in_flight.append((due, action))
        GLib.timeout_add(max(0, round((due - time.monotonic()) * 1000)), self.deliver)

    def deliver(self):
        now = time.monotonic()
        # Timers fire to the millisecond; half of one early counts as due.
        while self.in_flight and self.in_flight[0][0] <= now + 0.0005:
            _, action = self.in_flight.pop(0)
            action()
        return False

    def notify(self, uuid, value, on_sent=None):
        """Notifies `value` on characteristic `uuid` over the link; `on_sent` once delivered."""
        def send():
            if self.connected and self.chars[uuid].notify(value) and on_sent:
                on_sent()
        self.downlink(send)

    def muted(self):
        return time.monotonic() < self.muted_until

    def is_streaming(self):
        return self.model.streaming() if self.model else self.streaming

    def link_down(self):
        if not self.connected:
            return
        self.connected = False
        self.streaming = False
        if self.model:
            self.model.link_down()
        # What was still on its way is lost with the link.
        self.in_flight.clear()
        self.last_due = 0.0
        for c in self.chars.values():
            c.props["Notifying"] = dbus.Boolean(False)
        self.set("ServicesResolved", dbus.Boolean(False))
        self.set("Connected", dbus.Boolean(False))
        emit("DISCONNECT", self.address)

    def read(self, uuid):
        if self.model:
            value = self.model.read(uuid)
            if value is None:
                raise Failed("not readable")
            return value
        if uuid == proto.STATUS_UUID:
            s = self.spec
            return proto.status(s.get("battery", 90), s.get("placement", 0), s["sample_rate_mhz"],
                                s["acc_ug_per_lsb"], s["gyr_udps_per_lsb"], 1, 0, 0, 0x01)
        raise Failed("not readable")

    def write(self, uuid, value):
        if self.model:
            emit("COMMAND", self.address, value.hex())
            if not self.model.write(uuid, value):
                raise Failed("not writable")
            return
        if uuid != proto.CONTROL_UUID:
            raise Failed("not writable")
        emit("COMMAND", self.address, value.hex())
        if len(value) < 4 or value[0] != proto.VERSION or value[1] != proto.KIND_COMMAND:
            raise Failed("bad command")
        opcode, token = value[2], value[3]
        host_time_us = 0
        if opcode == 0x01:
            self.streaming = True
            self.fake.started(self)
        elif opcode == 0x02:
            self.streaming = False
        elif opcode == 0x04:
            if not self.spec.get("answers_time_sync", True):
                return
            host_time_us = int.from_bytes(value[4:12], "little")
        now_us = self.sensor_time_us(time.monotonic() - self.fake.t0)
        self.notify(proto.CONTROL_UUID, proto.response(opcode, token, 0, now_us, host_time_us))

    def sensor_time_us(self, real_secs):
        """The sensor clock at real time `real_secs` after the fake started."""
        drift = self.spec.get("drift_ppm", 0.0) * 1e-6
        return int(self.spec.get("clock_offset_us", 0) + real_secs * 1e6 / (1.0 + drift))

    def tick(self, now):
        """Sends every packet whose last sample has been taken by `now` (real, monotonic)."""
        if self.finished or self.fake.walk_start is None or self.kind == "other":
            return
        walk = now - self.fake.walk_start
        if self.model:
            self.model.tick(walk, self.spec.get("drift_ppm", 0.0) * 1e-6)
            return
        if self.kind == "rsc":
            interval = self.spec.get("interval_secs", 1.0)
            while self.next_index < len(self.rsc_values) and walk >= (self.next_index + 1) * interval:
                cad, speed = self.rsc_values[self.next_index]
                if self.connected:
                    self.notify(proto.RSC_MEASUREMENT_UUID, proto.rsc(speed, cad),
                                lambda i=self.next_index: emit("SENT_RSC", self.address, i))
                self.next_index += 1
            if self.next_index >= len(self.rsc_values):
                self.finished = True
                emit("FINISHED", self.address)
            return
        rate = self.spec["sample_rate_mhz"] / 1000.0
        drift = self.spec.get("drift_ppm", 0.0) * 1e-6
        n = self.spec.get("samples_per_packet", proto.MAX_SAMPLES)
        # Sample i is taken at walk time i / rate on the sensor clock, (1 + drift) slower in
        # real time.
        while self.next_index < len(self.samples):
            last = min(self.next_index + n, len(self.samples)) - 1
            if walk < last / rate * (1.0 + drift):
                break
            chunk = self.samples[self.next_index:last + 1]
            first_walk_secs = self.next_index / rate * (1.0 + drift)
            ts = self.sensor_time_us(self.fake.walk_start - self.fake.t0 + first_walk_secs)
            packet = proto.imu(self.seq, self.next_index, ts, self.spec["sample_rate_mhz"],
                               self.spec["acc_ug_per_lsb"], self.spec["gyr_udps_per_lsb"], chunk)
            muted = now < self.muted_until
            if self.connected and self.streaming and not muted:
                self.notify(proto.IMU_UUID, packet,
                            lambda i=self.next_index, k=len(chunk): emit("SENT", self.address, i, k))
            self.seq = (self.seq + 1) & 0xFFFF
            self.next_index = last + 1
        if self.next_index >= len(self.samples):
            self.finished = True
            emit("FINISHED", self.address)


def load_counts(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0].isalpha():
                continue
            rows.append(tuple(int(x) for x in line.split(",")))
    return rows


class Fake:
    def __init__(self, config):
        dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
        self.bus = dbus.SystemBus()
        self.t0 = time.monotonic()
        self.walk_start = None
        self.connecting = False
        self.objects = []
        self.root = Root(self.bus, self)
        adapter_path = "/org/bluez/hci0"
        self.adapter = Adapter(self.bus, adapter_path, self)
        self.objects.append(self.adapter)
        self.devices = [Device(self.bus, self, adapter_path, spec) for spec in config["devices"]]
        self.discovered = False
        self.bus_name = dbus.service.BusName(BLUEZ, self.bus)

    def discover(self):
        if self.discovered:
            return
        self.discovered = True
        for d in self.devices:
            for o in [d] + d.gatt:
                self.objects.append(o)
                self.root.InterfacesAdded(o.path, o.interfaces())

    def started(self, device):
        entrain = [d for d in self.devices
                   if d.kind in ("entrain", "movesense", "polar") and d.spec.get("patient", True)]
        if self.walk_start is None and all(d.is_streaming() for d in entrain):
            self.start_walk()

    def start_walk(self):
        self.walk_start = time.monotonic()
        unix_ns = time.time_ns() - round((time.monotonic() - self.walk_start) * 1e9)
        emit("WALK_START")
        emit("WALK_START_UNIX_NS", unix_ns)

    def tick(self):
        now = time.monotonic()
        if self.walk_start is None and any(
                d.kind == "rsc" and d.chars[proto.RSC_MEASUREMENT_UUID].props["Notifying"]
                for d in self.devices) and not any(d.kind in ("entrain", "movesense", "polar")
                                 for d in self.devices):
            self.start_walk()
        for d in self.devices:
            d.tick(now)
        return True

    def command(self, source, _condition):
        line = source.readline()
        if not line:
            GLib.MainLoop().quit()
            os._exit(0)
        words = line.split()
        if words[:1] == ["drop"] and len(words) == 3:
            for d in self.devices:
                if d.address == words[1]:
                    d.out_of_range_until = time.monotonic() + float(words[2])
                    d.link_down()
        elif words[:1] == ["mute"] and len(words) == 3:
            for d in self.devices:
                if d.address == words[1]:
                    d.muted_until = time.monotonic() + float(words[2])
        elif words[:1] == ["inject"] and len(words) == 4:
            for d in self.devices:
                if d.address == words[1] and words[2] in d.chars:
                    d.chars[words[2]].notify(bytes.fromhex(words[3]))
                    emit("INJECTED", d.address, words[2], words[3])
        elif words[:1] == ["quit"]:
            os._exit(0)
        return True


def main():
    with open(sys.argv[1]) as f:
        config = json.load(f)
    random.seed(config.get("seed", 1))
    fake = Fake(config)
    GLib.timeout_add(config.get("tick_ms", 5), fake.tick)
    GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, fake.command)
    emit("READY")
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
