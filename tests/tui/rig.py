"""A real session for the TUI to show: launched by `retrorun.cli.launch.launch_session`,
as ``retrorun run`` launches it, on the simulator and one ManualClock.

`SimSession.advance` moves session time; the app under test sees exactly what a runner
would (snapshots about 4 times a second, cues, the end). `SimSession.close` stops a
session that still runs and shuts the simulator down.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun.cli.launch import LaunchedSession, LaunchOptions, SimulatorOptions, launch_session
from retrorun.cli.tui_session import for_the_app
from retrorun.clock import ManualClock
from retrorun.config import Config
from retrorun.device import Backends
from retrorun.profiles.loader import load_profile
from retrorun.profiles.plan import compile_plan
from retrorun.profiles.safety import PersonalLimits
from retrorun_sim import SimulatorClient, SimulatorScanner

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable
    from pathlib import Path

    from retrorun.profiles.plan import Plan
    from retrorun.session.api import SessionEnded, Snapshot
    from retrorun.session.runner import SessionRunner
    from retrorun.tui import Launched
    from retrorun_sim import SimulatedTreadmill

SIM_BACKENDS = Backends(client=SimulatorClient, scanner=SimulatorScanner)

# Forward 40 s, backward 30 s (after a turn), forward 20 s: every state in about two minutes.
SHORT_PROFILE = """\
name: Short alternation
description: Forty seconds forward, thirty backward, twenty forward.
steps:
  - {duration: 40s, speed: 6, label: forward run}
  - {direction: backward, duration: 30s, speed: 4, incline: 2, label: backward walk}
  - {duration: 20s, speed: 5, label: forward jog}
"""


def short_profile(folder: Path) -> Path:
    path = folder / "short-alternation.yaml"
    path.write_text(SHORT_PROFILE, encoding="utf-8")
    return path


def short_plan(folder: Path) -> Plan:
    document = load_profile(short_profile(folder))
    return compile_plan(document.profile, PersonalLimits(), where=document)


@dataclass
class SimSession:
    """One real session on the simulator, its log, and the clock they share."""

    clock: ManualClock
    launched_session: LaunchedSession

    @classmethod
    async def start(
        cls,
        profile: Path,
        log: Path,
        *,
        faults: tuple[str, ...] = (),
        clock: ManualClock | None = None,
        config: Config | None = None,
    ) -> SimSession:
        clock = clock or ManualClock()
        options = LaunchOptions(
            profile=str(profile),
            config=config or Config(),
            simulator=SimulatorOptions(faults=faults),
            log_path=log,
            clock=clock,
        )
        return cls(clock, await launch_session(options))

    @property
    def runner(self) -> SessionRunner:
        return self.launched_session.runner

    @property
    def sim(self) -> SimulatedTreadmill:
        assert self.launched_session.simulator is not None
        return self.launched_session.simulator

    @property
    def task(self) -> asyncio.Task[SessionEnded]:
        return self.launched_session.task

    @property
    def log_path(self) -> Path:
        log = self.launched_session.log_path
        assert log is not None  # the rig always writes a log
        return log

    def launched(self, notice: str | None = None) -> Launched:
        return for_the_app(self.launched_session, notice)

    async def advance(self, seconds: float) -> None:
        """Let `seconds` of session time pass, a snapshot interval at a time."""
        end = self.clock.now() + seconds
        while self.clock.now() < end - 1e-9 and not self.task.done():
            await self.clock.advance(min(0.25, end - self.clock.now()))

    async def advance_until(
        self, condition: Callable[[Snapshot], bool], *, limit_s: float = 600.0
    ) -> Snapshot:
        """Advance until the session's snapshot meets `condition`; that snapshot."""
        end = self.clock.now() + limit_s
        while not condition(snap := self.runner.snapshot()):
            assert self.clock.now() < end, f"never reached; last: {snap.state} {snap.phase}"
            assert not self.task.done(), f"the session ended first: {snap.state}"
            await self.clock.advance(0.25)
        return snap

    async def close(self) -> None:
        if not self.task.done():
            self.runner.request_stop("test")
            await self.clock.run_until(self.task, limit=120)
        with contextlib.suppress(Exception):
            await self.launched_session.close("test")
