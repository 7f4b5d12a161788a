"""The session engine: a pure state machine that drives a plan on a treadmill.

Theory of operation
-------------------
``handle(event, now) -> actions`` is the whole interface. Events are the runner's view of
the world (`Ready`, `Sample`, `Tick`, `Done`, the device layer's status events, and a
person's `UserCommand`); actions are what to do about it (`Send` a treadmill command,
`Publish` a session event, `Answer` a command). ``next_deadline()`` says when the engine
next needs a `Tick`; ``snapshot(now)`` shows everything. No I/O, no asyncio, no clock of
its own: tests drive it with plain numbers.

The engine is a few small machines, each with its transitions written as a table, and the
glue between them here:

* `retrorun.session.lifecycle`: connecting → countdown → running ⇄ paused / reconnecting
  → stopping → ended, and every way a session ends (`Ending`);
* `retrorun.session.turn`: approach → arriving (the belt measured at turn speed) → window
  → settle, one `Turn` per turn segment;
* `retrorun.session.commands`: each treadmill command pending → acknowledged → verified
  by telemetry, or rejected / timed out, with bounded retries;
* `retrorun.session.ledger`: the session clock, active time, segment boundaries and
  extensions.

Segments. An interval commands its plan steps at their offsets and ends after its time
(plus extensions) or its metres (the treadmill's distance, else integrated belt speed).
Before an interval that leads to a turn, the turn's steps are commanded early so the belt
is at turn speed when the window is due: this is the APPROACH phase. Skipping never skips a
turn.

Safety. Every speed and incline goes through `retrorun.profiles.safety` (clamp, backward
ramp rate, incline only in the window while backward) just before it is sent; a changed
value is logged with its reason and announced once per segment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from retrorun.device.events import (
    BeltStarted,
    BeltStopped,
    ConnectionLost,
    ConsoleInclineChanged,
    ConsoleSpeedChanged,
    ControlLost,
    DeviceEvent,
    Reconnected,
    TrainingStatusChanged,
)
from retrorun.device.ramp import DEFAULT_RATES
from retrorun.ftms.training_status import TrainingStatusCode
from retrorun.profiles import words
from retrorun.profiles.safety import (
    SAFETY_NUMBERS,
    backward_ramp,
    clamp_incline,
    clamp_speed,
    limit_speed_change,
)
from retrorun.profiles.words import CueGroup, Verbosity, group_of
from retrorun.session import turn as turns
from retrorun.session.api import (
    CommandKind,
    CommandResult,
    Cue,
    CueKind,
    LogEntry,
    Phase,
    SessionEnded,
    SessionState,
    UserCommand,
)
from retrorun.session.commands import CommandTracker, response_fields
from retrorun.session.conditions import UntilWatch
from retrorun.session.cues import (
    PendingCue,
    interval_cues,
    settle_text,
    slows,
    turn_now_text,
    turn_warning_text,
)
from retrorun.session.following import AT_TARGET_KMH, BeltWatch, Stalled
from retrorun.session.heart import HR_STALE_S, HeartRateSources
from retrorun.session.inputs import (
    Action,
    Answer,
    Done,
    EngineOptions,
    HeartRateReading,
    Publish,
    Ready,
    Request,
    Sample,
    StrapLink,
    Tick,
)
from retrorun.session.ledger import Ledger
from retrorun.session.lifecycle import (
    STOP_SOURCES,
    Ending,
    EndingInfo,
    Lifecycle,
    Stage,
    Trigger,
)
from retrorun.session.view import build_snapshot
from retrorun.session.zone import ZONE_UPDATE_S, Verdict, Zone, decide

if TYPE_CHECKING:
    from collections.abc import Sequence

    from retrorun.device.ramp import RampRates
    from retrorun.profiles.models import Direction
    from retrorun.profiles.plan import Plan, Segment
    from retrorun.profiles.safety import SafetyLimits
    from retrorun.session.api import Snapshot
    from retrorun.session.totals import Bucket, TotalsCounter

Event = Ready | Sample | Tick | Done | UserCommand | HeartRateReading | StrapLink | DeviceEvent

__all__ = ["Engine", "Event"]

EPS = 1e-6
START_TRIES = 2
"""A refused Start is tried once more before the session gives up."""
START_WAIT_S = 10.0
"""After Start is acknowledged, begin even if no telemetry shows the belt moving."""
VERIFY_WAIT_S = 5.0
"""After a reconnect, how long to wait for telemetry showing the belt still at speed."""
AT_SPEED_KMH = 0.5
"""A belt within this of its target "still runs at the expected speed"."""
STOP_ANSWER_WAIT_S = 30.0
"""How long an ending session waits for the belt to be measured at rest after its Stop."""
STOP_MARGIN_S = 3.0
"""On top of what the measured deceleration says a stop takes: then Stop is sent again."""
DECK_FAULT_MARGIN_PCT = 0.5
"""A backward deck measured this far beyond the backward incline range is a fault."""
DECK_MOVED_PCT = 0.5
"""A deck measured this far from its incline, and moving away, was moved at the console."""
OVER_CAP_MARGIN_KMH = 0.3
"""A backward belt measured this far above its cap was sped up by someone (or something)."""
DECK_TOLERANCE_PCT = 0.3
"""The deck is at its incline within this."""
AT_REST_KMH = 0.1
PAUSED_KMH = 0.5
"""A paused belt measured at this or faster did not pause."""
"""A belt measured below this is at rest."""
STOPPED_SAMPLES = 2
"""Samples in a row at rest while running that mean the belt was stopped (with or without a
Machine Status: some treadmills say nothing)."""
_HALTED_TRAINING = frozenset({TrainingStatusCode.IDLE, TrainingStatusCode.POST_WORKOUT})
DEFAULT_EXTEND_S = 30.0
RATE_SLACK_S = 1e-4
RAMP_IN_SLACK_S = 10.0
"""How long past its expected arrival an interval's clock waits for the belt to be at speed."""

_TURN_PHASES = {
    turns.TurnPhase.APPROACH: Phase.APPROACH,
    turns.TurnPhase.ARRIVING: Phase.APPROACH,
    turns.TurnPhase.OVERDUE: Phase.APPROACH,
    turns.TurnPhase.WINDOW: Phase.TURN_WINDOW,
    turns.TurnPhase.SETTLE: Phase.SETTLE,
    turns.TurnPhase.DONE: Phase.SETTLE,
}


@dataclass(frozen=True)
class _Step:
    """A speed command due at active time ``at``."""

    at: float
    speed_kmh: float
    facing: Direction
    turn: bool
    """Part of a turn (never cancelled by an override or a nudge)."""
    catch_up: bool = False
    """The rest of a change the backward ramp rate held back; dropped by any newer request."""


PauseCause = Literal["user", "console", "safety_key", "connection", "control", "belt"]


class Engine:
    """Drive one plan; see the module docstring.

    ``Engine(plan, now, options)``; then ``handle(event, now)``, ``next_deadline()``,
    ``snapshot(now)``; ``ended`` is the `SessionEnded` once the session is over.
    """

    def __init__(self, plan: Plan, now: float, options: EngineOptions | None = None) -> None:
        self.plan = plan
        self.options = options or EngineOptions()
        self.limits: SafetyLimits = plan.limits
        self.life = Lifecycle()
        self.ledger = Ledger(t0=now, now=now)
        self.tracker = CommandTracker()
        self.watch = BeltWatch()
        self.turn: turns.Turn | None = None
        self.ended: SessionEnded | None = None
        self.reason: str | None = None
        """Why the state is what it is, when that needs saying."""
        self._out: list[Action] = []
        self._shown: tuple[object, ...] = ()
        self._logged_phase: tuple[Phase, Direction] | None = None
        self._incline_ok = True
        self._rates: RampRates = DEFAULT_RATES
        self._index: int | None = None
        # what the belt was told and what it shows
        self.speed_target: float | None = None
        self.incline_target: float | None = None
        self._speed_sent_at = -math.inf
        self.measured_speed: float | None = None
        self.measured_incline: float | None = None
        self.hr = HeartRateSources()
        self.facing: Direction = "forward"
        self._interval_phase = Phase.STEADY
        # what is due in active time
        self._queue: list[_Step] = []
        self._cues: list[PendingCue] = []
        self._warned: set[str] = set()
        self._turn_warned = False
        """The runner was told the coming turn (by the interval before it)."""
        self._ramp_in_until: float | None = None
        """While the belt is on its way to the interval's speed, the active time at which the
        interval's clock starts anyway (see `_interval_progress`)."""
        self._hr_next, self._zone, self._until = 0.0, _ZoneState(), UntilWatch()
        # start, pause, reconnect, stop (wall-clock deadlines on the runner's clock)
        self._belt_started = False
        self._start_acked = False
        """The latest Start was acknowledged (a resume waits for its own Start)."""
        self._start_tries = 0
        self._begin_by: float | None = None
        self._cause: PauseCause | None = None
        self._lost_at: float | None = None
        self._verify_by: float | None = None
        self._stop_by: float | None = None
        self._stop_again_at: float | None = None
        self._pause_check_at: float | None = None
        self._warned_still_running = False
        self._at_rest_samples = 0
        self._previous_speed = 0.0
        self._previous_incline: float | None = None
        self._samples_since_start = 0
        self._ending: EndingInfo | None = None

    # ------------------------------------------------------------------ public

    def handle(self, event: Event, now: float) -> list[Action]:
        """Feed one event at ``now``; the actions to perform, in order.

        Once `ended` is set nothing more happens: commands are refused, the rest ignored.
        """
        if self.ended is not None:
            if isinstance(event, UserCommand):
                return [
                    Answer(CommandResult(event, accepted=False, reason="the session has ended"))
                ]
            return []
        self.ledger.tick(now, running=self._running, bucket=self.bucket())
        if isinstance(event, UserCommand):
            self._out.append(Answer(self._command(event)))
        elif isinstance(event, Sample):
            self._sample(event)
        elif isinstance(event, Done):
            self._done(event)
        elif isinstance(event, Ready):
            self._ready(event)
        elif isinstance(event, HeartRateReading):
            self.hr.feed(event.heart_rate_bpm, "strap", now)
        elif isinstance(event, StrapLink):
            self._strap_link(event)
        elif not isinstance(event, Tick):
            self._status(event)
        self._timers()
        self._heart_rate_freshness()
        self._progress()
        self._note_phase()
        self._publish_snapshot()
        out, self._out = self._out, []
        return out

    def next_deadline(self) -> float | None:
        """When the engine next needs a `Tick` (absolute, on the runner's clock)."""
        if self.ended is not None:
            return None
        if self.life.stage is Stage.STOPPING:
            return min((w for w in (self._stop_by, self._stop_again_at) if w), default=None)
        # Retries wait while the session does not run (`_timers`): no deadline for them then.
        retry_at = self.tracker.retry_at if self.life.stage is Stage.RUNNING else None
        walls = [w for w in (self._begin_by, self._verify_by, retry_at, self._pause_check_at) if w]
        if self._lost_at is not None and self.options.headless:
            walls.append(self._lost_at + self.options.reconnect_wait_s)
        if self._running:
            # Anything due by now has been acted on or waits on telemetry, not on time.
            now, active = self.ledger.now, self.ledger.active
            walls.extend(now + a - active for a in self._due_active() if a > active + EPS)
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
        self._end(ending, detail)
        self._finalize()
        self._publish_snapshot()
        out, self._out = self._out, []
        return out

    def snapshot(self, now: float) -> Snapshot:
        """Everything a watcher shows, at ``now``."""
        return build_snapshot(self, now)

    # ------------------------------------------------------------------ views

    @property
    def state(self) -> SessionState:
        return self.life.state()

    @property
    def phase(self) -> Phase:
        if self.turn is not None:
            return _TURN_PHASES[self.turn.phase]
        return self._interval_phase

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
        return self._index

    @property
    def segment(self) -> Segment | None:
        return None if self._index is None else self.plan.segments[self._index]

    @property
    def segment_elapsed_s(self) -> float:
        return self.ledger.segment_elapsed_s if self._index is not None else 0.0

    def segment_remaining_s(self) -> float | None:
        seg = self.segment
        if seg is None:
            return None
        if self.turn is not None:
            return self.turn.remaining_s(self.ledger.active)
        end = self.ledger.planned_end(seg)
        if end is not None:
            return max(0.0, end - self.ledger.active)
        speed = self.measured_speed or self.speed_target or seg.speed_kmh
        left = self.ledger.metres_left(seg) or 0.0
        if speed <= 0:
            return None
        return left / (speed / 3.6)

    def segment_remaining_m(self) -> float | None:
        seg = self.segment
        return None if seg is None else self.ledger.metres_left(seg)

    def bucket(self) -> Bucket | None:
        seg = self.segment
        if seg is None:
            return None
        return "turn" if seg.kind == "turn" else seg.direction

    @property
    def _running(self) -> bool:
        return self.life.stage is Stage.RUNNING and self._index is not None

    # ------------------------------------------------------------------ outputs

    def _send(
        self,
        request: Request,
        value: float | None = None,
        *,
        reason: str | None = None,
        retry: bool = False,
    ) -> int:
        self._note_phase()  # the log says which way the runner faced, in which phase
        send = self.tracker.issue(request, value, retry=retry)
        if request == "speed" and value is not None:
            self.watch.target(value, self.ledger.now, self.measured_speed)
        elif request in ("pause", "stop"):
            self.watch.reset()
        if request == "pause":
            self._pause_check_at = self.ledger.now + self._coast_s()
        fields: dict[str, Any]
        if request == "speed":
            fields = {"speed_kmh": value}
        elif request == "incline":
            fields = {"incline_pct": value}
        else:
            fields = {"action": request}
        if reason:
            fields["reason"] = reason
        self._log("command", **fields)
        self._out.append(send)
        return send.seq

    def _cue(
        self,
        kind: CueKind,
        text: str,
        *,
        beeps: int = 0,
        group: CueGroup | None = None,
        level: Verbosity = Verbosity.NORMAL,
        **extra: object,
    ) -> None:
        """Say `text` (and log it) in the runner's units, unless the runner's cue settings
        leave it out: safety cues are always said."""
        if not self.options.cues.says(group or group_of(kind), level):
            return
        text = words.in_units(text, self._units)
        self._out.append(Publish(Cue(self.t, kind, text, beeps)))
        fields: dict[str, object] = {"text": text, "kind": str(kind)}
        if beeps:
            fields["beeps"] = beeps
        self._log("cue", **fields, **{k: v for k, v in extra.items() if v is not None})

    @property
    def _units(self) -> words.Units:
        return self.options.units

    def _turn_kmh(self, seg: Segment) -> float:
        """The turn speed the belt is really told for the turn `seg` (a treadmill's minimum
        may raise it)."""
        return clamp_speed(
            seg.from_direction, seg.speed_kmh, self.incline_target or 0.0, self.limits
        ).value

    def _log(self, type_: str, **fields: object) -> None:
        self._out.append(Publish(LogEntry(self.t, type_, fields)))

    def _move(
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
        self._log("state", **fields)

    def _note_phase(self) -> None:
        """Log a `phase` line when the phase or the way the runner faces changed."""
        if self._index is None:
            return
        marker = (self.phase, self.facing)
        if marker != self._logged_phase:
            self._logged_phase = marker
            self._log("phase", phase=str(self.phase), facing=self.facing)

    def _publish_snapshot(self) -> None:
        """Publish the state when something a watcher shows has changed (the runner adds
        periodic snapshots for moving counters); `SessionEnded` stays the last event."""
        key = (
            self.life.stage,
            self.life.ending,
            self.reason,
            self._index,
            self.phase,
            self.facing,
            self.speed_target,
            self.incline_target,
            self.ended is not None,
        )
        if key == self._shown:
            return
        self._shown = key
        snap = Publish(self.snapshot(self.ledger.now))
        for position, action in enumerate(self._out):
            if isinstance(action, Publish) and isinstance(action.event, SessionEnded):
                self._out.insert(position, snap)
                return
        if self.ended is None:
            self._out.append(snap)

    # ------------------------------------------------------------------ the belt

    def _speed_now(self) -> float:
        return self.speed_target if self.speed_target is not None else 0.0

    def _belt_speed(self) -> float:
        """The belt's speed as measured (as commanded while nothing is measured)."""
        return self.measured_speed if self.measured_speed is not None else self._speed_now()

    def _at_speed(self) -> bool:
        target, measured = self.speed_target, self.measured_speed
        return (
            target is not None
            and measured is not None
            and measured > 0
            and abs(measured - target) <= AT_SPEED_KMH
        )

    def _send_start(self) -> None:
        self._start_acked = False
        self._samples_since_start = 0
        self._send("start")

    def _command_speed(
        self,
        requested: float,
        facing: Direction,
        *,
        reason: str | None = None,
        force: bool = False,
        retry: bool = False,
        step: _Step | None = None,
    ) -> float:
        """Send ``requested`` (made safe) unless it is already the target; the value sent."""
        if step is None or not step.catch_up:
            self._queue = [s for s in self._queue if not s.catch_up]
        # The steeper of the deck asked for and the deck measured sets the steep cap.
        deck = max(self.incline_target or 0.0, self.measured_incline or 0.0)
        clamped = clamp_speed(facing, requested, deck, self.limits)
        value, why = clamped.value, list(clamped.reasons)
        if self.phase is Phase.APPROACH and self.speed_target is not None:
            # Slowing toward a turn never speeds the runner up (a console slow-down or a
            # heart-rate step-down below turn speed stays where it is).
            ceiling = min(self.speed_target, self.measured_speed or self.speed_target)
            if value > ceiling + EPS:
                value = ceiling
                why.append("never faster while slowing for a turn")
        if facing == "backward" and self.speed_target is not None:
            # The plan spaces its steps exactly at the ramp rate, with offsets rounded to
            # the microsecond: a hair of slack keeps a step on time from being clipped.
            elapsed = self.ledger.now - self._speed_sent_at + RATE_SLACK_S
            limited = limit_speed_change(facing, self.speed_target, value, elapsed, self.limits)
            if limited.limited:
                value = limited.value
                why += limited.reasons
                # The rest of the change follows at the ramp rate.
                wait = min(abs(requested - value) / self.limits.backward_ramp_kmh_per_s, 2.0)
                part_of_turn = step.turn if step else False
                again = _Step(
                    self.ledger.active + wait, requested, facing, part_of_turn, catch_up=True
                )
                self._queue = sorted([*self._queue, again], key=lambda s: s.at)
        if not force and self.speed_target is not None and abs(value - self.speed_target) < EPS:
            return value
        self._send("speed", value, reason=_reasons(reason, why), retry=retry)
        self._speed_sent_at = self.ledger.now
        self.speed_target = value
        if clamped.limited and clamped.reasons[0] not in self._warned:
            # Caps are announced (once per segment); pacing by the ramp rate is only logged.
            self._warned.add(clamped.reasons[0])
            self._cue(CueKind.OVERRIDE, words.speed_limited(value, clamped.reasons[0], self._units))
        return value

    def _command_incline(
        self,
        requested: float,
        *,
        in_turn: bool,
        reason: str | None = None,
        force: bool = False,
        retry: bool = False,
    ) -> float | None:
        if not self._incline_ok:
            return None
        if self.facing == "backward" and not in_turn and self.incline_target is not None:
            # The deck never moves under a backward runner outside a turn window: not for a
            # plan step, a retry, nor an increment rounding the current value.
            return self.incline_target
        clamped = clamp_incline(
            self.facing,
            requested,
            self._speed_now(),
            self.limits,
            current_pct=self.incline_target,
            in_turn=in_turn,
        )
        value = clamped.value
        if not force and self.incline_target is not None and abs(value - self.incline_target) < EPS:
            return value
        why = clamped.reasons
        self._send("incline", value, reason=_reasons(reason, why), retry=retry)
        self.incline_target = value
        if why and why[0] not in self._warned:
            self._warned.add(why[0])
            self._cue(CueKind.OVERRIDE, words.incline_limited(value, why[0]))
        return value

    def _adopt_override(self, by: str = "a change by hand") -> None:
        """The console (or a nudge, or the heart-rate guard) wins for the rest of this
        interval: drop the plan's remaining steps, never the turn's, and stop holding a
        zone."""
        self._queue = [s for s in self._queue if s.turn]
        seg = self.segment
        if seg is not None and seg.heart_rate is not None and not self._zone.off:
            self._zone.off, self._zone.next_at = True, None
            self._log("zone", verdict="off", reason=f"the speed was set by {by}")

    # ------------------------------------------------------------------ ending

    def _end(self, ending: Ending, detail: str = "") -> None:
        if not self.life.live:
            return
        info = self.life.end(ending, detail)
        self._ending = info
        self._queue.clear()
        self._begin_by = self._verify_by = self._lost_at = None
        self.tracker.cancel_retries()
        self.reason = info.reason
        self._log("state", state=info.outcome, reason=info.reason)
        if ending is Ending.FINISHED:
            self._cue(CueKind.FINISH, words.FINISH)
        else:
            self._cue(CueKind.ALARM, f"Session over: {info.reason}.")
        if self._belt_started:
            self._send("stop")
            self._stop_by = self.ledger.now + STOP_ANSWER_WAIT_S
            self._stop_again_later()
        else:
            self._finalize()

    def _coast_s(self) -> float:
        """How long the belt should take to come to rest from the speed measured now (its
        measured reaction and deceleration), with a margin."""
        return self._rates.time_to_change_speed(self.measured_speed or 0.0, 0.0) + STOP_MARGIN_S

    def _stop_again_later(self) -> None:
        """Stop again (and say so) once the belt has had the time its measured deceleration
        needs: treadmills that acknowledge Stop and run on exist."""
        self._stop_again_at = self.ledger.now + self._coast_s()

    def _stopping(self, *, sampled: bool = False) -> None:
        """While stopping: done once the belt is measured at rest; until then Stop again.
        ``sampled``: called for a sample taken since the Stop (only such a sample can show
        the belt at rest: the last one before it may predate a belt just told to move)."""
        if self.life.stage is not Stage.STOPPING:
            return
        # Done when measured at rest, whatever the answer: some treadmills acknowledge Stop
        # and run on, others refuse a Stop of a belt the safety key already stopped.
        measured = self.measured_speed
        if sampled and measured is not None and measured < AT_REST_KMH:
            self._cue(CueKind.PAUSE, words.BELT_STOPPED)
            self._finalize()
            return
        now = self.ledger.now
        if self._stop_by is not None and now >= self._stop_by - EPS:
            self._cue(
                CueKind.ALARM,
                "The belt did not stop. Press stop on the treadmill or pull the safety key.",
            )
            self._finalize(stopped=False)
            return
        if self._stop_again_at is not None and now >= self._stop_again_at - EPS:
            self._stop_again_at = None
            if not self._warned_still_running:
                self._warned_still_running = True
                self._cue(
                    CueKind.ALARM,
                    "The belt is still running. Press stop on the treadmill "
                    "or pull the safety key.",
                )
            self._send("stop", reason="the belt is still running")
            self._stop_again_later()

    def _finalize(self, *, stopped: bool = True) -> None:
        """Ended. ``stopped`` False: the belt was never measured at rest after the Stop, so
        the session does not count as finished, whatever else happened."""
        if self.life.stage is not Stage.STOPPING or self._ending is None:
            return
        self.life.fire(Trigger.STOP_ANSWERED)
        info, self._stop_by, self._stop_again_at = self._ending, None, None
        outcome, reason, code = info.outcome, info.reason, info.exit_code
        if not stopped:
            outcome, code = "interrupted", 1
            reason = f"{reason}; the belt was not measured at rest after the stop"
            self.reason = reason
        totals = self.ledger.totals.snapshot()
        ending = self.life.ending.value if self.life.ending is not None else ""
        self.ended = SessionEnded(self.t, outcome, reason, code, totals, ending)
        self._out.append(Publish(self.ended))

    # ------------------------------------------------------------------ schedule

    def _due_active(self) -> list[float]:
        """Active times at which something is due (for `next_deadline`)."""
        seg = self.segment
        if seg is None:
            return []
        due = [s.at for s in self._queue[:1]]
        if self.turn is not None:
            return due + self.turn.due()
        end = self.ledger.planned_end(seg)
        for cue in self._cues:
            if cue.at_s is not None:
                due.append(self.ledger.seg_start + cue.at_s)
            elif end is not None and cue.before_end_s is not None:
                due.append(end - cue.before_end_s)
            elif end is not None and cue.halfway:
                due.append(self.ledger.seg_start + (end - self.ledger.seg_start) / 2)
        if end is not None:
            due.append(end)
        if self._ramp_in_until is not None:
            due.append(self._ramp_in_until)
        if self._zone.next_at is not None:
            due.append(self._zone.next_at)
        return due

    def _progress(self) -> None:
        for _ in range(len(self.plan.segments) + 4):
            if not self._running:
                return
            self._send_due_steps()
            seg = self.segment
            if seg is None:
                return
            turning = self.turn is not None
            ended_at = self._turn_progress() if turning else self._interval_progress(seg)
            if ended_at is None:
                self._send_due_steps()  # a turn prepared just now may have a step due now
                return
            self._next_segment(ended_at)

    def _zone_control(self, seg: Segment) -> None:
        """A zone step's decision when one is due (`retrorun.session.zone`)."""
        hold, zone = seg.heart_rate, self._zone
        if hold is None or hold.low_bpm is None or hold.high_bpm is None:
            return
        if self._interval_phase is not Phase.STEADY or self._queue:
            return
        active = self.ledger.active
        if zone.off:
            return
        if zone.next_at is None:
            zone.next_at = active + ZONE_UPDATE_S
            return
        if active + EPS < zone.next_at:
            return
        zone.next_at = active + ZONE_UPDATE_S
        hr = self.heart_rate
        target = Zone(
            hold.low_bpm,
            hold.high_bpm,
            hold.min_speed_kmh,
            hold.max_speed_kmh,
            backward=seg.direction == "backward",
        )
        decision = decide(target, hr, zone.last_hr, self._speed_now())
        zone.last_hr = hr
        self._log("zone", verdict=decision.verdict, heart_rate_bpm=hr, speed_kmh=decision.speed_kmh)
        if decision.verdict in ("below", "above", "at_max", "at_min"):
            why = f"heart-rate zone: {hr} bpm, {hold.target} is {hold.low_bpm}-{hold.high_bpm}"
            value = self._command_speed(decision.speed_kmh, self.facing, reason=why)
        else:
            value = self._speed_now()
        # In the zone but outside the dead band: "low in", not "below".
        edge = hr is not None and hold.low_bpm <= hr <= hold.high_bpm
        self._zone_say(decision.verdict, hr, hold.target, value, edge=edge)

    def _until_met(self, seg: Segment) -> bool:
        """Whether an ``until_heart_rate`` interval ends now (`retrorun.session.conditions`)."""
        until, hr = seg.until_heart_rate, self.heart_rate
        if until is None:
            return False
        verdict = self._until.judge(until, hr, self.segment_elapsed_s)
        if verdict == "no_heart_rate":
            self._log("condition", outcome=verdict, until=until.to_json())
            self._cue(CueKind.TEXT, words.until_without_heart_rate(self.segment_remaining_s()))
        elif verdict == "met" and hr is not None:
            self._log("condition", outcome=verdict, until=until.to_json(), heart_rate_bpm=hr)
            self._cue(CueKind.TEXT, words.until_heart_rate_met(hr, until.condition))
        return verdict == "met"

    def _until_ended(self) -> None:
        """The session log's word on how an ``until_heart_rate`` interval ended otherwise."""
        seg = self.segment
        if seg is not None and seg.until_heart_rate is not None and not self._until.met:
            outcome = self._until.outcome(self.segment_remaining_s())
            self._log("condition", outcome=outcome, until=seg.until_heart_rate.to_json())

    def _zone_say(
        self, verdict: Verdict, hr: int | None, target: str, speed: float, *, edge: bool
    ) -> None:
        """Say what the zone hold does when that changes (not every 20 s)."""
        zone = self._zone
        if verdict in ("catching_up", zone.said):
            return
        zone.said = verdict
        shown = words.speed_text(speed, self._units)
        if verdict == "no_heart_rate":
            if self.hr.freshness(self.ledger.now) == "none":  # stale was said already
                self._cue(CueKind.ALARM, f"No heart rate yet: holding {shown}.")
            return
        texts = {
            "below": f"Heart rate {hr}, {'low in' if edge else 'below'} {target}: "
            f"speeding up to {shown}.",
            "above": f"Heart rate {hr}, {'high in' if edge else 'above'} {target}: "
            f"slowing to {shown}.",
            "in_zone": f"In {target}: holding {shown}.",
            "at_max": f"Heart rate {hr}, below {target} at {shown}, this step's fastest.",
            "at_min": f"Heart rate {hr}, above {target} at {shown}, this step's slowest. "
            "Ease off, or stop if you feel unwell.",
        }
        self._cue(CueKind.OVERRIDE, texts[verdict])

    def _send_due_steps(self) -> None:
        while self._running and self._queue and self._queue[0].at <= self.ledger.active + EPS:
            step = self._queue.pop(0)
            self._command_speed(step.speed_kmh, step.facing, step=step)

    def _next_turn(self) -> Segment | None:
        i = self._index
        if i is None or i + 1 >= len(self.plan.segments):
            return None
        nxt = self.plan.segments[i + 1]
        return nxt if nxt.kind == "turn" else None

    def _interval_progress(self, seg: Segment) -> float | None:
        """When the interval ended (planned, in active time), or None while it runs."""
        if self._ramp_in_until is not None:
            self._ramp_in()
        self._fire_cues(seg)
        self._zone_control(seg)
        if self._ramp_in_until is not None:
            return None
        if self._until_met(seg):
            return self.ledger.active
        if seg.distance_m is not None:
            return self.ledger.active if (self.segment_remaining_m() or 0.0) <= EPS else None
        left = self.segment_remaining_s()
        if left is None or left > EPS:
            return None
        # The planned end, not the moment this ran: lateness must not carry into the next
        # segment, or it would add up over a session.
        return self.ledger.planned_end(seg)

    def _ramp_in(self) -> None:
        """An interval's time (and metres) count at its speed: while the belt is on its way
        there, the interval's clock is held at its start. It starts when the belt is
        measured at the speed commanded (every step of a backward ramp sent), or at the
        latest when the ramp should long be over (a belt that does not follow is the belt
        watch's business, not a reason to stretch the interval)."""
        steps_left = any(not s.turn for s in self._queue)
        target, measured = self.speed_target, self.measured_speed
        there = (
            not steps_left
            and target is not None
            and measured is not None
            and abs(measured - target) <= AT_TARGET_KMH
        )
        if there or self.ledger.active + EPS >= (self._ramp_in_until or 0.0):
            self._ramp_in_until = None
            self._interval_phase = Phase.STEADY
            self._log("phase", phase=str(Phase.STEADY), facing=self.facing, clock="started")
            self._logged_phase = (Phase.STEADY, self.facing)
        self.ledger.restart_segment(self.ledger.active)

    def _turn_progress(self) -> float | None:
        """When the turn ended (planned, in active time), or None while it runs."""
        turn = self.turn
        if turn is None:
            return None
        seg = turn.segment
        turn_kmh = self._turn_kmh(seg)
        if self.speed_target is not None:  # slower than turn speed stays slower
            turn_kmh = min(turn_kmh, self.speed_target)
        events = turn.advance(
            self.ledger.active, self.measured_speed, turn_kmh, deck_ready=self._deck_ready()
        )
        for event in events:
            if isinstance(event, turns.TurnDone):
                return event.end
            if isinstance(event, turns.ArrivalOverdue | turns.DeckOverdue):
                self._turn_overdue(event, turn_kmh)
                return None
            self._turn_event(turn, event)
        return None

    def _turn_event(self, turn: turns.Turn, event: turns.TurnEvent) -> None:
        """Say and do what a step of the turn asks for."""
        seg = turn.segment
        if isinstance(event, turns.Beep):
            self._cue(CueKind.COUNTDOWN, str(event.digit), beeps=1, group=CueGroup.SAFETY)
        elif isinstance(event, turns.WindowOpened):
            for step in self._queue:  # anything still queued is late: send it now
                self._command_speed(step.speed_kmh, step.facing, step=step)
            self._queue.clear()
            self.facing = seg.direction
            self._cue(
                CueKind.TURN_NOW,
                turn_now_text(seg),
                speed_kmh=self.measured_speed,
                late_s=round(event.late_s, 3),
            )
            self._command_incline(seg.incline_pct, in_turn=True)
        elif isinstance(event, turns.Settling):
            self._cue(CueKind.START, settle_text(seg), group=CueGroup.SAFETY)
        elif isinstance(event, turns.WindowExtended) and turn.extended_s <= event.by_s + EPS:
            self._cue(CueKind.START, words.DECK_MOVING, group=CueGroup.SAFETY)

    def _turn_overdue(
        self, event: turns.ArrivalOverdue | turns.DeckOverdue, turn_kmh: float
    ) -> None:
        if isinstance(event, turns.DeckOverdue):
            self._belt_fault(
                f"the deck did not reach {self.incline_target or 0.0:g} %",
                say="Do not start running: the incline did not reach its setting.",
            )
            return
        measured = event.measured_kmh
        runs = "no speed reported" if measured is None else f"{measured:.1f} km/h"
        self._belt_fault(
            f"it runs {runs}, not the turn speed {turn_kmh:.1f} km/h",
            say="Do not turn: the belt did not slow to turn speed.",
        )

    def _deck_ready(self) -> bool:
        """Whether the deck is measured at the incline commanded (unknown counts as there:
        a treadmill that reports no incline cannot be waited for)."""
        target, measured = self.incline_target, self.measured_incline
        if not self._incline_ok or target is None or measured is None:
            return True
        return abs(measured - target) <= DECK_TOLERANCE_PCT

    def _not_following(self, stalled: Stalled) -> None:
        runs, asked = stalled.measured_kmh, stalled.target_kmh
        detail = f"it runs {runs:.1f} km/h for {asked:.1f} km/h asked"
        if stalled.mph == "commands":
            detail += " (it reads commands as mph: run with --mph-commands)"
        elif stalled.mph == "reports":
            detail += " (it uses mph both ways: run with --mph-in-kmh-fields)"
        self._belt_fault(detail, say="The belt does not follow the speed asked.")

    def _belt_fault(self, detail: str, *, say: str) -> None:
        """The belt is measured not doing what it was told: alarm, pause, say why."""
        if not self.options.interactive:
            self._cue(CueKind.ALARM, say)
            self._end(Ending.BELT_NOT_FOLLOWING, detail)
            return
        if not self.life.can(Trigger.BELT_FAULT):
            return
        self._cause = "belt"
        self._queue.clear()
        self._move(Trigger.BELT_FAULT, f"the belt did not follow: {detail}")
        self._cue(CueKind.ALARM, f"{say} Pausing. Resume when it is safe.")
        self._send("pause")

    def _fire_cues(self, seg: Segment) -> None:
        elapsed = self.segment_elapsed_s
        left = self.segment_remaining_s()
        keep: list[PendingCue] = []
        for cue in self._cues:
            if cue.at_s is not None:
                due = elapsed + EPS >= cue.at_s
            elif cue.before_end_s is not None:
                due = left is not None and left <= cue.before_end_s + EPS
            elif seg.distance_m is not None:
                due = self.ledger.segment_distance_m * 2 >= seg.distance_m + self.ledger.extra_m
            else:
                due = elapsed * 2 + EPS >= (seg.duration_s or 0.0) + self.ledger.extra_s
            if not due:
                keep.append(cue)
            elif cue.kind is CueKind.TURN_WARNING:
                nxt = self._next_turn()
                if nxt is not None:
                    self._warn_turn(nxt)
            else:
                self._cue(cue.kind, cue.text, beeps=cue.beeps, group=cue.group, level=cue.level)
        self._cues = keep

    def _warn_turn(self, nxt: Segment) -> None:
        if self._turn_warned:
            return
        self._turn_warned = True
        # Counted to the moment the runner turns: the window opens once the belt has
        # slowed to turn speed, after the end of this interval.
        offset = turns.window_offset_s(nxt, self._speed_now(), self._rates)
        seconds = (self.segment_remaining_s() or 0.0) + offset
        slowing = slows(self._speed_now(), self._turn_kmh(nxt))
        self._cue(CueKind.TURN_WARNING, turn_warning_text(nxt, seconds, slowing=slowing))

    def _next_segment(self, start: float | None = None) -> None:
        """End the current segment and begin the next at active time ``start`` (now when
        None)."""
        if self.turn is not None:
            self.ledger.totals.turns += 1
        self._until_ended()
        nxt = 0 if self._index is None else self._index + 1
        if nxt >= len(self.plan.segments):
            self._index = None
            self.turn = None
            self._end(Ending.FINISHED)
            return
        self._begin(nxt, self.ledger.active if start is None else start)

    def _begin(self, index: int, start: float) -> None:
        seg = self.plan.segments[index]
        warned = self._turn_warned and seg.kind == "turn"
        self._index = index
        self.ledger.begin_segment(start)
        self._warned = set()
        self._turn_warned = False
        self._ramp_in_until = None
        self._zone, self._until = _ZoneState(), UntilWatch()
        ends = {"duration_s": seg.duration_s} if seg.duration_s is not None else {}
        if seg.distance_m is not None:
            ends = {"distance_m": seg.distance_m}
        until = {"until_heart_rate": seg.until_heart_rate.to_json()} if seg.until_heart_rate else {}
        self._log(
            "segment",
            index=seg.index,
            kind=seg.kind,
            direction=seg.direction,
            speed_kmh=round(seg.speed_kmh, 3),
            incline_pct=seg.incline_pct,
            **ends,
            label=seg.label,
            **until,
        )
        if seg.kind == "turn":
            # The approach: the belt slows to turn speed from here, and the window is due
            # when it is expected there.
            offset = turns.window_offset_s(seg, self._belt_speed(), self._rates)
            self._cues = []
            self.turn = turns.Turn.begin(seg, start, offset)
            self._queue = [
                _Step(start + s.offset_s, s.speed_kmh, seg.from_direction, turn=True)
                for s in seg.speed_steps
            ]
            if not warned:
                slowing = slows(self._belt_speed(), self._turn_kmh(seg))
                self._cue(CueKind.TURN_WARNING, turn_warning_text(seg, offset, slowing=slowing))
            return
        self.turn = None
        self.facing = seg.direction
        # A keep_speed step commands nothing: the belt goes on as it runs.
        self._queue = [
            _Step(start + s.offset_s, s.speed_kmh, seg.direction, turn=False)
            for s in seg.speed_steps
            if not seg.keep_speed
        ]
        self._interval_phase = Phase.STEADY
        if seg.ramp_from_kmh is None and seg.duration_s is not None and not seg.keep_speed:
            # A ramp of the plan runs on the clock, and a distance counts every metre; any
            # other interval counts from the moment the belt is at its speed (`_ramp_in`).
            arrive = self._rates.time_to_change_speed(self._belt_speed(), seg.speed_kmh)
            self._ramp_in_until = start + seg.speed_steps[-1].offset_s + arrive + RAMP_IN_SLACK_S
            self._interval_phase = Phase.RAMP
        nxt = self._next_turn()
        delay = turns.window_offset_s(nxt, seg.speed_kmh, self._rates) if nxt is not None else 0.0
        before = self.plan.segments[index - 1] if index > 0 else None
        self._cues = interval_cues(
            seg,
            window_delay_s=delay,
            into_turn=nxt is not None,
            after_turn=before is not None and before.kind == "turn",
        )
        self._command_incline(seg.incline_pct, in_turn=False)

    def _skip(self) -> tuple[bool, str]:
        seg = self.segment
        if seg is None:
            return False, "nothing to skip"
        if seg.kind == "turn":
            return False, "a turn cannot be skipped: finish turning first"
        nxt = self._next_turn()
        self._next_segment()
        return True, "skipped" if nxt is None else "skipped to the turn"

    def _extend(self, seconds: float) -> tuple[bool, str]:
        seg = self.segment
        if seg is None or seg.kind == "turn" or seconds <= 0:
            return False, "only an interval can be extended, not a turn"
        self.ledger.extend(seg, seconds, self._speed_now())
        return True, f"extended by {seconds:g} s"

    # ------------------------------------------------------------------ the runner's commands

    def _command(self, cmd: UserCommand) -> CommandResult:  # noqa: PLR0911 - one case per kind
        kind = cmd.kind
        if not self.life.live:
            return self._command_while_ending(cmd)
        if kind is CommandKind.STOP:
            self._end(STOP_SOURCES.get(cmd.source, Ending.STOPPED_BY_RUNNER))
            return CommandResult(cmd, accepted=True, reason="stopping the belt")
        if kind is CommandKind.RESUME:
            return self._resume(cmd)
        if not self._running:
            return CommandResult(cmd, accepted=False, reason=f"not while {self.state}")
        if kind is CommandKind.PAUSE:
            self._cause = "user"
            self._move(Trigger.PAUSE, "paused by you")
            self._cue(CueKind.PAUSE, words.PAUSED)
            self._send("pause")
            return CommandResult(cmd, accepted=True, reason="paused")
        if kind is CommandKind.SKIP:
            return CommandResult(cmd, *self._skip())
        if kind is CommandKind.EXTEND:
            return CommandResult(cmd, *self._extend(cmd.amount or DEFAULT_EXTEND_S))
        if cmd.amount is None:
            return CommandResult(cmd, accepted=False, reason=f"{kind} needs an amount")
        if kind is CommandKind.SPEED:
            return CommandResult(cmd, *self._nudge_speed(cmd.amount))
        return CommandResult(cmd, *self._nudge_incline(cmd.amount))

    def _command_while_ending(self, cmd: UserCommand) -> CommandResult:
        if cmd.kind is CommandKind.STOP and self.life.stage is Stage.STOPPING:
            # Asked again while waiting for the belt to stop: stop waiting.
            measured = self.measured_speed
            self._finalize(stopped=measured is not None and measured < AT_REST_KMH)
            return CommandResult(cmd, accepted=True, reason="ending now")
        return CommandResult(cmd, accepted=False, reason="the session has ended")

    def _resume(self, cmd: UserCommand) -> CommandResult:
        if not self.life.can(Trigger.RESUME):
            return CommandResult(cmd, accepted=False, reason=f"not paused ({self.state})")
        if self.turn is not None:
            self.turn.hold_again(self.ledger.active)
        self._move(Trigger.RESUME, "resuming")
        self._start_tries = 1
        self._send_start()
        return CommandResult(cmd, accepted=True, reason="resuming")

    def _nudge_speed(self, amount: float) -> tuple[bool, str]:
        seg = self.segment
        if seg is None or seg.kind == "turn" or self.phase is Phase.APPROACH:
            return False, "not while turning"
        ramp_end = self._shift_planned_steps(amount)
        if ramp_end is None:
            self._adopt_override()
        requested = self._speed_now() + amount
        value = self._command_speed(requested, self.facing, reason="nudge")
        self._cue(CueKind.OVERRIDE, words.speed_set(value, self._units))
        speed = words.speed_text(value, self._units)
        goes_on = (
            f", the ramp goes on to {words.speed_text(ramp_end, self._units)}"
            if ramp_end is not None
            else ""
        )
        if abs(value - requested) > EPS:
            return True, f"speed {speed} (limited by the safety layer){goes_on}"
        return True, f"speed {speed}{goes_on}"

    def _shift_planned_steps(self, amount: float) -> float | None:
        """While the plan's own speed steps are still coming (a ramp, or the gradual climb
        to a backward speed), a nudge moves the rest of them by `amount`: the ramp goes on,
        ending that much higher or lower, rather than stopping where it is. The new end
        (made safe when it is sent, like every step), or None when no such step is left."""
        planned = [s for s in self._queue if not s.turn and not s.catch_up]
        if not planned:
            return None
        kept = [s for s in self._queue if s.turn]
        moved = [replace(s, speed_kmh=max(0.0, s.speed_kmh + amount)) for s in planned]
        self._queue = sorted([*kept, *moved], key=lambda s: s.at)
        return round(moved[-1].speed_kmh, 2)

    def _nudge_incline(self, amount: float) -> tuple[bool, str]:
        if not self._incline_ok:
            return False, "this treadmill takes no incline targets"
        in_window = self.phase is Phase.TURN_WINDOW
        if self.facing == "backward" and not in_window:
            return False, "incline changes while backward only in the turn window"
        self._adopt_override()
        requested = (self.incline_target or 0.0) + amount
        value = self._command_incline(requested, in_turn=in_window, reason="nudge")
        self._cue(CueKind.OVERRIDE, words.incline_set(requested if value is None else value))
        return True, f"incline {value:g} %"

    # ------------------------------------------------------------------ the treadmill

    def _timers(self) -> None:
        """Wall-clock deadlines: start fallback, reconnect verdicts, retries, the stop."""
        now = self.ledger.now
        if self.life.stage is Stage.STOPPING:
            self._stopping()
            return
        if self._pause_check_at is not None and now >= self._pause_check_at - EPS:
            self._pause_check_at = None
            self._pause_measured()
        if self._begin_by is not None and now >= self._begin_by - EPS:
            self._begin_by = None
            if self._samples_since_start == 0:
                self._no_data()
            else:
                self._belt_moving()
        if self._verify_by is not None and now >= self._verify_by - EPS:
            self._verify_by = None
            self._back_without_the_belt_at_speed(no_data=True)
        if (
            self._lost_at is not None
            and self.options.headless
            and now >= self._lost_at + self.options.reconnect_wait_s - EPS
        ):
            self._end(Ending.CONNECTION_LOST)
        if self.life.stage is not Stage.RUNNING:
            # Paused, the belt was halted: nothing is sent until the runner resumes (which
            # sends the targets again); reconnecting, nothing can be.
            return
        retry = self.tracker.due_retries(now)
        window = self.phase is Phase.TURN_WINDOW
        if "speed" in retry and self.speed_target is not None:
            self._command_speed(
                self.speed_target, self.facing, reason="retry", force=True, retry=True
            )
        # A backward runner's deck moves only in the window, even to retry.
        if (
            "incline" in retry
            and self.incline_target is not None
            and (self.facing == "forward" or window)
        ):
            self._command_incline(
                self.incline_target, in_turn=window, reason="retry", force=True, retry=True
            )

    def _ready(self, ready: Ready) -> None:
        if self.life.stage is not Stage.CONNECTING:
            return
        self.limits = self.plan.limits.with_device(ready.device)
        self._incline_ok = ready.incline_control
        self._move(Trigger.READY, "starting the belt")
        self._cue(CueKind.START, words.session_start(self.plan.name), group=CueGroup.SAFETY)
        if self.plan.opening_cue:
            # The first step's own cue (a safety-key reminder) comes before the belt moves.
            self._cue(CueKind.TEXT, self.plan.opening_cue)
        self._start_tries = 1
        self._send_start()

    def _sample(self, sample: Sample) -> None:
        tel = sample.telemetry
        self._samples_since_start += 1
        self._rates = sample.rates
        self._previous_speed = self.measured_speed or 0.0
        self._previous_incline = self.measured_incline
        if tel.speed_kmh is not None:
            self.measured_speed = tel.speed_kmh
        if tel.inclination_pct is not None:
            self.measured_incline = tel.inclination_pct
        self.hr.feed(tel.heart_rate_bpm, "treadmill", self.ledger.now)
        self.tracker.measured(tel.speed_kmh, tel.inclination_pct)
        raw = tel.distance_m if tel.distance_m is not None else tel.integrated_distance_m
        bucket = self.bucket() if self._running else None
        self.ledger.totals.feed_distance(bucket, raw)
        self.ledger.totals.energy.feed(
            self.ledger.now,
            counting=bucket is not None,
            speed_kmh=tel.speed_kmh,
            incline_pct=tel.inclination_pct,
            backward=bucket == "backward",
            reported_kcal=tel.total_energy_kcal,
        )
        fields: dict[str, Any] = {"speed_kmh": tel.speed_kmh, "distance_m": round(raw, 2)}
        if tel.inclination_pct is not None:
            fields["inclination_pct"] = tel.inclination_pct
        if tel.heart_rate_bpm is not None:
            fields["heart_rate_bpm"] = tel.heart_rate_bpm
        if tel.total_energy_kcal is not None:
            fields["total_energy_kcal"] = tel.total_energy_kcal
        if self._running:  # said before the sample that shows it, so the log reads in order
            self._deck_moved_unannounced()
        self._log("telemetry", **fields)
        if self.watch.units.sample(tel.distance_m, tel.integrated_distance_m) and self._running:
            self._belt_fault(
                "it reports its speed in mph (its distance runs 1.61 times the speed it "
                "reports): run with --mph-in-kmh-fields",
                say="The treadmill reports its speed in miles per hour.",
            )
            return
        if self.life.stage is Stage.STOPPING:
            self._stopping(sampled=True)
        elif self._belt_as_expected(tel.speed_kmh):
            speed, before = tel.speed_kmh or 0.0, self._previous_speed
            self._sample_moves_on(moving=speed > 0.0 and speed > before)
            self._heart_rate_guard()

    def _belt_as_expected(self, speed_kmh: float | None) -> bool:
        """Judge the belt by what it measures: a belt at rest while running was stopped
        (said or not), a belt that does not follow its target is a fault. False when the
        session reacted to it."""
        at_rest = speed_kmh is not None and speed_kmh < AT_REST_KMH
        self._at_rest_samples = self._at_rest_samples + 1 if at_rest else 0
        if not self._running or speed_kmh is None:
            return True
        if self._at_rest_samples >= STOPPED_SAMPLES:
            self._belt_halted(by_key=False, silent=True)
            return False
        if self._over_backward_cap(speed_kmh):
            return False
        if self._deck_beyond_backward_limits():
            return False
        stalled = self.watch.sample(speed_kmh, self.ledger.now, self._rates.reaction_delay_s)
        if stalled is not None:
            self._not_following(stalled)
            return False
        return True

    def _over_backward_cap(self, speed_kmh: float) -> bool:
        """A backward belt measured above its cap, with no word of a console change (some
        treadmills say nothing): answered at once, like an announced one."""
        if self.facing != "backward" or self.speed_target is None:
            return False
        cap = clamp_speed("backward", speed_kmh, self.incline_target or 0.0, self.limits)
        rising = speed_kmh > self._previous_speed + EPS  # coming down is the answer working
        if speed_kmh <= cap.value + OVER_CAP_MARGIN_KMH or not rising:
            return False
        self._log("status", status="console_speed", speed_kmh=speed_kmh, measured=True)
        self._console_speed(speed_kmh)
        return True

    def _deck_moved_unannounced(self) -> None:
        """A deck measured moving away from its incline outside a turn window, with no word
        from the treadmill: someone changed it at the console. Handled like an announced
        console change (kept, or brought back within the backward limits)."""
        measured, target = self.measured_incline, self.incline_target
        if measured is None or target is None or self.phase is Phase.TURN_WINDOW:
            return
        before = self._previous_incline
        if before is None or abs(measured - target) <= DECK_MOVED_PCT:
            return
        if abs(measured - target) <= abs(before - target) + EPS:
            return  # coming back, or still: not a new change
        self._log("status", status="console_incline", incline_pct=measured, measured=True)
        self._console_incline(measured)

    def _deck_beyond_backward_limits(self) -> bool:
        """A backward runner on a deck measured beyond the backward limits (a console change
        the treadmill would not take back): alarm and pause, with the belt."""
        measured = self.measured_incline
        if self.facing != "backward" or measured is None:
            return False
        low = SAFETY_NUMBERS["backward_incline_floor"].value
        high = self.limits.backward_incline_max_pct
        if low - DECK_FAULT_MARGIN_PCT <= measured <= high + DECK_FAULT_MARGIN_PCT:
            return False
        self._belt_fault(
            f"the deck is at {measured:g} %, beyond the backward range {low:g}-{high:g} %",
            say="Hold the rails: the incline is beyond the backward limit.",
        )
        return True

    def _sample_moves_on(self, *, moving: bool) -> None:
        # A belt still coasting down from the pause is not a belt that resumed.
        """What a sample decides: the start, and the verdict after a reconnect."""
        stage = self.life.stage
        if stage is Stage.COUNTDOWN and self._start_acked and moving:
            self._belt_moving()
        if stage is Stage.RECONNECTING and self._verify_by is not None:
            self._verify_by = None
            if self._at_speed():
                self._resume_running(
                    Trigger.BACK_AT_SPEED, "connection back; the belt kept its speed"
                )
            else:
                self._back_without_the_belt_at_speed(no_data=False)

    def _pause_measured(self) -> None:
        """A pause is done when the belt is measured at rest. A belt still moving (some
        treadmills leave 1.6 km/h on Pause) is told to Stop, and the runner what to do."""
        measured = self.measured_speed
        if self.life.stage is not Stage.PAUSED or measured is None or measured < PAUSED_KMH:
            return
        self._cue(CueKind.ALARM, words.belt_still_runs_after_pause(measured, self._units))
        self._send("stop", reason=f"the pause left the belt at {measured:.1f} km/h")

    def _no_data(self) -> None:
        """Started, but no telemetry at all: no telemetry, no session (segments would run
        blind). Say what to do; end when nobody can act on it."""
        if not self.options.interactive:
            self._end(Ending.NO_DATA)
            return
        if "no data" not in self._warned:
            self._warned.add("no data")
            self._cue(
                CueKind.ALARM,
                "No data from the treadmill. Start the belt on its console.",
            )
        self._begin_by = self.ledger.now + START_WAIT_S

    def _belt_moving(self) -> None:
        """Start acknowledged and the belt runs (or long enough has passed): go."""
        if self.life.stage is not Stage.COUNTDOWN:
            return
        self._begin_by = None
        if self._index is None:
            self._move(Trigger.BELT_MOVING, None)
            self._next_segment()
        else:
            self._resume_running(Trigger.BELT_MOVING, "resumed")

    def _resume_running(self, trigger: Trigger, reason: str) -> None:
        self._cause = None
        self._lost_at = None
        self._move(trigger, None, logged="resumed", why=reason)
        self._cue(CueKind.PAUSE, words.RESUMED)
        if self.speed_target is not None:  # judged from where the belt is now
            self.watch.target(self.speed_target, self.ledger.now, self.measured_speed)

    def _done(self, done: Done) -> None:
        tracked = self.tracker.answer(done, self.ledger.now, live=self.life.live)
        if tracked is None:
            return
        self._log("response", **response_fields(tracked, done))
        request = tracked.send.request
        if request == "stop" and self.life.stage is Stage.STOPPING:
            self._stop_again_later()
            self._stopping()
        elif request == "start":
            self._start_done(tracked.ok, done.reason)
        elif request in ("speed", "incline"):
            for given_up in self.tracker.gave_up:
                what = "speed" if given_up.send.request == "speed" else "incline"
                self._cue(
                    CueKind.OVERRIDE,
                    f"The treadmill refused the {what} {given_up.tries} times: "
                    "it keeps what it has.",
                )
            self.tracker.gave_up.clear()
        elif request == "request_control" and self._cause == "control":
            self._control_back(ok=tracked.ok)
        elif request == "pause" and not tracked.ok:
            self._cue(CueKind.ALARM, "The treadmill did not pause. Use its stop button.")

    def _control_back(self, *, ok: bool) -> None:
        if ok and self._at_speed() and self.life.stage is Stage.PAUSED:
            self._resume_running(Trigger.BACK_AT_SPEED, "control back; the belt kept its speed")
        elif not self.options.interactive:
            self._end(Ending.CONTROL_LOST)

    def _resume_speed(self, target: float) -> None:
        """The speed after a resume. Backward, the belt starts from rest: turn speed first,
        held for the settle time, then the backward ramp up to the target."""
        turn_kmh = clamp_speed("backward", self.limits.turn_speed_kmh, 0.0, self.limits).value
        if self.facing != "backward" or target <= turn_kmh + EPS:
            self._command_speed(target, self.facing, reason="resume", force=True)
            return
        self._send("speed", turn_kmh, reason="resume: turn speed first, then the backward ramp")
        self.speed_target, self._speed_sent_at = turn_kmh, self.ledger.now
        start = self.ledger.active + self.limits.settle_s
        ramp = backward_ramp(turn_kmh, target, self.limits)
        self._queue = [s for s in self._queue if s.turn] + [
            _Step(start + offset, speed, "backward", turn=False) for offset, speed in ramp
        ]

    def _start_done(self, ok: bool, reason: str | None) -> None:  # noqa: FBT001
        if self.life.stage is not Stage.COUNTDOWN:
            return
        if ok:
            self._belt_started = self._start_acked = True
            self._begin_by = self.ledger.now + START_WAIT_S
            if self._index is not None:
                # After a pause or a stop the treadmill may have forgotten its targets (or
                # resumes at its minimum): they are sent again, never taken as unchanged.
                if self.speed_target is not None:
                    self._resume_speed(self.speed_target)
                window = self.phase is Phase.TURN_WINDOW
                # A backward runner's deck only moves in the turn window, even to restore it.
                if self.incline_target is not None and (self.facing == "forward" or window):
                    self._command_incline(self.incline_target, in_turn=window, force=True)
            return
        if self._start_tries < START_TRIES:
            self._start_tries += 1
            self._send_start()
            return
        self._end(Ending.START_REFUSED, reason or "refused")

    def _status(self, event: DeviceEvent) -> None:
        if isinstance(event, ConsoleSpeedChanged):
            self._log("status", status="console_speed", speed_kmh=event.speed_kmh)
            self._console_speed(event.speed_kmh)
        elif isinstance(event, ConsoleInclineChanged):
            self._log("status", status="console_incline", incline_pct=event.inclination_pct)
            self._console_incline(event.inclination_pct)
        elif isinstance(event, BeltStopped):
            status = (
                "safety_key"
                if event.by_safety_key
                else ("console_pause" if event.paused else "console_stop")
            )
            self._log("status", status=status)
            self._belt_halted(by_key=event.by_safety_key)
        elif isinstance(event, BeltStarted):
            self._log("status", status="console_start")
            if self.life.stage is Stage.PAUSED and self._cause in ("console", "user"):
                self._resume_running(Trigger.CONSOLE_START, "started at the console")
        elif isinstance(event, ControlLost):
            self._log("status", status="control_lost", reason=event.reason)
            self._control_lost(event)
        elif isinstance(event, ConnectionLost):
            self._log("status", status="connection_lost", reason=event.reason)
            self._connection_lost()
        elif isinstance(event, Reconnected):
            self._log("status", status="reconnected", attempts=event.attempts)
            self._reconnected()
        elif isinstance(event, TrainingStatusChanged):
            self._training_status(event)

    def _training_status(self, event: TrainingStatusChanged) -> None:
        """Logged; Idle or Post-Workout while running is a stop, even without a status."""
        fields = {"training_status": event.status, "status_code": event.status_code}
        self._log("status", status="training_status", **fields)
        if self._running and event.status_code in _HALTED_TRAINING:
            self._belt_halted(by_key=False, silent=True)

    def _console_speed(self, speed: float) -> None:
        if not self.life.live or self._index is None:
            return
        self.speed_target = speed
        self._speed_sent_at = self.ledger.now
        self.watch.target(speed, self.ledger.now, self.measured_speed)
        self._adopt_override()
        safe = clamp_speed(self.facing, speed, self.incline_target or 0.0, self.limits)
        if safe.limited and safe.value < speed:
            # Above a cap: back under it at once, in one step (down is the safe way).
            reason = safe.reasons[0]
            self._send("speed", safe.value, reason=f"console {speed:g} km/h: {reason}")
            self._speed_sent_at = self.ledger.now
            self.speed_target = safe.value
            self._cue(
                CueKind.ALARM, words.console_speed_refused(speed, safe.value, reason, self._units)
            )
            return
        self._cue(CueKind.OVERRIDE, words.console_speed_kept(speed, self._units))

    def _console_incline(self, incline: float) -> None:
        if not self.life.live or self._index is None:
            return
        self.incline_target = incline
        self._adopt_override()
        safe = clamp_incline(
            self.facing, incline, self._speed_now(), self.limits, current_pct=None, in_turn=True
        )
        if safe.limited:
            # Beyond the backward incline limits: back within them at once.
            self._send("incline", safe.value, reason=f"console {incline:g} %: {safe.reasons[0]}")
            self.incline_target = safe.value
            self._cue(
                CueKind.ALARM, words.console_incline_refused(incline, safe.value, safe.reasons[0])
            )
        else:
            self._cue(CueKind.OVERRIDE, words.console_incline_kept(incline))
        # A steeper deck lowers the backward speed cap: the speed follows at once.
        if self.facing == "backward" and self.speed_target is not None:
            speed = clamp_speed("backward", self.speed_target, incline, self.limits)
            if speed.value < self.speed_target - EPS:
                self._send("speed", speed.value, reason=f"console incline: {speed.reasons[0]}")
                self.speed_target, self._speed_sent_at = speed.value, self.ledger.now
                self.watch.target(speed.value, self.ledger.now, self.measured_speed)

    def _belt_halted(self, *, by_key: bool, silent: bool = False) -> None:
        """The belt stopped: by the console or the key (a status said so), or measured at
        rest while running with no word from the treadmill (``silent``). Nothing more is
        sent to it until the runner resumes."""
        if not self.life.can(Trigger.BELT_HALTED):
            return
        if not self.options.interactive:
            ending = Ending.SAFETY_KEY if by_key else Ending.CONSOLE_STOP
            self._end(Ending.BELT_STOPPED if silent else ending)
            return
        reason = "safety key pulled" if by_key else "belt stopped at the console"
        if silent:
            reason = "the belt stopped (the treadmill said nothing)"
        self._queue.clear()
        self.tracker.cancel_retries()
        self.watch.reset()
        self._cause = "safety_key" if by_key else "console"
        self._lost_at = None
        self._move(Trigger.BELT_HALTED, reason)
        kind = CueKind.ALARM if by_key else CueKind.PAUSE
        self._cue(kind, f"Paused: {reason}. Resume when you are ready.")

    def _control_lost(self, event: ControlLost) -> None:
        # A dropped link takes control with it; the connection loss that follows says so.
        if event.link_lost or not self.life.can(Trigger.CONTROL_LOST):
            return
        self._cause = "control"
        self._move(Trigger.CONTROL_LOST, "control lost")
        self._cue(CueKind.ALARM, "Control of the treadmill was lost. Taking it back.")
        self._send("request_control")

    def _connection_lost(self) -> None:
        if not self.life.can(Trigger.LINK_LOST):
            return
        if self._index is None and self.life.stage is Stage.COUNTDOWN:
            self._end(Ending.CONNECTION_LOST_BEFORE_START)
            return
        self._cause = "connection"
        self.watch.reset()
        self._lost_at = self.ledger.now
        self._move(Trigger.LINK_LOST, "connection lost")
        self._cue(CueKind.ALARM, "Connection lost! Hold the rails. Reconnecting.")

    def _reconnected(self) -> None:
        if self.life.stage is Stage.STOPPING:  # the Stop may not have reached it
            self._send("stop", reason="reconnected")
            return
        if self.life.stage is not Stage.RECONNECTING:
            return
        # Both views judge the belt first: a session never shows PAUSED over a belt that
        # still runs (a Raspberry Pi's radio drops links while the treadmill runs on).
        self.watch.units.restart()
        self._lost_at = None
        self._verify_by = self.ledger.now + VERIFY_WAIT_S

    def _back_without_the_belt_at_speed(self, *, no_data: bool) -> None:
        """Reconnected, but the belt is not running at the speed it was told (or says
        nothing). The line view ends; a view that takes a resume pauses, saying what the
        belt does, and pauses the belt itself if it still moves."""
        if self.options.headless:
            self._end(Ending.NO_DATA_AFTER_RECONNECT if no_data else Ending.BELT_DID_NOT_KEEP_SPEED)
            return
        measured = self.measured_speed
        if no_data:
            why = "connection back, but no data yet: resume when ready"
            say = "Connection back, but the treadmill sends no data yet. Resume when ready."
        elif measured is not None and measured >= AT_REST_KMH:
            why = f"connection back; the belt ran {measured:.1f} km/h, so it was paused"
            ran = words.speed_text(measured, self._units)
            say = f"Connection back. The belt ran {ran}: pausing it. Hold the rails."
            self._send("pause")
        else:
            why = "connection back; the belt had stopped: resume when ready"
            say = "Connection back. The belt has stopped. Resume when you are ready."
        self._move(Trigger.LINK_BACK, why)
        self._cue(CueKind.ALARM, say)

    def _strap_link(self, event: StrapLink) -> None:
        fields: dict[str, object] = {"name": event.name} if event.name else {}
        if event.detail:
            fields["reason"] = event.detail
        self._log("status", status="strap_connected" if event.connected else "strap_lost", **fields)

    def _heart_rate_matters(self) -> bool:
        """Whether something acts on the heart rate now: a zone step, or the guard in a
        backward bout."""
        seg = self.segment
        if not self._running or seg is None or seg.kind != "interval":
            return False
        if seg.heart_rate is not None:
            return True
        return self.options.heart_rate is not None and seg.direction == "backward"

    def _heart_rate_freshness(self) -> None:
        """Log each change of the heart rate's freshness or source; when something acts on
        it, say so out loud: a stale heart rate is never acted on, the speed holds. Nothing
        once the session has ended (its summary is the log's last line)."""
        if self.ended is not None:
            return
        news = self.hr.news(self.ledger.now)
        if news is None:
            return
        before, reading = news
        if reading is None:
            self._log("heart_rate", state="stale", after_s=HR_STALE_S)
            if self._heart_rate_matters():
                self._cue(
                    CueKind.ALARM,
                    f"No heart rate for {HR_STALE_S:g} seconds: "
                    f"holding {words.speed_text(self._speed_now(), self._units)}.",
                )
        else:
            self._log("heart_rate", state="fresh", source=reading.source)
            if before == "stale" and self._heart_rate_matters():
                self._cue(CueKind.OVERRIDE, f"Heart rate back: {reading.bpm}.")

    def _heart_rate_guard(self) -> None:
        guard, seg, hr = self.options.heart_rate, self.segment, self.heart_rate
        if guard is None or seg is None or hr is None or not self._running:
            return
        if seg.kind != "interval" or seg.direction != "backward" or hr <= guard.ceiling_bpm:
            return
        active = self.ledger.active
        if self.phase not in (Phase.STEADY, Phase.RAMP) or active + EPS < self._hr_next:
            return
        self._hr_next = active + guard.every_s
        lower = self._speed_now() - guard.step_kmh
        if guard.action == "end-bout" or lower < self.limits.turn_speed_kmh - EPS:
            self._cue(CueKind.ALARM, words.heart_rate_bout_over(hr, guard.ceiling_bpm))
            self._skip()
            return
        self._adopt_override("the heart-rate guard")
        value = self._command_speed(lower, self.facing, reason="heart-rate guard")
        self._cue(CueKind.ALARM, words.heart_rate_slower(hr, guard.ceiling_bpm, value, self._units))


@dataclass
class _ZoneState:
    """A zone step's control, while it runs (`Engine._zone_control`)."""

    off: bool = False
    """Switched off for the rest of the step by a change by hand or the heart-rate guard."""
    next_at: float | None = None
    """Active time of the next decision (None: not started yet, or off)."""
    last_hr: int | None = None
    said: str | None = None


def _reasons(source: str | None, limits: Sequence[str]) -> str | None:
    """A command's reason in the log: who asked (a nudge, the console, the heart-rate guard)
    first, then what the safety layer changed."""
    parts = [source, *limits] if source else limits
    return "; ".join(parts) if parts else None
