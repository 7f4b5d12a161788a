"""A real session for the TUI to show: a SessionRunner driving the simulated treadmill
through the simulator's bleak backend, everything on one ManualClock.

`SimSession.advance` moves session time; the app under test sees exactly what a runner
would (snapshots about 4 times a second, cues, the end). `SimSession.close` stops a
session that still runs and shuts the simulator down.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from retrorun.clock import ManualClock
from retrorun.device import Backends, Treadmill, open_treadmill
from retrorun.profiles.loader import load_profile
from retrorun.profiles.plan import compile_plan
from retrorun.profiles.safety import PersonalLimits
from retrorun.recording.report import LogReport
from retrorun.recording.session_log import SessionLogWriter
from retrorun.session.runner import SessionRunner
from retrorun.tui import Launched
from retrorun_sim import SimulatedTreadmill, SimulatorClient, SimulatorScanner

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from retrorun.profiles.plan import Plan
    from retrorun.session.api import SessionEnded, Snapshot

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


def short_plan(folder: Path) -> Plan:
    path = folder / "short-alternation.yaml"
    path.write_text(SHORT_PROFILE, encoding="utf-8")
    document = load_profile(path)
    return compile_plan(document.profile, PersonalLimits(), where=document)


@dataclass
class SimSession:
    """One real session on the simulator, its log, and the clock they share."""

    clock: ManualClock
    sim: SimulatedTreadmill
    runner: SessionRunner
    writer: SessionLogWriter
    task: asyncio.Task[SessionEnded] = field(init=False)
    writer_task: asyncio.Task[None] = field(init=False)

    @classmethod
    async def start(
        cls,
        plan: Plan,
        log: Path,
        *,
        faults: tuple[str, ...] = (),
        clock: ManualClock | None = None,
    ) -> SimSession:
        clock = clock or ManualClock()
        sim = SimulatedTreadmill(preset="strict", faults=faults, clock=clock)
        await sim.start()

        async def connect() -> Treadmill:
            return await open_treadmill(sim.address, clock=clock, backends=SIM_BACKENDS)

        runner = SessionRunner(plan, connect, clock=clock, snapshot_interval_s=0.25)
        writer = SessionLogWriter(log)
        writer.open()
        session = cls(clock, sim, runner, writer)
        session.writer_task = asyncio.ensure_future(writer.follow(runner.events()))
        session.task = asyncio.ensure_future(runner.run())
        return session

    def launched(self, notice: str | None = None) -> Launched:
        return Launched(self.runner, LogReport(self.writer.path, self.writer_task), notice)

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
            await self.task
        with contextlib.suppress(Exception):
            await self.writer_task
        await self.sim.stop()
