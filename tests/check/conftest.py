"""A check against a simulated treadmill on a ManualClock, through the real BleakClient."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from retrorun.check.procedure import TreadmillCheck
from retrorun.clock import ManualClock
from retrorun.device import open_treadmill
from retrorun_sim import SimulatedTreadmill
from tests.device.conftest import SIM_BACKENDS

if TYPE_CHECKING:
    from retrorun.check.report import Findings
    from retrorun_sim.quirks import QuirkValue


@dataclass
class SimulatedRunner:
    """The runner beside a simulated treadmill: answers, and presses its console."""

    sim: SimulatedTreadmill | None = None
    empty_belt: bool = True
    units: Literal["kmh", "mph"] | None = None
    console_presses: int = 0
    said: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        self.said.append(text)

    async def confirm_empty_belt(self) -> bool:
        return self.empty_belt

    async def press_console_start(self) -> None:
        self.console_presses += 1
        assert self.sim is not None
        self.sim.console_start()

    async def press_console_stop(self) -> None:
        assert self.sim is not None
        self.sim.console_stop()

    async def console_units(self) -> Literal["kmh", "mph"] | None:
        return self.units


async def run_check(
    preset: str,
    *,
    runner: SimulatedRunner | None = None,
    quirks: dict[str, QuirkValue] | None = None,
    limit: float = 900.0,
) -> tuple[Findings, SimulatedTreadmill]:
    """Check a fresh simulated treadmill with `preset`; the belt is measured at the end."""
    clock = ManualClock()
    sim = SimulatedTreadmill(preset=preset, quirks=quirks or {}, clock=clock)
    await sim.start()
    try:
        person = runner or SimulatedRunner()
        person.sim = sim

        async def scenario() -> Findings:
            treadmill = await open_treadmill(sim.address, clock=clock, backends=SIM_BACKENDS)
            try:
                check = TreadmillCheck(treadmill, clock=clock, prompter=person, address=sim.address)
                return await check.run()
            finally:
                await treadmill.close()

        task = asyncio.ensure_future(scenario())
        try:
            await clock.run_until(task, limit=limit)
        finally:
            if not task.done():
                task.cancel()
        return task.result(), sim
    finally:
        await sim.stop()
