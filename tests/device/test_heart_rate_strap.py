"""A heart-rate strap as a second device, through the real BleakClient."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from retrorun.clock import LoopClock, ManualClock, run_virtual
from retrorun.device import (
    HeartRateSample,
    follow_heart_rate_strap,
    open_heart_rate_strap,
    open_treadmill,
    scan_treadmills,
)
from retrorun.errors import DeviceError
from retrorun_sim import SimulatedHeartRateStrap, SimulatedTreadmill
from tests.device.conftest import SIM_BACKENDS


async def test_the_strap_reports_the_runners_heart_rate_as_it_rises() -> None:
    clock = ManualClock()
    async with (
        SimulatedTreadmill(clock=clock) as sim,
        SimulatedHeartRateStrap(sim, name="Chest Strap") as strap_sim,
    ):

        async def scenario() -> list[HeartRateSample]:
            treadmill = await open_treadmill(sim.address, clock=clock, backends=SIM_BACKENDS)
            strap = await open_heart_rate_strap("chest strap", clock=clock, backends=SIM_BACKENDS)
            await treadmill.start()
            await treadmill.set_speed(8.0)
            samples: list[HeartRateSample] = []
            async for sample in strap.measurements():
                samples.append(sample)
                if len(samples) == 120:
                    break
            await strap.close()
            await treadmill.stop()
            await treadmill.close()
            return samples

        task = asyncio.ensure_future(scenario())
        await clock.run_until(task, limit=600)
        samples = task.result()
        assert strap_sim.address.startswith("5E:1A:48:52")

    # Once a second, stamped on the clock, and rising as the runner speeds up.
    gaps = {round(b.at - a.at, 3) for a, b in itertools.pairwise(samples)}
    assert gaps == {1.0}
    assert samples[-1].heart_rate_bpm > samples[0].heart_rate_bpm + 20
    assert all(s.sensor_contact for s in samples)


def test_a_strap_nobody_wears_is_not_found_in_words() -> None:
    async def scenario() -> None:
        await open_heart_rate_strap("Chest Strap", clock=LoopClock(), backends=SIM_BACKENDS)

    # The ten seconds of scanning pass on virtual time.
    with pytest.raises(DeviceError, match="no heart-rate strap named 'Chest Strap' found in 10 s"):
        run_virtual(scenario())


def test_a_treadmill_scan_does_not_mistake_a_strap_for_a_treadmill() -> None:
    async def scenario() -> tuple[list[str], str]:
        async with SimulatedTreadmill(clock=LoopClock()) as sim, SimulatedHeartRateStrap(sim):
            found = await scan_treadmills(duration_s=5.0, backends=SIM_BACKENDS)
            return [t.address for t in found], sim.address

    found, treadmill = run_virtual(scenario())
    assert found == [treadmill]


def test_following_a_strap_waits_for_it_and_finds_it_again() -> None:
    """Not worn yet: one StrapLost, then looked for until it is; lost: found again."""

    async def scenario() -> list[str]:
        clock = LoopClock()
        seen: list[str] = []
        async with SimulatedTreadmill(clock=clock) as sim:
            strap = SimulatedHeartRateStrap(sim, name="Chest Strap")
            events = follow_heart_rate_strap("chest strap", clock=clock, backends=SIM_BACKENDS)
            samples = 0
            async for event in events:
                if isinstance(event, HeartRateSample):
                    samples += 1
                    if samples == 5:
                        await strap.stop()  # out of range
                    continue
                seen.append(type(event).__name__)
                if len(seen) == 1:
                    await clock.sleep(30.0)  # put on half a minute later
                    await strap.start()
                elif len(seen) == 3:
                    await strap.start()
                elif len(seen) == 4:
                    break
            await events.aclose()
            await strap.stop()
        return seen

    assert run_virtual(scenario()) == ["StrapLost", "StrapConnected", "StrapLost", "StrapConnected"]
