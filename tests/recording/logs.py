"""Session logs for tests: a generator that plays a compiled plan at 1 Hz into the log format
of docs/session-log.md, with pauses, overrides, heart rate and an interrupted variant."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from retrorun.profiles import library
from retrorun.profiles.chart import speed_at
from retrorun.profiles.loader import load_profile
from retrorun.profiles.plan import compile_plan

if TYPE_CHECKING:
    from retrorun.profiles.plan import Plan, Segment

STARTED_AT = "2026-11-21T06:00:00Z"
RUNNING_AT_S = 4.0
"""Connecting at 0, countdown at 1, belt running at 4 (session seconds)."""


def bundled_plan(name: str) -> Plan:
    return compile_plan(load_profile(library.resolve(name)).profile)


@dataclass
class _Log:
    lines: list[dict[str, Any]] = field(default_factory=list)
    t: float = 0.0

    def add(self, event_type: str, /, **fields: Any) -> None:  # noqa: ANN401 - JSON values
        self.lines.append({"t": round(self.t, 3), "type": event_type, **fields})


@dataclass(frozen=True)
class Played:
    """A generated log and what it should export to."""

    text: str
    active_s: float
    distance_m: float
    laps: int
    elapsed_s: float
    """From the belt starting to the end."""


def _header(plan: Plan) -> dict[str, Any]:
    return {
        "type": "session",
        "version": 1,
        "started_at": STARTED_AT,
        "retrorun": "0.1.0",
        "profile": {
            "name": plan.name,
            "source": "test",
            "total_duration_s": round(plan.total_duration_s, 3),
            "total_distance_m": round(plan.total_distance_m, 3),
            "segments": len(plan.segments),
        },
        "device": {
            "name": "RetroRun Treadmill",
            "address": "5E:1A:7E:00:00:01",
            "simulated": True,
            "preset": "strict",
        },
    }


def _segment(log: _Log, seg: Segment) -> None:
    length = {"duration_s": seg.duration_s} if seg.duration_s else {"distance_m": seg.distance_m}
    log.add(
        "segment",
        index=seg.index,
        kind=seg.kind,
        direction=seg.direction,
        speed_kmh=seg.speed_kmh,
        incline_pct=seg.incline_pct,
        label=seg.label,
        **length,
    )
    log.add("command", speed_kmh=seg.speed_steps[0].speed_kmh)
    log.add("response", request="set_target_speed", result="success")
    log.add("cue", kind="start", text=seg.label)


def play(
    plan: Plan,
    *,
    pauses: tuple[tuple[float, float], ...] = (),
    heart_rate: bool = True,
    nudge_at_s: float | None = None,
) -> Played:
    """Play `plan` to its end. `pauses` are (active second, length s) pairs."""
    log = _Log()
    log.lines.append(_header(plan))
    log.add("state", state="connecting")
    log.t = 1.0
    log.add("state", state="countdown")
    log.add("command", action="start")
    log.t = RUNNING_AT_S
    log.add("state", state="running")
    total = plan.total_duration_s
    active = distance = 0.0
    waiting = sorted(pauses)
    totals = {"forward": [0.0, 0.0], "backward": [0.0, 0.0], "turn": [0.0, 0.0]}
    position = 0
    nudged = False
    while True:
        while position < len(plan.segments) and plan.segments[position].start_s <= active + 1e-9:
            _segment(log, plan.segments[position])
            position += 1
        if active >= total - 1e-9:
            break
        if waiting and active >= waiting[0][0]:
            _, length_s = waiting.pop(0)
            log.add("state", state="paused", reason="paused by you")
            for _ in range(round(length_s)):
                log.t += 1.0
                log.add("telemetry", speed_kmh=0.0, distance_m=round(distance, 3))
            log.add("state", state="resumed")
        seg = plan.segments[position - 1]
        boundary = plan.segments[position].start_s if position < len(plan.segments) else total
        step = min(1.0, boundary - active)
        speed = speed_at(seg, active - seg.start_s)
        if nudge_at_s is not None and not nudged and active >= nudge_at_s:
            log.add("command", speed_kmh=speed + 0.5, reason="nudge")
            log.add("status", status="console_speed", speed_kmh=speed + 0.5)
            nudged = True
        distance += speed / 3.6 * step
        group = "turn" if seg.kind == "turn" else seg.direction
        totals[group][0] += step
        totals[group][1] += speed / 3.6 * step
        active += step
        log.t += step
        reading: dict[str, Any] = {
            "speed_kmh": speed,
            "distance_m": round(distance, 3),
            "inclination_pct": seg.incline_pct,
        }
        if heart_rate:
            reading["heart_rate_bpm"] = round(95 + 6 * speed)
        log.add("telemetry", **reading)
    log.add("state", state="finished", reason="finished")
    log.lines.append(
        {
            "t": round(log.t, 3),
            "type": "summary",
            "outcome": "finished",
            "reason": "finished",
            "exit_code": 0,
            "duration_s": round(active, 3),
            "distance_m": round(distance, 3),
            "turns": plan.turns,
            **{
                g: {"duration_s": round(d, 3), "distance_m": round(m, 2)}
                for g, (d, m) in totals.items()
            },
        }
    )
    text = "".join(json.dumps(line) + "\n" for line in log.lines)
    return Played(text, active, round(distance, 2), len(plan.segments), log.t - RUNNING_AT_S)


def cut(text: str, at_t: float) -> str:
    """The log as a ``kill -9`` at session time `at_t` leaves it: no summary, the line being
    written cut in half."""
    lines = text.splitlines(keepends=True)
    kept = [lines[0]]
    for line in lines[1:]:
        if json.loads(line)["t"] > at_t:
            kept.append(line[: len(line) // 2])
            break
        kept.append(line)
    return "".join(kept)
