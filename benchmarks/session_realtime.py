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
import statistics
import sys

from retrorun.clock import LoopClock
from retrorun.device import Backends, Treadmill, open_treadmill
from retrorun.profiles.loader import parse_profile
from retrorun.profiles.plan import Plan, compile_plan
from retrorun.session.api import LogEntry
from retrorun.session.inputs import EngineOptions, Send
from retrorun.session.runner import SessionRunner
from retrorun_sim import SimulatedTreadmill, SimulatorClient, SimulatorScanner

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


async def measure(plan: Plan) -> tuple[list[float], float]:
    """Latencies (s) of boundary commands, and the drift (s) of the last boundary."""
    clock = LoopClock()
    sim = SimulatedTreadmill(clock=clock)
    backends = Backends(client=SimulatorClient, scanner=SimulatorScanner)
    latencies: list[float] = []

    def on_send(send: Send, planned: float | None, now: float) -> None:
        if send.request == "speed" and planned is not None:
            latencies.append(now - planned)

    async def connect() -> Treadmill:
        return await open_treadmill(sim.address, clock=clock, backends=backends)

    async with sim:
        runner = SessionRunner(
            plan,
            connect,
            clock=clock,
            options=EngineOptions(interactive=False, headless=True),
            snapshot_interval_s=None,
            on_send=on_send,
        )
        events = runner.events()
        await runner.run()
    segments = [e for e in events.drain() if isinstance(e, LogEntry) and e.type == "segment"]
    first, last = segments[0], segments[-1]
    planned_last = first.t + sum(s.estimated_duration_s for s in plan.segments[:-1])
    return latencies, last.t - planned_last


def main() -> None:
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    latencies, drift = asyncio.run(measure(plan_for(minutes)))
    ms = sorted(1000 * value for value in latencies)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    print(
        f"real-time, {minutes:g} min of {INTERVAL_S}-s intervals, {len(ms)} boundaries: "
        f"latency p50 {statistics.median(ms):.2f} ms, p99 {p99:.2f} ms, max {ms[-1]:.2f} ms; "
        f"drift at the end {1000 * drift:+.1f} ms"
    )


if __name__ == "__main__":
    main()
