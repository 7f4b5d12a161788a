"""What an exported workout holds: the profile's steps with every turn as steps of its own.

Another app or a watch knows nothing of turns, so an export spells each one out as three
steps, timed as the plan times them: **slow** (the belt comes down to turn speed, the runner
still facing the old way), **turn** (the turn window: the belt held at turn speed while the
runner turns on the rails) and **settle** (at turn speed, facing the new way). A workout that
ends backward ends with its final turn, or with ``finish: stop`` its slow-down to stop.

Every step carries its direction in its name and text. A turn step's name is its `head`,
``"FORWARD turn 1/3"``, ``"FORWARD to BACKWARD turn 2/3"``, ``"BACKWARD turn 3/3"`` (``incline``
instead of ``turn`` when a backward runner only steps onto the rails for an incline change);
`TURN_HEAD` reads it back, so importing our own export drops the turn steps (the plan makes
them again) and keeps the turn's speed, window and settle time.

Repeats stay repeats where every round is the same, turns included. The first round of a
block often differs (entered from a forward warm-up, it has no turn before its first forward
step): it is written once on its own, and the block repeats the other rounds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun.profiles.models import IntervalStep, RepeatStep
from retrorun.profiles.safety import SAFETY_NUMBERS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from retrorun.profiles.models import Direction, Profile, Step
    from retrorun.profiles.safety import SafetyLimits
    from retrorun.profiles.timeline import Plan, Segment

FACING = {
    "forward": "FORWARD (facing the console)",
    "backward": "BACKWARD (facing away from the console)",
}
TURN_HEAD = re.compile(
    r"^(?P<facing>FORWARD|BACKWARD)(?: to (?P<to>FORWARD|BACKWARD))? "
    r"(?P<kind>turn|incline) (?P<phase>[123])/3\b"
)
"""A turn step's name, or the start of its .zwo message."""
TURN_SETTINGS = re.compile(
    r"\((?:warned (?P<warning>[0-9.]+) s ahead)?(?:, )?"
    r"(?:backward ramp (?P<ramp>[0-9.]+) km/h per s)?\)\.$"
)
"""A slow step's note of the turn's warning and backward ramp, when not the defaults."""
TURN_TEXT = re.compile(r"at (?P<speed>[0-9.]+) km/h \((?P<seconds>[0-9.]+) s\)")
"""The turn speed and the step's time in a turn step's text."""
SLOW, TURN, SETTLE = 1, 2, 3


@dataclass(frozen=True)
class TurnPhase:
    """One of the three steps of a turn."""

    phase: int
    from_direction: Direction
    direction: Direction
    duration_s: float
    distance_m: float
    from_kmh: float
    """Speed at the start of the step (the speed before the turn for `SLOW`)."""
    speed_kmh: float
    """The turn speed."""
    incline_pct: float
    settings: str = ""
    """The turn's warning and backward ramp when they are not the defaults (`SLOW` only),
    as `TURN_SETTINGS` reads them: ``" (warned 15 s ahead, backward ramp 0.4 km/h per s)"``."""

    @property
    def facing(self) -> Direction:
        """The way the runner faces during the step (turning: the way they end up)."""
        return self.from_direction if self.phase == SLOW else self.direction

    @property
    def head(self) -> str:
        """``"FORWARD turn 1/3"``: direction, kind and phase, as `TURN_HEAD` reads it."""
        turning = self.from_direction != self.direction
        kind = "turn" if turning else "incline"
        facing = self.facing.upper()
        if self.phase == TURN and turning:
            facing = f"{self.from_direction.upper()} to {self.direction.upper()}"
        return f"{facing} {kind} {self.phase}/3"

    @property
    def name(self) -> str:
        """The step's name: its `head` and what the runner does."""
        if self.from_direction == self.direction:
            word = {SLOW: "slow down", TURN: "on the rails", SETTLE: "settle"}[self.phase]
        else:
            word = {SLOW: "slow down", TURN: "turn around", SETTLE: "settle"}[self.phase]
        return f"{self.head} {word}"

    @property
    def text(self) -> str:
        """What the runner reads: which way they face and what to do; the turn and settle
        steps say at what speed and how long (``"... at 2.5 km/h (10 s)."``, as `TURN_TEXT`
        reads it)."""
        at = f"at {self.speed_kmh:g} km/h ({round(self.duration_s, 1):g} s)"
        down = f"Slow down to {self.speed_kmh:g} km/h and hold the rails"
        to = self.direction.upper()
        if self.from_direction == self.direction:
            change = f"the incline changes to {self.incline_pct:g} %"
            doing = {
                SLOW: f"{down}: {change}{self.settings}.",
                TURN: f"On the rails, {change}, {at}.",
                SETTLE: f"Settle in {at}.",
            }[self.phase]
        else:
            doing = {
                SLOW: f"{down}: turn to {to} next{self.settings}.",
                TURN: f"Hold the rails and turn around to face {to} {at}.",
                SETTLE: f"Settle in {at} before the speed changes.",
            }[self.phase]
        if self.phase == TURN and self.from_direction != self.direction:
            return f"Turning from {self.from_direction.upper()} to {to}. {doing}"
        return f"{FACING[self.facing]}. {doing}"


@dataclass(frozen=True)
class Block:
    """Items run `times` times."""

    times: int
    items: tuple[Item, ...]


Item = IntervalStep | TurnPhase | Block


def turn_phases(turn: Segment, before_kmh: float, limits: SafetyLimits) -> tuple[TurnPhase, ...]:
    """A plan's turn segment as its three steps; ``before_kmh`` is the speed before it and
    `limits` the plan's (for the warning and backward ramp the slow step notes)."""
    window = turn.window_s or 0.0
    settle = turn.settle_s or 0.0
    per_s = turn.speed_kmh / 3.6

    def phase(number: int, duration_s: float, distance_m: float, from_kmh: float) -> TurnPhase:
        return TurnPhase(
            number,
            turn.from_direction,
            turn.direction,
            duration_s,
            distance_m,
            from_kmh,
            turn.speed_kmh,
            turn.incline_pct,
            _settings(limits) if number == SLOW else "",
        )

    return (
        phase(
            SLOW,
            turn.estimated_duration_s - window - settle,
            max(turn.estimated_distance_m - per_s * (window + settle), 0.0),
            max(before_kmh, turn.speed_kmh),
        ),
        phase(TURN, window, per_s * window, turn.speed_kmh),
        phase(SETTLE, settle, per_s * settle, turn.speed_kmh),
    )


def _settings(limits: SafetyLimits) -> str:
    """`TurnPhase.settings` for a plan's limits: what differs from the defaults."""
    parts = []
    if limits.turn_warning_s != SAFETY_NUMBERS["turn_warning_default"].value:
        parts.append(f"warned {limits.turn_warning_s:g} s ahead")
    if limits.backward_ramp_kmh_per_s != SAFETY_NUMBERS["backward_ramp_default"].value:
        parts.append(f"backward ramp {limits.backward_ramp_kmh_per_s:g} km/h per s")
    return f" ({', '.join(parts)})" if parts else ""


class _Cursor:
    """Walks the plan's segments alongside the profile's steps."""

    def __init__(self, plan: Plan) -> None:
        self._segments = plan.segments
        self.limits = plan.limits
        self._next = 0
        self._speed_kmh = 0.0

    def take(self) -> Segment | None:
        if self._next >= len(self._segments):
            return None
        segment = self._segments[self._next]
        self._next += 1
        return segment

    def turn_then(self) -> list[Item]:
        """The turn before the next interval (if any), as phases; the interval is consumed."""
        out: list[Item] = []
        segment = self.take()
        while segment is not None and segment.kind == "turn":
            out.extend(turn_phases(segment, self._speed_kmh, self.limits))
            self._speed_kmh = segment.speed_kmh
            segment = self.take()
        if segment is not None:
            self._speed_kmh = segment.speed_kmh
        return out

    def rest(self) -> Iterator[Segment]:
        """The segments after the last of the profile's steps (the workout's finish)."""
        while (segment := self.take()) is not None:
            yield segment

    @property
    def speed_kmh(self) -> float:
        return self._speed_kmh

    def note_speed(self, speed_kmh: float) -> None:
        self._speed_kmh = speed_kmh


def _walk(steps: tuple[Step, ...], cursor: _Cursor) -> list[Item]:
    out: list[Item] = []
    for step in steps:
        if isinstance(step, RepeatStep):
            rounds = [_walk(step.repeat.steps, cursor) for _ in range(step.repeat.times)]
            out.extend(_fold(rounds))
        else:
            out.extend(cursor.turn_then())
            out.append(step)
    return out


def _fold(rounds: list[list[Item]]) -> list[Item]:
    """Rounds as a block where they are all alike; a first round unlike the rest on its own."""
    if all(items == rounds[0] for items in rounds):
        return [Block(len(rounds), tuple(rounds[0]))] if len(rounds) > 1 else rounds[0]
    if all(items == rounds[1] for items in rounds[1:]):
        rest = rounds[1:]
        return rounds[0] + ([Block(len(rest), tuple(rest[0]))] if len(rest) > 1 else rest[0])
    return [item for items in rounds for item in items]


def export_items(profile: Profile, plan: Plan) -> tuple[Item, ...]:
    """The profile's steps with every turn of `plan` (compiled from it) as its steps."""
    cursor = _Cursor(plan)
    items = _walk(profile.steps, cursor)
    for segment in cursor.rest():
        if segment.kind == "turn":
            items.extend(turn_phases(segment, cursor.speed_kmh, cursor.limits))
        else:  # finish: stop, a last backward step at turn speed
            items.append(
                IntervalStep(
                    direction=segment.direction,
                    duration_s=segment.duration_s,
                    speed_kmh=segment.speed_kmh,
                    incline_pct=segment.incline_pct,
                    label=segment.label,
                    cue=segment.cue,
                )
            )
        cursor.note_speed(segment.speed_kmh)
    return tuple(items)


def flattened(items: tuple[Item, ...]) -> list[IntervalStep | TurnPhase]:
    """Every item in running order, blocks unrolled."""
    out: list[IntervalStep | TurnPhase] = []
    for item in items:
        if isinstance(item, Block):
            for _ in range(item.times):
                out.extend(flattened(item.items))
        else:
            out.append(item)
    return out
