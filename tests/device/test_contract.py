"""The same scenarios against every simulator preset, through the real BleakClient.

Each preset reproduces a real treadmill's quirks (see docs/simulator.md); the device layer
must bring the belt to speed and confirm it by telemetry, pause, resume and stop, survive
an injected disconnect, and report the safety key on all of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from retrorun.device import (
    BeltStopped,
    ConnectionLost,
    Outcome,
    Reconnected,
    StatusEvent,
    Treadmill,
)
from retrorun_sim import COOPERATIVE_PRESETS

if TYPE_CHECKING:
    from tests.device.conftest import Rig

# The hostile presets lie about what the belt does; the device layer is judged on them in
# tests/sim (what the belt does) until the controller closes the loop.
ALL_PRESETS = pytest.mark.parametrize("rig", COOPERATIVE_PRESETS, indirect=True)


async def _next_status(treadmill: Treadmill, kind: type[StatusEvent]) -> StatusEvent:
    async for event in treadmill.status():
        if isinstance(event, kind):
            return event
    raise AssertionError(f"the status stream ended before a {kind.__name__}")


async def _belt_after_ramp(rig: Rig, treadmill: Treadmill, target_kmh: float) -> float:
    """The simulated belt's real speed once the measured ramp time has passed.

    Some treadmills report the set-point before the belt gets there (CITYSPORTS), so a
    confirmation by telemetry is followed by the time the layer says the ramp takes.
    """
    await rig.clock.sleep(treadmill.ramp.rates.time_to_change_speed(0.0, target_kmh))
    return rig.sim.readings().speed_kmh


@ALL_PRESETS
async def test_brings_the_belt_to_speed_and_confirms_it(rig: Rig) -> None:
    treadmill = await rig.open()

    async def scenario() -> tuple[Outcome, bool, float]:
        await treadmill.request_control()
        await treadmill.start()
        outcome = await treadmill.set_speed(4.0)
        confirmed = await treadmill.confirm_speed(4.0)
        return outcome, confirmed, await _belt_after_ramp(rig, treadmill, 4.0)

    outcome, confirmed, belt = await rig.run(scenario())
    assert outcome in (Outcome.SENT, Outcome.CACHED)
    assert confirmed
    assert belt == pytest.approx(4.0, abs=0.3)
    await rig.run(treadmill.close())


@ALL_PRESETS
async def test_pause_resume_and_stop(rig: Rig) -> None:
    treadmill = await rig.open()

    async def scenario() -> list[float]:
        await treadmill.start()
        await treadmill.set_speed(3.0)
        assert await treadmill.confirm_speed(3.0)
        await treadmill.pause()
        assert await treadmill.confirm_speed(0.0, timeout_s=30)
        speeds = [rig.sim.readings().speed_kmh]
        await treadmill.start()
        await treadmill.set_speed(3.0)
        assert await treadmill.confirm_speed(3.0)
        speeds.append(await _belt_after_ramp(rig, treadmill, 3.0))
        await treadmill.stop()
        await rig.clock.sleep(30)
        speeds.append(rig.sim.readings().speed_kmh)
        return speeds

    paused_speed, resumed_speed, stopped_speed = await rig.run(scenario(), limit=300)
    assert paused_speed == pytest.approx(0.0, abs=0.05)
    assert resumed_speed == pytest.approx(3.0, abs=0.3)
    assert stopped_speed == pytest.approx(0.0, abs=0.05)
    await rig.run(treadmill.close())


@ALL_PRESETS
async def test_survives_a_disconnect_and_takes_control_again(rig: Rig) -> None:
    treadmill = await rig.open()
    statuses = treadmill.events()

    async def scenario() -> list[str]:
        await treadmill.start()
        await treadmill.set_speed(3.0)
        assert await treadmill.confirm_speed(3.0)
        rig.sim.disconnect(come_back_after_s=5.0)
        seen: list[str] = []
        async for event in statuses:
            if isinstance(event, ConnectionLost | Reconnected):
                seen.append(type(event).__name__)
            if isinstance(event, Reconnected):
                break
        # Commands work again: control was re-requested on the new link.
        await treadmill.set_speed(3.5)
        assert await treadmill.confirm_speed(3.5)
        return seen

    seen = await rig.run(scenario(), limit=300)
    statuses.cancel()
    assert seen == ["ConnectionLost", "Reconnected"]
    assert treadmill.has_control
    await rig.run(treadmill.close())


@ALL_PRESETS
async def test_reports_the_safety_key(rig: Rig) -> None:
    treadmill = await rig.open()

    async def scenario() -> StatusEvent:
        await treadmill.start()
        await treadmill.set_speed(3.0)
        assert await treadmill.confirm_speed(3.0)
        rig.sim.pull_safety_key()
        return await _next_status(treadmill, BeltStopped)

    event = await rig.run(scenario())
    assert isinstance(event, BeltStopped)
    assert event.by_safety_key
    await rig.run(treadmill.close())


@ALL_PRESETS
async def test_a_belt_that_goes_silent_is_dropped_and_reconnected(rig: Rig) -> None:
    treadmill = await rig.open()
    statuses = treadmill.events()

    async def scenario() -> list[str]:
        await treadmill.start()
        await treadmill.set_speed(3.0)
        assert await treadmill.confirm_speed(3.0)
        # Notifications stop while the link stays up: the watchdog must notice, drop the
        # link (so the treadmill is free to be found again) and reconnect.
        rig.sim.drop_notifications(8.0)
        seen: list[str] = []
        async for event in statuses:
            if isinstance(event, ConnectionLost | Reconnected):
                seen.append(type(event).__name__)
            if isinstance(event, Reconnected):
                break
        assert await treadmill.confirm_speed(3.0)
        return seen

    seen = await rig.run(scenario(), limit=120)
    statuses.cancel()
    assert seen == ["ConnectionLost", "Reconnected"]
    await rig.run(treadmill.close())
