"""A simulated treadmill on a ManualClock, reached through the real BleakClient."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import pytest

from retrorun.clock import ManualClock
from retrorun.device import Backends, Treadmill, open_treadmill
from retrorun_sim import SimulatedTreadmill, SimulatorClient, SimulatorScanner

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Coroutine

T = TypeVar("T")

SIM_BACKENDS = Backends(client=SimulatorClient, scanner=SimulatorScanner)


@dataclass
class Rig:
    """A simulated treadmill, the clock both run on, and a way to run scenarios on it."""

    clock: ManualClock
    sim: SimulatedTreadmill

    async def run(self, scenario: Coroutine[object, object, T], *, limit: float = 120.0) -> T:
        """Run ``scenario`` to the end, jumping clock time whenever everything waits."""
        task = asyncio.ensure_future(scenario)
        try:
            await self.clock.run_until(task, limit=limit)
        finally:
            if not task.done():
                task.cancel()
        return task.result()

    async def open(self, **options: object) -> Treadmill:
        mph = self.sim.quirks.speed_in_mph
        return await self.run(
            open_treadmill(
                self.sim.address,
                clock=self.clock,
                backends=SIM_BACKENDS,
                mph_in_kmh_fields=mph,
                **options,  # type: ignore[arg-type]
            )
        )


@pytest.fixture
async def rig(request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    preset = getattr(request, "param", "strict")
    clock = ManualClock()
    sim = SimulatedTreadmill(preset=preset, clock=clock)
    await sim.start()
    try:
        yield Rig(clock, sim)
    finally:
        await sim.stop()
