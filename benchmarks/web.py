"""Web view: what following a fast-forward session in browsers costs the session.

Run: ``python -m benchmarks.web``. A 60-minute forward/backward profile runs through the
whole stack ``retrorun run --sim --fast`` uses (engine, runner, device layer, bleak's
BleakClient, codec, simulator; snapshots 4 times a simulated second) on a `VirtualTimeLoop`,
best of three, in four cases: no web view; the view with no browser; the view with one
browser reading every message (aiohttp's client, in the same process and loop, so its own
cost is counted too: a pessimistic figure); and that browser plus one that never reads
(a raw socket with a tiny receive buffer). Reported: wall time, the ratio to the first
case, and the messages the reading browser received.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING

import aiohttp

from benchmarks.session_fast import hour_plan
from retrorun.clock import LoopClock, run_virtual
from retrorun.device import Backends, Treadmill, open_treadmill
from retrorun.session.inputs import EngineOptions
from retrorun.session.runner import SessionRunner
from retrorun.web.server import WebView
from retrorun.web.settings import WebSettings
from retrorun_sim import SimulatedTreadmill, SimulatorClient, SimulatorScanner
from tests.web.stalled import stalled_browser

if TYPE_CHECKING:
    from retrorun.profiles.plan import Plan

ROUNDS = 3
CASES = ("no web view", "web view, no browser", "one reading browser", "plus one that never reads")


async def _read_all(socket_: aiohttp.ClientWebSocketResponse, count: list[int]) -> None:
    await socket_.send_str('{"type":"hello"}')
    async for _ in socket_:
        count[0] += 1


async def _session(plan: Plan, case: int) -> int:
    """One session in `case` (an index of `CASES`); messages the reading browser got."""
    clock = LoopClock()
    sim = SimulatedTreadmill(preset="strict", clock=clock)
    backends = Backends(client=SimulatorClient, scanner=SimulatorScanner)

    async def connect() -> Treadmill:
        return await open_treadmill(sim.address, clock=clock, backends=backends)

    received = [0]
    async with sim, contextlib.AsyncExitStack() as stack:
        runner = SessionRunner(
            plan,
            connect,
            clock=clock,
            options=EngineOptions(interactive=False, headless=True),
            snapshot_interval_s=0.25,
        )
        if case >= 1:
            view = WebView(runner, WebSettings(port=0, host="127.0.0.1"), clock=clock)
            await stack.enter_async_context(view)
        if case >= 2:
            http = await stack.enter_async_context(aiohttp.ClientSession())
            reader = await http.ws_connect(f"http://127.0.0.1:{view.port}/ws")
            task = asyncio.ensure_future(_read_all(reader, received))
            stack.callback(task.cancel)
        if case >= 3:
            stack.callback((await stalled_browser(view.port)).close)
        await runner.run()
    return received[0]


def main() -> None:
    plan = hour_plan()
    baseline = None
    for case, name in enumerate(CASES):
        best, received = float("inf"), 0
        for _ in range(ROUNDS):
            start = time.perf_counter()
            received = run_virtual(_session(plan, case))
            best = min(best, time.perf_counter() - start)
        baseline = baseline or best
        extra = f", {received} messages to the reading browser" if case >= 2 else ""
        print(f"{name}: {best:.3f} s wall ({best / baseline - 1:+.0%}){extra}")


if __name__ == "__main__":
    main()
