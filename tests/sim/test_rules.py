"""Each FTMS rule the simulator enforces, shown through bleak's own BleakClient.

Requests are hand-written bytes (FTMS v1.0 §4.16): ``00`` Request Control, ``01`` Reset,
``02 LL HH`` Set Target Speed (0.01 km/h), ``03 LL HH`` Set Target Inclination (0.1 %),
``07`` Start, ``08 01`` Stop, ``08 02`` Pause. Responses are ``80 OP RESULT``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from bleak.exc import BleakGATTProtocolError, BleakGATTProtocolErrorCode

from retrorun.ftms import decode_treadmill_data
from tests.sim.conftest import CP, DATA, STATUS, TRAINING

if TYPE_CHECKING:
    from retrorun.clock import ManualClock
    from tests.sim.conftest import Connect

SUCCESS, NOT_SUPPORTED, INVALID, FAILED, NOT_PERMITTED = 0x01, 0x02, 0x03, 0x04, 0x05


def answer(op: int, result: int) -> bytes:
    return bytes([0x80, op, result])


async def test_control_must_be_requested_first(connect: Connect) -> None:
    _, peer = await connect()
    assert await peer.request(b"\x07") == answer(0x07, NOT_PERMITTED)
    assert await peer.request(bytes([0x02, 0x20, 0x03])) == answer(0x02, NOT_PERMITTED)
    assert await peer.request(b"\x00") == answer(0x00, SUCCESS)
    assert await peer.request(b"\x07") == answer(0x07, SUCCESS)


async def test_one_procedure_at_a_time(connect: Connect) -> None:
    _, peer = await connect()
    await peer.client.write_gatt_char(CP.uuid, b"\x00", response=True)
    with pytest.raises(BleakGATTProtocolError) as raised:
        await peer.client.write_gatt_char(CP.uuid, b"\x07", response=True)
    assert raised.value.code is BleakGATTProtocolErrorCode.PROCEDURE_ALREADY_IN_PROGRESS
    # Once the first response has arrived, the next write is accepted.
    await peer.wait_for(CP, 1)
    assert await peer.request(b"\x07") == answer(0x07, SUCCESS)


async def test_indications_must_be_enabled_before_writing(connect: Connect) -> None:
    _, peer = await connect(subscribe=False)
    with pytest.raises(BleakGATTProtocolError) as raised:
        await peer.client.write_gatt_char(CP.uuid, b"\x00", response=True)
    assert raised.value.code is BleakGATTProtocolErrorCode.CCCD_IMPROPERLY_CONFIGURED


async def test_out_of_range_targets_are_invalid_parameters(connect: Connect) -> None:
    _, peer = await connect()
    await peer.take_control_and_start()
    # 16.5 km/h (0x0672) is above the 16.0 maximum, 0.5 km/h below the 1.0 minimum.
    assert await peer.request(bytes([0x02, 0x72, 0x06])) == answer(0x02, INVALID)
    assert await peer.request(bytes([0x02, 0x32, 0x00])) == answer(0x02, INVALID)
    # 12.5 % (0x007D) is above 12 %, -1.0 % below 0.
    assert await peer.request(bytes([0x03, 0x7D, 0x00])) == answer(0x03, INVALID)
    assert await peer.request(bytes([0x03, 0xF6, 0xFF])) == answer(0x03, INVALID)
    # A parameter cut short is invalid too.
    assert await peer.request(bytes([0x02, 0x20])) == answer(0x02, INVALID)
    assert await peer.request(bytes([0x02, 0x40, 0x06])) == answer(0x02, SUCCESS)


async def test_start_while_running_fails(connect: Connect) -> None:
    _, peer = await connect()
    await peer.take_control_and_start()
    assert await peer.request(b"\x07") == answer(0x07, FAILED)


async def test_stop_while_stopped_fails(connect: Connect) -> None:
    _, peer = await connect()
    assert await peer.request(b"\x00") == answer(0x00, SUCCESS)
    assert await peer.request(b"\x08\x01") == answer(0x08, FAILED)
    assert await peer.request(b"\x07") == answer(0x07, SUCCESS)
    assert await peer.request(b"\x08\x02") == answer(0x08, SUCCESS)
    assert await peer.request(b"\x08\x02") == answer(0x08, FAILED)
    assert await peer.request(b"\x08\x01") == answer(0x08, SUCCESS)
    assert await peer.request(b"\x08\x01") == answer(0x08, FAILED)
    assert await peer.request(b"\x08\x07") == answer(0x08, INVALID)


async def test_reset_releases_control(connect: Connect) -> None:
    _, peer = await connect()
    await peer.take_control_and_start()
    assert await peer.request(b"\x01") == answer(0x01, SUCCESS)
    assert await peer.request(b"\x07") == answer(0x07, NOT_PERMITTED)


async def test_control_ends_with_the_connection(connect: Connect) -> None:
    treadmill, peer = await connect()
    assert await peer.request(b"\x00") == answer(0x00, SUCCESS)
    assert treadmill.server.has_control
    await peer.client.disconnect()
    assert not treadmill.server.has_control


async def test_ops_a_treadmill_does_not_do_are_not_supported(connect: Connect) -> None:
    _, peer = await connect()
    assert await peer.request(b"\x00") == answer(0x00, SUCCESS)
    # Set Target Power 200 W (0x05) and Spin Down (0x13).
    assert await peer.request(bytes([0x05, 0xC8, 0x00])) == answer(0x05, NOT_SUPPORTED)
    assert await peer.request(bytes([0x13, 0x01])) == answer(0x13, NOT_SUPPORTED)


async def test_an_empty_write_is_refused_at_the_att_level(connect: Connect) -> None:
    _, peer = await connect()
    with pytest.raises(BleakGATTProtocolError) as raised:
        await peer.client.write_gatt_char(CP.uuid, b"", response=True)
    assert raised.value.code is BleakGATTProtocolErrorCode.INVALID_ATTRIBUTE_VALUE_LENGTH


async def test_read_only_characteristics_refuse_writes(connect: Connect) -> None:
    _, peer = await connect()
    with pytest.raises(BleakGATTProtocolError) as raised:
        await peer.client.write_gatt_char("2acc", b"\x00", response=True)
    assert raised.value.code is BleakGATTProtocolErrorCode.WRITE_NOT_PERMITTED


async def test_the_belt_ramps_to_the_target_after_the_countdown(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect()
    assert await peer.request(b"\x00") == answer(0x00, SUCCESS)
    started_at = clock.now()
    assert await peer.request(b"\x07") == answer(0x07, SUCCESS)
    assert await peer.request(bytes([0x02, 0x20, 0x03])) == answer(0x02, SUCCESS)
    # 0.3 s reaction + 3 s countdown, then 8 km/h at 0.5 km/h per s: 16 s.
    await clock.advance_to(started_at + 3.3)
    assert treadmill.readings().speed_kmh == 0.0
    await clock.advance_to(started_at + 3.3 + 15.9)
    assert treadmill.readings().speed_kmh < 8.0
    await clock.advance_to(started_at + 3.3 + 16.0)
    assert treadmill.readings().speed_kmh == pytest.approx(8.0)
    speeds = [
        decoded.speed_kmh
        for data in peer.heard[DATA]
        if (decoded := decode_treadmill_data(data)).speed_kmh is not None
    ]
    assert speeds == sorted(speeds)
    assert speeds[-1] == pytest.approx(8.0, abs=0.5)


async def test_records_longer_than_the_payload_are_split_with_more_data(
    connect: Connect, clock: ManualClock
) -> None:
    _, peer = await connect()
    await clock.advance(1.0)
    first, last = peer.heard[DATA][:2]
    assert len(first) <= 20
    assert len(last) <= 20
    assert first[0] & 0x01  # More Data: the speed comes in the next one
    assert not last[0] & 0x01
    assert decode_treadmill_data(last).speed_kmh == 0.0


async def test_a_bigger_mtu_sends_one_record(connect: Connect, clock: ManualClock) -> None:
    _, peer = await connect(quirks={"mtu": 247})
    assert peer.client.mtu_size == 247
    await clock.advance(1.0)
    assert len(peer.heard[DATA]) == 1
    assert decode_treadmill_data(peer.heard[DATA][0]).speed_kmh == 0.0


async def test_telemetry_comes_about_once_a_second(connect: Connect, clock: ManualClock) -> None:
    _, peer = await connect(quirks={"mtu": 247})
    await clock.advance(10.0)
    assert len(peer.heard[DATA]) == 10


async def test_console_changes_are_notified_as_machine_status(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect()
    treadmill.console_speed(6.5)
    treadmill.console_incline(3.0)
    treadmill.console_stop()
    await clock.advance(0.1)
    assert peer.heard[STATUS][:3] == [
        bytes([0x05, 0x8A, 0x02]),  # target speed changed: 6.50 km/h
        bytes([0x06, 0x1E, 0x00]),  # target incline changed: 3.0 %
        bytes([0x02, 0x01]),  # stopped by the user
    ]


async def test_safety_key_is_notified_and_stops_the_belt(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect()
    await peer.take_control_and_start()
    await clock.advance(10.0)
    assert treadmill.readings().speed_kmh > 0
    treadmill.pull_safety_key()
    await clock.advance(1.0)
    assert bytes([0x03]) in peer.heard[STATUS]
    assert treadmill.readings().speed_kmh == 0.0


async def test_revoking_control_is_notified(connect: Connect, clock: ManualClock) -> None:
    treadmill, peer = await connect()
    assert await peer.request(b"\x00") == answer(0x00, SUCCESS)
    treadmill.revoke_control()
    await clock.advance(0.1)
    assert peer.heard[STATUS][-1] == bytes([0xFF])
    assert await peer.request(b"\x07") == answer(0x07, NOT_PERMITTED)


async def test_training_status_follows_the_workout(connect: Connect, clock: ManualClock) -> None:
    _, peer = await connect()
    assert await peer.client.read_gatt_char(TRAINING.uuid) == bytes([0x00, 0x01])  # idle
    await peer.take_control_and_start()
    await clock.advance(5.0)
    assert await peer.request(b"\x08\x01") == answer(0x08, SUCCESS)
    await clock.advance(1.0)
    # Pre-workout (countdown), manual mode (running), post-workout (stopped).
    assert peer.heard[TRAINING] == [b"\x00\x0e", b"\x00\x0d", b"\x00\x0f"]


async def test_ranges_and_features_are_readable(connect: Connect) -> None:
    _, peer = await connect()
    # 1.00-16.00 km/h in 0.10; 0.0-12.0 % in 0.5.
    assert await peer.client.read_gatt_char("2ad4") == bytes.fromhex("6400 4006 0a00")
    assert await peer.client.read_gatt_char("2ad5") == bytes.fromhex("0000 7800 0500")
    feature = await peer.client.read_gatt_char("2acc")
    target_settings = int.from_bytes(feature[4:8], "little")
    assert target_settings == 0b11  # speed and inclination


async def test_the_cccd_reads_back_what_was_enabled(connect: Connect) -> None:
    _, peer = await connect()
    services = peer.client.services
    cp = services.get_characteristic(CP.uuid)
    data = services.get_characteristic(DATA.uuid)
    assert cp is not None
    assert data is not None
    assert await peer.client.read_gatt_descriptor(cp.descriptors[0].handle) == b"\x02\x00"
    assert await peer.client.read_gatt_descriptor(data.descriptors[0].handle) == b"\x01\x00"
    await peer.client.stop_notify(DATA.uuid)
    assert await peer.client.read_gatt_descriptor(data.descriptors[0].handle) == b"\x00\x00"
