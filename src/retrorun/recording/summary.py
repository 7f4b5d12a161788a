"""What ``retrorun summary`` prints about a session log: per-direction time, distance, speed
and heart rate, turns, pauses, overrides and faults, and a chart.

Pure: `summarize` turns a `SessionLog` into a `SessionSummary`; `render_summary` turns that
into lines of text.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun.profiles.quantities import format_duration
from retrorun.profiles.words import distance_text, in_units, speed_number, speed_unit
from retrorun.recording.activity import GROUPS, Activity, Group, Span, build_activity
from retrorun.recording.chart import render_session
from retrorun.session.energy import MAX_GAP_S, energy_text

if TYPE_CHECKING:
    from retrorun.profiles.words import Units
    from retrorun.recording.log_reader import LogEvent, SessionLog

_CONSOLE = {
    "console_speed": "console speed",
    "console_incline": "console incline",
    "console_stop": "console stop",
    "console_pause": "console pause",
    "console_start": "console start",
}
# A command's reason starts with who asked (docs/session-log.md): these are overrides.
_OVERRIDES = ("nudge", "console", "heart-rate guard")
_FAULTS = {
    "safety_key": "safety key pulled",
    "control_lost": "control lost",
    "connection_lost": "connection lost",
}


@dataclass(frozen=True)
class GroupStats:
    """Forward, backward or turns: time, distance, speeds and heart rate."""

    duration_s: float
    distance_m: float
    max_speed_kmh: float
    avg_heart_rate_bpm: int | None
    max_heart_rate_bpm: int | None
    avg_speed_kmh: float = 0.0
    """The time-weighted mean of the measured speed: never above the maximum, as distance
    over time can be for a short turn read from a counter of whole metres."""


@dataclass(frozen=True)
class Note:
    """Something that happened at session time `t`: a pause, an override, a fault."""

    t: float
    text: str


@dataclass(frozen=True)
class SessionSummary:
    activity: Activity
    outcome: str
    groups: dict[Group, GroupStats]
    turns: int
    pauses: tuple[Note, ...]
    overrides: tuple[Note, ...]
    faults: tuple[Note, ...]


def summarize(log: SessionLog) -> SessionSummary:
    """The summary of `log` (an interrupted log is summarised up to its last line)."""
    activity = build_activity(log)
    groups = {}
    for group in GROUPS:
        laps = [lap for lap in activity.laps if lap.group == group]
        samples = [s for s in activity.samples if s.group == group]
        rates = [s.heart_rate_bpm for s in samples if s.heart_rate_bpm is not None]
        duration = sum(lap.timer_s for lap in laps)
        distance = sum(lap.distance_m for lap in laps)
        groups[group] = GroupStats(
            duration_s=duration,
            distance_m=distance,
            max_speed_kmh=max((s.speed_kmh for s in samples), default=0.0),
            avg_heart_rate_bpm=round(sum(rates) / len(rates)) if rates else None,
            max_heart_rate_bpm=max(rates) if rates else None,
            avg_speed_kmh=_mean_speed(activity, group),
        )
    if log.summary is not None:
        outcome = str(log.summary.get("outcome", "finished"))
        reason = log.summary.get("reason")
        if isinstance(reason, str) and reason and reason != outcome:
            outcome += f" ({reason})"
    else:
        outcome = "interrupted (the log ends without a summary)"
    return SessionSummary(
        activity=activity,
        outcome=outcome,
        groups=groups,
        turns=sum(1 for lap in activity.laps if lap.kind == "turn"),
        pauses=_pauses(log, activity),
        overrides=tuple(_overrides(log)),
        faults=tuple(_faults(log)),
    )


def _mean_speed(activity: Activity, group: Group) -> float:
    """The time-weighted mean speed of `group`: between two readings the speed goes from
    one to the other (the reading's own speed when the next belongs to another group), over
    the time of it that the session ran (at most `MAX_GAP_S` between two readings)."""
    weighted = seconds = 0.0
    for reading, following in itertools.pairwise(activity.samples):
        if reading.group != group:
            continue
        between = Span(reading.t, following.t)
        ran = min(sum(between.overlap_s(span) for span in activity.active), MAX_GAP_S)
        same = following.group == group
        speed = (reading.speed_kmh + following.speed_kmh) / 2 if same else reading.speed_kmh
        weighted += speed * ran
        seconds += ran
    return weighted / seconds if seconds > 0 else 0.0


def _pauses(log: SessionLog, activity: Activity) -> tuple[Note, ...]:
    reasons = {
        e.t: str(e.get("reason") or e.get("state"))
        for e in log.of_type("state")
        if e.get("state") in ("paused", "reconnecting")
    }
    notes = []
    gaps = list(zip(activity.active, activity.active[1:], strict=False))
    for before, after in gaps:
        reason = reasons.get(before.end_t, "paused")
        notes.append(
            Note(before.end_t, f"{reason} for {format_duration(after.start_t - before.end_t)}")
        )
    if activity.active and activity.active[-1].end_t < activity.span.end_t:
        last = activity.active[-1].end_t
        notes.append(Note(last, f"{reasons.get(last, 'paused')} until the end"))
    return tuple(notes)


def _value(event: LogEvent) -> str:
    if (speed := event.number("speed_kmh")) is not None:
        return f"{speed:.1f} km/h"
    if (incline := event.number("incline_pct")) is not None:
        return f"{incline:.1f} %"
    return str(event.get("action") or "")


def _overrides(log: SessionLog) -> list[Note]:
    """The runner's, the console's and the heart-rate guard's changes (not the plan's own
    steps, nor the safety layer's pacing of them)."""
    notes = []
    for event in log.events:
        status = event.text("status")
        if event.type == "command" and (event.text("reason") or "").startswith(_OVERRIDES):
            notes.append(Note(event.t, f"{event.get('reason')}: {_value(event)}".rstrip(": ")))
        elif event.type == "status" and status in _CONSOLE:
            text = f"{_CONSOLE[status]} {_value(event)}".rstrip()
            notes.append(Note(event.t, text))
    return notes


def _faults(log: SessionLog) -> list[Note]:
    notes = []
    for event in log.events:
        status = event.text("status")
        if event.type == "status" and status in _FAULTS:
            reason = event.get("reason")
            text = _FAULTS[status] + (f" ({reason})" if reason else "")
            notes.append(Note(event.t, text))
        elif event.type == "state" and event.get("state") == "interrupted":
            notes.append(Note(event.t, f"interrupted: {event.get('reason') or 'unknown reason'}"))
    return notes


def _cell(value: float | None, pattern: str) -> str:
    return pattern.format(value) if value is not None else "-"


def render_summary(summary: SessionSummary, width: int = 60, units: Units = "metric") -> list[str]:
    """The summary as lines of text for a terminal, in `units`."""
    activity = summary.activity
    unit = speed_unit(units)
    start = activity.moment(activity.span.start_t)
    lines = [
        f"{activity.name}: {start:%Y-%m-%d %H:%M} UTC, {summary.outcome}",
        (
            f"active {format_duration(activity.timer_s)} "
            f"(elapsed {format_duration(activity.span.duration_s)}), "
            f"{distance_text(activity.distance_m, units)}, "
            f"{summary.turns} turn{'' if summary.turns == 1 else 's'}, "
            f"{energy_text(activity.calories_kcal, activity.energy_source)}"
        ),
        "",
        (
            f"{'':9}{'time':>8}{'distance':>10}{'avg ' + unit:>10}{'max ' + unit:>10}"
            f"{'avg HR':>8}{'max HR':>8}"
        ),
    ]
    for group in GROUPS:
        stats = summary.groups[group]
        lines.append(
            f"{group:<9}{format_duration(stats.duration_s):>8}"
            f"{distance_text(stats.distance_m, units):>10}"
            f"{speed_number(stats.avg_speed_kmh, units):>10.1f}"
            f"{speed_number(stats.max_speed_kmh, units):>10.1f}"
            f"{_cell(stats.avg_heart_rate_bpm, '{:d}'):>8}"
            f"{_cell(stats.max_heart_rate_bpm, '{:d}'):>8}"
        )
    lines.append("")
    for title, notes in (
        ("pauses", summary.pauses),
        ("overrides", summary.overrides),
        ("faults", summary.faults),
    ):
        lines.append(f"{title}: {len(notes) if notes else 'none'}")
        lines.extend(f"  {format_duration(note.t)}  {in_units(note.text, units)}" for note in notes)
    lines.append("")
    lines.extend(
        render_session(
            activity.samples, activity.span.start_t, activity.span.end_t, width, units=units
        )
    )
    return lines
