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

from retrorun.profiles import words
from retrorun.profiles.words import SHORT_BOUT_S, CueGroup, Verbosity
from retrorun.session.api import CueKind

if TYPE_CHECKING:
    from retrorun.profiles.plan import Segment

HEADS_UP_S = 5.0
"""The turn warning comes at least this long before the belt starts slowing."""
SLOWER_BY_KMH = 0.2
"""A belt this much above turn speed has to slow for the turn (the arrival tolerance)."""

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
    group: CueGroup | None = None
    """None: the kind's usual group (`words.group_of`)."""
    level: Verbosity = Verbosity.NORMAL
    """Said from this verbosity up."""


def interval_cues(
    segment: Segment,
    *,
    window_delay_s: float = 0.0,
    into_turn: bool = False,
    after_turn: bool = False,
) -> list[PendingCue]:
    """The cues of an interval, re-expressed as run-time triggers.

    ``window_delay_s`` is how far into the next turn its window opens (the belt slows to
    turn speed inside the turn): warnings and countdowns count to the moment the runner
    turns, so they move that much later, and countdown digits that would fall after the
    interval's end are said by the turn itself. The turn warning still comes at least
    `HEADS_UP_S` before the belt starts slowing. ``into_turn``: a turn follows, so the
    3-2-1 is the turn's own countdown (a safety cue). ``after_turn``: a turn came before,
    which has just said which way the runner faces.

    A short bout (under `words.SHORT_BOUT_S`) says only what a runner needs: the profile's
    own words, the turn warning and the countdown; its name after a turn, halfway and
    "change in 10 seconds" only when the runner asks for chatty cues.
    """
    cues: list[PendingCue] = []
    length = segment.estimated_duration_s
    counted = segment.duration_s if segment.duration_s is not None else length
    short = counted < SHORT_BOUT_S
    extra = Verbosity.CHATTY if short else Verbosity.NORMAL
    for cue in segment.cues:
        if cue.kind == "finish":
            continue  # said when the session really finishes
        if cue.kind == "halfway":
            cues.append(PendingCue(CueKind.HALFWAY, cue.text, halfway=True, level=extra))
        elif cue.kind == "turn_warning":
            lead = max(length - cue.offset_s - window_delay_s, HEADS_UP_S)
            cues.append(PendingCue(CueKind.TURN_WARNING, "", before_end_s=min(lead, length)))
        elif cue.kind in _FROM_END:
            before_end = length - cue.offset_s - window_delay_s
            if before_end <= 0:
                continue  # falls inside the turn's approach: the turn says it
            beeps = 1 if cue.text.isdigit() else 0
            cues.append(
                PendingCue(
                    CueKind(cue.kind),
                    cue.text,
                    before_end_s=before_end,
                    beeps=beeps,
                    group=CueGroup.SAFETY if into_turn else None,
                    level=Verbosity.NORMAL if beeps else extra,
                )
            )
        else:
            level = extra if cue.kind == "start" and after_turn else Verbosity.NORMAL
            cues.append(PendingCue(CueKind(cue.kind), cue.text, at_s=cue.offset_s, level=level))
    return cues


def slows(from_kmh: float, turn_kmh: float) -> bool:
    """Whether a belt at `from_kmh` has to slow to reach `turn_kmh`."""
    return from_kmh > turn_kmh + SLOWER_BY_KMH


def turn_warning_text(segment: Segment, seconds_left: float, *, slowing: bool = True) -> str:
    """ "Backward in 10 seconds. The belt is slowing — hold the rails." for the turn
    `segment`; `slowing` False when the belt is already at turn speed."""
    return words.segment_warning(segment, seconds_left, slowing=slowing)


def turn_now_text(segment: Segment) -> str:
    return words.turn_now(turning=segment.direction != segment.from_direction)


def settle_text(segment: Segment) -> str:
    return words.settle(segment.direction)
