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
