"""What the belt was told and what it shows, and the one way a command is sent to it.

Every speed and incline goes through `retrorun.profiles.safety` (clamp, backward ramp rate,
incline only in the window while backward) just before it is sent (`Setpoints.command_speed`,
`Setpoints.command_incline`); a changed value is logged with its reason and a cap announced
once per segment. The plan's speed steps wait here, in active time, until they are due
(`Setpoints.steps`): a change the backward ramp rate held back follows as a *catch-up* step.

Pure: time comes from the `Ledger`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from retrorun.device.ramp import DEFAULT_RATES
from retrorun.profiles import words
from retrorun.profiles.safety import backward_ramp, clamp_incline, clamp_speed, limit_speed_change
from retrorun.session.api import CueKind, Phase

if TYPE_CHECKING:
    from collections.abc import Sequence

    from retrorun.device.events import Telemetry
    from retrorun.device.ramp import RampRates
    from retrorun.profiles.models import Direction
    from retrorun.profiles.plan import Segment
    from retrorun.profiles.safety import DeviceRange, SafetyLimits
    from retrorun.session.commands import CommandTracker
    from retrorun.session.course import Course
    from retrorun.session.following import BeltWatch
    from retrorun.session.inputs import Request
    from retrorun.session.ledger import Ledger
    from retrorun.session.outbox import Outbox

EPS = 1e-6
AT_SPEED_KMH = 0.5
"""A belt within this of its target "still runs at the expected speed"."""
DECK_TOLERANCE_PCT = 0.3
"""The deck is at its incline within this."""
STOP_MARGIN_S = 3.0
"""On top of what the measured deceleration says a stop takes: then Stop is sent again."""
RATE_SLACK_S = 1e-4


@dataclass(frozen=True)
class Step:
    """A speed command due at active time ``at``."""

    at: float
    speed_kmh: float
    facing: Direction
    turn: bool
    """Part of a turn (never cancelled by an override or a nudge)."""
    catch_up: bool = False
    """The rest of a change the backward ramp rate held back; dropped by any newer request."""


class Setpoints:
    """The belt's targets and measurements, the speed steps due, and every command sent."""

    def __init__(
        self,
        limits: SafetyLimits,
        course: Course,
        out: Outbox,
        ledger: Ledger,
        tracker: CommandTracker,
        watch: BeltWatch,
    ) -> None:
        self.limits = limits
        self.incline_ok = True
        """Whether the treadmill takes incline targets at all."""
        self.rates: RampRates = DEFAULT_RATES
        """What the device layer believes about the belt's ramps (from each sample)."""
        self.speed_target: float | None = None
        self.incline_target: float | None = None
        self.speed_sent_at = -math.inf
        self.measured_speed: float | None = None
        self.measured_incline: float | None = None
        self.previous_speed = 0.0
        """The speed measured by the sample before the latest."""
        self.previous_incline: float | None = None
        self.steps: list[Step] = []
        """The speed steps due in active time, in order."""
        self._course = course
        self._out = out
        self._ledger = ledger
        self._tracker = tracker
        self._watch = watch

    # ------------------------------------------------------------------ what is known

    def use_device(self, device: DeviceRange | None, *, incline_control: bool) -> None:
        """The treadmill's range is known: the limits narrow to it."""
        self.limits = self.limits.with_device(device)
        self.incline_ok = incline_control

    def measure(self, telemetry: Telemetry, rates: RampRates) -> None:
        """A sample: what the belt shows now (the previous values kept for comparison)."""
        self.rates = rates
        self.previous_speed = self.measured_speed or 0.0
        self.previous_incline = self.measured_incline
        if telemetry.speed_kmh is not None:
            self.measured_speed = telemetry.speed_kmh
        if telemetry.inclination_pct is not None:
            self.measured_incline = telemetry.inclination_pct

    def speed_now(self) -> float:
        return self.speed_target if self.speed_target is not None else 0.0

    def belt_speed(self) -> float:
        """The belt's speed as measured (as commanded while nothing is measured)."""
        return self.measured_speed if self.measured_speed is not None else self.speed_now()

    def at_speed(self) -> bool:
        target, measured = self.speed_target, self.measured_speed
        return (
            target is not None
            and measured is not None
            and measured > 0
            and abs(measured - target) <= AT_SPEED_KMH
        )

    def deck_ready(self) -> bool:
        """Whether the deck is measured at the incline commanded (unknown counts as there:
        a treadmill that reports no incline cannot be waited for)."""
        target, measured = self.incline_target, self.measured_incline
        if not self.incline_ok or target is None or measured is None:
            return True
        return abs(measured - target) <= DECK_TOLERANCE_PCT

    def turn_kmh(self, seg: Segment) -> float:
        """The turn speed the belt is really told for the turn `seg` (a treadmill's minimum
        may raise it)."""
        return clamp_speed(
            seg.from_direction, seg.speed_kmh, self.incline_target or 0.0, self.limits
        ).value

    def coast_s(self) -> float:
        """How long the belt should take to come to rest from the speed measured now (its
        measured reaction and deceleration), with a margin."""
        return self.rates.time_to_change_speed(self.measured_speed or 0.0, 0.0) + STOP_MARGIN_S

    # ------------------------------------------------------------------ sending

    def send(
        self,
        request: Request,
        value: float | None = None,
        *,
        reason: str | None = None,
        retry: bool = False,
    ) -> int:
        """Send one command as it is (made safe by the caller), log it; its sequence number."""
        self._course.note_phase()  # the log says which way the runner faced, in which phase
        send = self._tracker.issue(request, value, retry=retry)
        if request == "speed" and value is not None:
            self._watch.target(value, self._ledger.now, self.measured_speed)
        elif request in ("pause", "stop"):
            self._watch.reset()
        fields: dict[str, Any]
        if request == "speed":
            fields = {"speed_kmh": value}
        elif request == "incline":
            fields = {"incline_pct": value}
        else:
            fields = {"action": request}
        if reason:
            fields["reason"] = reason
        self._out.log("command", **fields)
        self._out.add(send)
        return send.seq

    def set_at_console(self, speed: float) -> None:
        """The console set the belt to `speed`: that is its target from now."""
        self.speed_target = speed
        self.speed_sent_at = self._ledger.now
        self._watch.target(speed, self._ledger.now, self.measured_speed)

    def send_speed(self, value: float, reason: str) -> None:
        """Send `value` as the new speed target at once (already safe: a way down)."""
        self.send("speed", value, reason=reason)
        self.speed_target, self.speed_sent_at = value, self._ledger.now

    def command_speed(
        self,
        requested: float,
        facing: Direction,
        *,
        reason: str | None = None,
        force: bool = False,
        retry: bool = False,
        step: Step | None = None,
    ) -> float:
        """Send ``requested`` (made safe) unless it is already the target; the value sent."""
        if step is None or not step.catch_up:
            self.steps = [s for s in self.steps if not s.catch_up]
        # The steeper of the deck asked for and the deck measured sets the steep cap.
        deck = max(self.incline_target or 0.0, self.measured_incline or 0.0)
        clamped = clamp_speed(facing, requested, deck, self.limits)
        value, why = clamped.value, list(clamped.reasons)
        if self._course.phase is Phase.APPROACH and self.speed_target is not None:
            # Slowing toward a turn never speeds the runner up (a console slow-down or a
            # heart-rate step-down below turn speed stays where it is).
            ceiling = min(self.speed_target, self.measured_speed or self.speed_target)
            if value > ceiling + EPS:
                value = ceiling
                why.append("never faster while slowing for a turn")
        if facing == "backward" and self.speed_target is not None:
            # The plan spaces its steps exactly at the ramp rate, with offsets rounded to
            # the microsecond: a hair of slack keeps a step on time from being clipped.
            elapsed = self._ledger.now - self.speed_sent_at + RATE_SLACK_S
            limited = limit_speed_change(facing, self.speed_target, value, elapsed, self.limits)
            if limited.limited:
                value = limited.value
                why += limited.reasons
                # The rest of the change follows at the ramp rate.
                wait = min(abs(requested - value) / self.limits.backward_ramp_kmh_per_s, 2.0)
                part_of_turn = step.turn if step else False
                again = Step(
                    self._ledger.active + wait, requested, facing, part_of_turn, catch_up=True
                )
                self.steps = sorted([*self.steps, again], key=lambda s: s.at)
        if not force and self.speed_target is not None and abs(value - self.speed_target) < EPS:
            return value
        self.send("speed", value, reason=_reasons(reason, why), retry=retry)
        self.speed_sent_at = self._ledger.now
        self.speed_target = value
        if clamped.limited and self._out.first_time(clamped.reasons[0]):
            # Caps are announced (once per segment); pacing by the ramp rate is only logged.
            units = self._out.units
            self._out.cue(CueKind.OVERRIDE, words.speed_limited(value, clamped.reasons[0], units))
        return value

    def command_incline(
        self,
        requested: float,
        *,
        in_turn: bool,
        reason: str | None = None,
        force: bool = False,
        retry: bool = False,
    ) -> float | None:
        """Send ``requested`` (made safe) unless it is already the target; the value sent
        (None: this treadmill takes no incline)."""
        if not self.incline_ok:
            return None
        facing = self._course.facing
        if facing == "backward" and not in_turn and self.incline_target is not None:
            # The deck never moves under a backward runner outside a turn window: not for a
            # plan step, a retry, nor an increment rounding the current value.
            return self.incline_target
        clamped = clamp_incline(
            facing,
            requested,
            self.speed_now(),
            self.limits,
            current_pct=self.incline_target,
            in_turn=in_turn,
        )
        value = clamped.value
        if not force and self.incline_target is not None and abs(value - self.incline_target) < EPS:
            return value
        why = clamped.reasons
        self.send("incline", value, reason=_reasons(reason, why), retry=retry)
        self.incline_target = value
        if why and self._out.first_time(why[0]):
            self._out.cue(CueKind.OVERRIDE, words.incline_limited(value, why[0]))
        return value

    def resume_speed(self, target: float) -> None:
        """The speed after a resume. Backward, the belt starts from rest: turn speed first,
        held for the settle time, then the backward ramp up to the target."""
        facing = self._course.facing
        turn_kmh = clamp_speed("backward", self.limits.turn_speed_kmh, 0.0, self.limits).value
        if facing != "backward" or target <= turn_kmh + EPS:
            self.command_speed(target, facing, reason="resume", force=True)
            return
        self.send_speed(turn_kmh, "resume: turn speed first, then the backward ramp")
        start = self._ledger.active + self.limits.settle_s
        ramp = backward_ramp(turn_kmh, target, self.limits)
        self.steps = [s for s in self.steps if s.turn] + [
            Step(start + offset, speed, "backward", turn=False) for offset, speed in ramp
        ]

    # ------------------------------------------------------------------ the steps due

    def keep_turn_steps(self) -> None:
        """Drop the plan's remaining interval steps (a change by hand wins), never a turn's."""
        self.steps = [s for s in self.steps if s.turn]

    def shift_planned_steps(self, amount: float) -> float | None:
        """While the plan's own speed steps are still coming (a ramp, or the gradual climb
        to a backward speed), a nudge moves the rest of them by `amount`: the ramp goes on,
        ending that much higher or lower, rather than stopping where it is. The new end
        (made safe when it is sent, like every step), or None when no such step is left."""
        planned = [s for s in self.steps if not s.turn and not s.catch_up]
        if not planned:
            return None
        kept = [s for s in self.steps if s.turn]
        moved = [replace(s, speed_kmh=max(0.0, s.speed_kmh + amount)) for s in planned]
        self.steps = sorted([*kept, *moved], key=lambda s: s.at)
        return round(moved[-1].speed_kmh, 2)


def _reasons(source: str | None, limits: Sequence[str]) -> str | None:
    """A command's reason in the log: who asked (a nudge, the console, the heart-rate guard)
    first, then what the safety layer changed."""
    parts = [source, *limits] if source else limits
    return "; ".join(parts) if parts else None
