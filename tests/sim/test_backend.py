"""The bleak backend: scanning, connecting (also through bleak-retry-connector), link loss."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest
from bleak import BleakClient, BleakScanner
from bleak.exc import BleakDeviceNotFoundError, BleakError
from bleak_retry_connector import establish_connection

from retrorun.ftms import FTMS_SERVICE_UUID, decode_service_data
from retrorun_sim import SimulatedTreadmill, SimulatorClient, SimulatorScanner

if TYPE_CHECKING:
    from retrorun.clock import ManualClock
    from tests.sim.conftest import Connect


async def test_a_scan_hears_running_treadmills_with_ftms_service_data(clock: ManualClock) -> None:
    async with SimulatedTreadmill(clock=clock, name="Belt A") as treadmill:
        found = await BleakScanner.discover(timeout=0, return_adv=True, backend=SimulatorScanner)
        device, adv = found[treadmill.address]
        assert device.name == adv.local_name == "Belt A"
        assert FTMS_SERVICE_UUID in adv.service_uuids
        service_data = decode_service_data(adv.service_data[FTMS_SERVICE_UUID])
        assert service_data.available
        assert service_data.is_treadmill
    assert treadmill.address not in await _scan()


async def _scan() -> list[str]:
    devices = await BleakScanner.discover(timeout=0, backend=SimulatorScanner)
    return [device.address for device in devices]


async def test_a_scan_filters_on_service_uuids(clock: ManualClock) -> None:
    async with SimulatedTreadmill(clock=clock) as treadmill:
        hrs = ["0000180d-0000-1000-8000-00805f9b34fb"]
        assert (
            await BleakScanner.discover(timeout=0, service_uuids=hrs, backend=SimulatorScanner)
            == []
        )
        ftms = await BleakScanner.discover(
            timeout=0, service_uuids=[FTMS_SERVICE_UUID], backend=SimulatorScanner
        )
        assert [device.address for device in ftms] == [treadmill.address]


async def test_find_device_by_filter_hears_a_treadmill_already_advertising(
    clock: ManualClock,
) -> None:
    async with SimulatedTreadmill(clock=clock, name="Belt B") as treadmill:
        device = await BleakScanner.find_device_by_filter(
            lambda _, adv: adv.local_name == "Belt B", timeout=5, backend=SimulatorScanner
        )
        assert device is not None
        assert device.address == treadmill.address


async def test_a_connected_treadmill_stops_advertising_and_refuses_a_second_client(
    connect: Connect,
) -> None:
    treadmill, _ = await connect()
    assert treadmill.address not in await _scan()
    with pytest.raises(BleakError, match="already connected"):
        await BleakClient(treadmill.address, backend=SimulatorClient).connect()


async def test_a_scan_hears_the_treadmill_come_back_after_an_outage(
    clock: ManualClock, connect: Connect
) -> None:
    treadmill, _ = await connect()
    heard: list[str] = []
    scanner = BleakScanner(lambda device, _: heard.append(device.address), backend=SimulatorScanner)
    await scanner.start()
    treadmill.disconnect(come_back_after_s=5.0)
    await clock.advance(4.0)
    assert heard == []
    await clock.advance(1.0)
    assert heard == [treadmill.address]
    await scanner.stop()


async def test_establish_connection_works_with_the_simulator_backend(clock: ManualClock) -> None:
    async with SimulatedTreadmill(clock=clock) as treadmill:
        device = await BleakScanner.find_device_by_address(
            treadmill.address, timeout=5, backend=SimulatorScanner
        )
        assert device is not None
        client = await establish_connection(
            BleakClient, device, "treadmill", backend=SimulatorClient
        )
        assert client.is_connected
        assert await client.read_gatt_char("2ad4") == bytes.fromhex("6400 4006 0a00")
        await client.disconnect()
        assert not client.is_connected


async def test_an_address_nobody_answers_at_is_not_found(clock: ManualClock) -> None:
    with pytest.raises(BleakDeviceNotFoundError):
        await BleakClient("5E:1A:7E:FF:FF:FF", backend=SimulatorClient).connect()
    treadmill = SimulatedTreadmill(clock=clock)
    with pytest.raises(BleakDeviceNotFoundError):
        await BleakClient(treadmill.address, backend=SimulatorClient).connect()


async def test_stopping_the_treadmill_disconnects_the_client(connect: Connect) -> None:
    treadmill, peer = await connect()
    lost: list[bool] = []
    peer.client._backend.set_disconnected_callback(lambda: lost.append(True))
    await treadmill.stop()
    assert not peer.client.is_connected
    await _settle_callbacks()
    assert lost == [True]


async def _settle_callbacks() -> None:
    # The disconnected callback is scheduled on the loop, as bleak's backends do.
    await asyncio.sleep(0)


async def test_a_client_disconnect_fires_no_disconnected_callback(connect: Connect) -> None:
    treadmill, peer = await connect()
    lost: list[bool] = []
    peer.client._backend.set_disconnected_callback(lambda: lost.append(True))
    await peer.client.disconnect()
    await _settle_callbacks()
    assert lost == []
    assert treadmill.advertising


async def test_addresses_are_unique_and_case_insensitive(clock: ManualClock) -> None:
    async with (
        SimulatedTreadmill(clock=clock, address="aa:bb:cc:dd:ee:01") as first,
        SimulatedTreadmill(clock=clock) as second,
    ):
        assert first.address != second.address
        async with BleakClient("AA:BB:CC:DD:EE:01", backend=SimulatorClient) as client:
            assert client.is_connected
            assert client.name == first.name
