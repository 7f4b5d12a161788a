"""How the engine answers the treadmill: start, telemetry, command results, status.

The treadmill's own console wins (a console speed or incline is kept for the rest of the
interval); a console stop or the safety key pauses the session (or ends it when nobody can
resume); a lost link pauses the clock until the link is back; the heart-rate guard slows a
backward bout, or ends it, when the heart rate is above the ceiling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retrorun.device import (
    BeltStarted,
    BeltStopped,
    ConnectionLost,
    ConsoleInclineChanged,
    ConsoleSpeedChanged,
    ControlLost,
    Reconnected,
)
from retrorun.profiles.safety import clamp_speed
from retrorun.session.api import CueKind, Phase, SessionState
from retrorun.session.inputs import REQUEST_NAMES
from retrorun.session.machine import (
    EPS,
    RETRY_S,
    START_TRIES,
    START_WAIT_S,
    VERIFY_WAIT_S,
)
from retrorun.session.schedule import Schedule

if TYPE_CHECKING:
    from retrorun.device import DeviceEvent
    from retrorun.session.inputs import Done, Ready, Sample


class Reactions(Schedule):
    """Inputs from the treadmill and the runner's clock."""

    def _timers(self) -> None:
        """Wall-clock deadlines: start fallback, reconnect verdicts, retries."""
        now = self._now
        if self._begin_by is not None and now >= self._begin_by - EPS:
            self._begin_by = None
            self._belt_moving()
        if self._verify_by is not None and now >= self._verify_by - EPS:
            self._verify_by = None
            self._end("interrupted", "connection lost: no data after reconnecting")
        if (
            self._lost_at is not None
            and self.options.headless
            and now >= self._lost_at + self.options.reconnect_wait_s - EPS
        ):
            self._end("interrupted", "connection lost")
        if self._retry_at is not None and now >= self._retry_at - EPS and self._live:
            self._retry_at = None
            retry, self._retry = self._retry, set()
            window = self.phase is Phase.TURN_WINDOW
            if "speed" in retry and self.speed_target is not None:
                self._command_speed(self.speed_target, self.facing, reason="retry", force=True)
            # A backward runner's deck moves only in the window, even to retry.
            if (
                "incline" in retry
                and self.incline_target is not None
                and (self.facing == "forward" or window)
            ):
                self._command_incline(
                    self.incline_target, in_turn=window, reason="retry", force=True
                )

    def _ready(self, ready: Ready) -> None:
        if self.state is not SessionState.CONNECTING:
            return
        self.limits = self.plan.limits.with_device(ready.device)
        self._incline_ok = ready.incline_control
        self._set_state(SessionState.COUNTDOWN, "starting the belt")
        self._cue(CueKind.START, f"Starting {self.plan.name}. The belt starts moving.")
        self._start_tries = 1
        self._send_start()

    def _sample(self, sample: Sample) -> None:
        tel = sample.telemetry
        self._rates = sample.rates
        if tel.speed_kmh is not None:
            self.measured_speed = tel.speed_kmh
        if tel.inclination_pct is not None:
            self.measured_incline = tel.inclination_pct
        self.heart_rate = tel.heart_rate_bpm
        raw = tel.distance_m if tel.distance_m is not None else tel.integrated_distance_m
        self.totals.feed_distance(self.bucket() if self._running else None, raw)
        fields: dict[str, Any] = {"speed_kmh": tel.speed_kmh, "distance_m": round(raw, 2)}
        if tel.inclination_pct is not None:
            fields["inclination_pct"] = tel.inclination_pct
        if tel.heart_rate_bpm is not None:
            fields["heart_rate_bpm"] = tel.heart_rate_bpm
        self._log("telemetry", **fields)
        moving = (tel.speed_kmh or 0.0) > 0.0
        if self.state is SessionState.COUNTDOWN and self._start_acked and moving:
            self._belt_moving()
        if self.state is SessionState.RECONNECTING and self._verify_by is not None:
            self._verify_by = None
            if self._at_speed():
                self._resume_running("connection back; the belt kept its speed")
            else:
                self._end("interrupted", "connection lost and the belt did not keep its speed")
        self._heart_rate_guard()

    def _belt_moving(self) -> None:
        """Start acknowledged and the belt runs (or long enough has passed): go."""
        if self.state is not SessionState.COUNTDOWN:
            return
        self._begin_by = None
        if self._index is None:
            self._set_state(SessionState.RUNNING, None)
            self._next_segment()
        else:
            self._resume_running("resumed")

    def _resume_running(self, reason: str) -> None:
        self._cause = None
        self._lost_at = None
        self._set_state(SessionState.RUNNING, None, logged="resumed", why=reason)
        self._cue(CueKind.PAUSE, "Resumed.")

    def _done(self, done: Done) -> None:
        send = self._pending.pop(done.seq, None)
        if send is None:
            return
        fields: dict[str, Any] = {"request": REQUEST_NAMES[send.request], "result": done.result}
        if done.outcome:
            fields["outcome"] = done.outcome
        if done.reason:
            fields["reason"] = done.reason
        self._log("response", **fields)
        ok = done.result == "success"
        if done.seq == self._stop_seq:
            self._finalize()
        elif send.request == "start":
            self._start_done(ok, done.reason)
        elif send.request in ("speed", "incline") and not ok and self._live:
            self._retry.add(send.request)
            self._retry_at = self._now + RETRY_S
        elif send.request == "request_control" and self._cause == "control":
            self._control_back(ok)
        elif send.request == "pause" and not ok:
            self._cue(CueKind.ALARM, "The treadmill did not pause. Use its stop button.")

    def _control_back(self, ok: bool) -> None:  # noqa: FBT001
        if ok and self._at_speed():
            self._resume_running("control back; the belt kept its speed")
        elif not self.options.interactive:
            self._end("interrupted", "control of the treadmill was lost")

    def _start_done(self, ok: bool, reason: str | None) -> None:  # noqa: FBT001
        if self.state is not SessionState.COUNTDOWN:
            return
        if ok:
            self._belt_started = self._start_acked = True
            self._begin_by = self._now + START_WAIT_S
            if self._index is not None:
                # After a pause or a stop the treadmill may have forgotten its targets.
                if self.speed_target is not None:
                    self._command_speed(self.speed_target, self.facing, reason="resume", force=True)
                window = self.phase is Phase.TURN_WINDOW
                # A backward runner's deck only moves in the turn window, even to restore it.
                if self.incline_target is not None and (self.facing == "forward" or window):
                    self._command_incline(self.incline_target, in_turn=window, force=True)
            return
        if self._start_tries < START_TRIES:
            self._start_tries += 1
            self._send_start()
            return
        self._end("interrupted", f"the treadmill did not start ({reason or 'refused'})")

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
            self._belt_halted(event.by_safety_key)
        elif isinstance(event, BeltStarted):
            self._log("status", status="console_start")
            if self.state is SessionState.PAUSED and self._cause in ("console", "user"):
                self._resume_running("started at the console")
        elif isinstance(event, ControlLost):
            self._log("status", status="control_lost", reason=event.reason)
            self._control_lost(event.reason)
        elif isinstance(event, ConnectionLost):
            self._log("status", status="connection_lost", reason=event.reason)
            self._connection_lost()
        elif isinstance(event, Reconnected):
            self._log("status", status="reconnected", attempts=event.attempts)
            self._reconnected()

    def _console_speed(self, speed: float) -> None:
        if not self._live or self._index is None:
            return
        self.speed_target = speed
        self._speed_sent_at = self._now
        self._adopt_override()
        self._cue(CueKind.OVERRIDE, f"Console speed {speed:g} km/h kept for this interval.")
        safe = clamp_speed(self.facing, speed, self.incline_target or 0.0, self.limits)
        if safe.limited:
            self._command_speed(speed, self.facing, reason="console")

    def _console_incline(self, incline: float) -> None:
        if not self._live or self._index is None:
            return
        self.incline_target = incline
        self._adopt_override()
        self._cue(CueKind.OVERRIDE, f"Console incline {incline:g} % kept for this interval.")

    def _belt_halted(self, by_key: bool) -> None:  # noqa: FBT001
        if not self._live or self.state is SessionState.CONNECTING:
            return
        reason = "safety key pulled" if by_key else "belt stopped at the console"
        if not self.options.interactive:
            self._end("interrupted", reason)
            return
        self._cause = "safety_key" if by_key else "console"
        self._set_state(SessionState.PAUSED, reason)
        kind = CueKind.ALARM if by_key else CueKind.PAUSE
        self._cue(kind, f"Paused: {reason}. Resume when you are ready.")

    def _control_lost(self, reason: str) -> None:
        # A dropped link takes control with it; the connection loss that follows says so.
        if self.state is not SessionState.RUNNING or not self._live or "connection" in reason:
            return
        self._cause = "control"
        self._set_state(SessionState.PAUSED, "control lost")
        self._cue(CueKind.ALARM, "Control of the treadmill was lost. Taking it back.")
        self._send("request_control")

    def _connection_lost(self) -> None:
        if not self._live or self.state is SessionState.CONNECTING:
            return
        if self._index is None and self.state is SessionState.COUNTDOWN:
            self._end("interrupted", "connection lost before the start")
            return
        self._cause = "connection"
        self._lost_at = self._now
        self._set_state(SessionState.RECONNECTING, "connection lost")
        self._cue(CueKind.ALARM, "Connection lost! Hold the rails. Reconnecting.")

    def _reconnected(self) -> None:
        if self.state is not SessionState.RECONNECTING or not self._live:
            return
        self._lost_at = None
        if self.options.headless:
            self._verify_by = self._now + VERIFY_WAIT_S
            return
        self._set_state(SessionState.PAUSED, "connection back: resume when ready")
        self._cue(CueKind.ALARM, "Connection back. Resume when you are ready.")

    def _heart_rate_guard(self) -> None:
        guard, seg, hr = self.options.heart_rate, self.segment, self.heart_rate
        if guard is None or seg is None or hr is None or not self._running:
            return
        if seg.kind != "interval" or seg.direction != "backward" or hr <= guard.ceiling_bpm:
            return
        if self.phase not in (Phase.STEADY, Phase.RAMP) or self._active + EPS < self._hr_next:
            return
        self._hr_next = self._active + guard.every_s
        lower = self._speed_now() - guard.step_kmh
        if guard.action == "end-bout" or lower < self.limits.turn_speed_kmh - EPS:
            self._cue(CueKind.ALARM, f"Heart rate {hr} above {guard.ceiling_bpm}: bout over.")
            self._skip()
            return
        self._adopt_override()
        value = self._command_speed(lower, self.facing, reason="heart-rate guard")
        self._cue(CueKind.ALARM, f"Heart rate {hr} above {guard.ceiling_bpm}: {value:g} km/h.")
