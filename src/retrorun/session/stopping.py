"""How a session ends: the belt told to stop, measured at rest, then `SessionEnded`.

Every way a session ends (`retrorun.session.lifecycle.Ending`) goes through `Stopper.end`:
the ending is logged and said, and a belt that was ever started is sent Stop. The session
is over (`Stopper.ended`) once a sample taken since shows the belt at rest. Until then
Stop is sent again (and the runner told) each time the belt has had the time its measured
deceleration needs, because treadmills that acknowledge Stop and run on exist; after
`STOP_ANSWER_WAIT_S` the session ends anyway, not counted as finished. A belt never started
ends at once. Pure: time comes from the `Ledger`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrorun.profiles import words
from retrorun.session.api import CueKind, SessionEnded
from retrorun.session.inputs import Publish
from retrorun.session.lifecycle import Ending, EndingInfo, Stage, Trigger

if TYPE_CHECKING:
    from retrorun.session.commands import CommandTracker
    from retrorun.session.course import Course
    from retrorun.session.ledger import Ledger
    from retrorun.session.outbox import Outbox
    from retrorun.session.setpoints import Setpoints

EPS = 1e-6
STOP_ANSWER_WAIT_S = 30.0
"""How long an ending session waits for the belt to be measured at rest after its Stop."""
AT_REST_KMH = 0.1
"""A belt measured below this is at rest."""


class Stopper:
    """The end of one session (see the module docstring)."""

    def __init__(
        self,
        course: Course,
        belt: Setpoints,
        out: Outbox,
        ledger: Ledger,
        tracker: CommandTracker,
    ) -> None:
        self.ended: SessionEnded | None = None
        self.belt_started = False
        """A Start was acknowledged once: ending must stop the belt."""
        self._course = course
        self._belt = belt
        self._out = out
        self._ledger = ledger
        self._tracker = tracker
        self._ending: EndingInfo | None = None
        self._stop_by: float | None = None
        self._stop_again_at: float | None = None
        self._warned_still_running = False

    def deadline(self) -> float | None:
        """When the stop needs looking at again (while stopping)."""
        return min((w for w in (self._stop_by, self._stop_again_at) if w), default=None)

    def end(self, ending: Ending, detail: str = "") -> None:
        """Begin to end (nothing when the session is already ending)."""
        life = self._course.life
        if not life.live:
            return
        info = life.end(ending, detail)
        self._ending = info
        self._belt.steps.clear()
        self._tracker.cancel_retries()
        self._course.reason = info.reason
        self._out.log("state", state=info.outcome, reason=info.reason)
        if ending is Ending.FINISHED:
            self._out.cue(CueKind.FINISH, words.FINISH)
        else:
            self._out.cue(CueKind.ALARM, f"Session over: {info.reason}.")
        if self.belt_started:
            self._belt.send("stop")
            self._stop_by = self._ledger.now + STOP_ANSWER_WAIT_S
            self._stop_again_later()
        else:
            self.finalize()

    def stop_answered(self) -> None:
        """The treadmill answered a Stop: wait the belt's time to rest from now."""
        self._stop_again_later()
        self.stopping()

    def _stop_again_later(self) -> None:
        """Stop again (and say so) once the belt has had the time its measured deceleration
        needs: treadmills that acknowledge Stop and run on exist."""
        self._stop_again_at = self._ledger.now + self._belt.coast_s()

    def stopping(self, *, sampled: bool = False) -> None:
        """While stopping: done once the belt is measured at rest; until then Stop again.
        ``sampled``: called for a sample taken since the Stop (only such a sample can show
        the belt at rest: the last one before it may predate a belt just told to move)."""
        if self._course.life.stage is not Stage.STOPPING:
            return
        # Done when measured at rest, whatever the answer: some treadmills acknowledge Stop
        # and run on, others refuse a Stop of a belt the safety key already stopped.
        measured = self._belt.measured_speed
        if sampled and measured is not None and measured < AT_REST_KMH:
            self._out.cue(CueKind.PAUSE, words.BELT_STOPPED)
            self.finalize()
            return
        now = self._ledger.now
        if self._stop_by is not None and now >= self._stop_by - EPS:
            self._out.cue(
                CueKind.ALARM,
                "The belt did not stop. Press stop on the treadmill or pull the safety key.",
            )
            self.finalize(stopped=False)
            return
        if self._stop_again_at is not None and now >= self._stop_again_at - EPS:
            self._stop_again_at = None
            if not self._warned_still_running:
                self._warned_still_running = True
                self._out.cue(
                    CueKind.ALARM,
                    "The belt is still running. Press stop on the treadmill "
                    "or pull the safety key.",
                )
            self._belt.send("stop", reason="the belt is still running")
            self._stop_again_later()

    def finalize(self, *, stopped: bool = True) -> None:
        """Ended. ``stopped`` False: the belt was never measured at rest after the Stop, so
        the session does not count as finished, whatever else happened."""
        life = self._course.life
        if life.stage is not Stage.STOPPING or self._ending is None:
            return
        life.fire(Trigger.STOP_ANSWERED)
        info, self._stop_by, self._stop_again_at = self._ending, None, None
        outcome, reason, code = info.outcome, info.reason, info.exit_code
        if not stopped:
            outcome, code = "interrupted", 1
            reason = f"{reason}; the belt was not measured at rest after the stop"
            self._course.reason = reason
        totals = self._ledger.totals.snapshot()
        ending = life.ending.value if life.ending is not None else ""
        self.ended = SessionEnded(self._ledger.t, outcome, reason, code, totals, ending)
        self._out.add(Publish(self.ended))
