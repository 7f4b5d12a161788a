"""What a session log means as an activity: timer spans, 1 Hz samples and one lap per segment.

Both exports (FIT, TCX) and the summary are views of the `Activity` that `build_activity`
derives from a `SessionLog`:

* **Timer.** The activity starts at the first ``running`` state or the first segment,
  whichever comes first (the countdown before it is not exercise). The timer stops at
  ``paused`` and ``reconnecting`` and runs again at ``resumed`` / ``running``; the activity
  ends at the summary, at an ending state (``finished``, ``stopped``, ``interrupted``) or, for
  an interrupted log, at its last line.
* **Distance** comes from the treadmill's telemetry (no GPS): the cumulative distance of the
  session is the sum of the increases of ``distance_m``. A value that goes *down* means the
  treadmill restarted its count (a reconnect after a power cycle); the new value then counts
  from zero. A rise faster than any treadmill runs (a count carried over from before the
  session, a treadmill that jumps to another total) moves the baseline and adds nothing.
* **Energy** is the treadmill's ``total_energy_kcal`` when the log's telemetry carries it
  (counted like distance: the sum of its increases), else an estimate from speed and
  incline (`retrorun.recording.energy`), backward minutes costing more than forward ones.
* **Laps.** One per ``segment`` event, from its ``t`` to the next segment (the first lap
  also holds anything between the activity start and the first segment). A lap's group is
  ``turn`` for turn segments, else its direction: this is how backward running shows up in
  apps that have no notion of direction.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from retrorun.recording.energy import with_energy
from retrorun.recording.log_reader import MAX_T_S

if TYPE_CHECKING:
    from datetime import datetime

    from retrorun.recording.log_reader import LogEvent, SessionLog

Group = Literal["forward", "backward", "turn"]
GROUPS: tuple[Group, ...] = ("forward", "backward", "turn")
# Readings outside what a treadmill or a heart can do are damage, not data: they are left out
# (FTMS itself cannot carry a speed above 655 km/h, a heart rate above 255 or an incline
# beyond ±3276 %).
MAX_SPEED_KMH = 60.0
MAX_HEART_RATE_BPM = 250.0
MAX_INCLINE_PCT = 100.0
MAX_DISTANCE_M = 1_000_000.0
JUMP_SLACK_M = 5.0
"""Rounding and reading-time jitter allowed on top of the fastest possible belt."""
_PAUSING = frozenset({"paused", "reconnecting"})
_RESUMING = frozenset({"running", "resumed"})
_ENDING = frozenset({"finished", "stopped", "interrupted"})


@dataclass(frozen=True)
class Sample:
    """One telemetry reading placed on the activity: cumulative distance, group and values."""

    t: float
    distance_m: float
    speed_kmh: float
    incline_pct: float | None
    heart_rate_bpm: int | None
    group: Group
    segment_line: int | None = None
    """The log line of the segment the reading belongs to (None: before any segment)."""
    lap: int = 0
    """The index of the lap it belongs to."""
    energy_kcal: float = 0.0
    """Cumulative energy since the activity started (treadmill's or estimated)."""


@dataclass(frozen=True)
class Span:
    """A stretch of session time, [start_t, end_t]."""

    start_t: float
    end_t: float

    @property
    def duration_s(self) -> float:
        return self.end_t - self.start_t

    def overlap_s(self, other: Span) -> float:
        return max(0.0, min(self.end_t, other.end_t) - max(self.start_t, other.start_t))


@dataclass(frozen=True)
class Lap:
    """One segment as it was run."""

    index: int
    segment_index: int | None
    kind: Literal["interval", "turn"]
    group: Group
    direction: Literal["forward", "backward"]
    """The way the runner faces (for a turn: the way turned to)."""
    label: str
    span: Span
    timer_s: float
    """Active time (pauses excluded)."""
    distance_m: float
    max_speed_kmh: float
    avg_heart_rate_bpm: int | None
    max_heart_rate_bpm: int | None
    avg_incline_pct: float | None
    target_speed_kmh: float | None
    duration_target_s: float | None
    distance_target_m: float | None
    energy_kcal: float = 0.0

    @property
    def calories_kcal(self) -> int:
        return round(self.energy_kcal)

    @property
    def avg_speed_kmh(self) -> float:
        return self.distance_m / self.timer_s * 3.6 if self.timer_s > 0 else 0.0


@dataclass(frozen=True)
class Activity:
    """A session as an activity: the exports and the summary are views of this."""

    name: str
    started_at: datetime
    span: Span
    active: tuple[Span, ...]
    """Spans when the timer ran."""
    samples: tuple[Sample, ...]
    laps: tuple[Lap, ...]
    complete: bool
    energy_source: Literal["treadmill", "estimate"] = "estimate"

    @property
    def calories_kcal(self) -> int:
        return round(self.samples[-1].energy_kcal) if self.samples else 0

    @property
    def timer_s(self) -> float:
        return sum(span.duration_s for span in self.active)

    @property
    def distance_m(self) -> float:
        return self.samples[-1].distance_m if self.samples else 0.0

    @property
    def max_speed_kmh(self) -> float:
        return max((s.speed_kmh for s in self.samples), default=0.0)

    def moment(self, t: float) -> datetime:
        """Wall-clock time of session time `t`."""
        return self.started_at + timedelta(seconds=t)

    def lap_samples(self, lap: Lap) -> tuple[Sample, ...]:
        return tuple(s for s in self.samples if s.lap == lap.index)

    def heart_rates(self) -> list[int]:
        return [s.heart_rate_bpm for s in self.samples if s.heart_rate_bpm is not None]


def build_activity(log: SessionLog) -> Activity:
    """The activity a session log records (see the module docstring for the rules)."""
    if any(later.t < earlier.t for earlier, later in itertools.pairwise(log.events)):
        # The session clock only goes forward; a damaged log may not. Read it in time order
        # (stable: lines of the same time keep theirs), so no lap comes out negative.
        log = replace(log, events=tuple(sorted(log.events, key=lambda event: event.t)))
    segments = log.of_type("segment")
    states = log.of_type("state")
    starts = [e.t for e in states if e.get("state") == "running"][:1] + [s.t for s in segments][:1]
    telemetry = log.of_type("telemetry")
    start_t = min(starts) if starts else telemetry[0].t
    end_t = _end_t(log, start_t)
    span = Span(start_t, end_t)
    active = _active_spans(states, span)
    samples, source = with_energy(_samples(log.events, span), log.events, span, active)
    laps, samples = _laps(segments, samples, active, span)
    return Activity(
        log.profile_name, log.started_at, span, active, samples, laps, log.complete, source
    )


def _end_t(log: SessionLog, start_t: float) -> float:
    # The activity ends when the session did (its finished/stopped/interrupted line), not
    # when the belt was measured at rest afterwards: the coast-down is not workout time.
    ending = [e.t for e in log.of_type("state") if e.text("state") in _ENDING and e.t >= start_t]
    return ending[0] if ending else max(start_t, log.end_t)


def _active_spans(states: tuple[LogEvent, ...], span: Span) -> tuple[Span, ...]:
    spans: list[Span] = []
    running_since: float | None = span.start_t
    for event in states:
        if not span.start_t <= event.t <= span.end_t:
            continue
        state = event.text("state")
        if state in _PAUSING and running_since is not None:
            spans.append(Span(running_since, event.t))
            running_since = None
        elif state in _RESUMING and running_since is None:
            running_since = event.t
    if running_since is not None:
        spans.append(Span(running_since, span.end_t))
    return tuple(s for s in spans if s.duration_s > 0)


def _float(value: object, low: float = -math.inf, high: float = math.inf) -> float | None:
    """A number within [low, high]; anything else (absent, text, out of range) is None."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value) if low <= value <= high else None
    return None


def _group(segment: LogEvent | None) -> Group:
    if segment is None:
        return "forward"
    if segment.get("kind") == "turn":
        return "turn"
    return "backward" if segment.get("direction") == "backward" else "forward"


def _gain(previous_m: float, reported_m: float, seconds: float) -> float:
    """Metres run between two readings of the treadmill's distance count."""
    # A count that goes down restarted from zero (treadmill power cycle).
    gained = reported_m - previous_m if reported_m >= previous_m else reported_m
    possible = seconds * MAX_SPEED_KMH / 3.6 + JUMP_SLACK_M
    return gained if gained <= possible else 0.0


def _samples(events: tuple[LogEvent, ...], span: Span) -> tuple[Sample, ...]:
    """Telemetry in the activity span; each reading belongs to the segment whose line came
    before it in the log (a reading taken as a segment ends still belongs to that one)."""
    samples: list[Sample] = []
    segment: LogEvent | None = None
    total = 0.0
    # The treadmill counts from zero when the session starts it; a reading taken before the
    # start replaces that baseline.
    previous, previous_t = 0.0, span.start_t
    for event in events:
        if event.type == "segment":
            segment = event
            continue
        if event.type != "telemetry":
            continue
        reported = _float(event.get("distance_m"), 0.0, MAX_DISTANCE_M)
        if reported is not None:
            if event.t > span.start_t:
                total += _gain(previous, reported, event.t - previous_t)
            previous, previous_t = reported, max(event.t, span.start_t)
        if not span.start_t <= event.t <= span.end_t:
            continue
        heart_rate = _float(event.get("heart_rate_bpm"), 1.0, MAX_HEART_RATE_BPM)
        samples.append(
            Sample(
                t=event.t,
                distance_m=total,
                speed_kmh=_float(event.get("speed_kmh"), 0.0, MAX_SPEED_KMH) or 0.0,
                incline_pct=_float(event.get("inclination_pct"), -MAX_INCLINE_PCT, MAX_INCLINE_PCT),
                heart_rate_bpm=round(heart_rate) if heart_rate is not None else None,
                group=_group(segment),
                segment_line=segment.line if segment is not None else None,
            )
        )
    return tuple(samples)


def _last_at(samples: tuple[Sample, ...], t: float) -> Sample | None:
    """The last sample at or before `t` (None before the first)."""
    last = None
    for sample in samples:
        if sample.t > t:
            break
        last = sample
    return last


def _distance_at(samples: tuple[Sample, ...], t: float) -> float:
    """Cumulative distance at `t` (0 before the first sample)."""
    last = _last_at(samples, t)
    return last.distance_m if last else 0.0


def _energy_at(samples: tuple[Sample, ...], t: float) -> float:
    """Cumulative energy at `t` (0 before the first sample)."""
    last = _last_at(samples, t)
    return last.energy_kcal if last else 0.0


def _laps(
    segments: tuple[LogEvent, ...],
    samples: tuple[Sample, ...],
    active: tuple[Span, ...],
    span: Span,
) -> tuple[tuple[Lap, ...], tuple[Sample, ...]]:
    bounds = [s.t for s in segments if span.start_t <= s.t < span.end_t]
    chosen = [s for s in segments if span.start_t <= s.t < span.end_t]
    if not chosen:
        # Telemetry but no segment inside the activity: one lap, the group of the segment
        # running when it started.
        before = [s for s in segments if s.t <= span.start_t]
        chosen, bounds = [before[-1]] if before else [], [span.start_t]
    lap_of_line = {segment.line: index for index, segment in enumerate(chosen)}
    samples = tuple(replace(s, lap=lap_of_line.get(s.segment_line or -1, 0)) for s in samples)
    starts = [span.start_t, *bounds[1:]]
    ends = [*bounds[1:], span.end_t]
    laps = []
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        segment = chosen[index] if chosen else None
        lap_span = Span(start, end)
        inside = [s for s in samples if s.lap == index]
        rates = [s.heart_rate_bpm for s in inside if s.heart_rate_bpm is not None]
        inclines = [s.incline_pct for s in inside if s.incline_pct is not None]
        laps.append(
            Lap(
                index=index,
                segment_index=_int(segment.get("index")) if segment else None,
                kind="turn"
                if segment is not None and segment.get("kind") == "turn"
                else "interval",
                group=_group(segment),
                direction="backward"
                if segment is not None and segment.get("direction") == "backward"
                else "forward",
                label=str(segment.get("label") or "") if segment else "",
                span=lap_span,
                timer_s=sum(lap_span.overlap_s(a) for a in active),
                distance_m=_distance_at(samples, end) - _distance_at(samples, start),
                energy_kcal=_energy_at(samples, end) - _energy_at(samples, start),
                max_speed_kmh=max((s.speed_kmh for s in inside), default=0.0),
                avg_heart_rate_bpm=round(sum(rates) / len(rates)) if rates else None,
                max_heart_rate_bpm=max(rates) if rates else None,
                avg_incline_pct=sum(inclines) / len(inclines) if inclines else None,
                target_speed_kmh=_float(segment.get("speed_kmh"), 0.0, MAX_SPEED_KMH)
                if segment
                else None,
                duration_target_s=_float(segment.get("duration_s"), 0.0, MAX_T_S)
                if segment
                else None,
                distance_target_m=_float(segment.get("distance_m"), 0.0, MAX_DISTANCE_M)
                if segment
                else None,
            )
        )
    return tuple(laps), samples


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
