"""`launch_session`, the one way both views and the tests start a session, against the
simulator reached as if it were a real treadmill (bleak's ``backend=``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from retrorun.cli.launch import LaunchOptions, launch_session
from retrorun.clock import ManualClock
from retrorun.config import Config
from retrorun.session.api import SessionState
from retrorun_sim import SimulatedTreadmill
from tests.tui.rig import SIM_BACKENDS

if TYPE_CHECKING:
    from pathlib import Path

    from retrorun.session.api import SessionEnded

FORWARD = "name: Forward\nsteps:\n  - {duration: 60s, speed: 9}\n"


@dataclass(frozen=True)
class _Ran:
    """A forward session on a simulated "real" treadmill, 45 s in, then stopped."""

    state: SessionState
    reported_kmh: float
    fastest_kmh: float
    ended: SessionEnded | None


async def _run_forward(
    tmp_path: Path,
    preset: str,
    *,
    mph: bool = False,
    mph_commands: bool = False,
    true_speed_factor: float = 1.0,
    speed_factor: float = 1.0,
) -> _Ran:
    """Launch `FORWARD` on a treadmill reached through bleak's backend seam with the mph
    options; the state and the belt 45 s in, or when it ended."""
    clock = ManualClock()
    profile = tmp_path / "forward.yaml"
    profile.write_text(FORWARD, encoding="utf-8")
    quirks = {"true_speed_factor": true_speed_factor}
    async with SimulatedTreadmill(preset=preset, quirks=quirks, clock=clock) as treadmill:
        session = await launch_session(
            LaunchOptions(
                profile=str(profile),
                config=Config(),
                device=treadmill.address,
                backends=SIM_BACKENDS,
                log_path=tmp_path / "s.jsonl",
                clock=clock,
                mph=mph,
                mph_commands=mph_commands,
                speed_factor=speed_factor,
            )
        )
        try:
            fastest = 0.0
            while clock.now() < 45 and not session.task.done():
                await clock.advance(0.25)
                fastest = max(fastest, treadmill.physical().speed_kmh)
            state, reported = session.runner.snapshot().state, treadmill.readings().speed_kmh
        finally:
            session.runner.request_stop("test")
            await clock.run_until(session.task, limit=120)
            ended = await session.close()
    return _Ran(state, reported, fastest, ended)


@pytest.mark.parametrize(("mph", "belt_kmh"), [(True, 9.0), (False, 14.5)])
async def test_the_mph_option_reaches_the_treadmill(
    tmp_path: Path,
    mph: bool,
    belt_kmh: float,
) -> None:
    # Without the option, an mph treadmill runs 9 mph for a commanded 9 km/h: the test
    # shows both, so it can tell the option from its absence.
    ran = await _run_forward(tmp_path, "mph", mph=mph)
    assert ran.state == SessionState.RUNNING
    assert ran.reported_kmh == pytest.approx(belt_kmh, abs=0.3)
    assert ran.ended is not None
    assert ran.ended.outcome == "stopped"


@pytest.mark.parametrize(("mph_commands", "belt_kmh"), [(True, 9.0), (False, 14.5)])
async def test_the_mph_commands_option_reaches_a_treadmill_that_reads_commands_as_mph(
    tmp_path: Path, mph_commands: bool, belt_kmh: float
) -> None:
    # This firmware reads "9.00" as 9 mph and reports the belt in km/h: without the option
    # the physical belt runs 14.5 km/h for 9 asked (and the belt watch says so).
    ran = await _run_forward(tmp_path, "mph-commands", mph_commands=mph_commands)
    assert ran.fastest_kmh == pytest.approx(belt_kmh, abs=0.3)


@pytest.mark.parametrize(("speed_factor", "feet_kmh"), [(1.1, 9.0), (1.0, 9.9)])
async def test_a_measured_speed_factor_gives_the_runner_the_speed_asked(
    tmp_path: Path, speed_factor: float, feet_kmh: float
) -> None:
    # The belt runs 10 % faster than the console believes and reports. With the factor the
    # runner measured, the runner's feet get the 9 km/h asked (and a backward cap holds for
    # them); without it, 9.9 km/h while every screen says 9.0.
    ran = await _run_forward(tmp_path, "strict", true_speed_factor=1.1, speed_factor=speed_factor)
    assert ran.state == SessionState.RUNNING
    assert ran.fastest_kmh == pytest.approx(feet_kmh, abs=0.1)
