"""What the session screen says, as plain strings: pure functions of a `Snapshot`.

No textual here, so every wording is testable without an app and the widgets stay
display-only. Countdowns come from the snapshot's own remaining times, never from a timer.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from retrorun.profiles.words import in_units, speed_number, speed_span, speed_unit
from retrorun.session import view
from retrorun.session.api import Phase, SessionState

if TYPE_CHECKING:
    from retrorun.profiles.plan import Segment
    from retrorun.profiles.words import Units
    from retrorun.session.api import SegmentPreview, Snapshot

STATE_TEXT: dict[SessionState, str] = {
    SessionState.CONNECTING: "CONNECTING",
    SessionState.COUNTDOWN: "STARTING",
    SessionState.RUNNING: "RUNNING",
    SessionState.PAUSED: "PAUSED",
    SessionState.RECONNECTING: "RECONNECTING",
    SessionState.FINISHED: "FINISHED",
    SessionState.STOPPED: "STOPPED",
    SessionState.INTERRUPTED: "INTERRUPTED",
}
STATE_HINT: dict[SessionState, str] = {
    SessionState.CONNECTING: "finding the treadmill",
    SessionState.COUNTDOWN: "the belt is about to move",
    SessionState.RUNNING: "",
    SessionState.PAUSED: "space to resume",
    SessionState.RECONNECTING: "link lost: belt state unknown, hold the rails",
    SessionState.FINISHED: "well done",
    SessionState.STOPPED: "belt stopped",
    SessionState.INTERRUPTED: "belt stopped",
}
# The belt slows for a turn from the end of the interval on; from then on the screen shows
# the turn, so the runner sees it coming before the window opens.
TURNING_PHASES = frozenset({Phase.APPROACH, Phase.TURN_WINDOW})


def clock_text(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``), rounded up so a countdown shows 0:01 until it is over."""
    whole = max(0, math.ceil(seconds - 1e-6))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def path_text(path: Path, home: Path | None = None) -> str:
    """A file's path as the runner reads it: the home folder as ``~`` (the screen wraps what
    is still too long, so no part of it is lost)."""
    home = home or Path.home()
    try:
        return str(Path("~") / path.relative_to(home))
    except ValueError:
        return str(path)


def pace_text(speed_kmh: float | None, units: Units = "metric") -> str:
    """Minutes per kilometre (``6:40 /km``) or per mile (``10:44 /mi``); ``-:-- /km`` when
    standing still."""
    per = "/mi" if units == "imperial" else "/km"
    if speed_kmh is None or speed_kmh < 1.0:  # slower is standing, not a pace
        return f"-:-- {per}"
    return f"{clock_text(3600 / speed_number(speed_kmh, units))} {per}"


def speed_text(speed_kmh: float | None, units: Units = "metric") -> str:
    """The number only (`speed_unit` says km/h or mph)."""
    return "-" if speed_kmh is None else f"{speed_number(speed_kmh, units):.1f}"


def speed_readout(snap: Snapshot, units: Units = "metric") -> str:
    """``4.5 km/h (now 4.4)  13:38 /km``"""
    return (
        f"{speed_text(snap.target_speed_kmh, units)} {speed_unit(units)} "
        f"(now {speed_text(snap.measured_speed_kmh, units)})  "
        f"{pace_text(snap.measured_speed_kmh, units)}"
    )


def incline_text(incline_pct: float | None) -> str:
    return "-" if incline_pct is None else f"{incline_pct:g} %"


def heart_rate_text(snap: Snapshot, seg: Segment | None = None) -> str:
    """``142 bpm``; ``lost`` once readings stopped (nothing acts on it then: the guard and
    zone steps hold); empty when there never was a heart rate. During a zone step (``seg``)
    the zone it holds follows: ``128 bpm  zone 2: 114-133``."""
    if snap.heart_rate_bpm is not None:
        text = f"{snap.heart_rate_bpm} bpm"
    else:
        text = "lost" if snap.heart_rate_state == "stale" else ""
    hold = seg.heart_rate if seg is not None else None
    if hold is None or hold.low_bpm is None:
        return text
    return f"{text or '-'}  {hold.target}: {hold.low_bpm}-{hold.high_bpm}"


def turning(snap: Snapshot) -> bool:
    """Whether the screen shows TURN: a turn segment before the runner has turned."""
    return snap.segment_kind == "turn" and snap.phase in TURNING_PHASES


def direction_word(snap: Snapshot) -> str:
    """``FORWARD``, ``BACKWARD`` or ``TURN``."""
    return "TURN" if turning(snap) else snap.direction.upper()


def direction_detail(snap: Snapshot, units: Units = "metric") -> str:
    """The line under the direction: what the turn is, or the segment's own label."""
    if turning(snap):
        return f"to {snap.direction.upper()}: hold the rails"
    if snap.phase == Phase.APPROACH and snap.next_segment is not None:
        return f"slowing down: turn to {snap.next_segment.direction.upper()} next"
    if snap.segment_index is None:
        return ""
    label = in_units(snap.segment_label, units)
    return f"{label} ({snap.segment_index + 1}/{snap.segment_count})"


def remaining_digits(snap: Snapshot) -> str:
    """What the big digits show: time left in the segment, or metres for a distance one."""
    if snap.state.ended:
        return clock_text(snap.elapsed_s)
    if snap.segment_remaining_m is not None:
        return f"{max(0, math.ceil(snap.segment_remaining_m))}"
    if snap.segment_remaining_s is None:
        return "-:--"
    return clock_text(snap.segment_remaining_s)


def remaining_label(snap: Snapshot) -> str:
    if snap.state.ended:
        return "active time"
    if snap.segment_remaining_m is not None:
        return "metres left"
    return "turn ends in" if turning(snap) else "left in segment"


def preview_text(
    preview: SegmentPreview | None,
    after: Segment | None = None,
    units: Units = "metric",
    planned: Segment | None = None,
) -> str:
    """``Next: BACKWARD 1:00 at 4.0 km/h, 4 %`` (``Next: finish`` after the last one); a
    ramp shows both ends: ``Next: FORWARD 5:00 at 5.0→8.0 km/h, 0 %``.

    When the next segment is a turn, `after` (the plan's segment after that turn) says
    where the turn leads: ``Next: turn, then BACKWARD 1:00 at 4.5 km/h, 0 %``. `planned`,
    the plan's own next segment, adds how it may end sooner: ``Next: FORWARD up to 10:00 at
    9.0 km/h, 0 %, until HR above 150`` (or ``, ends on skip`` for an open one).
    """
    if preview is None:
        return "Next: finish"
    if preview.kind == "turn":
        if after is None:
            return f"Next: TURN to {preview.direction.upper()}"
        return "Next: turn, then " + _interval(view.preview(after), units, after)
    return "Next: " + _interval(preview, units, planned)


def _interval(preview: SegmentPreview, units: Units, planned: Segment | None = None) -> str:
    distance_m, duration_s = preview.distance_m, preview.duration_s
    length = f"{distance_m:g} m" if distance_m is not None else clock_text(duration_s or 0.0)
    until = planned.until_heart_rate if planned is not None else None
    open_ended = planned is not None and planned.open_ended
    if until is not None or open_ended:
        length = f"up to {length}"
    speed = speed_span(preview.speed_kmh, preview.ramp_from_kmh, units)
    ends = f", until {until.describe()}" if until is not None else ""
    ends += ", ends on skip" if open_ended else ""
    return in_units(
        f"{preview.direction.upper()} {length} at {speed}, {preview.incline_pct:g} %{ends}", units
    )


def state_text(snap: Snapshot) -> str:
    """``● RUNNING  One minute alternation`` plus why, when the state needs a reason."""
    reason = snap.reason if snap.state != SessionState.RUNNING else None
    hint = reason if reason and reason != str(snap.state) else STATE_HINT[snap.state]
    return f"● {STATE_TEXT[snap.state]}" + (f"  {hint}" if hint else "")


def plan_position_s(snap: Snapshot, starts_s: tuple[float, ...], total_s: float) -> float:
    """Where on the plan's timeline (0 to `total_s`) the session is: the segment's start
    plus the time spent in it; the end once the session has finished. A session stopped
    part-way stays where it stopped: the bar and the chart show how much was done."""
    if snap.state is SessionState.FINISHED:
        return total_s
    if snap.segment_index is None or snap.segment_index >= len(starts_s):
        return 0.0
    return min(total_s, starts_s[snap.segment_index] + snap.segment_elapsed_s)
