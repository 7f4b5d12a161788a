"""A turn: the belt slows to turn speed, is held while the runner turns, then settles.

Theory of operation
-------------------
Every change of direction (and every incline change while backward) is a turn segment of
the plan. One `Turn` object runs one turn, through the phases of `TRANSITIONS`:

* APPROACH: the interval before has run its whole time at its speed; now the belt is
  brought down to turn speed. The window is due when the belt is expected to arrive there
  (`window_offset_s`: the measured reaction delay and ramp rate say how long that takes).
  The 3-2-1 countdown counts to the moment the window is due.
* ARRIVING: the window is due, but the belt is not yet measured at the turn speed actually
  commanded (a treadmill's minimum may raise it). "Turn around now" is never said before it
  is; after `MAX_ARRIVAL_WAIT_S` the turn is overdue (`ArrivalOverdue`): the engine alarms
  and pauses, and the whole window is held again after the resume.
* WINDOW: "Turn around now." The belt is held at turn speed for the turn window while the
  runner turns on the rails; the next interval's incline is set here (the only moment the
  deck moves under a backward runner). No countdown: the end of the window changes nothing
  the runner feels (the belt stays at turn speed), so a turn has one 3-2-1, the one that
  ends at "Turn around now".
* SETTLE: turned; a few seconds at turn speed facing the new way.
* DONE: the next interval begins (and ramps up at the backward ramp rate).

A pause before the window is over holds the whole window again after the resume (PAUSED
goes back to APPROACH); a pause while settling keeps settling.

`Turn.advance` is the only way time moves a turn: it is given the active time and the
measured belt speed and answers with what happened (`TurnEvent`s) for the engine to act
on (cues, the incline command, the next segment). Pure: no I/O, no clock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from retrorun.profiles.plan import approach_s
from retrorun.profiles.timeline import COUNTDOWN_BEEPS_S as BEEP_TIMES_S
from retrorun.session.transitions import step

if TYPE_CHECKING:
    from retrorun.belt import RampRates
    from retrorun.profiles.plan import Segment

EPS = 1e-6
ARRIVAL_TOLERANCE_KMH = 0.2
"""The belt is "at turn speed" within this much of it."""
MAX_DECK_WAIT_S = 60.0
"""How long a window is held past its end for a deck still moving to its incline before
the turn is overdue (an incline motor can take 16 s or more for 0 to 8 %)."""
DECK_RECHECK_S = 3.0
"""A window held for a deck still moving is held this much longer at a time."""
MAX_ARRIVAL_WAIT_S = 30.0
"""A belt that is not at turn speed this long after the window was due (console held,
firmware ignoring us) is overdue: the engine alarms and pauses; the window never opens on a
belt that is not measured at turn speed."""


class TurnPhase(enum.Enum):
    APPROACH = "approach"
    ARRIVING = "arriving"
    OVERDUE = "overdue"
    """The belt never reached turn speed: the session is paused, the window never opens."""
    WINDOW = "window"
    SETTLE = "settle"
    DONE = "done"


class TurnInput(enum.Enum):
    WINDOW_DUE = "window due"
    """Active time reached the window's due time."""
    ARRIVED = "arrived"
    """The belt is measured at turn speed."""
    WAIT_OVER = "arrival wait over"
    """`MAX_ARRIVAL_WAIT_S` passed without the belt at turn speed: the turn is overdue."""
    WINDOW_OVER = "window over"
    DECK_MOVING = "deck still moving"
    """The window is over but the deck is not at its incline: the window is held longer."""
    DECK_LATE = "deck late"
    """The deck is not at its incline `MAX_DECK_WAIT_S` after the window was due to end."""
    SETTLED = "settled"
    PAUSED = "paused"
    """The session paused: the window is held again in full after the resume."""


_P, _I = TurnPhase, TurnInput

TRANSITIONS: dict[tuple[TurnPhase, TurnInput], TurnPhase] = {
    (_P.APPROACH, _I.WINDOW_DUE): _P.ARRIVING,
    (_P.APPROACH, _I.PAUSED): _P.APPROACH,
    (_P.ARRIVING, _I.ARRIVED): _P.WINDOW,
    (_P.ARRIVING, _I.WAIT_OVER): _P.OVERDUE,
    (_P.OVERDUE, _I.ARRIVED): _P.WINDOW,
    (_P.OVERDUE, _I.PAUSED): _P.APPROACH,
    (_P.ARRIVING, _I.PAUSED): _P.APPROACH,
    (_P.WINDOW, _I.WINDOW_OVER): _P.SETTLE,
    (_P.WINDOW, _I.DECK_MOVING): _P.WINDOW,
    (_P.WINDOW, _I.DECK_LATE): _P.OVERDUE,
    (_P.WINDOW, _I.PAUSED): _P.APPROACH,
    (_P.SETTLE, _I.SETTLED): _P.DONE,
    (_P.SETTLE, _I.PAUSED): _P.SETTLE,
}


@dataclass(frozen=True)
class Beep:
    """Say one digit of a 3-2-1 countdown."""

    digit: int


@dataclass(frozen=True)
class WindowOpened:
    """ "Turn around now": the window began, `late_s` after it was due."""

    late_s: float


@dataclass(frozen=True)
class Settling:
    """The window is over: settle in, facing the new way."""


@dataclass(frozen=True)
class TurnDone:
    """The turn is over; the next segment begins at active time `end`."""

    end: float


@dataclass(frozen=True)
class ArrivalOverdue:
    """The belt is not at turn speed `MAX_ARRIVAL_WAIT_S` after the window was due."""

    measured_kmh: float | None


@dataclass(frozen=True)
class WindowExtended:
    """The window is held longer: the deck has not reached its incline yet."""

    by_s: float


@dataclass(frozen=True)
class DeckOverdue:
    """The deck never reached its incline: the runner must not turn back to running."""


TurnEvent = (
    Beep | WindowOpened | Settling | TurnDone | ArrivalOverdue | WindowExtended | DeckOverdue
)


@dataclass
class Turn:
    """One turn in progress (see the module docstring)."""

    segment: Segment
    window_at: float
    """Active time at which the window is due."""
    phase: TurnPhase = TurnPhase.APPROACH
    window_start: float | None = None
    settle_start: float | None = None
    beeps: list[float] = field(default_factory=list)
    """Active times of the countdown digits still to say."""
    extended_s: float = 0.0
    """How long the window was held past its end for the deck."""

    @classmethod
    def begin(cls, segment: Segment, start: float, window_offset_s: float | None = None) -> Turn:
        """The turn `segment` beginning at active time `start`.

        Its window is due `window_offset_s` later (default: once the plan's steps down to
        turn speed are sent); the digits of the countdown to it that fall inside the turn
        are said by the turn (the interval before it could not say them).
        """
        offset = segment.incline_offset_s if window_offset_s is None else window_offset_s
        window_at = start + offset
        beeps = [window_at - b for b in BEEP_TIMES_S if b <= offset + EPS]
        return cls(segment, window_at, beeps=beeps)

    def fire(self, given: TurnInput) -> TurnPhase:
        self.phase = step(TRANSITIONS, self.phase, given, what="turn")
        return self.phase

    @property
    def window_end(self) -> float | None:
        if self.window_start is None:
            return None
        return self.window_start + (self.segment.window_s or 0.0)

    def due(self) -> list[float]:
        """Active times at which `advance` has something to do."""
        if self.phase in (TurnPhase.APPROACH, TurnPhase.ARRIVING):
            return [*self.beeps, self.window_at, self.window_at + MAX_ARRIVAL_WAIT_S]
        if self.phase is TurnPhase.OVERDUE:
            return []
        if self.phase is TurnPhase.WINDOW:
            return [self.window_end or 0.0]
        if self.phase is TurnPhase.SETTLE and self.settle_start is not None:
            return [self.settle_start + (self.segment.settle_s or 0.0)]
        return []

    def remaining_s(self, active: float) -> float:
        """Time left in the turn (window and settle included)."""
        window = self.window_start if self.window_start is not None else self.window_at
        seg = self.segment
        return max(0.0, window + (seg.window_s or 0.0) + (seg.settle_s or 0.0) - active)

    def advance(
        self,
        active: float,
        measured_kmh: float | None,
        turn_kmh: float | None = None,
        *,
        deck_ready: bool = True,
    ) -> list[TurnEvent]:
        """Move the turn to active time `active` with the belt measured at `measured_kmh`;
        `turn_kmh` is the turn speed actually commanded (default: the plan's); `deck_ready`
        says whether the deck is measured at the incline set for the next interval."""
        if self.phase in (TurnPhase.APPROACH, TurnPhase.ARRIVING, TurnPhase.OVERDUE):
            target = self.segment.speed_kmh if turn_kmh is None else turn_kmh
            return self._approach(active, measured_kmh, target)
        if self.phase is TurnPhase.WINDOW:
            return self._window(active, deck_ready=deck_ready)
        if self.phase is TurnPhase.SETTLE and self.settle_start is not None:
            end = self.settle_start + (self.segment.settle_s or 0.0)
            if active + EPS >= end:
                self.fire(TurnInput.SETTLED)
                return [TurnDone(end)]
        return []

    def _window(self, active: float, *, deck_ready: bool) -> list[TurnEvent]:
        end = self.window_end
        if end is None or active + EPS < end:
            return []
        if not deck_ready:
            # The runner must not turn back to running on a moving deck: hold the window,
            # a few seconds at a time.
            if self.extended_s + EPS >= MAX_DECK_WAIT_S:
                self.fire(TurnInput.DECK_LATE)
                return [DeckOverdue()]
            by = active + DECK_RECHECK_S - end
            self.window_start = (self.window_start or 0.0) + by
            self.extended_s += by
            self.fire(TurnInput.DECK_MOVING)
            return [WindowExtended(by)]
        self.settle_start = end
        self.fire(TurnInput.WINDOW_OVER)
        return [Settling()]

    def hold_again(self, active: float) -> None:
        """A pause: before the window is over, the whole window is held again from now."""
        self.fire(TurnInput.PAUSED)
        if self.phase is TurnPhase.APPROACH:
            self.window_at, self.window_start, self.beeps = active, None, []

    def _approach(
        self, active: float, measured_kmh: float | None, turn_kmh: float
    ) -> list[TurnEvent]:
        said = self._beeps_due(active, self.window_at)
        if active + EPS < self.window_at:
            return said
        if self.phase is TurnPhase.APPROACH:
            self.fire(TurnInput.WINDOW_DUE)
        waited = active - self.window_at
        if arrived(measured_kmh, turn_kmh):
            self.fire(TurnInput.ARRIVED)
        elif self.phase is TurnPhase.ARRIVING and waited + EPS >= MAX_ARRIVAL_WAIT_S:
            self.fire(TurnInput.WAIT_OVER)
            return [*said, ArrivalOverdue(measured_kmh)]
        else:
            return said
        # The window runs from "Turn around now", never from when it was due: a runner
        # always gets the whole window after hearing it (a late timer costs the plan a few
        # milliseconds, never the runner a part of the turn).
        start = active
        self.window_start = start
        self.beeps = []
        return [*said, WindowOpened(max(0.0, waited))]

    def _beeps_due(self, active: float, moment: float) -> list[TurnEvent]:
        said: list[TurnEvent] = []
        while self.beeps and self.beeps[0] <= active + EPS:
            self.beeps.pop(0)
            said.append(Beep(max(1, round(moment - active))))
        return said


def window_offset_s(turn: Segment, from_kmh: float, rates: RampRates) -> float:
    """Seconds from the start of the turn (the end of the interval before it, at
    ``from_kmh``) until its window is due: its steps down to turn speed, then the time
    the belt is expected to take to get there (`retrorun.profiles.plan.approach_s`)."""
    return approach_s(turn.speed_steps, from_kmh, rates)


def arrived(measured_kmh: float | None, turn_kmh: float) -> bool:
    return measured_kmh is not None and abs(measured_kmh - turn_kmh) <= ARRIVAL_TOLERANCE_KMH
