"""When each cue of a segment is due, in terms the engine can evaluate at run time.

The plan's cue offsets are estimates made at compile time. At run time a segment can be
extended, a distance segment ends on metres rather than seconds, and a turn's window waits
for the belt; so every cue is re-expressed here as one of three triggers:

* ``at_s``: seconds of active time after the segment began (start and text cues);
* ``before_end_s``: seconds before the segment's end (countdowns, turn warnings), where the
  end of a distance segment is estimated from the metres left and the belt's speed;
* ``halfway``: half the segment's time, or half its metres.

Turn cues ("Turn around now", 3-2-1 beeps, "Settle in") are the engine's own: they hang on
the turn window, which starts only when the belt is at turn speed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun.session.api import CueKind

if TYPE_CHECKING:
    from retrorun.profiles.plan import Segment

HEADS_UP_S = 5.0
"""The turn warning comes at least this long before the belt starts slowing."""

# Plan cue kinds whose offset counts back from the end of the segment.
_FROM_END = frozenset({"countdown", "turn_warning"})


@dataclass(frozen=True)
class PendingCue:
    """A cue waiting for its trigger (exactly one of the three is set)."""

    kind: CueKind
    text: str
    at_s: float | None = None
    before_end_s: float | None = None
    halfway: bool = False
    beeps: int = 0


def interval_cues(segment: Segment, *, window_delay_s: float = 0.0) -> list[PendingCue]:
    """The cues of an interval, re-expressed as run-time triggers.

    ``window_delay_s`` is how far into the next turn its window opens (the belt slows to
    turn speed inside the turn): warnings and countdowns count to the moment the runner
    turns, so they move that much later, and countdown digits that would fall after the
    interval's end are said by the turn itself. The turn warning still comes at least
    `HEADS_UP_S` before the belt starts slowing.
    """
    cues: list[PendingCue] = []
    length = segment.estimated_duration_s
    for cue in segment.cues:
        if cue.kind == "finish":
            continue  # said when the session really finishes
        if cue.kind == "halfway":
            cues.append(PendingCue(CueKind.HALFWAY, cue.text, halfway=True))
        elif cue.kind == "turn_warning":
            lead = max(length - cue.offset_s - window_delay_s, HEADS_UP_S)
            cues.append(PendingCue(CueKind.TURN_WARNING, "", before_end_s=min(lead, length)))
        elif cue.kind in _FROM_END:
            before_end = length - cue.offset_s - window_delay_s
            if before_end <= 0:
                continue  # falls inside the turn's approach: the turn says it
            beeps = 1 if cue.text.isdigit() else 0
            cues.append(
                PendingCue(CueKind(cue.kind), cue.text, before_end_s=before_end, beeps=beeps)
            )
        else:
            cues.append(PendingCue(CueKind(cue.kind), cue.text, at_s=cue.offset_s))
    return cues


def turn_warning_text(segment: Segment, seconds_left: float) -> str:
    """ "Backward in 10 seconds. Slow down and hold the rails." for the turn `segment`."""
    seconds = max(1, round(seconds_left))
    when = f"in {seconds} second{'' if seconds == 1 else 's'}"
    if segment.direction != segment.from_direction:
        return f"{segment.direction.capitalize()} {when}. Slow down and hold the rails."
    return f"Incline change {when}. Slow down and hold the rails."


def turn_now_text(segment: Segment) -> str:
    if segment.direction != segment.from_direction:
        return "Turn around now."
    return "Hold the rails: the incline changes now."


def settle_text(segment: Segment) -> str:
    return f"Settle in, facing {segment.direction}."
