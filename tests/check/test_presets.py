"""Every simulated treadmill gets the verdict its firmware deserves."""

from __future__ import annotations

import pytest

from retrorun.check.report import Verdict, verdict_of
from tests.check.conftest import run_check


@pytest.mark.parametrize(
    ("preset", "verdict", "mph_mode", "console_start", "min_speed_kmh"),
    [
        ("strict", Verdict.OK, None, False, 1.0),
        ("laggy", Verdict.OK, None, False, 1.0),
        ("mph", Verdict.OK, "mph", False, 1.0),
        ("mph-commands", Verdict.OK, "mph_commands", False, 1.0),
        ("console-start", Verdict.OK, None, True, 1.0),
        ("floor-2mph", Verdict.OK, None, False, 3.2),
        ("ignores-speed", Verdict.UNSAFE, None, False, 1.0),
        ("ignores-stop", Verdict.UNSAFE, None, False, 1.0),
    ],
)
async def test_verdict_per_preset(
    preset: str,
    verdict: Verdict,
    mph_mode: str | None,
    console_start: bool,
    min_speed_kmh: float,
) -> None:
    findings, sim = await run_check(preset)
    assert verdict_of(findings) is verdict, findings.problems()
    assert findings.mph_mode == mph_mode
    assert findings.console_start is console_start
    assert findings.min_speed_kmh == pytest.approx(min_speed_kmh, abs=0.02)
    assert findings.belt_at_rest is True
    assert not sim.physical().moving


@pytest.mark.parametrize(
    ("preset", "accel", "decel", "incline", "reaction"),
    [
        # The simulator's own numbers (docs/simulator.md): the truth the check must find.
        ("strict", 0.5, 0.8, 0.5, 0.3),
        ("laggy", 0.3, 0.3, 0.5, 2.0),
        ("slow-incline", 0.5, 0.8, 0.3, 0.3),
        ("mph", 0.5, 0.8, 0.5, 0.3),  # measured in mph, saved in km/h
    ],
)
async def test_measured_rates_are_the_belts(
    preset: str, accel: float, decel: float, incline: float, reaction: float
) -> None:
    findings, _ = await run_check(preset)
    assert findings.accel_kmh_per_s == pytest.approx(accel, abs=0.05)
    assert findings.decel_kmh_per_s == pytest.approx(decel, abs=0.05)
    assert findings.incline_pct_per_s == pytest.approx(incline, abs=0.05)
    assert findings.reaction_delay_s == pytest.approx(reaction, abs=0.3)


async def test_a_slow_stop_is_measured_and_noted() -> None:
    findings, _ = await run_check("slow-stop")
    assert verdict_of(findings) is Verdict.OK
    assert findings.stop_time_s == pytest.approx(20, abs=1.5)
    assert "the belt takes 20 s to stop" in findings.notes
