"""What a compiled plan is: segments, speed steps, cues and commands, with totals.

A `Plan` is produced by `retrorun.profiles.plan.compile_plan` and is all a session engine
needs to drive a treadmill: every segment's targets and commanded steps, cue times, and the
`SafetyLimits` the plan was checked against. Times of distance segments are estimates.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from retrorun.profiles.safety import SafetyLimits

# The shared vocabulary of plans and sessions, defined here once: the profile models, the
# session API and every view use these.
Direction = Literal["forward", "backward"]
"""The way the runner faces (the belt itself only runs one way)."""
SegmentKind = Literal["interval", "turn"]
COUNTDOWN_BEEPS_S = (3.0, 2.0, 1.0)
"""The 3-2-1 before a change: seconds before the moment counted to, one beep each."""


class CueKind(enum.StrEnum):
    """What a cue is about; the audio layer picks tones and priority by kind.

    A plan schedules the first seven; a session adds the others as things happen.
    """

    START = "start"
    TEXT = "text"
    """The step's own cue text from the profile."""
    HALFWAY = "halfway"
    COUNTDOWN = "countdown"
    """10 s and 3-2-1 before a change (3-2-1 also beeps)."""
    TURN_WARNING = "turn_warning"
    """"Backward in 10 seconds. The belt is slowing — hold the rails." """
    LAST_INTERVAL = "last_interval"
    FINISH = "finish"
    TURN_NOW = "turn_now"
    """"Turn around now." with its own distinct tone."""
    OVERRIDE = "override"
    """The console changed speed/incline, a nudge, or the safety layer clamped a command."""
    PAUSE = "pause"
    """Paused or resumed (by the runner, the console, the safety key)."""
    ALARM = "alarm"
    """Something needs attention now: connection lost, heart rate too high."""


@dataclass(frozen=True)
class SpeedStep:
    """A speed command at `offset_s` seconds into its segment."""

    offset_s: float
    speed_kmh: float


@dataclass(frozen=True)
class Cue:
    """Something to say or beep at `offset_s` seconds into its segment."""

    offset_s: float
    kind: CueKind
    text: str


@dataclass(frozen=True)
class ZoneHold:
    """What a zone step holds: a heart-rate range, by speed between a min and a max.

    `low_bpm`/`high_bpm` are None until the runner's zones are known (a zone number or a %
    of max HR needs them; a bpm range does not)."""

    target: str
    """As the profile says it: ``zone 2``, ``120-135 bpm``, ``60-70 % of max HR``."""
    min_speed_kmh: float
    max_speed_kmh: float
    low_bpm: int | None = None
    high_bpm: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "target": self.target,
            "min_speed_kmh": self.min_speed_kmh,
            "max_speed_kmh": self.max_speed_kmh,
        }
        if self.low_bpm is not None and self.high_bpm is not None:
            data.update(low_bpm=self.low_bpm, high_bpm=self.high_bpm)
        return data


@dataclass(frozen=True)
class UntilHold:
    """A heart rate that ends an interval early: above (or below) `bpm`."""

    bpm: int
    above: bool

    @property
    def condition(self) -> str:
        """``above 150``, ``below 120``."""
        return f"{'above' if self.above else 'below'} {self.bpm}"

    def describe(self) -> str:
        """``HR above 150``, ``HR below 120``."""
        return f"HR {self.condition}"

    def to_json(self) -> dict[str, int]:
        return {"above" if self.above else "below": self.bpm}


@dataclass(frozen=True)
class RoundEnd:
    """The end of a round of a repeat block that ends on a heart rate: judged when the
    interval carrying it ends (`retrorun.session.conditions`)."""

    until: UntilHold
    round_no: int
    times: int
    """The most rounds the block runs."""
    skip_to: int
    """The index of the segment after the block's last round: where the session goes on
    when the condition is met (a turn there is the one the plan has after the block)."""
    block: str
    """Where the block is in the profile: ``steps[1].repeat``."""

    @property
    def last(self) -> bool:
        """The end of the block's last round: there is nothing left to skip."""
        return self.round_no >= self.times

    def describe(self) -> str:
        """``up to 6 rounds, until HR above 150``."""
        return f"up to {self.times} rounds, until {self.until.describe()}"

    def to_json(self) -> dict[str, Any]:
        return {
            "block": self.block,
            "round": self.round_no,
            "times": self.times,
            "until": self.until.to_json(),
            "skip_to": self.skip_to,
        }


@dataclass(frozen=True)
class Segment:
    """One stretch of the plan: an interval, or a turn between directions.

    `speed_steps` is never empty: the first is at offset 0 (or after the ramp delay for
    backward ramps), the last is the target. `incline_pct` is commanded at
    `incline_offset_s`. A segment ends after `duration_s` seconds or `distance_m` metres
    (exactly one is set); `estimated_duration_s` / `estimated_distance_m` are always set.
    """

    index: int
    kind: SegmentKind
    direction: Direction
    from_direction: Direction
    speed_kmh: float
    incline_pct: float
    incline_offset_s: float
    duration_s: float | None
    distance_m: float | None
    estimated_duration_s: float
    estimated_distance_m: float
    start_s: float
    speed_steps: tuple[SpeedStep, ...]
    ramp_from_kmh: float | None
    ramp_to_kmh: float | None
    window_s: float | None
    settle_s: float | None
    label: str
    cue: str | None
    source_path: str
    repeat_round: str | None
    cues: tuple[Cue, ...]
    heart_rate: ZoneHold | None = None
    """A zone step: the session changes the speed to hold this heart rate."""
    keep_speed: bool = False
    """The belt keeps the speed it runs (`speed_kmh` is the plan's estimate of it)."""
    open_ended: bool = False
    """Ends on skip (the lap button), at the latest after `duration_s`."""
    until_heart_rate: UntilHold | None = None
    """Ends early once a fresh heart rate crosses it, at the latest after `duration_s`."""
    round_ends: tuple[RoundEnd, ...] = ()
    """The last interval of a round of one or more blocks ending on a heart rate, the
    outermost block first."""

    def to_json(self) -> dict[str, Any]:
        """The segment as JSON-ready data (unit-suffixed keys, absent when not set)."""
        data: dict[str, Any] = {
            "index": self.index,
            "kind": self.kind,
            "direction": self.direction,
            "from_direction": self.from_direction,
            "speed_kmh": round(self.speed_kmh, 3),
            "incline_pct": self.incline_pct,
            "incline_offset_s": self.incline_offset_s,
            "start_s": round(self.start_s, 3),
            "estimated_duration_s": round(self.estimated_duration_s, 3),
            "estimated_distance_m": round(self.estimated_distance_m, 3),
            "label": self.label,
            "source_path": self.source_path,
            "speed_steps": [[s.offset_s, s.speed_kmh] for s in self.speed_steps],
            "cues": [
                {"offset_s": round(c.offset_s, 3), "kind": c.kind, "text": c.text}
                for c in self.cues
            ],
        }
        optional = {
            "duration_s": self.duration_s,
            "distance_m": self.distance_m,
            "ramp_from_kmh": self.ramp_from_kmh,
            "ramp_to_kmh": self.ramp_to_kmh,
            "window_s": self.window_s,
            "settle_s": self.settle_s,
            "cue": self.cue,
            "repeat_round": self.repeat_round,
        }
        data.update({key: value for key, value in optional.items() if value is not None})
        if self.heart_rate is not None:
            data["heart_rate"] = self.heart_rate.to_json()
        if self.keep_speed:
            data["keep_speed"] = True
        if self.open_ended:
            data["open"] = True
        if self.until_heart_rate is not None:
            data["until_heart_rate"] = self.until_heart_rate.to_json()
        if self.round_ends:
            data["round_ends"] = [end.to_json() for end in self.round_ends]
        return data


@dataclass(frozen=True)
class Command:
    """One command of the whole plan, at `t_s` seconds from the start (estimated)."""

    t_s: float
    segment: int
    direction: Direction
    in_turn_window: bool
    speed_kmh: float | None = None
    incline_pct: float | None = None


@dataclass(frozen=True)
class Plan:
    """A compiled profile: segments in order, the limits they obey, and totals."""

    name: str
    description: str
    segments: tuple[Segment, ...]
    limits: SafetyLimits

    @property
    def opening_cue(self) -> str | None:
        """The first interval's own cue: said before the belt starts moving (not when the
        interval starts, so a "clip the safety key" comes in time)."""
        first = next((s for s in self.segments if s.kind == "interval"), None)
        return first.cue if first is not None else None

    @property
    def total_duration_s(self) -> float:
        """Whole plan, turns included (distance segments estimated)."""
        return sum(s.estimated_duration_s for s in self.segments)

    @property
    def total_distance_m(self) -> float:
        """Whole plan, turns included (time segments estimated)."""
        return sum(s.estimated_distance_m for s in self.segments)

    def _sum(self, kind: SegmentKind, direction: Direction | None, attr: str) -> float:
        return sum(
            float(getattr(s, attr))
            for s in self.segments
            if s.kind == kind and (direction is None or s.direction == direction)
        )

    @property
    def forward_duration_s(self) -> float:
        """Time in forward intervals."""
        return self._sum("interval", "forward", "estimated_duration_s")

    @property
    def backward_duration_s(self) -> float:
        """Time in backward intervals."""
        return self._sum("interval", "backward", "estimated_duration_s")

    @property
    def turn_duration_s(self) -> float:
        """Time in turns."""
        return self._sum("turn", None, "estimated_duration_s")

    @property
    def forward_distance_m(self) -> float:
        """Distance in forward intervals."""
        return self._sum("interval", "forward", "estimated_distance_m")

    @property
    def backward_distance_m(self) -> float:
        """Distance in backward intervals."""
        return self._sum("interval", "backward", "estimated_distance_m")

    @property
    def turn_distance_m(self) -> float:
        """Distance covered during turns."""
        return self._sum("turn", None, "estimated_distance_m")

    @property
    def turns(self) -> int:
        """Number of turn segments."""
        return sum(1 for s in self.segments if s.kind == "turn")

    @property
    def backward_share(self) -> float:
        """Fraction of interval time spent backward (0 to 1)."""
        moving = self.forward_duration_s + self.backward_duration_s
        return self.backward_duration_s / moving if moving else 0.0

    def commands(self) -> tuple[Command, ...]:
        """Every speed and incline command in time order (estimated times).

        In a turn, commands before the turn window (the ramp down while still facing the old
        way) carry the old direction; from the window on they are `in_turn_window`.
        """
        out: list[Command] = []
        for seg in self.segments:
            turn = seg.kind == "turn"
            out.append(
                Command(
                    seg.start_s + seg.incline_offset_s,
                    seg.index,
                    seg.direction,
                    turn,
                    incline_pct=seg.incline_pct,
                )
            )
            for step in seg.speed_steps:
                in_window = turn and step.offset_s >= seg.incline_offset_s
                facing = seg.from_direction if turn and not in_window else seg.direction
                out.append(
                    Command(
                        seg.start_s + step.offset_s,
                        seg.index,
                        facing,
                        in_window,
                        speed_kmh=step.speed_kmh,
                    )
                )
        return tuple(sorted(out, key=lambda c: (c.t_s, c.segment)))

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON-ready data: totals, limits and segments."""
        return {
            "name": self.name,
            "description": self.description,
            "total_duration_s": round(self.total_duration_s, 3),
            "total_distance_m": round(self.total_distance_m, 3),
            "forward_duration_s": round(self.forward_duration_s, 3),
            "backward_duration_s": round(self.backward_duration_s, 3),
            "turn_duration_s": round(self.turn_duration_s, 3),
            "forward_distance_m": round(self.forward_distance_m, 3),
            "backward_distance_m": round(self.backward_distance_m, 3),
            "turn_distance_m": round(self.turn_distance_m, 3),
            "turns": self.turns,
            "backward_share": round(self.backward_share, 4),
            **({"opening_cue": self.opening_cue} if self.opening_cue else {}),
            "limits": _limits_json(self.limits),
            "segments": [segment.to_json() for segment in self.segments],
        }


def _limits_json(limits: SafetyLimits) -> dict[str, Any]:
    data = {key: getattr(limits, key) for key in limits.__dataclass_fields__ if key != "device"}
    if limits.device is not None:
        data["device"] = dict(limits.device.__dict__)
    return data
