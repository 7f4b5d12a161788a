"""A rehearsal: the same session at walking speeds.

Before running a profile for real, a runner can walk through it on the real treadmill: the
same steps, turns and cues, with every speed scaled by one factor so that the fastest is at
most `REHEARSAL_MAX_KMH`. Relative speeds stay (a backward walk stays slower than the
forward run), the turns stay where they were (a direction change is still a turn) and the
backward caps hold as ever (speeds only come down). A distance step becomes the time it
would have taken at its own speed, so the rehearsal takes as long as the session and its
cues come when they would. The turn speed is at most the ceiling too.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from retrorun.profiles.models import IntervalStep, Profile, RepeatBlock, RepeatStep, SpeedRamp
from retrorun.profiles.safety.limits import TURN_SPEED_DEFAULT_KMH
from retrorun.profiles.timeline import Cue, CueKind, Plan

REHEARSAL_MAX_KMH = 3.0
"""The fastest a rehearsal goes: a walk on any treadmill."""
SLOWEST_KMH = 0.5
"""No scaled speed goes below this (the treadmill's own minimum still applies)."""
ANNOUNCEMENT = "Rehearsal at walking speed"
"""Said at the start of a rehearsal (`announced`)."""


@dataclass(frozen=True)
class Rehearsal:
    """A profile scaled for rehearsal, and how."""

    profile: Profile
    scale: float
    """Every speed was multiplied by this (1.0: the profile was already at walking speed)."""
    max_speed_kmh: float = REHEARSAL_MAX_KMH

    def to_json(self) -> dict[str, float]:
        """What the session log's header says about it."""
        return {"max_speed_kmh": self.max_speed_kmh, "scale": round(self.scale, 4)}


def rehearsal(profile: Profile, max_speed_kmh: float = REHEARSAL_MAX_KMH) -> Rehearsal:
    """`profile` at walking speeds: every speed scaled under `max_speed_kmh`."""
    fastest = max(_speeds(profile.steps), default=0.0)
    scale = min(1.0, max_speed_kmh / fastest) if fastest > 0 else 1.0
    steps = tuple(_step(step, scale) for step in profile.steps)
    turn_kmh = min(profile.turn.speed_kmh or TURN_SPEED_DEFAULT_KMH, max_speed_kmh)
    scaled = profile.model_copy(
        update={
            "name": f"{profile.name} (rehearsal)",
            "steps": steps,
            "turn": profile.turn.model_copy(update={"speed_kmh": turn_kmh}),
        }
    )
    return Rehearsal(scaled, scale, max_speed_kmh)


def _speeds(steps: tuple[IntervalStep | RepeatStep, ...]) -> list[float]:
    found: list[float] = []
    for step in steps:
        if isinstance(step, RepeatStep):
            found.extend(_speeds(step.repeat.steps))
        elif step.ramp is not None:
            found.extend((step.ramp.from_kmh, step.ramp.to_kmh))
        elif step.speed_kmh is not None:
            found.append(step.speed_kmh)
    return found


def _scaled(kmh: float, scale: float) -> float:
    return max(SLOWEST_KMH, round(kmh * scale, 1))


def _step(step: IntervalStep | RepeatStep, scale: float) -> IntervalStep | RepeatStep:
    if isinstance(step, RepeatStep):
        block = step.repeat
        inner = tuple(_step(s, scale) for s in block.steps)
        return step.model_copy(
            update={"repeat": RepeatBlock.model_copy(block, update={"steps": inner})}
        )
    update: dict[str, object] = {}
    if step.distance_m is not None:
        # The time the step would take at its own (mean) speed: the rehearsal keeps the
        # session's timing, so its cues come when they will.
        mean_kmh = (step.start_speed_kmh + step.end_speed_kmh) / 2
        update |= {"distance_m": None, "duration_s": round(step.distance_m / (mean_kmh / 3.6), 1)}
    if step.ramp is not None:
        ramp = SpeedRamp.model_copy(
            step.ramp,
            update={
                "from_kmh": _scaled(step.ramp.from_kmh, scale),
                "to_kmh": _scaled(step.ramp.to_kmh, scale),
            },
        )
        update["ramp"] = ramp
    elif step.speed_kmh is not None:
        update["speed_kmh"] = _scaled(step.speed_kmh, scale)
    return step.model_copy(update=update)


def announced(plan: Plan) -> Plan:
    """`plan` (a rehearsal's) saying at its very start that it is a rehearsal."""
    first = plan.segments[0]
    said = Cue(0.0, CueKind.TEXT, ANNOUNCEMENT)
    first = replace(first, cues=(said, *first.cues))
    return replace(plan, segments=(first, *plan.segments[1:]))
