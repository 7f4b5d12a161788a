"""Console changes, stops, lost control, and what is (not) sent to the treadmill."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from retrorun.device import (
    BeltStopped,
    ConsoleInclineChanged,
    ConsoleSpeedChanged,
    ControlLost,
    Outcome,
    Treadmill,
)
from retrorun.ftms import Characteristic, OpCode, decode_control_point_request
from retrorun_sim import TraceEvent, TraceKind

if TYPE_CHECKING:
    from tests.device.conftest import Rig


async def _running_at(treadmill: Treadmill, speed: float) -> None:
    await treadmill.start()
    await treadmill.set_speed(speed)
    assert await treadmill.confirm_speed(speed)


async def test_a_console_speed_change_is_reported_and_adopted(rig: Rig) -> None:
    treadmill = await rig.open()

    async def scenario() -> list[object]:
        await _running_at(treadmill, 3.0)
        subscription = treadmill.events()
        rig.sim.console_speed(5.0)
        rig.sim.console_incline(2.0)
        await rig.clock.sleep(2.0)
        subscription.cancel()
        return [
            e
            for e in subscription.drain()
            if isinstance(e, ConsoleSpeedChanged | ConsoleInclineChanged)
        ]

    events = await rig.run(scenario())
    assert [type(e) for e in events] == [ConsoleSpeedChanged, ConsoleInclineChanged]
    assert isinstance(events[0], ConsoleSpeedChanged)
    assert events[0].speed_kmh == 5.0
    # The console's target is now the one in force: sending 5.0 again would be a repeat.
    assert treadmill.target_speed_kmh == 5.0
    assert await rig.run(treadmill.set_speed(5.0)) is Outcome.UNCHANGED
    await rig.run(treadmill.close())


@pytest.mark.parametrize("rig", ["urevo"], indirect=True)
async def test_our_own_ramp_echoed_as_target_changes_is_not_a_console_change(rig: Rig) -> None:
    treadmill = await rig.open()

    async def scenario() -> list[object]:
        await _running_at(treadmill, 2.0)
        subscription = treadmill.events()
        await treadmill.set_speed(4.0)
        assert await treadmill.confirm_speed(4.0)
        subscription.cancel()
        return [e for e in subscription.drain() if isinstance(e, ConsoleSpeedChanged)]

    assert await rig.run(scenario()) == []
    await rig.run(treadmill.close())


async def test_a_console_stop_is_reported_and_targets_are_forgotten(rig: Rig) -> None:
    treadmill = await rig.open()

    async def scenario() -> list[object]:
        await _running_at(treadmill, 3.0)
        subscription = treadmill.events()
        rig.sim.console_stop()
        await rig.clock.sleep(1.0)
        subscription.cancel()
        return [e for e in subscription.drain() if isinstance(e, BeltStopped)]

    stops = await rig.run(scenario())
    assert len(stops) == 1
    assert isinstance(stops[0], BeltStopped)
    assert not stops[0].by_safety_key
    assert treadmill.target_speed_kmh is None
    await rig.run(treadmill.close())


async def test_lost_control_is_reported_and_taken_back_for_the_next_command(rig: Rig) -> None:
    treadmill = await rig.open()

    async def scenario() -> list[ControlLost]:
        await _running_at(treadmill, 3.0)
        subscription = treadmill.events()
        rig.sim.revoke_control()
        await rig.clock.sleep(0.5)
        lost = [e for e in subscription.drain() if isinstance(e, ControlLost)]
        subscription.cancel()
        assert not treadmill.has_control
        await treadmill.set_speed(3.5)
        return lost

    lost = await rig.run(scenario())
    assert len(lost) == 1
    assert treadmill.has_control
    await rig.run(treadmill.close())


def _control_writes(trace: list[TraceEvent]) -> list[OpCode]:
    return [
        OpCode(decode_control_point_request(e.data).op_code)
        for e in trace
        if e.kind is TraceKind.WRITE and e.characteristic is Characteristic.CONTROL_POINT
    ]


async def test_an_unchanged_target_is_never_resent(rig: Rig) -> None:
    trace: list[TraceEvent] = []
    rig.sim.trace = trace.append
    treadmill = await rig.open()

    async def scenario() -> list[Outcome]:
        await _running_at(treadmill, 3.0)
        return [await treadmill.set_speed(3.0), await treadmill.set_speed(3.04)]

    assert await rig.run(scenario()) == [Outcome.UNCHANGED, Outcome.UNCHANGED]
    writes = _control_writes(trace)
    assert writes.count(OpCode.SET_TARGET_SPEED) == 1
    assert writes.count(OpCode.REQUEST_CONTROL) == 1
    await rig.run(treadmill.close())


@pytest.mark.parametrize("rig", ["strict", "start-before-speed"], indirect=True)
async def test_a_speed_set_before_start_is_kept_and_sent_once_the_belt_runs(rig: Rig) -> None:
    treadmill = await rig.open()

    async def scenario() -> Outcome:
        outcome = await treadmill.set_speed(4.5)
        await treadmill.start()
        assert await treadmill.confirm_speed(4.5, timeout_s=60)
        return outcome

    assert await rig.run(scenario()) is Outcome.CACHED
    assert rig.sim.readings().speed_kmh == pytest.approx(4.5, abs=0.2)
    await rig.run(treadmill.close())


@pytest.mark.parametrize("rig", ["citysports"], indirect=True)
async def test_set_points_are_fitted_to_the_range_and_increments(rig: Rig) -> None:
    treadmill = await rig.open()
    assert treadmill.capabilities is not None
    assert treadmill.capabilities.speed_range.max_speed_kmh == 6.0
    assert treadmill.fit_speed(4.3) == 4.5
    assert treadmill.fit_speed(9.0) == 6.0
    assert treadmill.fit_speed(0.2) == 1.0
    await rig.run(treadmill.close())


@pytest.mark.parametrize("rig", ["laggy"], indirect=True)
async def test_the_measured_ramp_matches_the_treadmill(rig: Rig) -> None:
    treadmill = await rig.open()

    async def scenario() -> None:
        await _running_at(treadmill, 2.0)
        for target in (5.0, 2.0, 6.0, 2.5):
            await treadmill.set_speed(target)
            assert await treadmill.confirm_speed(target, timeout_s=60)

    await rig.run(scenario(), limit=600)
    rates = treadmill.ramp.rates
    # The laggy preset ramps at 0.3 km/h per s both ways and reacts after 2 s.
    assert rates.accel_kmh_per_s == pytest.approx(0.3, abs=0.08)
    assert rates.decel_kmh_per_s == pytest.approx(0.3, abs=0.08)
    assert rates.reaction_delay_s == pytest.approx(2.0, abs=0.8)
    await rig.run(treadmill.close())
