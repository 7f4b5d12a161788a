"""When the session stops running on its own account, and the way back to running.

A running session pauses (or, with nobody to resume it, ends) when the runner pauses, the
belt is stopped at the console or by the safety key, the belt does not do what it was told,
control of the treadmill is lost, or the link drops. `Interruptions` keeps why (the *cause*:
a console start resumes only a pause made at the console or by the runner; a control answer
only a loss of control) and the wall-clock waits of the way back: the pause measured done,
the belt verified after a reconnect, the headless session's patience with a lost link.

Pure: time comes from the `Ledger`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from retrorun.profiles import words
from retrorun.session.api import CueKind
from retrorun.session.lifecycle import Ending, Stage, Trigger
from retrorun.session.stopping import AT_REST_KMH

if TYPE_CHECKING:
    from retrorun.device.events import ControlLost
    from retrorun.session.commands import CommandTracker
    from retrorun.session.course import Course
    from retrorun.session.following import BeltWatch, Stalled
    from retrorun.session.inputs import EngineOptions
    from retrorun.session.ledger import Ledger
    from retrorun.session.outbox import Outbox
    from retrorun.session.setpoints import Setpoints
    from retrorun.session.stopping import Stopper

EPS = 1e-6
VERIFY_WAIT_S = 5.0
"""After a reconnect, how long to wait for telemetry showing the belt still at speed."""
PAUSED_KMH = 0.5
"""A paused belt measured at this or faster did not pause."""

PauseCause = Literal["user", "console", "safety_key", "connection", "control", "belt"]


class Interruptions:
    """Pauses, losses of control and of the link, and coming back (module docstring)."""

    def __init__(
        self,
        course: Course,
        belt: Setpoints,
        stopper: Stopper,
        out: Outbox,
        ledger: Ledger,
        tracker: CommandTracker,
        watch: BeltWatch,
        options: EngineOptions,
    ) -> None:
        self._course = course
        self._belt = belt
        self._stopper = stopper
        self._out = out
        self._ledger = ledger
        self._tracker = tracker
        self._watch = watch
        self._options = options
        self._cause: PauseCause | None = None
        self._lost_at: float | None = None
        self._verify_by: float | None = None
        self._pause_check_at: float | None = None

    # ------------------------------------------------------------------ waits

    def deadlines(self) -> list[float]:
        """The wall-clock moments something here is due (for `Engine.next_deadline`)."""
        walls = [w for w in (self._verify_by, self._pause_check_at) if w]
        if self._lost_at is not None and self._options.headless:
            walls.append(self._lost_at + self._options.reconnect_wait_s)
        return walls

    def check_pause(self, now: float) -> None:
        """The pause's time to bring the belt to rest has passed: is it at rest?"""
        if self._pause_check_at is not None and now >= self._pause_check_at - EPS:
            self._pause_check_at = None
            self._pause_measured()

    def check_link(self, now: float) -> None:
        """No telemetry since the reconnect, or (headless) the link lost too long."""
        if self._verify_by is not None and now >= self._verify_by - EPS:
            self._verify_by = None
            self._back_without_the_belt_at_speed(no_data=True)
        if (
            self._lost_at is not None
            and self._options.headless
            and now >= self._lost_at + self._options.reconnect_wait_s - EPS
        ):
            self._stopper.end(Ending.CONNECTION_LOST)

    def _send_pause(self) -> None:
        """Pause the belt, and look again once it should be at rest."""
        self._belt.send("pause")
        self._pause_check_at = self._ledger.now + self._belt.coast_s()

    def _pause_measured(self) -> None:
        """A pause is done when the belt is measured at rest. A belt still moving (some
        treadmills leave 1.6 km/h on Pause) is told to Stop, and the runner what to do."""
        measured = self._belt.measured_speed
        if self._course.life.stage is not Stage.PAUSED or measured is None:
            return
        if measured < PAUSED_KMH:
            return
        self._out.cue(CueKind.ALARM, words.belt_still_runs_after_pause(measured, self._out.units))
        self._belt.send("stop", reason=f"the pause left the belt at {measured:.1f} km/h")

    # ------------------------------------------------------------------ pausing

    def pause_by_runner(self) -> None:
        self._cause = "user"
        self._course.move(Trigger.PAUSE, "paused by you")
        self._out.cue(CueKind.PAUSE, words.PAUSED)
        self._send_pause()

    def not_following(self, stalled: Stalled) -> None:
        runs, asked = stalled.measured_kmh, stalled.target_kmh
        detail = f"it runs {runs:.1f} km/h for {asked:.1f} km/h asked"
        if stalled.mph == "commands":
            detail += " (it reads commands as mph: run with --mph-commands)"
        elif stalled.mph == "reports":
            detail += " (it uses mph both ways: run with --mph-in-kmh-fields)"
        self.belt_fault(detail, say="The belt does not follow the speed asked.")

    def belt_fault(self, detail: str, *, say: str) -> None:
        """The belt is measured not doing what it was told: alarm, pause, say why."""
        if not self._options.interactive:
            self._out.cue(CueKind.ALARM, say)
            self._stopper.end(Ending.BELT_NOT_FOLLOWING, detail)
            return
        if not self._course.life.can(Trigger.BELT_FAULT):
            return
        self._cause = "belt"
        self._belt.steps.clear()
        self._course.move(Trigger.BELT_FAULT, f"the belt did not follow: {detail}")
        self._out.cue(CueKind.ALARM, f"{say} Pausing. Resume when it is safe.")
        self._send_pause()

    def belt_halted(self, *, by_key: bool, silent: bool = False) -> None:
        """The belt stopped: by the console or the key (a status said so), or measured at
        rest while running with no word from the treadmill (``silent``). Nothing more is
        sent to it until the runner resumes."""
        if not self._course.life.can(Trigger.BELT_HALTED):
            return
        if not self._options.interactive:
            ending = Ending.SAFETY_KEY if by_key else Ending.CONSOLE_STOP
            self._stopper.end(Ending.BELT_STOPPED if silent else ending)
            return
        reason = "safety key pulled" if by_key else "belt stopped at the console"
        if silent:
            reason = "the belt stopped (the treadmill said nothing)"
        self._belt.steps.clear()
        self._tracker.cancel_retries()
        self._watch.reset()
        self._cause = "safety_key" if by_key else "console"
        self._lost_at = None
        self._course.move(Trigger.BELT_HALTED, reason)
        kind = CueKind.ALARM if by_key else CueKind.PAUSE
        self._out.cue(kind, f"Paused: {reason}. Resume when you are ready.")

    def control_lost(self, event: ControlLost) -> None:
        # A dropped link takes control with it; the connection loss that follows says so.
        if event.link_lost or not self._course.life.can(Trigger.CONTROL_LOST):
            return
        self._cause = "control"
        self._course.move(Trigger.CONTROL_LOST, "control lost")
        self._out.cue(CueKind.ALARM, "Control of the treadmill was lost. Taking it back.")
        self._belt.send("request_control")

    def connection_lost(self) -> None:
        life = self._course.life
        if not life.can(Trigger.LINK_LOST):
            return
        if self._course.index is None and life.stage is Stage.COUNTDOWN:
            self._stopper.end(Ending.CONNECTION_LOST_BEFORE_START)
            return
        self._cause = "connection"
        self._watch.reset()
        self._lost_at = self._ledger.now
        self._course.move(Trigger.LINK_LOST, "connection lost")
        self._out.cue(CueKind.ALARM, "Connection lost! Hold the rails. Reconnecting.")

    # ------------------------------------------------------------------ coming back

    def resume_running(self, trigger: Trigger, reason: str) -> None:
        self._cause = None
        self._lost_at = None
        self._course.move(trigger, None, logged="resumed", why=reason)
        self._out.cue(CueKind.PAUSE, words.RESUMED)
        target = self._belt.speed_target
        if target is not None:  # judged from where the belt is now
            self._watch.target(target, self._ledger.now, self._belt.measured_speed)

    def console_start(self) -> None:
        """The belt was started at the console: that resumes a pause made at the console
        or by the runner (not one for safety)."""
        if self._course.life.stage is Stage.PAUSED and self._cause in ("console", "user"):
            self.resume_running(Trigger.CONSOLE_START, "started at the console")

    def control_answered(self, *, ok: bool) -> None:
        """Control was asked for again after it was lost, and answered."""
        if self._cause != "control":
            return
        if ok and self._belt.at_speed() and self._course.life.stage is Stage.PAUSED:
            self.resume_running(Trigger.BACK_AT_SPEED, "control back; the belt kept its speed")
        elif not self._options.interactive:
            self._stopper.end(Ending.CONTROL_LOST)

    def reconnected(self) -> None:
        stage = self._course.life.stage
        if stage is Stage.STOPPING:  # the Stop may not have reached it
            self._belt.send("stop", reason="reconnected")
            return
        if stage is not Stage.RECONNECTING:
            return
        # Both views judge the belt first: a session never shows PAUSED over a belt that
        # still runs (a Raspberry Pi's radio drops links while the treadmill runs on).
        self._watch.units.restart()
        self._lost_at = None
        self._verify_by = self._ledger.now + VERIFY_WAIT_S

    def sampled_after_reconnect(self) -> None:
        """A sample after a reconnect: the belt kept its speed (run on), or not."""
        if self._course.life.stage is not Stage.RECONNECTING or self._verify_by is None:
            return
        self._verify_by = None
        if self._belt.at_speed():
            self.resume_running(Trigger.BACK_AT_SPEED, "connection back; the belt kept its speed")
        else:
            self._back_without_the_belt_at_speed(no_data=False)

    def _back_without_the_belt_at_speed(self, *, no_data: bool) -> None:
        """Reconnected, but the belt is not running at the speed it was told (or says
        nothing). The line view ends; a view that takes a resume pauses, saying what the
        belt does, and pauses the belt itself if it still moves."""
        if self._options.headless:
            self._stopper.end(
                Ending.NO_DATA_AFTER_RECONNECT if no_data else Ending.BELT_DID_NOT_KEEP_SPEED
            )
            return
        measured = self._belt.measured_speed
        if no_data:
            why = "connection back, but no data yet: resume when ready"
            say = "Connection back, but the treadmill sends no data yet. Resume when ready."
        elif measured is not None and measured >= AT_REST_KMH:
            why = f"connection back; the belt ran {measured:.1f} km/h, so it was paused"
            ran = words.speed_text(measured, self._out.units)
            say = f"Connection back. The belt ran {ran}: pausing it. Hold the rails."
            self._send_pause()
        else:
            why = "connection back; the belt had stopped: resume when ready"
            say = "Connection back. The belt has stopped. Resume when you are ready."
        self._course.move(Trigger.LINK_BACK, why)
        self._out.cue(CueKind.ALARM, say)
