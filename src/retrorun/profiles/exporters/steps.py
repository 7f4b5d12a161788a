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

The plan brings a backward runner's belt to a new speed gradually, at the backward ramp
rate; another app would jump straight to it. So a backward step whose speed differs from
the one before it (after a turn's settle step, or after another backward step) is preceded
by a **speed change** step (`SpeedChange`, named ``"BACKWARD speed up 2.5 to 4 km/h"`` as
`SPEED_CHANGE_HEAD` reads it), from the speed before to the step's speed, lasting as long as
the backward ramp needs. Importing our own export drops it too.

Repeats stay repeats where every round is the same, turns included. The first round of a
block often differs (entered from a forward warm-up, it has no turn before its first forward
step): it is written once on its own, and the block repeats the other rounds.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun.errors import ProfileError
from retrorun.profiles.models import IntervalStep, RepeatStep
from retrorun.profiles.quantities import format_duration
from retrorun.profiles.safety import SAFETY_NUMBERS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from retrorun.profiles.models import Direction, Profile, Step, UntilHeartRate
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
SPEED_CHANGE_HEAD = re.compile(
    r"^(?P<facing>FORWARD|BACKWARD) speed (?:up|down) [0-9.]+ to [0-9.]+ km/h\b"
)
"""A speed change step's name, or the start of its .zwo message."""
TURN_SETTINGS = re.compile(
    r"\((?:warned (?P<warning>[0-9.]+) s ahead)?(?:, )?"
    r"(?:backward ramp (?P<ramp>[0-9.]+) km/h per s)?\)\.$"
)
"""A slow step's note of the turn's warning and backward ramp, when not the defaults."""
TURN_TEXT = re.compile(r"at (?P<speed>[0-9.]+) km/h \((?P<seconds>[0-9.]+) s\)")
"""The turn speed and the step's time in a turn step's text."""
SLOW, TURN, SETTLE = 1, 2, 3
SPEED_CHANGE_MIN_KMH = 0.05
"""A smaller change of a backward speed needs no step of its own."""


KEEP_TEXT = "at the same speed"
"""A ``keep_speed`` step's name when it has no label (the plan calls it so too)."""
HEART_RATE_TEXT = re.compile(
    r"^(?:zone (?P<zone>[1-5])|(?P<bpm_low>\d+)-(?P<bpm_high>\d+) bpm"
    r"|(?P<pct_low>[0-9.]+)-(?P<pct_high>[0-9.]+) % of max HR)$"
)
"""A zone step's target as `HeartRateTarget.describe` writes it."""
OWN_NOTES = re.compile(
    r"^(?:FORWARD|BACKWARD) \(facing [a-z ]+\)\."
    r"(?:\s(?:Incline -?[0-9.]+ %|Hold [^,]+, [0-9.]+ to [0-9.]+ km/h(?:, from [0-9.]+ km/h)?"
    r"|Keep the speed the belt runs|Press the lap button to go on \(retrorun goes on after "
    r"[0-9:]+ at most\))\.)*\s*"
)
"""The sentences `step_notes` writes before a step's cue."""


def speed_text(step: IntervalStep) -> str:
    """What a step holds, for its name when it has no label: ``"9.0 km/h"``, ``"6.0-7.5
    km/h"`` (a ramp), ``"zone 2 at 6.0-10.0 km/h"``, `KEEP_TEXT`."""
    if step.keep_speed:
        return KEEP_TEXT
    if step.heart_rate is not None:
        low, high = step.min_speed_kmh or 0.0, step.max_speed_kmh or 0.0
        return f"{step.heart_rate.describe()} at {low:.1f}-{high:.1f} km/h"
    if step.ramp is not None:
        return f"{step.ramp.from_kmh:.1f}-{step.ramp.to_kmh:.1f} km/h"
    return f"{step.end_speed_kmh:.1f} km/h"


def is_speed_text(text: str) -> bool:
    """Whether a step's name (after its direction) is `speed_text`, not a label."""
    return text == KEEP_TEXT or text.endswith("km/h")


def step_name(step: IntervalStep) -> str:
    """``"BACKWARD backward walk"``, ``"FORWARD 9.0 km/h"``."""
    return f"{step.direction.upper()} {step.label or speed_text(step)}"


def step_notes(step: IntervalStep) -> str:
    """The facing sentence, what the step holds or waits for (`OWN_NOTES`), then the cue:
    ``"BACKWARD (facing away from the console). Incline 2 %. Hold the rails"``."""
    notes = [f"{FACING[step.direction]}."]
    if step.incline_pct:
        notes.append(f"Incline {step.incline_pct:g} %.")
    if step.heart_rate is not None:
        low, high = step.min_speed_kmh or 0.0, step.max_speed_kmh or 0.0
        start = f", from {step.speed_kmh:.1f} km/h" if step.speed_kmh is not None else ""
        notes.append(
            f"Hold {step.heart_rate.describe()} by the speed, {low:.1f} to {high:.1f} km/h{start}."
        )
    if step.keep_speed:
        notes.append("Keep the speed the belt runs.")
    if step.open_ended:
        most = format_duration(step.duration_s or 0.0)
        notes.append(f"Press the lap button to go on (retrorun goes on after {most} at most).")
    if step.cue:
        notes.append(step.cue)
    return " ".join(notes)


def read_heart_rate(text: str) -> dict[str, object] | None:
    """`HEART_RATE_TEXT` back into a profile's ``heart_rate`` (None: not one)."""
    found = HEART_RATE_TEXT.match(text)
    if found is None:
        return None
    if found["zone"]:
        return {"zone": int(found["zone"])}
    if found["bpm_low"]:
        return {"bpm": [int(found["bpm_low"]), int(found["bpm_high"])]}
    return {"percent_max": [float(found["pct_low"]), float(found["pct_high"])]}


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
class SpeedChange:
    """A backward belt brought to a step's speed at the backward ramp rate, before the
    step's clock starts (as the plan does)."""

    direction: Direction
    from_kmh: float
    speed_kmh: float
    duration_s: float
    incline_pct: float

    @property
    def distance_m(self) -> float:
        """The metres the belt runs meanwhile."""
        return (self.from_kmh + self.speed_kmh) / 7.2 * self.duration_s

    @property
    def name(self) -> str:
        """``"BACKWARD speed up 2.5 to 4 km/h"``, as `SPEED_CHANGE_HEAD` reads it."""
        way = "up" if self.speed_kmh > self.from_kmh else "down"
        change = f"{self.from_kmh:g} to {self.speed_kmh:g} km/h"
        return f"{self.direction.upper()} speed {way} {change}"

    @property
    def text(self) -> str:
        """What the runner reads: which way they face and that the belt changes slowly."""
        way = "speeds up" if self.speed_kmh > self.from_kmh else "slows down"
        return (
            f"{FACING[self.direction]}. Keep hold of the rails: the belt {way} gradually "
            f"from {self.from_kmh:g} to {self.speed_kmh:g} km/h ({self.duration_s:g} s)."
        )


def speed_change(
    direction: Direction, from_kmh: float, to_kmh: float, incline_pct: float, limits: SafetyLimits
) -> SpeedChange | None:
    """The `SpeedChange` a backward step starting at `to_kmh` needs after `from_kmh`; None
    forward or when the speed stays. Its time is rounded up to a tenth of a second, so an
    app that ramps evenly over it never changes faster than the backward ramp."""
    change = abs(to_kmh - from_kmh)
    if direction != "backward" or change < SPEED_CHANGE_MIN_KMH:
        return None
    seconds = math.ceil(round(change / limits.backward_ramp_kmh_per_s * 10, 6)) / 10
    return SpeedChange(direction, round(from_kmh, 3), round(to_kmh, 3), seconds, incline_pct)


@dataclass(frozen=True)
class Block:
    """Items run `times` times (at most, with `until`: until a heart rate)."""

    times: int
    items: tuple[Item, ...]
    until: UntilHeartRate | None = None


Item = IntervalStep | TurnPhase | SpeedChange | Block


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
        """The turn before the next interval (if any), as phases, and the speed change into
        a backward interval; the interval is consumed."""
        out: list[Item] = []
        segment = self.take()
        while segment is not None and segment.kind == "turn":
            out.extend(turn_phases(segment, self._speed_kmh, self.limits))
            self._speed_kmh = segment.speed_kmh
            segment = self.take()
        if segment is not None:
            change = None
            if not segment.keep_speed:
                start = segment.ramp_from_kmh or segment.speed_kmh
                change = speed_change(
                    segment.direction, self._speed_kmh, start, segment.incline_pct, self.limits
                )
            if change is not None:
                out.append(change)
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
            until = step.repeat.until_heart_rate
            out.extend(_fold(rounds) if until is None else _fold_until(rounds, until))
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


def _fold_until(rounds: list[list[Item]], until: UntilHeartRate) -> list[Item]:
    """A block ending on a heart rate stays a block, even of one round after a first round
    written on its own (an import folds that round back in); rounds that differ otherwise
    (they never do: every round after the first is entered the same way) are refused."""
    if all(items == rounds[0] for items in rounds):
        return [Block(len(rounds), tuple(rounds[0]), until)]
    if all(items == rounds[1] for items in rounds[1:]):
        return [*rounds[0], Block(len(rounds) - 1, tuple(rounds[1]), until)]
    message = "a repeat ending on a heart rate whose rounds differ cannot be exported"
    raise ProfileError(message)


def export_items(profile: Profile, plan: Plan) -> tuple[Item, ...]:
    """The profile's steps with every turn of `plan` (compiled from it) as its steps."""
    cursor = _Cursor(plan)
    items = _walk(profile.steps, cursor)
    for segment in cursor.rest():
        if segment.kind == "turn":
            items.extend(turn_phases(segment, cursor.speed_kmh, cursor.limits))
        else:  # finish: stop, a last backward step at turn speed
            change = speed_change(
                segment.direction,
                cursor.speed_kmh,
                segment.speed_kmh,
                segment.incline_pct,
                cursor.limits,
            )
            items.extend([change] if change is not None else [])
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


Flat = IntervalStep | TurnPhase | SpeedChange


def flattened(items: tuple[Item, ...]) -> list[Flat]:
    """Every item in running order, blocks unrolled."""
    out: list[Flat] = []
    for item in items:
        if isinstance(item, Block):
            for _ in range(item.times):
                out.extend(flattened(item.items))
        else:
            out.append(item)
    return out
