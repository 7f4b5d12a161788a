"""What the treadmill says, and what the session makes of it.

* The start: Start is sent when the treadmill is ready (and again on a resume), tried
  `START_TRIES` times; the session runs once the belt is measured moving after Start was
  acknowledged, or `START_WAIT_S` after it (no telemetry at all then: no session).
* Each sample: the measured belt, the treadmill's heart rate, distance and energy; then the
  belt judged by what it measures: at rest while running (stopped, said or not), above
  its backward cap or with the deck moved at the console (answered like an announced
  console change), a backward deck beyond the backward range, a belt not following its
  target or reporting in mph (`retrorun.session.interruptions`).
* Each answer to a command (`retrorun.session.commands`), each status event (console
  changes, stops, control and link), and the strap's link.

Pure: time comes from the `Ledger`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retrorun.device.events import (
    BeltStarted,
    BeltStopped,
    ConnectionLost,
    ConsoleInclineChanged,
    ConsoleSpeedChanged,
    ControlLost,
    Reconnected,
    TrainingStatusChanged,
)
from retrorun.ftms.training_status import TrainingStatusCode
from retrorun.profiles import words
from retrorun.profiles.safety import SAFETY_NUMBERS, clamp_incline, clamp_speed
from retrorun.profiles.words import CueGroup
from retrorun.session.api import CueKind, Phase
from retrorun.session.commands import response_fields
from retrorun.session.lifecycle import Ending, Stage, Trigger
from retrorun.session.stopping import AT_REST_KMH

if TYPE_CHECKING:
    from retrorun.device.events import DeviceEvent
    from retrorun.session.commands import CommandTracker
    from retrorun.session.course import Course
    from retrorun.session.following import BeltWatch
    from retrorun.session.heart import HeartRateSources
    from retrorun.session.heart_control import HeartRateControl
    from retrorun.session.inputs import Done, EngineOptions, Ready, Sample, StrapLink
    from retrorun.session.interruptions import Interruptions
    from retrorun.session.ledger import Ledger
    from retrorun.session.outbox import Outbox
    from retrorun.session.schedule import Schedule
    from retrorun.session.setpoints import Setpoints
    from retrorun.session.stopping import Stopper

EPS = 1e-6
START_TRIES = 2
"""A refused Start is tried once more before the session gives up."""
START_WAIT_S = 10.0
"""After Start is acknowledged, begin even if no telemetry shows the belt moving."""
DECK_FAULT_MARGIN_PCT = 0.5
"""A backward deck measured this far beyond the backward incline range is a fault."""
DECK_MOVED_PCT = 0.5
"""A deck measured this far from its incline, and moving away, was moved at the console."""
OVER_CAP_MARGIN_KMH = 0.3
"""A backward belt measured this far above its cap was sped up by someone (or something)."""
STOPPED_SAMPLES = 2
"""Samples in a row at rest while running that mean the belt was stopped (with or without a
Machine Status: some treadmills say nothing)."""
_HALTED_TRAINING = frozenset({TrainingStatusCode.IDLE, TrainingStatusCode.POST_WORKOUT})


class TreadmillEvents:
    """The start, samples, answers and status events (see the module docstring)."""

    def __init__(  # noqa: PLR0913 - every part of the session hears from the treadmill
        self,
        *,
        course: Course,
        belt: Setpoints,
        schedule: Schedule,
        heart: HeartRateControl,
        interruptions: Interruptions,
        stopper: Stopper,
        out: Outbox,
        ledger: Ledger,
        tracker: CommandTracker,
        watch: BeltWatch,
        hr: HeartRateSources,
        options: EngineOptions,
    ) -> None:
        self._course = course
        self._belt = belt
        self._schedule = schedule
        self._heart = heart
        self._interruptions = interruptions
        self._stopper = stopper
        self._out = out
        self._ledger = ledger
        self._tracker = tracker
        self._watch = watch
        self._hr = hr
        self._options = options
        self._start_acked = False
        """The latest Start was acknowledged (a resume waits for its own Start)."""
        self._start_tries = 0
        self._begin_by: float | None = None
        self._at_rest_samples = 0
        self._samples_since_start = 0

    # ------------------------------------------------------------------ the start

    def deadlines(self) -> list[float]:
        """The wall-clock moments something here is due (for `Engine.next_deadline`)."""
        return [self._begin_by] if self._begin_by else []

    def check_start(self, now: float) -> None:
        """Start acknowledged long enough ago: go, or say there is no data."""
        if self._begin_by is not None and now >= self._begin_by - EPS:
            self._begin_by = None
            if self._samples_since_start == 0:
                self._no_data()
            else:
                self._belt_moving()

    def begin_start(self) -> None:
        """Send Start (the first of its tries): at the start, and on a resume."""
        self._start_tries = 1
        self._send_start()

    def _send_start(self) -> None:
        self._start_acked = False
        self._samples_since_start = 0
        self._belt.send("start")

    def ready(self, ready: Ready) -> None:
        if self._course.life.stage is not Stage.CONNECTING:
            return
        self._belt.use_device(ready.device, incline_control=ready.incline_control)
        self._course.move(Trigger.READY, "starting the belt")
        self._out.cue(
            CueKind.START, words.session_start(self._course.plan.name), group=CueGroup.SAFETY
        )
        if self._course.plan.opening_cue:
            # The first step's own cue (a safety-key reminder) comes before the belt moves.
            self._out.cue(CueKind.TEXT, self._course.plan.opening_cue)
        self.begin_start()

    def sample(self, sample: Sample) -> None:
        tel = sample.telemetry
        self._samples_since_start += 1
        self._belt.measure(tel, sample.rates)
        self._hr.feed(tel.heart_rate_bpm, "treadmill", self._ledger.now)
        self._tracker.measured(tel.speed_kmh, tel.inclination_pct)
        raw = tel.distance_m if tel.distance_m is not None else tel.integrated_distance_m
        bucket = self._course.bucket() if self._course.running else None
        self._ledger.totals.feed_distance(bucket, raw)
        self._ledger.totals.energy.feed(
            self._ledger.now,
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
        if self._course.running:  # said before the sample that shows it, so the log reads in order
            self._deck_moved_unannounced()
        self._out.log("telemetry", **fields)
        if (
            self._watch.units.sample(tel.distance_m, tel.integrated_distance_m)
            and self._course.running
        ):
            self._interruptions.belt_fault(
                "it reports its speed in mph (its distance runs 1.61 times the speed it "
                "reports): run with --mph-in-kmh-fields",
                say="The treadmill reports its speed in miles per hour.",
            )
            return
        if self._course.life.stage is Stage.STOPPING:
            self._stopper.stopping(sampled=True)
        elif self._belt_as_expected(tel.speed_kmh):
            speed, before = tel.speed_kmh or 0.0, self._belt.previous_speed
            self._sample_moves_on(moving=speed > 0.0 and speed > before)
            if self._heart.guard():
                self._schedule.skip()

    def _belt_as_expected(self, speed_kmh: float | None) -> bool:
        """Judge the belt by what it measures: a belt at rest while running was stopped
        (said or not), a belt that does not follow its target is a fault. False when the
        session reacted to it."""
        at_rest = speed_kmh is not None and speed_kmh < AT_REST_KMH
        self._at_rest_samples = self._at_rest_samples + 1 if at_rest else 0
        if not self._course.running or speed_kmh is None:
            return True
        if self._at_rest_samples >= STOPPED_SAMPLES:
            self._interruptions.belt_halted(by_key=False, silent=True)
            return False
        if self._over_backward_cap(speed_kmh):
            return False
        if self._deck_beyond_backward_limits():
            return False
        stalled = self._watch.sample(speed_kmh, self._ledger.now, self._belt.rates.reaction_delay_s)
        if stalled is not None:
            self._interruptions.not_following(stalled)
            return False
        return True

    def _over_backward_cap(self, speed_kmh: float) -> bool:
        """A backward belt measured above its cap, with no word of a console change (some
        treadmills say nothing): answered at once, like an announced one."""
        if self._course.facing != "backward" or self._belt.speed_target is None:
            return False
        cap = clamp_speed(
            "backward", speed_kmh, self._belt.incline_target or 0.0, self._belt.limits
        )
        rising = speed_kmh > self._belt.previous_speed + EPS  # coming down is the answer working
        if speed_kmh <= cap.value + OVER_CAP_MARGIN_KMH or not rising:
            return False
        self._out.log("status", status="console_speed", speed_kmh=speed_kmh, measured=True)
        self._console_speed(speed_kmh)
        return True

    def _deck_moved_unannounced(self) -> None:
        """A deck measured moving away from its incline outside a turn window, with no word
        from the treadmill: someone changed it at the console. Handled like an announced
        console change (kept, or brought back within the backward limits)."""
        measured, target = self._belt.measured_incline, self._belt.incline_target
        if measured is None or target is None or self._course.phase is Phase.TURN_WINDOW:
            return
        before = self._belt.previous_incline
        if before is None or abs(measured - target) <= DECK_MOVED_PCT:
            return
        if abs(measured - target) <= abs(before - target) + EPS:
            return  # coming back, or still: not a new change
        self._out.log("status", status="console_incline", incline_pct=measured, measured=True)
        self._console_incline(measured)

    def _deck_beyond_backward_limits(self) -> bool:
        """A backward runner on a deck measured beyond the backward limits (a console change
        the treadmill would not take back): alarm and pause, with the belt."""
        measured = self._belt.measured_incline
        if self._course.facing != "backward" or measured is None:
            return False
        low = SAFETY_NUMBERS["backward_incline_floor"].value
        high = self._belt.limits.backward_incline_max_pct
        if low - DECK_FAULT_MARGIN_PCT <= measured <= high + DECK_FAULT_MARGIN_PCT:
            return False
        self._interruptions.belt_fault(
            f"the deck is at {measured:g} %, beyond the backward range {low:g}-{high:g} %",
            say="Hold the rails: the incline is beyond the backward limit.",
        )
        return True

    def _sample_moves_on(self, *, moving: bool) -> None:
        # A belt still coasting down from the pause is not a belt that resumed.
        """What a sample decides: the start, and the verdict after a reconnect."""
        stage = self._course.life.stage
        if stage is Stage.COUNTDOWN and self._start_acked and moving:
            self._belt_moving()
        self._interruptions.sampled_after_reconnect()

    def _no_data(self) -> None:
        """Started, but no telemetry at all: no telemetry, no session (segments would run
        blind). Say what to do; end when nobody can act on it."""
        if not self._options.interactive:
            self._stopper.end(Ending.NO_DATA)
            return
        if self._out.first_time("no data"):
            self._out.cue(
                CueKind.ALARM,
                "No data from the treadmill. Start the belt on its console.",
            )
        self._begin_by = self._ledger.now + START_WAIT_S

    def _belt_moving(self) -> None:
        """Start acknowledged and the belt runs (or long enough has passed): go."""
        if self._course.life.stage is not Stage.COUNTDOWN:
            return
        self._begin_by = None
        if self._course.index is None:
            self._course.move(Trigger.BELT_MOVING, None)
            self._schedule.next_segment()
        else:
            self._interruptions.resume_running(Trigger.BELT_MOVING, "resumed")

    def done(self, done: Done) -> None:
        tracked = self._tracker.answer(done, self._ledger.now, live=self._course.life.live)
        if tracked is None:
            return
        self._out.log("response", **response_fields(tracked, done))
        request = tracked.send.request
        if request == "stop" and self._course.life.stage is Stage.STOPPING:
            self._stopper.stop_answered()
        elif request == "start":
            self._start_done(tracked.ok, done.reason)
        elif request in ("speed", "incline"):
            for given_up in self._tracker.gave_up:
                what = "speed" if given_up.send.request == "speed" else "incline"
                self._out.cue(
                    CueKind.OVERRIDE,
                    f"The treadmill refused the {what} {given_up.tries} times: "
                    "it keeps what it has.",
                )
            self._tracker.gave_up.clear()
        elif request == "request_control":
            self._interruptions.control_answered(ok=tracked.ok)
        elif request == "pause" and not tracked.ok:
            self._out.cue(CueKind.ALARM, "The treadmill did not pause. Use its stop button.")

    def _start_done(self, ok: bool, reason: str | None) -> None:  # noqa: FBT001
        if self._course.life.stage is not Stage.COUNTDOWN:
            return
        if ok:
            self._stopper.belt_started = self._start_acked = True
            self._begin_by = self._ledger.now + START_WAIT_S
            if self._course.index is not None:
                # After a pause or a stop the treadmill may have forgotten its targets (or
                # resumes at its minimum): they are sent again, never taken as unchanged.
                if self._belt.speed_target is not None:
                    self._belt.resume_speed(self._belt.speed_target)
                window = self._course.phase is Phase.TURN_WINDOW
                # A backward runner's deck only moves in the turn window, even to restore it.
                if self._belt.incline_target is not None and (
                    self._course.facing == "forward" or window
                ):
                    self._belt.command_incline(
                        self._belt.incline_target, in_turn=window, force=True
                    )
            return
        if self._start_tries < START_TRIES:
            self._start_tries += 1
            self._send_start()
            return
        self._stopper.end(Ending.START_REFUSED, reason or "refused")

    def status(self, event: DeviceEvent) -> None:
        if isinstance(event, ConsoleSpeedChanged):
            self._out.log("status", status="console_speed", speed_kmh=event.speed_kmh)
            self._console_speed(event.speed_kmh)
        elif isinstance(event, ConsoleInclineChanged):
            self._out.log("status", status="console_incline", incline_pct=event.inclination_pct)
            self._console_incline(event.inclination_pct)
        elif isinstance(event, BeltStopped):
            status = (
                "safety_key"
                if event.by_safety_key
                else ("console_pause" if event.paused else "console_stop")
            )
            self._out.log("status", status=status)
            self._interruptions.belt_halted(by_key=event.by_safety_key)
        elif isinstance(event, BeltStarted):
            self._out.log("status", status="console_start")
            self._interruptions.console_start()
        elif isinstance(event, ControlLost):
            self._out.log("status", status="control_lost", reason=event.reason)
            self._interruptions.control_lost(event)
        elif isinstance(event, ConnectionLost):
            self._out.log("status", status="connection_lost", reason=event.reason)
            self._interruptions.connection_lost()
        elif isinstance(event, Reconnected):
            self._out.log("status", status="reconnected", attempts=event.attempts)
            self._interruptions.reconnected()
        elif isinstance(event, TrainingStatusChanged):
            self._training_status(event)

    def _training_status(self, event: TrainingStatusChanged) -> None:
        """Logged; Idle or Post-Workout while running is a stop, even without a status."""
        fields = {"training_status": event.status, "status_code": event.status_code}
        self._out.log("status", status="training_status", **fields)
        if self._course.running and event.status_code in _HALTED_TRAINING:
            self._interruptions.belt_halted(by_key=False, silent=True)

    def _console_speed(self, speed: float) -> None:
        if not self._course.life.live or self._course.index is None:
            return
        self._belt.set_at_console(speed)
        self._heart.override()
        safe = clamp_speed(
            self._course.facing, speed, self._belt.incline_target or 0.0, self._belt.limits
        )
        if safe.limited and safe.value < speed:
            # Above a cap: back under it at once, in one step (down is the safe way).
            reason = safe.reasons[0]
            self._belt.send_speed(safe.value, f"console {speed:g} km/h: {reason}")
            self._out.cue(
                CueKind.ALARM,
                words.console_speed_refused(speed, safe.value, reason, self._out.units),
            )
            return
        self._out.cue(CueKind.OVERRIDE, words.console_speed_kept(speed, self._out.units))

    def _console_incline(self, incline: float) -> None:
        if not self._course.life.live or self._course.index is None:
            return
        self._belt.incline_target = incline
        self._heart.override()
        safe = clamp_incline(
            self._course.facing,
            incline,
            self._belt.speed_now(),
            self._belt.limits,
            current_pct=None,
            in_turn=True,
        )
        if safe.limited:
            # Beyond the backward incline limits: back within them at once.
            self._belt.send(
                "incline", safe.value, reason=f"console {incline:g} %: {safe.reasons[0]}"
            )
            self._belt.incline_target = safe.value
            self._out.cue(
                CueKind.ALARM, words.console_incline_refused(incline, safe.value, safe.reasons[0])
            )
        else:
            self._out.cue(CueKind.OVERRIDE, words.console_incline_kept(incline))
        # A steeper deck lowers the backward speed cap: the speed follows at once.
        if self._course.facing == "backward" and self._belt.speed_target is not None:
            speed = clamp_speed("backward", self._belt.speed_target, incline, self._belt.limits)
            if speed.value < self._belt.speed_target - EPS:
                self._belt.send_speed(speed.value, f"console incline: {speed.reasons[0]}")
                self._watch.target(speed.value, self._ledger.now, self._belt.measured_speed)

    def strap_link(self, event: StrapLink) -> None:
        fields: dict[str, object] = {"name": event.name} if event.name else {}
        if event.detail:
            fields["reason"] = event.detail
        self._out.log(
            "status", status="strap_connected" if event.connected else "strap_lost", **fields
        )
