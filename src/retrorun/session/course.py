"""Where a session is: its stage and why, its place in the plan, and which way the runner
faces.

Every part of the engine reads this; the lifecycle moves only through `Course.move` (which
logs the new state), and the segment, turn and facing change only as the plan goes on
(`retrorun.session.schedule`). Pure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retrorun.session import turn as turns
from retrorun.session.api import Phase
from retrorun.session.lifecycle import Lifecycle, Stage

if TYPE_CHECKING:
    from retrorun.profiles.models import Direction
    from retrorun.profiles.plan import Plan, Segment
    from retrorun.session.api import SessionState
    from retrorun.session.lifecycle import Trigger
    from retrorun.session.outbox import Outbox
    from retrorun.session.totals import Bucket

_TURN_PHASES = {
    turns.TurnPhase.APPROACH: Phase.APPROACH,
    turns.TurnPhase.ARRIVING: Phase.APPROACH,
    turns.TurnPhase.OVERDUE: Phase.APPROACH,
    turns.TurnPhase.WINDOW: Phase.TURN_WINDOW,
    turns.TurnPhase.SETTLE: Phase.SETTLE,
    turns.TurnPhase.DONE: Phase.SETTLE,
}


class Course:
    """The session's stage, segment, turn, phase and facing (see the module docstring)."""

    def __init__(self, plan: Plan, out: Outbox) -> None:
        self.plan = plan
        self.life = Lifecycle()
        self.reason: str | None = None
        """Why the state is what it is, when that needs saying."""
        self.index: int | None = None
        """The segment running (None before the first and after the last)."""
        self.turn: turns.Turn | None = None
        self.interval_phase = Phase.STEADY
        self.facing: Direction = "forward"
        self._out = out
        self._logged_phase: tuple[Phase, Direction] | None = None

    @property
    def state(self) -> SessionState:
        return self.life.state()

    @property
    def phase(self) -> Phase:
        if self.turn is not None:
            return _TURN_PHASES[self.turn.phase]
        return self.interval_phase

    @property
    def segment(self) -> Segment | None:
        return None if self.index is None else self.plan.segments[self.index]

    @property
    def running(self) -> bool:
        """The plan runs (its active clock counts)."""
        return self.life.stage is Stage.RUNNING and self.index is not None

    def bucket(self) -> Bucket | None:
        """Which total the time and distance of the segment running count in."""
        seg = self.segment
        if seg is None:
            return None
        return "turn" if seg.kind == "turn" else seg.direction

    def next_turn(self) -> Segment | None:
        """The turn right after the current segment, if the next segment is one."""
        i = self.index
        if i is None or i + 1 >= len(self.plan.segments):
            return None
        nxt = self.plan.segments[i + 1]
        return nxt if nxt.kind == "turn" else None

    def move(
        self,
        trigger: Trigger,
        reason: str | None,
        *,
        logged: str | None = None,
        why: str | None = None,
    ) -> None:
        """Fire a lifecycle trigger, log the new state and say why."""
        self.life.fire(trigger)
        self.reason = reason
        fields: dict[str, Any] = {"state": logged or str(self.state)}
        if why or reason:
            fields["reason"] = why or reason
        self._out.log("state", **fields)

    def note_phase(self) -> None:
        """Log a `phase` line when the phase or the way the runner faces changed."""
        if self.index is None:
            return
        marker = (self.phase, self.facing)
        if marker != self._logged_phase:
            self._logged_phase = marker
            self._out.log("phase", phase=str(self.phase), facing=self.facing)

    def clock_started(self) -> None:
        """The interval's belt is at its speed: steady from now, its clock counts."""
        self.interval_phase = Phase.STEADY
        self._out.log("phase", phase=str(Phase.STEADY), facing=self.facing, clock="started")
        self._logged_phase = (Phase.STEADY, self.facing)
