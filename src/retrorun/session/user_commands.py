"""The runner's commands: stop, pause, resume, skip, extend, and nudges of speed and incline.

Every command is answered (`CommandResult`: accepted or not, and why). A stop is always
taken (asked again while the belt is being stopped, the session ends at once); the rest
only while the plan runs, except a resume, which a paused session takes. A speed nudge
during a ramp moves the rest of the ramp; otherwise a nudge, like a console change, wins
for the rest of the interval. Nothing is sent that the safety layer has not made safe.
Pure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrorun.profiles import words
from retrorun.session.api import CommandKind, CommandResult, CueKind, Phase
from retrorun.session.lifecycle import STOP_SOURCES, Ending, Stage, Trigger
from retrorun.session.stopping import AT_REST_KMH

if TYPE_CHECKING:
    from retrorun.session.api import UserCommand
    from retrorun.session.course import Course
    from retrorun.session.heart_control import HeartRateControl
    from retrorun.session.interruptions import Interruptions
    from retrorun.session.ledger import Ledger
    from retrorun.session.outbox import Outbox
    from retrorun.session.schedule import Schedule
    from retrorun.session.setpoints import Setpoints
    from retrorun.session.stopping import Stopper
    from retrorun.session.treadmill_events import TreadmillEvents

EPS = 1e-6
DEFAULT_EXTEND_S = 30.0


class UserCommands:
    """Answers the runner's commands (see the module docstring)."""

    def __init__(  # noqa: PLR0913 - a command can reach every part of the session
        self,
        *,
        course: Course,
        belt: Setpoints,
        schedule: Schedule,
        heart: HeartRateControl,
        interruptions: Interruptions,
        treadmill: TreadmillEvents,
        stopper: Stopper,
        out: Outbox,
        ledger: Ledger,
    ) -> None:
        self._course = course
        self._belt = belt
        self._schedule = schedule
        self._heart = heart
        self._interruptions = interruptions
        self._treadmill = treadmill
        self._stopper = stopper
        self._out = out
        self._ledger = ledger

    def answer(self, cmd: UserCommand) -> CommandResult:  # noqa: PLR0911 - one case per kind
        kind = cmd.kind
        if not self._course.life.live:
            return self._while_ending(cmd)
        if kind is CommandKind.STOP:
            self._stopper.end(STOP_SOURCES.get(cmd.source, Ending.STOPPED_BY_RUNNER))
            return CommandResult(cmd, accepted=True, reason="stopping the belt")
        if kind is CommandKind.RESUME:
            return self._resume(cmd)
        if not self._course.running:
            return CommandResult(cmd, accepted=False, reason=f"not while {self._course.state}")
        if kind is CommandKind.PAUSE:
            self._interruptions.pause_by_runner()
            return CommandResult(cmd, accepted=True, reason="paused")
        if kind is CommandKind.SKIP:
            return CommandResult(cmd, *self._schedule.skip())
        if kind is CommandKind.EXTEND:
            return CommandResult(cmd, *self._schedule.extend(cmd.amount or DEFAULT_EXTEND_S))
        if cmd.amount is None:
            return CommandResult(cmd, accepted=False, reason=f"{kind} needs an amount")
        if kind is CommandKind.SPEED:
            return CommandResult(cmd, *self._nudge_speed(cmd.amount))
        return CommandResult(cmd, *self._nudge_incline(cmd.amount))

    def _while_ending(self, cmd: UserCommand) -> CommandResult:
        if cmd.kind is CommandKind.STOP and self._course.life.stage is Stage.STOPPING:
            # Asked again while waiting for the belt to stop: stop waiting.
            measured = self._belt.measured_speed
            self._stopper.finalize(stopped=measured is not None and measured < AT_REST_KMH)
            return CommandResult(cmd, accepted=True, reason="ending now")
        return CommandResult(cmd, accepted=False, reason="the session has ended")

    def _resume(self, cmd: UserCommand) -> CommandResult:
        if not self._course.life.can(Trigger.RESUME):
            return CommandResult(cmd, accepted=False, reason=f"not paused ({self._course.state})")
        if self._course.turn is not None:
            self._course.turn.hold_again(self._ledger.active)
        self._course.move(Trigger.RESUME, "resuming")
        self._treadmill.begin_start()
        return CommandResult(cmd, accepted=True, reason="resuming")

    def _nudge_speed(self, amount: float) -> tuple[bool, str]:
        seg = self._course.segment
        if seg is None or seg.kind == "turn" or self._course.phase is Phase.APPROACH:
            return False, "not while turning"
        ramp_end = self._belt.shift_planned_steps(amount)
        if ramp_end is None:
            self._heart.override()
        requested = self._belt.speed_now() + amount
        value = self._belt.command_speed(requested, self._course.facing, reason="nudge")
        self._out.cue(CueKind.OVERRIDE, words.speed_set(value, self._out.units))
        speed = words.speed_text(value, self._out.units)
        goes_on = (
            f", the ramp goes on to {words.speed_text(ramp_end, self._out.units)}"
            if ramp_end is not None
            else ""
        )
        if abs(value - requested) > EPS:
            return True, f"speed {speed} (limited by the safety layer){goes_on}"
        return True, f"speed {speed}{goes_on}"

    def _nudge_incline(self, amount: float) -> tuple[bool, str]:
        if not self._belt.incline_ok:
            return False, "this treadmill takes no incline targets"
        in_window = self._course.phase is Phase.TURN_WINDOW
        if self._course.facing == "backward" and not in_window:
            return False, "incline changes while backward only in the turn window"
        self._heart.override()
        requested = (self._belt.incline_target or 0.0) + amount
        value = self._belt.command_incline(requested, in_turn=in_window, reason="nudge")
        self._out.cue(CueKind.OVERRIDE, words.incline_set(requested if value is None else value))
        return True, f"incline {value:g} %"
