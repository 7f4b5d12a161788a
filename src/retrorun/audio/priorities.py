"""Which cue goes first, which may wait and for how long, and which may cut another short.

Pure data and pure functions (no asyncio, no I/O). One player says one cue at a time, so
when cues meet, the table below decides:

* the pending cue with the lowest `rank` plays next (the oldest first among equals);
* a cue that could not start within its `max_wait_s` is dropped: "three" said a second
  late, or "halfway" said ten seconds after halfway, is worse than silence; None means the
  cue is always said, however late;
* an `urgent` cue (a countdown digit, "turn around now", an alarm) cuts short whatever
  less urgent cue is playing when it arrives, so a long cue never lands on a countdown;
* between the digits of a countdown ("3" and "2" one second apart), a less urgent cue
  starts only if it ends before the next digit is due; otherwise it waits;
* a cue with `say_again_after_s` is not said again, word for word, that soon: a treadmill
  whose minimum is above the turn speed clamps every turn the same way, and the runner
  needs to hear "Speed limited to 3.2 km/h" once, not sixteen times (the screen and the
  session log still show every one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun.profiles.timeline import CueKind

if TYPE_CHECKING:
    from collections.abc import Mapping

    from retrorun.session.api import Cue


@dataclass(frozen=True)
class CuePolicy:
    rank: int
    """0 is the most urgent."""
    max_wait_s: float | None
    """Dropped when it could not start within this many seconds (None: never dropped)."""
    urgent: bool = False
    """Cuts short a less urgent cue that is playing when this one arrives."""
    say_again_after_s: float | None = None
    """The same words are not said again within this many seconds (None: every time)."""


COUNTDOWN_DIGIT = "countdown_digit"
"""The policy key of a countdown cue with beeps (3-2-1), as opposed to "in 10 seconds"."""

POLICIES: Mapping[str, CuePolicy] = {
    CueKind.ALARM: CuePolicy(rank=0, max_wait_s=None, urgent=True),
    CueKind.TURN_NOW: CuePolicy(rank=1, max_wait_s=None, urgent=True),
    COUNTDOWN_DIGIT: CuePolicy(rank=1, max_wait_s=0.5, urgent=True),
    CueKind.FINISH: CuePolicy(rank=2, max_wait_s=None),
    CueKind.PAUSE: CuePolicy(rank=2, max_wait_s=10.0),
    CueKind.TURN_WARNING: CuePolicy(rank=3, max_wait_s=4.0),
    CueKind.COUNTDOWN: CuePolicy(rank=3, max_wait_s=2.0),
    CueKind.LAST_INTERVAL: CuePolicy(rank=4, max_wait_s=6.0),
    CueKind.START: CuePolicy(rank=4, max_wait_s=6.0),
    CueKind.OVERRIDE: CuePolicy(rank=4, max_wait_s=6.0, say_again_after_s=600.0),
    CueKind.TEXT: CuePolicy(rank=5, max_wait_s=8.0),
    CueKind.HALFWAY: CuePolicy(rank=6, max_wait_s=4.0),
}

DIGIT_INTERVAL_S = 1.0
"""A countdown says one digit a second."""
_DIGIT_GUARD_S = 0.1
# A digit that has not come this long after it was due is not coming: the countdown was
# cut off (a pause, a skip), and waiting cues may go.
DIGIT_GRACE_S = 0.25


def is_digit(cue: Cue) -> bool:
    """A digit of a 3-2-1 countdown (it beeps), not "change in 10 seconds"."""
    return cue.kind is CueKind.COUNTDOWN and cue.beeps > 0


def policy(cue: Cue) -> CuePolicy:
    return POLICIES[COUNTDOWN_DIGIT] if is_digit(cue) else POLICIES[cue.kind]


def next_digit_due(cue: Cue, offered_at: float) -> float | None:
    """When the digit after countdown digit `cue` is due (None after "1")."""
    counting_on = cue.text.isdigit() and int(cue.text) > 1
    return offered_at + DIGIT_INTERVAL_S if counting_on else None


def countdown_over(now: float, due: float) -> bool:
    """The digit `due` then has not come, and will not."""
    return now >= due + DIGIT_GRACE_S


def fits_before(now: float, duration_s: float, due: float | None) -> bool:
    """A cue of `duration_s` starting `now` ends before a digit `due` then (with a guard)."""
    return due is None or now + duration_s <= due - _DIGIT_GUARD_S


def stale(cue: Cue, offered_at: float, now: float) -> bool:
    """`cue` waited longer than its policy allows."""
    limit = policy(cue).max_wait_s
    return limit is not None and now - offered_at > limit


def repeated(cue: Cue, now: float, last_said: float | None) -> bool:
    """`cue`'s words were said at `last_said`, too recently to say them again."""
    again = policy(cue).say_again_after_s
    return again is not None and last_said is not None and now - last_said < again


def cuts(arriving: Cue, playing: Cue) -> bool:
    """`arriving` cuts `playing` short."""
    new, old = policy(arriving), policy(playing)
    return new.urgent and new.rank < old.rank
