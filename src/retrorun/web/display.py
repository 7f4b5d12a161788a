"""What the page shows, as words and numbers: pure functions of a `Snapshot`.

The page only places these strings; every wording and every countdown is decided here, from
the session's own snapshot (never from a timer in the browser), so it is tested without a
browser. The words follow the terminal screen's (docs/tui.md): a turn shows ``TURN`` from
the moment the belt slows for it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from retrorun.profiles.words import (
    distance_text,
    in_units,
    speed_number,
    speed_span,
    speed_unit,
    total_distance_text,
)
from retrorun.session.api import Phase, SessionState

if TYPE_CHECKING:
    from retrorun.profiles.words import Units
    from retrorun.session.api import SegmentPreview, Snapshot

# Each state shows as its name in capitals, except the treadmill's countdown, which a runner
# knows as the start.
STATE_WORDS = {state: state.value.upper() for state in SessionState} | {
    SessionState.COUNTDOWN: "STARTING"
}
NONE = "-"
"""Shown for a value the treadmill does not report."""
_TURNING = frozenset({Phase.APPROACH, Phase.TURN_WINDOW})


def clock(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` past an hour), rounded up: a countdown shows 0:01 until it is over."""
    whole = max(0, math.ceil(seconds - 1e-6))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _number(value: float | None, unit: str, digits: int = 1) -> str:
    return NONE if value is None else f"{value:.{digits}f} {unit}"


def turning(snap: Snapshot) -> bool:
    """A turn segment before the runner has turned (the page shows TURN)."""
    return snap.segment_kind == "turn" and snap.phase in _TURNING


def tone(snap: Snapshot) -> str:
    """The page's colour scheme: ``forward``, ``backward``, ``turn``, ``paused`` or ``ended``."""
    if snap.state.ended:
        return "ended"
    if snap.state is not SessionState.RUNNING:
        return "paused"
    return "turn" if turning(snap) else snap.direction


def detail(snap: Snapshot, units: Units = "metric") -> str:
    if snap.state.ended:
        return snap.reason or str(snap.state)
    if turning(snap):
        return f"to {snap.direction.upper()}: hold the rails"
    if snap.phase is Phase.APPROACH and snap.next_segment is not None:
        return f"slowing down: turn to {snap.next_segment.direction.upper()} next"
    if snap.segment_index is None:
        return ""
    label = in_units(snap.segment_label, units)
    return f"{label} ({snap.segment_index + 1}/{snap.segment_count})"


def remaining(snap: Snapshot, units: Units = "metric") -> tuple[str, str]:
    """The big digits and what they count."""
    if snap.state.ended:
        return clock(snap.elapsed_s), "active time"
    if snap.segment_remaining_m is not None:
        left = max(0, math.ceil(snap.segment_remaining_m))
        shown = f"{left} m" if units == "metric" else distance_text(left, units)
        return shown, "left in segment"
    if snap.segment_remaining_s is None:
        return "-:--", "left in segment"
    return clock(snap.segment_remaining_s), "turn ends in" if turning(snap) else "left in segment"


def turn_countdown(snap: Snapshot) -> str:
    """``Turn in 0:08`` when the next segment is a turn, ``Turning: 0:06`` in one, else ``""``."""
    if snap.state.ended or snap.segment_remaining_s is None:
        return ""
    if snap.segment_kind == "turn":
        return f"Turning: {clock(snap.segment_remaining_s)}"
    upcoming = snap.next_segment
    if upcoming is not None and upcoming.kind == "turn":
        return f"Turn to {upcoming.direction.upper()} in {clock(snap.segment_remaining_s)}"
    return ""


def next_text(upcoming: SegmentPreview | None, units: Units = "metric") -> str:
    if upcoming is None:
        return "Next: finish"
    if upcoming.kind == "turn":
        return f"Next: TURN to {upcoming.direction.upper()}"
    length = (
        f"{upcoming.distance_m:g} m"
        if upcoming.distance_m is not None
        else clock(upcoming.duration_s or 0.0)
    )
    speed = speed_span(upcoming.speed_kmh, upcoming.ramp_from_kmh, units)
    return in_units(
        f"Next: {upcoming.direction.upper()} {length} at {speed}, {upcoming.incline_pct:g} %",
        units,
    )


def status(snap: Snapshot) -> str:
    """``PAUSED  paused by you``: the state and, when it needs one, why."""
    reason = snap.reason if snap.state is not SessionState.RUNNING else None
    words = STATE_WORDS[snap.state]
    return f"{words}  {reason}" if reason and reason != str(snap.state) else words


def _speed(kmh: float | None, units: Units) -> str:
    return _number(None if kmh is None else speed_number(kmh, units), speed_unit(units))


def view(snap: Snapshot, units: Units = "metric") -> dict[str, Any]:
    """Every string the page shows (in `units`), keyed by the element that shows it."""
    digits, digits_label = remaining(snap, units)
    total = snap.elapsed_s + snap.remaining_s
    return {
        "direction": "TURN" if turning(snap) else snap.direction.upper(),
        "tone": tone(snap),
        "detail": detail(snap, units),
        "remaining": digits,
        "remaining_label": digits_label,
        "turn": turn_countdown(snap),
        "status": status(snap),
        "paused": snap.state is SessionState.PAUSED,
        "ended": snap.state.ended,
        "target_speed": _speed(snap.target_speed_kmh, units),
        "measured_speed": _speed(snap.measured_speed_kmh, units),
        "incline": _number(snap.measured_incline_pct, "%"),
        "target_incline": _number(snap.target_incline_pct, "%"),
        "heart_rate": _heart_rate(snap),
        "distance": total_distance_text(snap.distance_m, units),
        "session_left": f"{clock(snap.remaining_s)} left",
        "progress": round(snap.elapsed_s / total, 4) if total > 0 else 0.0,
        "next": next_text(snap.next_segment, units) if not snap.state.ended else "",
        "plan": snap.plan_name,
    }


def _heart_rate(snap: Snapshot) -> str:
    if snap.heart_rate_bpm is not None:
        return f"{snap.heart_rate_bpm} bpm"
    return "lost" if snap.heart_rate_state == "stale" else NONE
