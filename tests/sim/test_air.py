"""The simulator on the air: a Bumble central talks to it over Bumble's in-process radio.

Two virtual controllers share a `LocalLink`: one hosts the simulated treadmill
(`retrorun_sim.air.AirTreadmill`), the other a plain Bumble central that scans, connects,
reads, subscribes and drives the control point, as an app on a phone would. The treadmill's
time is a ManualClock; the radio's own timers (advertising every 200 ms) run on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from typing import TYPE_CHECKING

import pytest

pytest.importorskip(
    "bumble", reason="the BLE simulator needs the ble-sim extra: pip install 'retrorun[ble-sim]'"
)

from bumble.controller import Controller
from bumble.core import UUID, AdvertisingData
from bumble.device import Advertisement, Device, Peer
from bumble.gatt import Characteristic as BumbleCharacteristic
from bumble.hci import Address
from bumble.link import LocalLink

from retrorun.clock import ManualClock
from retrorun.ftms import (
    FTMS_SERVICE_UUID16,
    Characteristic,
    ControlPointRequest,
    MachineType,
    ResultCode,
    TreadmillData,
    TreadmillDataAssembler,
    decode_control_point_response,
    decode_feature,
    decode_service_data,
    encode_control_point,
    request_control,
    set_target_speed,
    start_or_resume,
)
from retrorun_sim import SimulatedTreadmill, TraceEvent, TraceKind, TraceSink
from retrorun_sim.air import LEGACY_PAYLOAD_BYTES, AirTreadmill, advertising_payloads

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from bumble.gatt_client import CharacteristicProxy

# How long a radio exchange may take on the loop (the advertising interval is 200 ms).
RADIO_TIMEOUT_S = 10.0


class Central:
    """A Bumble central on its own controller: what a phone app would be."""

    def __init__(self, link: LocalLink) -> None:
        controller = Controller("central", link=link)
        address = Address.generate_static_address()
        self.device = Device.with_hci("central", address, controller, controller)
        self.heard: dict[Address, dict[int, bytes]] = defaultdict(dict)
        self.answers: asyncio.Queue[bytes] = asyncio.Queue()
        self.records: list[TreadmillData] = []
        self.changed = asyncio.Event()
        self._assembler = TreadmillDataAssembler()

    def on_advertisement(self, advertisement: Advertisement) -> None:
        for ad_type, value in advertisement.data.ad_structures:
            self.heard[advertisement.address][int(ad_type)] = value
        self.changed.set()

    def on_data(self, data: bytes) -> None:
        record = self._assembler.feed(bytes(data))
        if record is not None:
            self.records.append(record)
            self.changed.set()

    async def until(self, condition: Callable[[], bool]) -> None:
        """Wait for what the radio brings until ``condition`` holds."""
        async with asyncio.timeout(RADIO_TIMEOUT_S):
            while not condition():
                self.changed.clear()
                await self.changed.wait()

    async def scan_for(self, address: Address) -> dict[int, bytes]:
        """Scan until ``address`` is heard with its name; what it advertised."""
        self.heard.pop(address, None)
        self.device.on(self.device.EVENT_ADVERTISEMENT, self.on_advertisement)
        await self.device.start_scanning()
        named = AdvertisingData.Type.COMPLETE_LOCAL_NAME
        await self.until(lambda: named in self.heard.get(address, {}))
        await self.device.stop_scanning()
        return self.heard[address]


@contextlib.asynccontextmanager
async def on_air(
    preset: str = "strict", faults: tuple[str, ...] = (), trace: TraceSink | None = None
) -> AsyncIterator[tuple[AirTreadmill, Central, ManualClock]]:
    """A simulated treadmill on one controller and a Bumble central on another."""
    link = LocalLink()  # type: ignore[no-untyped-call] # Bumble leaves it unannotated
    clock = ManualClock()
    controller = Controller("treadmill", link=link)
    treadmill = SimulatedTreadmill(clock=clock, preset=preset, faults=faults, trace=trace)
    server = AirTreadmill(treadmill, controller, controller)
    await server.start()
    central = Central(link)
    await central.device.power_on()
    try:
        yield server, central, clock
    finally:
        await server.stop()


def _characteristic(peer: Peer, which: Characteristic) -> CharacteristicProxy[bytes]:
    (found,) = peer.get_characteristics_by_uuid(UUID(which.uuid))
    return found


async def _command(
    central: Central,
    clock: ManualClock,
    cp: CharacteristicProxy[bytes],
    request: ControlPointRequest,
) -> int:
    """Write a control-point request the way the table says; the result code it answers."""
    with_response = bool(cp.properties & BumbleCharacteristic.Properties.WRITE)
    await cp.write_value(encode_control_point(request), with_response=with_response)
    await clock.advance(0.5)  # the treadmill answers 150 ms after the write
    async with asyncio.timeout(RADIO_TIMEOUT_S):
        answer = decode_control_point_response(await central.answers.get())
    return answer.result_code


@pytest.mark.parametrize(
    ("preset", "write_kind"),
    [("strict", TraceKind.WRITE), ("urevo", TraceKind.WRITE_COMMAND)],
)
async def test_a_central_scans_connects_and_drives_the_belt_over_the_air(
    preset: str, write_kind: TraceKind
) -> None:
    trace: list[TraceEvent] = []
    async with on_air(preset, trace=trace.append) as (server, central, clock):
        heard = await central.scan_for(server.address)
        assert heard[AdvertisingData.Type.COMPLETE_LOCAL_NAME] == b"RetroRun Treadmill"
        service_data = heard[AdvertisingData.Type.SERVICE_DATA_16_BIT_UUID]
        assert int.from_bytes(service_data[:2], "little") == FTMS_SERVICE_UUID16
        decoded = decode_service_data(service_data[2:])
        assert decoded.available
        assert decoded.machine_types & MachineType.TREADMILL

        connection = await central.device.connect(server.address)
        peer = Peer(connection)
        await peer.discover_services()
        await peer.discover_characteristics()
        feature = await _characteristic(peer, Characteristic.FEATURE).read_value()
        assert decode_feature(feature) == decode_feature(
            server.treadmill.read(Characteristic.FEATURE)
        )

        cp = _characteristic(peer, Characteristic.CONTROL_POINT)
        answered = central.answers.put_nowait
        await cp.subscribe(answered, prefer_notify=False)
        # Like BlueZ, hand notifications of the control point to the same callback: a machine
        # that answers by notification (urevo) is still heard.
        peer.gatt_client.notification_subscribers.setdefault(cp.handle, set()).add(answered)
        await _characteristic(peer, Characteristic.TREADMILL_DATA).subscribe(central.on_data)

        assert await _command(central, clock, cp, request_control()) == ResultCode.SUCCESS
        assert await _command(central, clock, cp, start_or_resume()) == ResultCode.SUCCESS
        assert await _command(central, clock, cp, set_target_speed(8.0)) == ResultCode.SUCCESS
        await clock.advance(25)  # countdown, then 0.5 km/h per second up to 8 km/h

        assert server.treadmill.physical().speed_kmh == pytest.approx(8.0)
        await central.until(
            lambda: bool(central.records) and central.records[-1].speed_kmh == pytest.approx(8.0)
        )
    speeds = [record.speed_kmh for record in central.records if record.speed_kmh is not None]
    assert speeds == sorted(speeds)  # the belt ramped up, record after record
    assert speeds[0] < 1.0
    # The write type crossed the air as it was sent (Write Request or Write Command).
    writes = [
        event.kind
        for event in trace
        if event.characteristic is Characteristic.CONTROL_POINT
        and event.kind in {TraceKind.WRITE, TraceKind.WRITE_COMMAND}
    ]
    assert writes == [write_kind] * 3


async def test_a_dropped_link_comes_back_advertising_and_takes_a_new_connection() -> None:
    async with on_air(faults=("disconnect@5:3",)) as (server, central, clock):
        await central.scan_for(server.address)
        connection = await central.device.connect(server.address)
        gone = asyncio.get_running_loop().create_future()
        connection.on(connection.EVENT_DISCONNECTION, gone.set_result)
        await clock.advance(6)
        async with asyncio.timeout(RADIO_TIMEOUT_S):
            await gone
        assert not server.treadmill.connected
        assert not server.device.is_advertising  # in its outage: silent

        await clock.advance(3)
        heard = await central.scan_for(server.address)
        assert AdvertisingData.Type.SERVICE_DATA_16_BIT_UUID in heard
        again = await central.device.connect(server.address)
        await Peer(again).discover_services()
        assert server.treadmill.connected


def test_the_advertisement_fits_one_pdu_with_the_uuid_list_in_the_scan_response() -> None:
    treadmill = SimulatedTreadmill()
    data, response = advertising_payloads(treadmill.advertisement())
    assert len(data) <= LEGACY_PAYLOAD_BYTES
    assert len(response) <= LEGACY_PAYLOAD_BYTES
    advertised = dict(AdvertisingData.from_bytes(data).ad_structures)
    assert advertised[AdvertisingData.Type.COMPLETE_LOCAL_NAME] == b"RetroRun Treadmill"
    assert advertised[AdvertisingData.Type.SERVICE_DATA_16_BIT_UUID] == bytes.fromhex("2618010100")
    answered = dict(AdvertisingData.from_bytes(response).ad_structures)
    assert answered[
        AdvertisingData.Type.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS
    ] == bytes.fromhex("2618")


def test_a_long_name_moves_to_the_scan_response() -> None:
    treadmill = SimulatedTreadmill(name="A Treadmill With A Very Long Name")
    data, response = advertising_payloads(treadmill.advertisement())
    advertised = dict(AdvertisingData.from_bytes(data).ad_structures)
    assert AdvertisingData.Type.COMPLETE_LOCAL_NAME not in advertised
    assert AdvertisingData.Type.SERVICE_DATA_16_BIT_UUID in advertised
    answered = dict(AdvertisingData.from_bytes(response).ad_structures)
    assert (
        answered[AdvertisingData.Type.COMPLETE_LOCAL_NAME] == b"A Treadmill With A Very Long Name"
    )
