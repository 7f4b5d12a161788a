"""Real-time accuracy: planned boundary to command written, and drift at the end.

Run: ``python -m benchmarks.session_realtime [MINUTES]`` (default 10; real time, so it is
not part of ``make bench``).

A forward profile of 5-second intervals alternating 8 and 9 km/h runs on the wall clock
(``asyncio`` loop time) against the simulator, through the whole stack. For every speed
command due at a planned boundary, the latency is the time from the engine's deadline to
the moment the command is handed to the treadmill's control channel (which writes it
without waiting further). Drift compares where the last boundary fell with where it was
planned: deadlines are absolute times on the clock, so lateness does not accumulate.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.session_fast import session
from retrorun.profiles.loader import parse_profile
from retrorun.profiles.plan import Plan, compile_plan

if TYPE_CHECKING:
    from retrorun.session.inputs import Send

INTERVAL_S = 5


def plan_for(minutes: float) -> Plan:
    rounds = max(1, round(minutes * 60 / (2 * INTERVAL_S)))
    text = f"""
name: five-second intervals
steps:
  - repeat:
      times: {rounds}
      steps:
        - {{duration: {INTERVAL_S}, speed: 8}}
        - {{duration: {INTERVAL_S}, speed: 9}}
"""
    document = parse_profile(text)
    return compile_plan(document.profile, where=document)


async def measure(plan: Plan, log: Path) -> list[float]:
    """Latencies (s) from planned boundaries to their speed commands."""
    latencies: list[float] = []

    def on_send(send: Send, planned: float | None, now: float) -> None:
        if send.request == "speed" and planned is not None:
            latencies.append(now - planned)

    await session(plan, "strict", log, on_send)
    return latencies


def drift(plan: Plan, log: Path) -> float:
    """Seconds between where the last boundary fell and where it was planned."""
    lines = [json.loads(text) for text in log.read_text().splitlines()]
    segments = [line for line in lines if line["type"] == "segment"]
    first, last = segments[0], segments[-1]
    planned_last = first["t"] + sum(s.estimated_duration_s for s in plan.segments[:-1])
    return float(last["t"] - planned_last)


def main() -> None:
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    with tempfile.TemporaryDirectory() as folder:
        plan, log = plan_for(minutes), Path(folder) / "rt.jsonl"
        latencies = asyncio.run(measure(plan, log))
        end_drift_s = drift(plan, log)
    ms = sorted(1000 * value for value in latencies)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    print(
        f"real-time, {minutes:g} min of {INTERVAL_S}-s intervals, {len(ms)} boundaries: "
        f"latency p50 {statistics.median(ms):.2f} ms, p99 {p99:.2f} ms, max {ms[-1]:.2f} ms; "
        f"drift at the end {1000 * end_drift_s:+.1f} ms"
    )


if __name__ == "__main__":
    main()
