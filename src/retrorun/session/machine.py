"""The engine's state and its primitive outputs: time, the commands it sends, its log.

`Machine` holds everything the engine knows and the few ways it acts on the world: send a
treadmill command through the safety layer (`_command_speed`, `_command_incline`), say a
cue, write a log line, change state, end. The schedule (`retrorun.session.schedule`), the
reactions to the treadmill (`retrorun.session.reactions`) and the public engine
(`retrorun.session.engine`) build on it; see the engine's module docstring for the theory
of operation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from retrorun.device.ramp import DEFAULT_RATES
from retrorun.profiles.safety import clamp_incline, clamp_speed, limit_speed_change
from retrorun.session.api import (
    Cue,
    CueKind,
    LogEntry,
    Phase,
    SessionEnded,
    SessionState,
)
from retrorun.session.inputs import Action, EngineOptions, Publish, Request, Send
from retrorun.session.totals import TotalsCounter
from retrorun.session.view import build_snapshot

if TYPE_CHECKING:
    from retrorun.device import RampRates
    from retrorun.profiles.models import Direction
    from retrorun.profiles.plan import Plan, Segment
    from retrorun.profiles.safety import SafetyLimits
    from retrorun.session.api import Snapshot
    from retrorun.session.cues import PendingCue

EPS = 1e-6
START_TRIES = 2
"""A refused Start is tried once more before the session gives up."""
START_WAIT_S = 10.0
"""After Start is acknowledged, begin even if no telemetry shows the belt moving."""
RETRY_S = 2.0
"""A rejected or lost set-point is sent again after this long."""
VERIFY_WAIT_S = 5.0
"""After a reconnect, how long to wait for telemetry showing the belt still at speed."""
AT_SPEED_KMH = 0.5
"""A belt within this of its target "still runs at the expected speed"."""
DEFAULT_EXTEND_S = 30.0
RATE_SLACK_S = 1e-4


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


PauseCause = Literal["user", "console", "safety_key", "connection", "control"]
Outcome = Literal["finished", "stopped", "interrupted"]


class Machine:
    """State, time and outputs of one session (see `retrorun.session.engine.Engine`)."""

    def __init__(self, plan: Plan, now: float, options: EngineOptions | None = None) -> None:
        self.plan = plan
        self.options = options or EngineOptions()
        self.limits: SafetyLimits = plan.limits
        self.state = SessionState.CONNECTING
        self.reason: str | None = None
        self.ended: SessionEnded | None = None
        self._t0 = now
        self._now = now
        self._out: list[Action] = []
        self._shown: tuple[object, ...] = ()
        self._seq = 0
        self._pending: dict[int, Send] = {}
        self._incline_ok = True
        self._rates: RampRates = DEFAULT_RATES
        # time
        self._active = 0.0
        self._seg_start = 0.0
        self._index: int | None = None
        self._extra_s = 0.0
        self._extra_m = 0.0
        self._dist0 = 0.0
        self.totals = TotalsCounter()
        # what the belt was told and what it shows
        self.speed_target: float | None = None
        self.incline_target: float | None = None
        self._speed_sent_at = -math.inf
        self.measured_speed: float | None = None
        self.measured_incline: float | None = None
        self.heart_rate: int | None = None
        self.facing: Direction = "forward"
        self.phase = Phase.STEADY
        # schedules
        self._queue: list[_Step] = []
        self._cues: list[PendingCue] = []
        self._turn_prepared = False
        self._window_at = 0.0
        self._window_start: float | None = None
        self._settle_start: float | None = None
        self._beeps: list[float] = []
        self._warned: set[str] = set()
        self._hr_next = 0.0
        # start, pause, reconnect, retry, end
        self._belt_started = False
        self._start_acked = False
        """The latest Start was acknowledged (a resume waits for its own Start)."""
        self._start_tries = 0
        self._begin_by: float | None = None
        self._cause: PauseCause | None = None
        self._lost_at: float | None = None
        self._verify_by: float | None = None
        self._retry_at: float | None = None
        self._retry: set[Request] = set()
        self._stop_seq: int | None = None
        self._ending: tuple[Literal["finished", "stopped", "interrupted"], str, int] | None = None

    @property
    def t(self) -> float:
        return self._now - self._t0

    @property
    def t0(self) -> float:
        return self._t0

    @property
    def last_now(self) -> float:
        return self._now

    @property
    def active_s(self) -> float:
        return self._active

    @property
    def index(self) -> int | None:
        return self._index

    @property
    def segment(self) -> Segment | None:
        return None if self._index is None else self.plan.segments[self._index]

    @property
    def segment_elapsed_s(self) -> float:
        return self._active - self._seg_start if self._index is not None else 0.0

    @property
    def segment_distance_m(self) -> float:
        return self.totals.total_distance_m - self._dist0

    def segment_remaining_s(self) -> float | None:
        seg = self.segment
        if seg is None:
            return None
        if seg.kind == "turn":
            window = self._window_start if self._window_start is not None else self._window_at
            end = window + (seg.window_s or 0.0) + (seg.settle_s or 0.0)
            return max(0.0, end - self._active)
        if seg.duration_s is not None:
            return max(0.0, self._seg_start + seg.duration_s + self._extra_s - self._active)
        speed = self.measured_speed or self.speed_target or seg.speed_kmh
        left = self.segment_remaining_m() or 0.0
        return left / (speed / 3.6) if speed > 0 else None

    def segment_remaining_m(self) -> float | None:
        seg = self.segment
        if seg is None or seg.distance_m is None:
            return None
        return max(0.0, seg.distance_m + self._extra_m - self.segment_distance_m)

    def bucket(self) -> str | None:
        seg = self.segment
        if seg is None:
            return None
        return "turn" if seg.kind == "turn" else seg.direction

    def snapshot(self, now: float) -> Snapshot:
        """Everything a watcher shows, at ``now``."""
        return build_snapshot(self, now)

    @property
    def _running(self) -> bool:
        return self.state is SessionState.RUNNING and self._index is not None

    @property
    def _live(self) -> bool:
        return self._ending is None and self.ended is None

    def _account(self, now: float) -> None:
        if self._running and now > self._now:
            dt = now - self._now
            self._active += dt
            bucket = self.bucket()
            if bucket is not None:
                self.totals.add_time(bucket, dt)
        self._now = max(now, self._now)

    def _next_turn(self) -> Segment | None:
        i = self._index
        if i is None or i + 1 >= len(self.plan.segments):
            return None
        nxt = self.plan.segments[i + 1]
        return nxt if nxt.kind == "turn" else None

    def _speed_now(self) -> float:
        return self.speed_target if self.speed_target is not None else 0.0

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
        self._send("start")

    def _send(
        self, request: Request, value: float | None = None, *, reason: str | None = None
    ) -> int:
        self._seq += 1
        send = Send(self._seq, request, value)
        self._pending[self._seq] = send
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
        return self._seq

    def _send_speed_raw(self, value: float, reason: str | None) -> None:
        self._send("speed", value, reason=reason)
        self._speed_sent_at = self._now

    def _command_speed(
        self,
        requested: float,
        facing: Direction,
        *,
        reason: str | None = None,
        force: bool = False,
        step: _Step | None = None,
    ) -> float:
        """Send ``requested`` (made safe) unless it is already the target; the value sent."""
        if step is None or not step.catch_up:
            self._queue = [s for s in self._queue if not s.catch_up]
        clamped = clamp_speed(facing, requested, self.incline_target or 0.0, self.limits)
        value, why = clamped.value, list(clamped.reasons)
        if facing == "backward" and self.speed_target is not None:
            # The plan spaces its steps exactly at the ramp rate, with offsets rounded to
            # the microsecond: a hair of slack keeps a step on time from being clipped.
            elapsed = self._now - self._speed_sent_at + RATE_SLACK_S
            limited = limit_speed_change(facing, self.speed_target, value, elapsed, self.limits)
            if limited.limited:
                value = limited.value
                why += limited.reasons
                # The rest of the change follows at the ramp rate.
                wait = min(abs(requested - value) / self.limits.backward_ramp_kmh_per_s, 2.0)
                turn = step.turn if step else False
                again = _Step(self._active + wait, requested, facing, turn, catch_up=True)
                self._queue = sorted([*self._queue, again], key=lambda s: s.at)
        if not force and self.speed_target is not None and abs(value - self.speed_target) < EPS:
            return value
        self._send_speed_raw(value, "; ".join(why) if why else reason)
        self.speed_target = value
        if clamped.limited and clamped.reasons[0] not in self._warned:
            # Caps are announced (once per segment); pacing by the ramp rate is only logged.
            self._warned.add(clamped.reasons[0])
            self._cue(CueKind.OVERRIDE, f"Speed limited to {value:.1f} km/h: {clamped.reasons[0]}.")
        return value

    def _command_incline(
        self, requested: float, *, in_turn: bool, reason: str | None = None, force: bool = False
    ) -> float | None:
        if not self._incline_ok:
            return None
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
        self._send("incline", value, reason="; ".join(why) if why else reason)
        self.incline_target = value
        if why and why[0] not in self._warned:
            self._warned.add(why[0])
            self._cue(CueKind.OVERRIDE, f"Incline limited to {value:.1f} %: {why[0]}.")
        return value

    def _adopt_override(self) -> None:
        """The console (or a nudge) wins for the rest of this interval: drop the plan's
        remaining steps, never the turn's."""
        self._queue = [s for s in self._queue if s.turn]

    def _end(
        self,
        outcome: Literal["finished", "stopped", "interrupted"],
        reason: str,
        *,
        exit_code: int | None = None,
    ) -> None:
        if not self._live:
            return
        code = exit_code if exit_code is not None else (0 if outcome == "finished" else 3)
        self._ending = (outcome, reason, code)
        self._queue.clear()
        self._begin_by = self._verify_by = self._retry_at = self._lost_at = None
        self._set_state(SessionState(outcome), reason)
        if outcome == "finished":
            self._cue(CueKind.FINISH, "Workout complete. Well done!")
        else:
            self._cue(CueKind.ALARM, f"Session over: {reason}.")
        if self._belt_started:
            self._stop_seq = self._send("stop")
        else:
            self._finalize()

    def _finalize(self) -> None:
        if self._ending is None or self.ended is not None:
            return
        outcome, reason, code = self._ending
        self._ending = None
        self.ended = SessionEnded(self.t, outcome, reason, code, self.totals.snapshot())
        self._out.append(Publish(self.ended))

    def _set_state(
        self,
        state: SessionState,
        reason: str | None,
        *,
        logged: str | None = None,
        why: str | None = None,
    ) -> None:
        self.state = state
        self.reason = reason
        fields: dict[str, Any] = {"state": logged or str(state)}
        if why or reason:
            fields["reason"] = why or reason
        self._log("state", **fields)

    def _cue(self, kind: CueKind, text: str, *, beeps: int = 0, **extra: object) -> None:
        self._out.append(Publish(Cue(self.t, kind, text, beeps)))
        fields: dict[str, object] = {"text": text, "kind": str(kind)}
        if beeps:
            fields["beeps"] = beeps
        self._log("cue", **fields, **{k: v for k, v in extra.items() if v is not None})

    def _log(self, type_: str, **fields: object) -> None:
        self._out.append(Publish(LogEntry(self.t, type_, fields)))

    def _publish_snapshot(self) -> None:
        """Publish the state when something a watcher shows has changed (the runner adds
        periodic snapshots for moving counters); `SessionEnded` stays the last event."""
        key = (
            self.state,
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
        snap = Publish(self.snapshot(self._now))
        for position, action in enumerate(self._out):
            if isinstance(action, Publish) and isinstance(action.event, SessionEnded):
                self._out.insert(position, snap)
                return
        if self.ended is None:
            self._out.append(snap)
