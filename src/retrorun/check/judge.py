"""Pure judgements over telemetry: has the belt settled, how fast did it change, what does
the settled speed say about the firmware.

No I/O and no clock: every function takes samples with their times. The numbers are the
field notes' (notes/real-treadmills-misbehave.md): belts ramp at 0.3-1 km/h per second,
react up to a few seconds late, and mph firmware shows up as a 1.609 ratio.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun.device.capabilities import KMH_PER_MPH

if TYPE_CHECKING:
    from collections.abc import Sequence

# Two readings closer than this are the same speed (the wire carries 0.01 km/h).
STEADY_KMH = 0.06
STEADY_PCT = 0.15
# A belt below this is at rest.
AT_REST_KMH = 0.05
# A commanded speed counts as reached within this (the session's own tolerance).
FOLLOWED_KMH = 0.25
# How far a belt must move to count as having reacted at all.
MOVED_KMH = 0.15
MOVED_PCT = 0.25
# Samples in a row that must agree before a quantity counts as settled.
STEADY_SAMPLES = 3
# The latest a real belt starts to react (laggy firmware reacts in about 2 s, QZ #1879).
REACTION_LIMIT_S = 6.0
# The slowest plausible ramps: anything slower is a belt that does not follow.
SLOWEST_KMH_PER_S = 0.2
SLOWEST_PCT_PER_S = 0.1
# How far a ratio may be from 1.609 (or 1) and still be read as mph (or km/h).
RATIO_TOLERANCE = 0.12
# Reported distance needed before its ratio to integrated speed means anything (1 m
# resolution: 20 m is within 5 %).
MIN_DISTANCE_M = 20.0


@dataclass(frozen=True)
class Point:
    """One reading of one quantity (speed in km/h, or incline in %) at a clock time."""

    t: float
    value: float


class Follow(enum.Enum):
    """How the belt answered one speed command."""

    FOLLOWED = "followed"
    """It settled at the speed asked."""
    MPH_COMMANDS = "mph-commands"
    """It settled at 1.609 times the speed asked: the command was read as mph."""
    IGNORED = "ignored"
    """It stayed where it was."""
    ELSEWHERE = "elsewhere"
    """It settled somewhere else."""


@dataclass(frozen=True)
class Change:
    """One commanded change of speed (or incline) and what the belt did."""

    commanded_at: float
    start: float
    asked: float
    settled: float
    settled_at: float
    rate_per_s: float | None
    """Measured between readings strictly inside the ramp; None when too few were."""
    reaction_s: float | None
    """From the command to the start of the ramp, extrapolated back along the rate."""


def plausible_time_s(start: float, end: float, *, incline: bool = False) -> float:
    """The longest a real belt (or deck) may take for this change, with margin."""
    slowest = SLOWEST_PCT_PER_S if incline else SLOWEST_KMH_PER_S
    return REACTION_LIMIT_S + abs(end - start) / slowest + 5.0


def settled(
    points: Sequence[Point], *, commanded_at: float, start: float, incline: bool = False
) -> bool:
    """Whether the readings since the command have come to rest.

    Rest is `STEADY_SAMPLES` readings in a row that agree, either after the quantity moved
    away from where it was or once a real belt would have reacted (`REACTION_LIMIT_S`); a
    laggy belt that has not started yet is not "settled where it was".
    """
    after = [p for p in points if p.t >= commanded_at]
    if len(after) < STEADY_SAMPLES:
        return False
    tail = after[-STEADY_SAMPLES:]
    steady = STEADY_PCT if incline else STEADY_KMH
    if max(p.value for p in tail) - min(p.value for p in tail) > steady:
        return False
    moved = abs(tail[-1].value - start) > (MOVED_PCT if incline else MOVED_KMH)
    return moved or tail[-1].t - commanded_at >= REACTION_LIMIT_S


def measure(points: Sequence[Point], *, commanded_at: float, start: float, asked: float) -> Change:
    """What the readings after a command say: where it settled, its rate and reaction."""
    after = [p for p in points if p.t >= commanded_at]
    last = after[-1] if after else Point(commanded_at, start)
    end = last.value
    settled_at = next((p.t for p in after if abs(p.value - end) <= STEADY_KMH), last.t)
    inside = [
        p
        for p in after
        if abs(p.value - start) > STEADY_KMH
        and abs(p.value - end) > STEADY_KMH
        and p.t < settled_at
    ]
    rate: float | None = None
    reaction: float | None = None
    if len(inside) >= 2 and inside[-1].t > inside[0].t:  # noqa: PLR2004 - two ends of a slope
        rate = abs(inside[-1].value - inside[0].value) / (inside[-1].t - inside[0].t)
        if rate > 0:
            began = inside[0].t - abs(inside[0].value - start) / rate
            reaction = max(0.0, began - commanded_at)
        else:
            rate = None
    return Change(commanded_at, start, asked, end, settled_at, rate, reaction)


def follow_of(change: Change) -> Follow:
    """Judge one speed command by where the belt settled."""
    if abs(change.settled - change.asked) <= FOLLOWED_KMH:
        return Follow.FOLLOWED
    if abs(change.settled - change.asked * KMH_PER_MPH) <= FOLLOWED_KMH + 0.05 * change.asked:
        return Follow.MPH_COMMANDS
    if abs(change.settled - change.start) <= MOVED_KMH:
        return Follow.IGNORED
    return Follow.ELSEWHERE


def distance_ratio(reported_m: float, integrated_m: float) -> float | None:
    """Reported distance over the distance integrated from reported speed (None: too
    little distance to tell)."""
    if integrated_m < MIN_DISTANCE_M or reported_m <= 0:
        return None
    return reported_m / integrated_m


def reads_as_mph(ratio: float) -> bool:
    """A distance ratio of 1.609: speed fields carry mph while distance is in metres."""
    return abs(ratio - KMH_PER_MPH) <= RATIO_TOLERANCE


def reads_as_kmh(ratio: float) -> bool:
    return abs(ratio - 1.0) <= RATIO_TOLERANCE


def mean(values: Sequence[float | None]) -> float | None:
    """The mean of the values that were measured (None when none was)."""
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 2) if known else None
