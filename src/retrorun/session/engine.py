"""The session engine: a pure state machine that drives a plan on a treadmill.

Theory of operation
-------------------
``handle(event, now) -> actions`` is the whole interface. Events are the runner's view of
the world (`Ready`, `Sample`, `Tick`, `Done`, the device layer's status events, and a
person's `UserCommand`); actions are what to do about it (`Send` a treadmill command,
`Publish` a session event, `Answer` a command). ``next_deadline()`` says when the engine
next needs a `Tick`; ``snapshot(now)`` shows everything. No I/O, no asyncio, no clock of
its own: tests drive it with plain numbers.

Time. The session clock (``t`` in the log) runs from construction. *Active* time (``A``)
runs only while the state is RUNNING: it stops for pauses, reconnects and the countdown.
Every schedule (speed steps, cues, segment ends, turn phases) is in active time, so a pause
shifts everything after it and nothing is lost or doubled.

Segments. An interval commands its plan steps at their offsets and ends after its time
(plus extensions) or its metres (the treadmill's distance, else integrated belt speed).
Before an interval that leads to a turn, the turn's steps are commanded early
(`retrorun.session.turns`) so the belt is at turn speed when the window is due: this is
the APPROACH phase. A turn then waits for the belt at turn speed, holds the TURN_WINDOW
("Turn around now", the incline change, 3-2-1 beeps), SETTLEs, and the next interval ramps
up in the plan's backward ramp steps. Skipping never skips a turn.

Safety. Every speed and incline goes through `retrorun.profiles.safety` (clamp, backward
ramp rate, incline only in the window while backward) just before it is sent; a changed
value is logged with its reason and announced once per segment.

Transitions (state x event → state):

==============  ===============================  ============================
state           event                            next
==============  ===============================  ============================
CONNECTING      Ready                            COUNTDOWN (Start sent)
COUNTDOWN       belt moving / 10 s after Start   RUNNING (first segment)
RUNNING         pause, belt stopped, ctrl lost   PAUSED
RUNNING         connection lost                  RECONNECTING
RECONNECTING    reconnected (interactive)        PAUSED (waits for resume)
RECONNECTING    reconnected (headless)           RUNNING if belt at speed, else INTERRUPTED
PAUSED          resume / console start           COUNTDOWN, then RUNNING once moving
PAUSED          belt halted, not interactive     INTERRUPTED
any live        stop                             STOPPED
RUNNING         last segment done                FINISHED
==============  ===============================  ============================

Ending stops the belt; `SessionEnded` is published once the Stop is answered.
"""

from __future__ import annotations

from retrorun.device import DeviceEvent
from retrorun.session.api import (
    CommandKind,
    CommandResult,
    CueKind,
    Phase,
    SessionState,
    UserCommand,
)
from retrorun.session.inputs import Action, Answer, Done, Ready, Sample, Tick
from retrorun.session.machine import DEFAULT_EXTEND_S, EPS, Outcome
from retrorun.session.reactions import Reactions

Event = Ready | Sample | Tick | Done | UserCommand | DeviceEvent

__all__ = ["Engine", "Event"]

STOP_REASONS = {"signal": "stopped by Ctrl-C or SIGTERM", "mqtt": "stopped remotely (MQTT)"}


class Engine(Reactions):
    """Drive one plan; see the module docstring.

    ``Engine(plan, now, options)``; then ``handle(event, now)``, ``next_deadline()``,
    ``snapshot(now)``; ``ended`` is the `SessionEnded` once the session is over.
    """

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
        self._account(now)
        if isinstance(event, UserCommand):
            self._out.append(Answer(self._command(event)))
        elif isinstance(event, Sample):
            self._sample(event)
        elif isinstance(event, Done):
            self._done(event)
        elif isinstance(event, Ready):
            self._ready(event)
        elif isinstance(event, Tick):
            pass
        else:
            self._status(event)
        self._timers()
        self._progress()
        self._publish_snapshot()
        out, self._out = self._out, []
        return out

    def next_deadline(self) -> float | None:
        """When the engine next needs a `Tick` (absolute, on the runner's clock)."""
        if self.ended is not None or self._ending is not None:
            return None
        walls = [w for w in (self._begin_by, self._verify_by, self._retry_at) if w is not None]
        if self._lost_at is not None and self.options.headless:
            walls.append(self._lost_at + self.options.reconnect_wait_s)
        if self._running:
            # Anything due by now has been acted on or waits on telemetry, not on time.
            walls.extend(
                self._now + a - self._active for a in self._due_active() if a > self._active + EPS
            )
        return min(walls) if walls else None

    def abort(
        self, reason: str, now: float, *, outcome: Outcome = "interrupted", exit_code: int = 1
    ) -> list[Action]:
        """End at once because the runner cannot go on (an exception, a cancellation).

        `SessionEnded` is published without waiting for a Stop: the runner stops the belt
        itself on its way out. Default: a failure, exit code 1.
        """
        self._account(now)
        self._end(outcome, reason, exit_code=exit_code)
        self._stop_seq = None
        self._finalize()
        self._publish_snapshot()
        out, self._out = self._out, []
        return out

    def _command(self, cmd: UserCommand) -> CommandResult:  # noqa: PLR0911 - one case per kind
        if not self._live:
            return CommandResult(cmd, accepted=False, reason="the session has ended")
        kind = cmd.kind
        if kind is CommandKind.STOP:
            self._end("stopped", STOP_REASONS.get(cmd.source, "stopped by you"))
            return CommandResult(cmd, accepted=True, reason="stopping the belt")
        if kind is CommandKind.RESUME:
            return self._resume(cmd)
        if not self._running:
            return CommandResult(cmd, accepted=False, reason=f"not while {self.state}")
        if kind is CommandKind.PAUSE:
            self._cause = "user"
            self._set_state(SessionState.PAUSED, "paused by you")
            self._cue(CueKind.PAUSE, "Paused.")
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

    def _resume(self, cmd: UserCommand) -> CommandResult:
        if self.state is not SessionState.PAUSED:
            return CommandResult(cmd, accepted=False, reason=f"not paused ({self.state})")
        seg = self.segment
        if seg is not None and seg.kind == "turn" and self._settle_start is None:
            # Paused before or inside the window: hold the whole window again once the belt
            # is back at turn speed.
            self._window_at, self._window_start, self._beeps = self._active, None, []
            self.phase = Phase.APPROACH
        self._set_state(SessionState.COUNTDOWN, "resuming")
        self._start_tries = 1
        self._send_start()
        return CommandResult(cmd, accepted=True, reason="resuming")

    def _nudge_speed(self, amount: float) -> tuple[bool, str]:
        seg = self.segment
        if seg is None or seg.kind == "turn" or self.phase is Phase.APPROACH:
            return False, "not while turning"
        self._adopt_override()
        requested = self._speed_now() + amount
        value = self._command_speed(requested, self.facing, reason="nudge")
        self._cue(CueKind.OVERRIDE, f"Speed {value:g} km/h.")
        if abs(value - requested) > EPS:
            return True, f"speed {value:g} km/h (limited by the safety layer)"
        return True, f"speed {value:g} km/h"

    def _nudge_incline(self, amount: float) -> tuple[bool, str]:
        if not self._incline_ok:
            return False, "this treadmill takes no incline targets"
        in_window = self.phase is Phase.TURN_WINDOW
        if self.facing == "backward" and not in_window:
            return False, "incline changes while backward only in the turn window"
        self._adopt_override()
        requested = (self.incline_target or 0.0) + amount
        value = self._command_incline(requested, in_turn=in_window, reason="nudge")
        self._cue(CueKind.OVERRIDE, f"Incline {value:g} %.")
        return True, f"incline {value:g} %"
