"""Ctrl-C in the middle of a check: the belt is stopped and measured at rest first."""

from __future__ import annotations

import asyncio

import pytest

from retrorun.check.procedure import TreadmillCheck
from retrorun.check.report import Verdict, verdict_of
from retrorun.clock import ManualClock
from retrorun.device import open_treadmill
from retrorun_sim import SimulatedTreadmill
from tests.check.conftest import SimulatedRunner, run_check
from tests.device.conftest import SIM_BACKENDS


@pytest.mark.parametrize("preset", ["strict", "ignores-stop", "slow-stop"])
async def test_cancelled_check_leaves_the_belt_at_rest(preset: str) -> None:
    clock = ManualClock()
    sim = SimulatedTreadmill(preset=preset, clock=clock)
    await sim.start()
    try:
        treadmill = await asyncio.ensure_future(
            open_treadmill(sim.address, clock=clock, backends=SIM_BACKENDS)
        )
        runner = SimulatedRunner(sim)
        check = TreadmillCheck(treadmill, clock=clock, prompter=runner, address=sim.address)
        task = asyncio.ensure_future(check.run())
        while sim.physical().speed_kmh < 3.0:  # mid-way through the steps
            await clock.advance(0.5)
        task.cancel()  # what the SIGINT handler does
        await clock.run_until(task, limit=300)
        findings = task.result()
        await treadmill.close()
    finally:
        await sim.stop()
    assert findings.interrupted == "interrupted"
    assert findings.belt_at_rest is True
    assert not sim.physical().moving
    assert verdict_of(findings) is Verdict.INCOMPLETE


async def test_no_confirmation_never_moves_the_belt() -> None:
    runner = SimulatedRunner(empty_belt=False)
    findings, sim = await run_check("strict", runner=runner)
    assert findings.interrupted == "nobody confirmed that the belt is empty"
    assert findings.control_granted is None
    assert verdict_of(findings) is Verdict.INCOMPLETE
    assert sim.readings().distance_m == 0


async def test_the_runners_mph_answer_is_kept() -> None:
    runner = SimulatedRunner(units="mph")
    findings, _ = await run_check("mph", runner=runner)
    assert findings.console_units == "mph"
    assert findings.mph_mode == "mph"
    # Rates and the minimum are in km/h, although the firmware reports mph.
    assert findings.accel_kmh_per_s == pytest.approx(0.5, abs=0.05)
    assert findings.min_speed_kmh == pytest.approx(1.0, abs=0.02)


async def test_control_refused_says_what_to_do() -> None:
    findings, sim = await run_check("strict", quirks={"grants_control": False})
    assert findings.control_granted is False
    assert "close other apps" in (findings.interrupted or "")
    assert verdict_of(findings) is Verdict.INCOMPLETE
    assert not sim.physical().moving
