"""The session engine: a pure state machine that drives a plan on a treadmill.

Theory of operation
-------------------
``handle(event, now) -> actions`` is the whole interface. Events are the runner's view of
the world (`Ready`, `Sample`, `Tick`, `Done`, the device layer's status events, and a
person's `UserCommand`); actions are what to do about it (`Send` a treadmill command,
`Publish` a session event, `Answer` a command). ``next_deadline()`` says when the engine
next needs a `Tick`; ``snapshot(now)`` shows everything. No I/O, no asyncio, no clock of
its own: tests drive it with plain numbers.

The engine is a few small machines, each with its transitions written as a table:

* `retrorun.session.lifecycle`: connecting → countdown → running ⇄ paused / reconnecting
  → stopping → ended, and every way a session ends (`Ending`);
* `retrorun.session.turn`: approach → arriving (the belt measured at turn speed) → window
  → settle, one `Turn` per turn segment;
* `retrorun.session.commands`: each treadmill command pending → acknowledged → verified
  by telemetry, or rejected / timed out, with bounded retries;
* `retrorun.session.following`: is the belt following its speed target;
* `retrorun.session.ledger`: the session clock, active time, segment boundaries and
  extensions.

and a few parts that own the rest of the session's state, each in its own module, that
`Engine` builds and wires together (each gets the parts it calls, nothing more):

* `Outbox` (`outbox`): the actions of the event being handled, in order: log lines, cues,
  snapshots;
* `Course` (`course`): where the session is: stage and why, segment, turn, phase, facing;
* `Setpoints` (`setpoints`): what the belt was told and shows, the speed steps due, and
  every command sent, made safe first (`retrorun.profiles.safety`);
* `Stopper` (`stopping`): the end: Stop, Stop again, the belt measured at rest, the summary;
* `Interruptions` (`interruptions`): pauses the session did not ask for, and coming back;
* `HeartRateControl` (`heart_control`): stale heart rates, the guard, zone steps;
* `Schedule` (`schedule`): the plan segment by segment, its cues, skip and extend;
* `TreadmillEvents` (`treadmill_events`): the start, each sample, answers, status events;
* `UserCommands` (`user_commands`): the runner's commands.

`Engine.handle` hands the event to the part it is for, then, in this order: the wall-clock
waits (`_timers`), the heart rate's freshness, the plan's progress in active time
(`_progress`), the phase line and a snapshot when something shown changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrorun.device.events import DeviceEvent
from retrorun.session.api import (
    CommandResult,
    Phase,
    SessionEnded,
    SessionState,
    UserCommand,
)
from retrorun.session.commands import CommandTracker
from retrorun.session.course import Course
from retrorun.session.following import BeltWatch
from retrorun.session.heart import HeartRateSources
from retrorun.session.heart_control import HeartRateControl
from retrorun.session.inputs import (
    Action,
    Answer,
    Done,
    EngineOptions,
    HeartRateReading,
    Ready,
    Sample,
    StrapLink,
    Tick,
)
from retrorun.session.interruptions import Interruptions
from retrorun.session.ledger import Ledger
from retrorun.session.lifecycle import Ending, Stage
from retrorun.session.outbox import Outbox
from retrorun.session.schedule import Schedule
from retrorun.session.setpoints import Setpoints
from retrorun.session.stopping import STOP_ANSWER_WAIT_S, Stopper
from retrorun.session.treadmill_events import TreadmillEvents
from retrorun.session.user_commands import UserCommands
from retrorun.session.view import build_snapshot

if TYPE_CHECKING:
    from retrorun.profiles.models import Direction
    from retrorun.profiles.plan import Plan, Segment
    from retrorun.profiles.safety import SafetyLimits
    from retrorun.session import turn as turns
    from retrorun.session.api import Snapshot
    from retrorun.session.totals import Bucket, TotalsCounter

Event = Ready | Sample | Tick | Done | UserCommand | HeartRateReading | StrapLink | DeviceEvent

__all__ = ["STOP_ANSWER_WAIT_S", "Engine", "Event"]

EPS = 1e-6


class Engine:
    """Drive one plan; see the module docstring.

    ``Engine(plan, now, options)``; then ``handle(event, now)``, ``next_deadline()``,
    ``snapshot(now)``; ``ended`` is the `SessionEnded` once the session is over.
    """

    def __init__(self, plan: Plan, now: float, options: EngineOptions | None = None) -> None:
        self.plan = plan
        self.options = options or EngineOptions()
        self.ledger = Ledger(t0=now, now=now)
        self._out = Outbox(self.ledger, self.options)
        self._course = Course(plan, self._out)
        self.life = self._course.life
        self.tracker = CommandTracker()
        self.watch = BeltWatch()
        self._belt = Setpoints(
            plan.limits, self._course, self._out, self.ledger, self.tracker, self.watch
        )
        self._stopper = Stopper(self._course, self._belt, self._out, self.ledger, self.tracker)
        self.hr = HeartRateSources()
        self._heart = HeartRateControl(
            self.hr, self._course, self._belt, self._stopper, self._out, self.ledger, self.options
        )
        self._interruptions = Interruptions(
            self._course,
            self._belt,
            self._stopper,
            self._out,
            self.ledger,
            self.tracker,
            self.watch,
            self.options,
        )
        self._schedule = Schedule(
            self._course,
            self._belt,
            self._heart,
            self._interruptions,
            self._stopper,
            self._out,
            self.ledger,
        )
        self._treadmill = TreadmillEvents(
            course=self._course,
            belt=self._belt,
            schedule=self._schedule,
            heart=self._heart,
            interruptions=self._interruptions,
            stopper=self._stopper,
            out=self._out,
            ledger=self.ledger,
            tracker=self.tracker,
            watch=self.watch,
            hr=self.hr,
            options=self.options,
        )
        self._commands = UserCommands(
            course=self._course,
            belt=self._belt,
            schedule=self._schedule,
            heart=self._heart,
            interruptions=self._interruptions,
            treadmill=self._treadmill,
            stopper=self._stopper,
            out=self._out,
            ledger=self.ledger,
        )

    # ------------------------------------------------------------------ public

    def handle(self, event: Event, now: float) -> list[Action]:
        """Feed one event at ``now``; the actions to perform, in order.

        Once `ended` is set nothing more happens: commands are refused, the rest ignored.
        """
        if self._stopper.ended is not None:
            if isinstance(event, UserCommand):
                return [
                    Answer(CommandResult(event, accepted=False, reason="the session has ended"))
                ]
            return []
        course = self._course
        self.ledger.tick(now, running=course.running, bucket=course.bucket())
        if isinstance(event, UserCommand):
            self._out.add(Answer(self._commands.answer(event)))
        elif isinstance(event, Sample):
            self._treadmill.sample(event)
        elif isinstance(event, Done):
            self._treadmill.done(event)
        elif isinstance(event, Ready):
            self._treadmill.ready(event)
        elif isinstance(event, HeartRateReading):
            self.hr.feed(event.heart_rate_bpm, "strap", now)
        elif isinstance(event, StrapLink):
            self._treadmill.strap_link(event)
        elif not isinstance(event, Tick):
            self._treadmill.status(event)
        self._timers()
        self._heart.freshness()
        self._progress()
        course.note_phase()
        self._publish_snapshot()
        return self._out.take()

    def next_deadline(self) -> float | None:
        """When the engine next needs a `Tick` (absolute, on the runner's clock)."""
        if self._stopper.ended is not None:
            return None
        stage = self.life.stage
        if stage is Stage.STOPPING:
            return self._stopper.deadline()
        # Retries wait while the session does not run (`_timers`): no deadline for them then.
        retry_at = self.tracker.retry_at if stage is Stage.RUNNING else None
        walls = [*self._treadmill.deadlines(), *self._interruptions.deadlines()]
        if retry_at:
            walls.append(retry_at)
        if self._course.running:
            # Anything due by now has been acted on or waits on telemetry, not on time.
            now, active = self.ledger.now, self.ledger.active
            walls.extend(now + a - active for a in self._schedule.due_active() if a > active + EPS)
            stale_at = self.hr.stale_at(now)
            if stale_at is not None:  # the moment to say the heart rate went stale
                walls.append(stale_at + EPS)
        return min(walls) if walls else None

    def abort(self, ending: Ending, now: float, detail: str = "") -> list[Action]:
        """End at once because the runner cannot go on (an exception, a cancellation).

        `SessionEnded` is published without waiting for a Stop: the runner stops the belt
        itself on its way out.
        """
        self.ledger.tick(now, running=self._running, bucket=self.bucket())
        self._stopper.end(ending, detail)
        self._stopper.finalize()
        self._publish_snapshot()
        return self._out.take()

    def snapshot(self, now: float) -> Snapshot:
        """Everything a watcher shows, at ``now``."""
        return build_snapshot(self, now)

    # ------------------------------------------------------------------ views

    @property
    def state(self) -> SessionState:
        return self._course.state

    @property
    def phase(self) -> Phase:
        return self._course.phase

    @property
    def facing(self) -> Direction:
        return self._course.facing

    @property
    def reason(self) -> str | None:
        """Why the state is what it is, when that needs saying."""
        return self._course.reason

    @property
    def turn(self) -> turns.Turn | None:
        return self._course.turn

    @property
    def ended(self) -> SessionEnded | None:
        """The session's end, once it is over."""
        return self._stopper.ended

    @property
    def limits(self) -> SafetyLimits:
        return self._belt.limits

    @property
    def speed_target(self) -> float | None:
        return self._belt.speed_target

    @property
    def incline_target(self) -> float | None:
        return self._belt.incline_target

    @property
    def measured_speed(self) -> float | None:
        return self._belt.measured_speed

    @property
    def measured_incline(self) -> float | None:
        return self._belt.measured_incline

    @property
    def t(self) -> float:
        return self.ledger.t

    @property
    def heart_rate(self) -> int | None:
        """The heart rate to act on now: a fresh one (strap first), else None."""
        reading = self.hr.current(self.ledger.now)
        return reading.bpm if reading is not None else None

    @property
    def t0(self) -> float:
        return self.ledger.t0

    @property
    def last_now(self) -> float:
        return self.ledger.now

    @property
    def active_s(self) -> float:
        return self.ledger.active

    @property
    def totals(self) -> TotalsCounter:
        return self.ledger.totals

    @property
    def index(self) -> int | None:
        return self._course.index

    @property
    def segment(self) -> Segment | None:
        return self._course.segment

    @property
    def segment_elapsed_s(self) -> float:
        return self._schedule.elapsed_s

    def segment_remaining_s(self) -> float | None:
        return self._schedule.remaining_s()

    def segment_remaining_m(self) -> float | None:
        return self._schedule.remaining_m()

    def bucket(self) -> Bucket | None:
        return self._course.bucket()

    @property
    def _running(self) -> bool:
        return self._course.running

    # ------------------------------------------------------------------ outputs

    def _publish_snapshot(self) -> None:
        """Publish the state when something a watcher shows has changed."""
        course, belt, ended = self._course, self._belt, self._stopper.ended is not None
        key = (
            course.life.stage,
            course.life.ending,
            course.reason,
            course.index,
            course.phase,
            course.facing,
            belt.speed_target,
            belt.incline_target,
            ended,
        )
        self._out.snapshot(key, lambda: self.snapshot(self.ledger.now), ended=ended)

    def _progress(self) -> None:
        """The plan in active time: steps due, the segment's progress, the next segment."""
        schedule = self._schedule
        for _ in range(len(self.plan.segments) + 4):
            if not self._running:
                return
            schedule.send_due_steps()
            seg = self.segment
            if seg is None:
                return
            turning = self.turn is not None
            ended_at = schedule.turn_progress() if turning else schedule.interval_progress(seg)
            if ended_at is None:
                schedule.send_due_steps()  # a turn prepared just now may have a step due now
                return
            schedule.next_segment(ended_at)

    # ------------------------------------------------------------------ each event

    def _timers(self) -> None:
        """Wall-clock deadlines: start fallback, reconnect verdicts, retries, the stop."""
        now = self.ledger.now
        if self.life.stage is Stage.STOPPING:
            self._stopper.stopping()
            return
        self._interruptions.check_pause(now)
        self._treadmill.check_start(now)
        self._interruptions.check_link(now)
        if self.life.stage is not Stage.RUNNING:
            # Paused, the belt was halted: nothing is sent until the runner resumes (which
            # sends the targets again); reconnecting, nothing can be.
            return
        retry = self.tracker.due_retries(now)
        window = self.phase is Phase.TURN_WINDOW
        if "speed" in retry and self.speed_target is not None:
            self._belt.command_speed(
                self.speed_target, self.facing, reason="retry", force=True, retry=True
            )
        # A backward runner's deck moves only in the window, even to retry.
        if (
            "incline" in retry
            and self.incline_target is not None
            and (self.facing == "forward" or window)
        ):
            self._belt.command_incline(
                self.incline_target, in_turn=window, reason="retry", force=True, retry=True
            )
