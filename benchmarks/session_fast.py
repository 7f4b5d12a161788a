"""Fast-forward: a 60-minute session simulated end to end, and how accurately turns arrive.

Run: ``python -m benchmarks.session_fast`` (also part of ``make bench``).

* Fast-forward: a 60-minute forward/backward profile runs through the whole stack that
  ``retrorun run --sim --fast`` uses (engine, runner, device layer, bleak's BleakClient,
  codec, simulator, and the session log writer; no TUI) on a `VirtualTimeLoop`. Reported:
  wall time (best of three) and the ratio to the simulated time.
* Arrival accuracy: the share of turns where the belt is at turn speed (within 0.2 km/h)
  when the turn window is due, with the ``laggy`` and ``strict`` (default) presets, read
  from the ``turn_now`` cue lines of the log (``late_s`` is 0 when the window began on time
  and ``speed_kmh`` is the belt's measured speed then).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from retrorun.clock import LoopClock, run_virtual
from retrorun.device import Backends, Treadmill, open_treadmill
from retrorun.profiles.loader import parse_profile
from retrorun.profiles.plan import Plan, compile_plan
from retrorun.recording.session_log import SessionLogWriter
from retrorun.session.inputs import EngineOptions, Send
from retrorun.session.runner import SessionRunner
from retrorun_sim import SimulatedTreadmill, SimulatorClient, SimulatorScanner

if TYPE_CHECKING:
    from retrorun.session.api import SessionEnded

if TYPE_CHECKING:
    from collections.abc import Callable

HOUR = """
name: an hour of one-minute alternations
steps:
  - {duration: 5m, ramp: {from: 5, to: 8}, label: warm-up}
  - repeat:
      times: 20
      steps:
        - {duration: 1m, speed: 9, label: forward run}
        - {direction: backward, duration: 1m, speed: 4.5, label: backward walk}
  - {duration: 7m30s, ramp: {from: 7, to: 5}, label: cool-down}
"""
ROUNDS = 3
TOLERANCE_KMH = 0.2


def hour_plan() -> Plan:
    document = parse_profile(HOUR)
    return compile_plan(document.profile, where=document)


async def session(
    plan: Plan,
    preset: str,
    log: Path,
    on_send: Callable[[Send, float | None, float], None] | None = None,
) -> SessionEnded:
    """One headless session on the simulator, on the running loop's clock, logged to `log`."""
    clock = LoopClock()
    sim = SimulatedTreadmill(preset=preset, clock=clock)
    backends = Backends(client=SimulatorClient, scanner=SimulatorScanner)

    async def connect() -> Treadmill:
        return await open_treadmill(
            sim.address, clock=clock, backends=backends, mph_in_kmh_fields=sim.quirks.speed_in_mph
        )

    async with sim:
        runner = SessionRunner(
            plan,
            connect,
            clock=clock,
            options=EngineOptions(interactive=False, headless=True),
            snapshot_interval_s=None,
            on_send=on_send,
        )
        writer = SessionLogWriter(log)
        logging = asyncio.ensure_future(writer.follow(runner.events()))
        ended = await runner.run()
        await logging
        return ended


def fast_forward(plan: Plan) -> tuple[float, float]:
    """Best wall time of `ROUNDS` runs, and the session's length in simulated seconds."""
    best, simulated = float("inf"), 0.0
    with tempfile.TemporaryDirectory() as folder:
        for round_no in range(ROUNDS):
            start = time.perf_counter()
            ended = run_virtual(session(plan, "strict", Path(folder) / f"{round_no}.jsonl"))
            best = min(best, time.perf_counter() - start)
            simulated = ended.t
    return best, simulated


def arrivals(plan: Plan, preset: str) -> tuple[int, int]:
    """(turns at turn speed when due, turns) for one session on ``preset``."""
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "arrivals.jsonl"
        run_virtual(session(plan, preset, log))
        lines = [json.loads(text) for text in log.read_text().splitlines()]
    turns = [line for line in lines if line.get("kind") == "turn_now"]
    on_time = [
        line
        for line in turns
        if line["late_s"] == 0.0
        and line.get("speed_kmh") is not None
        and abs(line["speed_kmh"] - plan.limits.turn_speed_kmh) <= TOLERANCE_KMH
    ]
    return len(on_time), len(turns)


def main() -> None:
    plan = hour_plan()
    wall_s, simulated_s = fast_forward(plan)
    print(
        f"fast-forward: {simulated_s / 60:.1f} simulated minutes in {wall_s:.3f} s wall "
        f"({simulated_s / wall_s:,.0f}x real time)"
    )
    for preset in ("strict", "laggy"):
        good, total = arrivals(plan, preset)
        print(
            f"turn arrival ({preset}): {good}/{total} turns at turn speed on time "
            f"({100 * good / total:.1f} %)"
        )


if __name__ == "__main__":
    main()
