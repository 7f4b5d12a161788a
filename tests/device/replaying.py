"""A capture played through the simulator, as a test hears it through the device layer."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from retrorun.clock import LoopClock, run_virtual
from retrorun.device import Telemetry, open_treadmill
from retrorun_sim import SimulatedTreadmill
from tests.tui.rig import SIM_BACKENDS

if TYPE_CHECKING:
    from retrorun_sim import ReplayNotification


def speeds_heard(replay: tuple[ReplayNotification, ...], seconds: float) -> list[float]:
    """Every speed the device layer reads from `replay` in its first `seconds` (virtual
    time), rounded to 0.01 km/h, in order."""

    async def main() -> list[float]:
        clock = LoopClock()
        speeds: list[float] = []
        async with SimulatedTreadmill(clock=clock, replay=replay) as sim:
            treadmill = await open_treadmill(sim.address, clock=clock, backends=SIM_BACKENDS)

            async def listen() -> None:
                async for event in treadmill.events():
                    if isinstance(event, Telemetry) and event.speed_kmh is not None:
                        speeds.append(round(event.speed_kmh, 2))  # noqa: PERF401 - cancelled

            listening = asyncio.ensure_future(listen())
            try:
                await clock.sleep(seconds)
            finally:
                listening.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listening
                await treadmill.close()
        return speeds

    return run_virtual(main())
