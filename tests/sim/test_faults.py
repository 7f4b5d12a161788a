"""Fault injection: the schedule syntax, and what each fault does to a connected client."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from bleak import BleakClient
from bleak.exc import BleakDeviceNotFoundError, BleakError
from hypothesis import given
from hypothesis import strategies as st

from retrorun.errors import InputError
from retrorun_sim import (
    FAULT_KINDS,
    Fault,
    FaultKind,
    SimulatedTreadmill,
    SimulatorClient,
    parse_fault,
    parse_faults,
)
from tests.sim.conftest import DATA, STATUS

if TYPE_CHECKING:
    from retrorun.clock import ManualClock
    from tests.sim.conftest import Connect


@pytest.mark.parametrize(
    ("spec", "fault"),
    [
        ("disconnect@120", Fault(FaultKind.DISCONNECT, 120.0)),
        ("disconnect@120:5", Fault(FaultKind.DISCONNECT, 120.0, 5.0)),
        ("drop-notifications@60:10", Fault(FaultKind.DROP_NOTIFICATIONS, 60.0, 10.0)),
        ("delay-command@30:2", Fault(FaultKind.DELAY_COMMAND, 30.0, 2.0)),
        ("reject-command@45", Fault(FaultKind.REJECT_COMMAND, 45.0)),
        ("console-speed@200:6.5", Fault(FaultKind.CONSOLE_SPEED, 200.0, 6.5)),
        ("console-incline@210:-3", Fault(FaultKind.CONSOLE_INCLINE, 210.0, -3.0)),
        ("console-stop@300", Fault(FaultKind.CONSOLE_STOP, 300.0)),
        ("SAFETY-KEY@300.5", Fault(FaultKind.SAFETY_KEY, 300.5)),
        ("strap-silent@240:60", Fault(FaultKind.STRAP_SILENT, 240.0, 60.0)),
    ],
)
def test_fault_specs_parse(spec: str, fault: Fault) -> None:
    assert parse_fault(spec) == fault


def test_a_fault_prints_as_its_spec() -> None:
    assert str(parse_fault("disconnect@120:5")) == "disconnect@120:5"


@given(
    st.sampled_from(FaultKind),
    st.integers(min_value=0, max_value=36_000).map(lambda tenths: tenths / 10),
    st.integers(min_value=0, max_value=200).map(lambda tenths: tenths / 10),
)
def test_a_printed_fault_parses_back_to_itself(kind: FaultKind, at_s: float, value: float) -> None:
    takes_value = kind not in {
        FaultKind.REJECT_COMMAND,
        FaultKind.CONSOLE_START,
        FaultKind.CONSOLE_STOP,
        FaultKind.SAFETY_KEY,
    }
    fault = Fault(kind, at_s, value if takes_value else None)
    assert parse_fault(str(fault)) == fault


def test_a_single_spec_is_a_schedule_of_one() -> None:
    assert parse_faults("safety-key@3") == (Fault(FaultKind.SAFETY_KEY, 3.0),)


def test_schedules_are_sorted_by_time() -> None:
    faults = parse_faults(["safety-key@300", "reject-command@45"])
    assert [f.kind for f in faults] == [FaultKind.REJECT_COMMAND, FaultKind.SAFETY_KEY]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("explode@5", "unknown fault 'explode' in 'explode@5'; valid faults: disconnect, "),
        ("disconnect", "fault 'disconnect': write it as disconnect@SECONDS[:VALUE]"),
        ("disconnect@soon", "fault 'disconnect@soon': time 'soon' is not a number"),
        ("disconnect@-1", "fault 'disconnect@-1': the time must not be negative"),
        ("drop-notifications@60", "drop-notifications needs a value"),
        ("console-speed@60", "console-speed@SECONDS:km/h"),
        ("safety-key@60:3", "safety-key takes no value"),
        ("delay-command@30:-2", "the seconds must not be negative"),
        ("delay-command@30:nan", "must be finite"),
    ],
)
def test_bad_fault_specs_are_input_errors(spec: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_fault(spec)
    assert message in str(raised.value)


def test_the_error_lists_every_kind() -> None:
    with pytest.raises(InputError) as raised:
        parse_fault("x@1")
    assert all(kind in str(raised.value) for kind in FAULT_KINDS)


async def test_disconnect_looks_like_a_real_disconnect(clock: ManualClock) -> None:
    lost: list[BleakClient] = []
    async with SimulatedTreadmill(clock=clock, faults=["disconnect@10"]) as treadmill:
        client = BleakClient(treadmill.address, lost.append, backend=SimulatorClient)
        await client.connect()
        await clock.advance(9.9)
        assert lost == []
        await clock.advance(0.1)
        assert lost == [client]
        assert not client.is_connected
        with pytest.raises(BleakError):
            await client.read_gatt_char("2acc")
        with pytest.raises(BleakError):
            await client.write_gatt_char("2ad9", b"\x00", response=True)
        with pytest.raises(BleakError):
            await client.start_notify("2acd", lambda _, __: None)
        # Without a come-back time the treadmill stays away.
        await clock.advance(600.0)
        assert not treadmill.advertising
        with pytest.raises(BleakDeviceNotFoundError):
            await BleakClient(treadmill.address, backend=SimulatorClient).connect()


async def test_disconnect_comes_back_after_the_given_time(
    clock: ManualClock, connect: Connect
) -> None:
    treadmill, peer = await connect(faults=["disconnect@10:5"])
    await clock.advance(10.0)
    assert not peer.client.is_connected
    again = BleakClient(treadmill.address, backend=SimulatorClient)
    await clock.advance(4.9)
    with pytest.raises(BleakDeviceNotFoundError):
        await again.connect()
    await clock.advance(0.1)
    await again.connect()
    assert again.is_connected
    # A new connection starts without control.
    assert not treadmill.server.has_control
    await again.disconnect()


async def test_the_belt_keeps_running_through_a_disconnect(
    clock: ManualClock, connect: Connect
) -> None:
    treadmill, peer = await connect()
    await peer.take_control_and_start()
    await clock.advance(10.0)
    treadmill.disconnect(come_back_after_s=1.0)
    await clock.advance(5.0)
    assert treadmill.readings().speed_kmh == pytest.approx(1.0)


async def test_drop_notifications_silences_telemetry_for_a_while(
    clock: ManualClock, connect: Connect
) -> None:
    _, peer = await connect(faults=["drop-notifications@2.5:5"], quirks={"mtu": 247})
    await clock.advance(2.0)
    assert len(peer.heard[DATA]) == 2
    await clock.advance(5.0)  # t = 7: the records at 3..7 s are lost
    assert len(peer.heard[DATA]) == 2
    await clock.advance(1.0)
    assert len(peer.heard[DATA]) == 3


async def test_delay_command_delays_the_next_response(clock: ManualClock, connect: Connect) -> None:
    _, peer = await connect(faults=["delay-command@1:2"])
    await clock.advance(1.0)
    sent_at = clock.now()
    assert await peer.request(b"\x00") == bytes([0x80, 0x00, 0x01])
    assert clock.now() == pytest.approx(sent_at + 2.15)
    sent_at = clock.now()
    assert await peer.request(b"\x07") == bytes([0x80, 0x07, 0x01])
    assert clock.now() == pytest.approx(sent_at + 0.15)


async def test_reject_command_fails_the_next_command(clock: ManualClock, connect: Connect) -> None:
    _, peer = await connect(faults=["reject-command@1"])
    await clock.advance(1.0)
    assert await peer.request(b"\x00") == bytes([0x80, 0x00, 0x01])
    assert await peer.request(b"\x07") == bytes([0x80, 0x07, 0x04])
    assert await peer.request(b"\x07") == bytes([0x80, 0x07, 0x01])


async def test_console_faults_change_the_belt_and_notify(
    clock: ManualClock, connect: Connect
) -> None:
    treadmill, peer = await connect(
        faults=["console-speed@20:6.5", "console-incline@21:3", "console-stop@40"]
    )
    await peer.take_control_and_start()
    await clock.advance_to(21.0)
    readings = treadmill.readings()
    assert (readings.target_speed_kmh, readings.target_inclination_pct) == (6.5, 3.0)
    await clock.advance_to(40.0)
    assert peer.heard[STATUS] == [b"\x05\x8a\x02", b"\x06\x1e\x00", b"\x02\x01"]
    assert treadmill.readings().mode == "stopped"


async def test_safety_key_fault(clock: ManualClock, connect: Connect) -> None:
    treadmill, peer = await connect(faults=["safety-key@30"])
    await peer.take_control_and_start()
    await clock.advance_to(30.0)
    assert peer.heard[STATUS] == [b"\x03"]
    assert treadmill.readings().mode == "stopped"
    assert await peer.request(b"\x07") == bytes([0x80, 0x07, 0x01])
