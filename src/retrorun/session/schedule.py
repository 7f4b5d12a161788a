"""The plan, segment by segment: intervals on their clock, turns through their phases.

Segments. An interval commands its plan steps at their offsets and ends after its time
(plus extensions) or its metres (the treadmill's distance, else integrated belt speed). Its
clock starts once the belt is measured at its speed (or when it long should be): the RAMP
phase. Before an interval that leads to a turn, the turn's steps are commanded early so the
belt is at turn speed when the window is due: this is the APPROACH phase
(`retrorun.session.turn`). Skipping never skips a turn. Each interval's cues
(`retrorun.session.cues`) are said when due, and a zone step's hold is asked for its
decision (`retrorun.session.heart_control`).

`Schedule` keeps what belongs to the segment running (its pending cues, whether the coming
turn was announced, the ramp-in); the segment itself, the turn and the facing are the
`Course`'s. Pure: time comes from the `Ledger`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrorun.profiles import words
from retrorun.profiles.words import CueGroup
from retrorun.session import turn as turns
from retrorun.session.api import CueKind, Phase
from retrorun.session.conditions import UntilWatch, judge_rounds
from retrorun.session.cues import (
    PendingCue,
    interval_cues,
    settle_text,
    slows,
    turn_now_text,
    turn_warning_text,
)
from retrorun.session.following import AT_TARGET_KMH
from retrorun.session.lifecycle import Ending
from retrorun.session.setpoints import Step

if TYPE_CHECKING:
    from retrorun.profiles.plan import Segment
    from retrorun.profiles.timeline import RoundEnd
    from retrorun.session.course import Course
    from retrorun.session.heart_control import HeartRateControl
    from retrorun.session.interruptions import Interruptions
    from retrorun.session.ledger import Ledger
    from retrorun.session.outbox import Outbox
    from retrorun.session.setpoints import Setpoints
    from retrorun.session.stopping import Stopper

EPS = 1e-6
RAMP_IN_SLACK_S = 10.0
"""How long past its expected arrival an interval's clock waits for the belt to be at speed."""


class Schedule:
    """Where the plan is due next, and moving on through it (see the module docstring)."""

    def __init__(
        self,
        course: Course,
        belt: Setpoints,
        heart: HeartRateControl,
        interruptions: Interruptions,
        stopper: Stopper,
        out: Outbox,
        ledger: Ledger,
    ) -> None:
        self._course = course
        self._belt = belt
        self._heart = heart
        self._interruptions = interruptions
        self._stopper = stopper
        self._out = out
        self._ledger = ledger
        self._cues: list[PendingCue] = []
        self._turn_warned = False
        """The runner was told the coming turn (by the interval before it)."""
        self._ramp_in_until: float | None = None
        """While the belt is on its way to the interval's speed, the active time at which the
        interval's clock starts anyway (see `_ramp_in`)."""
        self._until = UntilWatch()
        """An ``until_heart_rate`` interval's condition (`retrorun.session.conditions`)."""
        self._blocks_told: set[int] = set()
        """Runs of blocks ending on a heart rate (by `RoundEnd.skip_to`) whose runner was
        told there is no heart rate to end them on."""

    def remaining_s(self) -> float | None:
        """Seconds left in the segment (a distance interval's at the speed now)."""
        seg = self._course.segment
        if seg is None:
            return None
        if self._course.turn is not None:
            return self._course.turn.remaining_s(self._ledger.active)
        end = self._ledger.planned_end(seg)
        if end is not None:
            return max(0.0, end - self._ledger.active)
        speed = self._belt.measured_speed or self._belt.speed_target or seg.speed_kmh
        left = self._ledger.metres_left(seg) or 0.0
        if speed <= 0:
            return None
        return left / (speed / 3.6)

    def remaining_m(self) -> float | None:
        """Metres left in a distance interval."""
        seg = self._course.segment
        return None if seg is None else self._ledger.metres_left(seg)

    @property
    def elapsed_s(self) -> float:
        """Counted seconds of the segment so far."""
        return self._ledger.segment_elapsed_s if self._course.index is not None else 0.0

    def due_active(self) -> list[float]:
        """Active times at which something is due (for `next_deadline`)."""
        seg = self._course.segment
        if seg is None:
            return []
        due = [s.at for s in self._belt.steps[:1]]
        if self._course.turn is not None:
            return due + self._course.turn.due()
        end = self._ledger.planned_end(seg)
        for cue in self._cues:
            if cue.at_s is not None:
                due.append(self._ledger.seg_start + cue.at_s)
            elif end is not None and cue.before_end_s is not None:
                due.append(end - cue.before_end_s)
            elif end is not None and cue.halfway:
                due.append(self._ledger.seg_start + (end - self._ledger.seg_start) / 2)
        if end is not None:
            due.append(end)
        if self._ramp_in_until is not None:
            due.append(self._ramp_in_until)
        zone_at = self._heart.zone_due()
        if zone_at is not None:
            due.append(zone_at)
        return due

    def send_due_steps(self) -> None:
        """Command every speed step due by now, in order."""
        while (
            self._course.running
            and self._belt.steps
            and self._belt.steps[0].at <= self._ledger.active + EPS
        ):
            step = self._belt.steps.pop(0)
            self._belt.command_speed(step.speed_kmh, step.facing, step=step)

    def interval_progress(self, seg: Segment) -> float | None:
        """When the interval ended (planned, in active time), or None while it runs."""
        if self._ramp_in_until is not None:
            self._ramp_in()
        self._fire_cues(seg)
        self._heart.zone_control(seg)
        if self._ramp_in_until is not None:
            return None
        if self._until_met(seg):
            return self._ledger.active
        if seg.distance_m is not None:
            return self._ledger.active if (self.remaining_m() or 0.0) <= EPS else None
        left = self.remaining_s()
        if left is None or left > EPS:
            return None
        # The planned end, not the moment this ran: lateness must not carry into the next
        # segment, or it would add up over a session.
        return self._ledger.planned_end(seg)

    def _until_met(self, seg: Segment) -> bool:
        """Whether an ``until_heart_rate`` interval ends now (`retrorun.session.conditions`)."""
        until, hr = seg.until_heart_rate, self._heart.heart_rate()
        if until is None:
            return False
        verdict = self._until.judge(until, hr, self.elapsed_s)
        if verdict == "no_heart_rate":
            self._out.log("condition", outcome=verdict, until=until.to_json())
            self._out.cue(CueKind.TEXT, words.until_without_heart_rate(self.remaining_s()))
        elif verdict == "met" and hr is not None:
            self._out.log("condition", outcome=verdict, until=until.to_json(), heart_rate_bpm=hr)
            self._out.cue(CueKind.TEXT, words.until_heart_rate_met(hr, until.condition))
        return verdict == "met"

    def _until_ended(self) -> None:
        """The session log's word on how an ``until_heart_rate`` interval ended otherwise."""
        seg = self._course.segment
        if seg is not None and seg.until_heart_rate is not None and not self._until.met:
            outcome = self._until.outcome(self.remaining_s())
            self._out.log("condition", outcome=outcome, until=seg.until_heart_rate.to_json())

    def _round_ended(self, ends: tuple[RoundEnd, ...], nxt: int) -> int:
        """A round of one or more blocks ending on a heart rate ended: the index of the
        segment to go on with (after the block's last round when its condition is met)."""
        hr = self._heart.heart_rate()
        for verdict in judge_rounds(ends, hr):
            end = verdict.end
            fields = end.to_json()
            del fields["skip_to"]
            bpm = {"heart_rate_bpm": hr} if hr is not None and verdict.outcome != "rounds" else {}
            self._out.log("condition", outcome=verdict.outcome, **fields, **bpm)
            if verdict.outcome == "no_heart_rate" and end.skip_to not in self._blocks_told:
                self._blocks_told.add(end.skip_to)
                self._out.cue(CueKind.TEXT, words.rounds_without_heart_rate(end.times))
            if verdict.outcome == "met" and hr is not None:
                self._out.cue(CueKind.TEXT, words.rounds_met(hr, end.until.condition))
                self._turn_not_next(end.skip_to)
                return end.skip_to
        return nxt

    def _turn_not_next(self, index: int) -> None:
        """A turn announced for the next round is not what follows the block: say so when
        the runner goes on facing the same way; a turn there warns for itself."""
        segments = self._course.plan.segments
        after = segments[index] if index < len(segments) else None
        announced = self._course.next_turn() if self._turn_warned else None
        if (
            announced is not None
            and after is not None
            and after.kind == "turn"
            and after.direction == announced.direction
        ):
            return  # the same turn comes after the block: announced already
        if self._turn_warned and after is not None and after.kind == "interval":
            self._out.cue(CueKind.TEXT, words.no_turn_after_all(after.direction))
        self._turn_warned = False

    def _ramp_in(self) -> None:
        """An interval's time (and metres) count at its speed: while the belt is on its way
        there, the interval's clock is held at its start. It starts when the belt is
        measured at the speed commanded (every step of a backward ramp sent), or at the
        latest when the ramp should long be over (a belt that does not follow is the belt
        watch's business, not a reason to stretch the interval)."""
        steps_left = any(not s.turn for s in self._belt.steps)
        target, measured = self._belt.speed_target, self._belt.measured_speed
        there = (
            not steps_left
            and target is not None
            and measured is not None
            and abs(measured - target) <= AT_TARGET_KMH
        )
        if there or self._ledger.active + EPS >= (self._ramp_in_until or 0.0):
            self._ramp_in_until = None
            self._course.clock_started()
        self._ledger.restart_segment(self._ledger.active)

    def turn_progress(self) -> float | None:
        """When the turn ended (planned, in active time), or None while it runs."""
        turn = self._course.turn
        if turn is None:
            return None
        seg = turn.segment
        turn_kmh = self._belt.turn_kmh(seg)
        if self._belt.speed_target is not None:  # slower than turn speed stays slower
            turn_kmh = min(turn_kmh, self._belt.speed_target)
        events = turn.advance(
            self._ledger.active,
            self._belt.measured_speed,
            turn_kmh,
            deck_ready=self._belt.deck_ready(),
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
            self._out.cue(CueKind.COUNTDOWN, str(event.digit), beeps=1, group=CueGroup.SAFETY)
        elif isinstance(event, turns.WindowOpened):
            for step in self._belt.steps:  # anything still queued is late: send it now
                self._belt.command_speed(step.speed_kmh, step.facing, step=step)
            self._belt.steps.clear()
            self._course.facing = seg.direction
            self._out.cue(
                CueKind.TURN_NOW,
                turn_now_text(seg),
                speed_kmh=self._belt.measured_speed,
                late_s=round(event.late_s, 3),
            )
            self._belt.command_incline(seg.incline_pct, in_turn=True)
        elif isinstance(event, turns.Settling):
            self._out.cue(CueKind.START, settle_text(seg), group=CueGroup.SAFETY)
        elif isinstance(event, turns.WindowExtended) and turn.extended_s <= event.by_s + EPS:
            self._out.cue(CueKind.START, words.DECK_MOVING, group=CueGroup.SAFETY)

    def _turn_overdue(
        self, event: turns.ArrivalOverdue | turns.DeckOverdue, turn_kmh: float
    ) -> None:
        if isinstance(event, turns.DeckOverdue):
            self._interruptions.belt_fault(
                f"the deck did not reach {self._belt.incline_target or 0.0:g} %",
                say="Do not start running: the incline did not reach its setting.",
            )
            return
        measured = event.measured_kmh
        runs = "no speed reported" if measured is None else f"{measured:.1f} km/h"
        self._interruptions.belt_fault(
            f"it runs {runs}, not the turn speed {turn_kmh:.1f} km/h",
            say="Do not turn: the belt did not slow to turn speed.",
        )

    def _fire_cues(self, seg: Segment) -> None:
        elapsed = self.elapsed_s
        left = self.remaining_s()
        keep: list[PendingCue] = []
        for cue in self._cues:
            if cue.at_s is not None:
                due = elapsed + EPS >= cue.at_s
            elif cue.before_end_s is not None:
                due = left is not None and left <= cue.before_end_s + EPS
            elif seg.distance_m is not None:
                due = self._ledger.segment_distance_m * 2 >= seg.distance_m + self._ledger.extra_m
            else:
                due = elapsed * 2 + EPS >= (seg.duration_s or 0.0) + self._ledger.extra_s
            if not due:
                keep.append(cue)
            elif cue.kind is CueKind.TURN_WARNING:
                nxt = self._course.next_turn()
                if nxt is not None:
                    self._warn_turn(nxt)
            else:
                self._out.cue(cue.kind, cue.text, beeps=cue.beeps, group=cue.group, level=cue.level)
        self._cues = keep

    def _warn_turn(self, nxt: Segment) -> None:
        if self._turn_warned:
            return
        self._turn_warned = True
        # Counted to the moment the runner turns: the window opens once the belt has
        # slowed to turn speed, after the end of this interval.
        offset = turns.window_offset_s(nxt, self._belt.speed_now(), self._belt.rates)
        seconds = (self.remaining_s() or 0.0) + offset
        slowing = slows(self._belt.speed_now(), self._belt.turn_kmh(nxt))
        self._out.cue(CueKind.TURN_WARNING, turn_warning_text(nxt, seconds, slowing=slowing))

    def next_segment(self, start: float | None = None) -> None:
        """End the current segment and begin the next at active time ``start`` (now when
        None)."""
        if self._course.turn is not None:
            self._ledger.totals.turns += 1
        self._until_ended()
        nxt = 0 if self._course.index is None else self._course.index + 1
        seg = self._course.segment
        if seg is not None and seg.round_ends:
            nxt = self._round_ended(seg.round_ends, nxt)
        if nxt >= len(self._course.plan.segments):
            self._course.index = None
            self._course.turn = None
            self._stopper.end(Ending.FINISHED)
            return
        self._begin(nxt, self._ledger.active if start is None else start)

    def _begin(self, index: int, start: float) -> None:
        seg = self._course.plan.segments[index]
        warned = self._turn_warned and seg.kind == "turn"
        self._course.index = index
        self._ledger.begin_segment(start)
        self._out.new_segment()
        self._turn_warned = False
        self._ramp_in_until = None
        self._heart.new_segment()
        self._until = UntilWatch()
        ends = {"duration_s": seg.duration_s} if seg.duration_s is not None else {}
        if seg.distance_m is not None:
            ends = {"distance_m": seg.distance_m}
        until = {"until_heart_rate": seg.until_heart_rate.to_json()} if seg.until_heart_rate else {}
        self._out.log(
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
            offset = turns.window_offset_s(seg, self._belt.belt_speed(), self._belt.rates)
            if not warned:
                # Reached sooner than planned (a heart rate met, a block's rounds over, a
                # skip, the guard): the runner, who may face away from the screen, still
                # hears the turn coming as long ahead as a planned one; the belt waits at
                # turn speed meanwhile.
                offset = max(offset, self._course.plan.limits.turn_warning_s)
            self._cues = []
            self._course.turn = turns.Turn.begin(seg, start, offset)
            self._belt.steps = [
                Step(start + s.offset_s, s.speed_kmh, seg.from_direction, turn=True)
                for s in seg.speed_steps
            ]
            if not warned:
                slowing = slows(self._belt.belt_speed(), self._belt.turn_kmh(seg))
                self._out.cue(CueKind.TURN_WARNING, turn_warning_text(seg, offset, slowing=slowing))
            return
        self._course.turn = None
        self._course.facing = seg.direction
        # A keep_speed step commands nothing: the belt goes on as it runs.
        self._belt.steps = [
            Step(start + s.offset_s, s.speed_kmh, seg.direction, turn=False)
            for s in seg.speed_steps
            if not seg.keep_speed
        ]
        self._course.interval_phase = Phase.STEADY
        if seg.ramp_from_kmh is None and seg.duration_s is not None and not seg.keep_speed:
            # A ramp of the plan runs on the clock, and a distance counts every metre; any
            # other interval counts from the moment the belt is at its speed (`_ramp_in`).
            arrive = self._belt.rates.time_to_change_speed(self._belt.belt_speed(), seg.speed_kmh)
            self._ramp_in_until = start + seg.speed_steps[-1].offset_s + arrive + RAMP_IN_SLACK_S
            self._course.interval_phase = Phase.RAMP
        nxt = self._course.next_turn()
        delay = (
            turns.window_offset_s(nxt, seg.speed_kmh, self._belt.rates) if nxt is not None else 0.0
        )
        before = self._course.plan.segments[index - 1] if index > 0 else None
        self._cues = interval_cues(
            seg,
            window_delay_s=delay,
            into_turn=nxt is not None,
            after_turn=before is not None and before.kind == "turn",
        )
        self._belt.command_incline(seg.incline_pct, in_turn=False)

    def skip(self) -> tuple[bool, str]:
        seg = self._course.segment
        if seg is None:
            return False, "nothing to skip"
        if seg.kind == "turn":
            return False, "a turn cannot be skipped: finish turning first"
        self.next_segment()  # the end of a block's round may go on past the next segment
        return True, "skipped" if self._course.turn is None else "skipped to the turn"

    def extend(self, seconds: float) -> tuple[bool, str]:
        seg = self._course.segment
        if seg is None or seg.kind == "turn" or seconds <= 0:
            return False, "only an interval can be extended, not a turn"
        self._ledger.extend(seg, seconds, self._belt.speed_now())
        return True, f"extended by {seconds:g} s"
