"""The plan over time: segments, their speed steps and cues, turns and their windows.

`Schedule._progress` runs after every input while the session clock runs: it sends the
speed steps that are due, says the cues that are due, prepares the next turn early enough
for the belt to arrive at turn speed (`retrorun.session.turns`), holds a turn's window
until the belt is there, and moves to the next segment when one is done.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrorun.session import turns
from retrorun.session.api import CueKind, Phase
from retrorun.session.cues import (
    BEEP_TIMES_S,
    PendingCue,
    interval_cues,
    settle_text,
    turn_now_text,
    turn_warning_text,
)
from retrorun.session.machine import EPS, Machine, _Step

ON_TIME_S = 0.05
"""A window opened within this of its planned start opened on time (timer jitter)."""

if TYPE_CHECKING:
    from retrorun.profiles.plan import Segment


class Schedule(Machine):
    """What is due when, in active time."""

    def _due_active(self) -> list[float]:
        """Active times at which something is due (for `next_deadline`)."""
        seg = self.segment
        if seg is None:
            return []
        due = [s.at for s in self._queue[:1]]
        if seg.kind == "interval":
            due += self._interval_due(seg)
        elif self._window_start is None:
            due += [self._window_at, self._window_at + turns.MAX_ARRIVAL_WAIT_S]
        elif self._settle_start is None:
            due += [*self._beeps, self._window_start + (seg.window_s or 0.0)]
        else:
            due.append(self._settle_start + (seg.settle_s or 0.0))
        return due

    def _interval_due(self, seg: Segment) -> list[float]:
        due: list[float] = []
        end = None
        if seg.duration_s is not None:
            end = self._seg_start + seg.duration_s + self._extra_s
        for cue in self._cues:
            if cue.at_s is not None:
                due.append(self._seg_start + cue.at_s)
            elif end is not None and cue.before_end_s is not None:
                due.append(end - cue.before_end_s)
            elif end is not None and cue.halfway:
                due.append(self._seg_start + (end - self._seg_start) / 2)
        if end is not None:
            due.append(end)
            nxt = self._next_turn()
            if nxt is not None and not self._turn_prepared:
                due.append(end - turns.approach_s(nxt, self._speed_now(), self._rates))
        return due

    def _progress(self) -> None:
        for _ in range(len(self.plan.segments) + 4):
            if not self._running:
                return
            self._send_due_steps()
            seg = self.segment
            if seg is None:
                return
            ended_at = (
                self._interval_progress(seg) if seg.kind == "interval" else self._turn_progress(seg)
            )
            if ended_at is None:
                self._send_due_steps()  # a turn prepared just now may have a step due now
                return
            self._next_segment(ended_at)

    def _send_due_steps(self) -> None:
        while self._running and self._queue and self._queue[0].at <= self._active + EPS:
            step = self._queue.pop(0)
            self._command_speed(step.speed_kmh, step.facing, step=step)

    def _interval_progress(self, seg: Segment) -> float | None:
        """When the interval ended (planned, in active time), or None while it runs."""
        self._fire_cues(seg)
        nxt = self._next_turn()
        left = self.segment_remaining_s()
        if (
            nxt is not None
            and not self._turn_prepared
            and left is not None
            and left <= turns.approach_s(nxt, self._speed_now(), self._rates) + EPS
        ):
            self._prepare_turn(nxt)
        if seg.distance_m is not None:
            return self._active if (self.segment_remaining_m() or 0.0) <= EPS else None
        if left is None or left > EPS:
            return None
        # The planned end, not the moment this ran: lateness must not carry into the next
        # segment, or it would add up over a session.
        return self._seg_start + (seg.duration_s or 0.0) + self._extra_s

    def _turn_progress(self, seg: Segment) -> float | None:
        """When the turn ended (planned, in active time), or None while it runs."""
        a = self._active
        if self._window_start is None:
            if a + EPS < self._window_at:
                return None
            waited = a - self._window_at
            if not turns.arrived(self.measured_speed, seg.speed_kmh) and (
                waited + EPS < turns.MAX_ARRIVAL_WAIT_S
            ):
                return None
            self._open_window(seg, waited)
            return None
        if self._settle_start is None:
            while self._beeps and self._beeps[0] <= a + EPS:
                self._beeps.pop(0)
                left = self._window_start + (seg.window_s or 0.0) - a
                self._cue(CueKind.COUNTDOWN, f"{max(1, round(left))}", beeps=1)
            if a + EPS < self._window_start + (seg.window_s or 0.0):
                return None
            self._settle_start = self._window_start + (seg.window_s or 0.0)
            self.phase = Phase.SETTLE
            self._cue(CueKind.START, settle_text(seg))
            return None
        end = self._settle_start + (seg.settle_s or 0.0)
        return end if a + EPS >= end else None

    def _open_window(self, seg: Segment, late_s: float) -> None:
        for step in self._queue:  # anything still queued is late: send it now
            self._command_speed(step.speed_kmh, step.facing, step=step)
        self._queue.clear()
        # On time (woken at its deadline): the window runs from its planned start; after
        # waiting for the belt, from now, when "Turn around now" is said.
        start = self._window_at if late_s <= ON_TIME_S else self._active
        self._window_start = start
        window = seg.window_s or 0.0
        self._beeps = [start + window - b for b in BEEP_TIMES_S if b < window]
        self.phase = Phase.TURN_WINDOW
        self.facing = seg.direction
        self._cue(
            CueKind.TURN_NOW,
            turn_now_text(seg),
            speed_kmh=self.measured_speed,
            late_s=round(max(0.0, late_s), 3),
        )
        self._command_incline(seg.incline_pct, in_turn=True)

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
                due = self.segment_distance_m * 2 >= seg.distance_m + self._extra_m
            else:
                due = elapsed * 2 + EPS >= (seg.duration_s or 0.0) + self._extra_s
            if not due:
                keep.append(cue)
            elif cue.kind is CueKind.TURN_WARNING:
                nxt = self._next_turn()
                if nxt is not None:
                    self._warn_turn(nxt)
            else:
                self._cue(cue.kind, cue.text, beeps=cue.beeps)
        self._cues = keep

    def _warn_turn(self, nxt: Segment) -> None:
        if "turn" in self._warned:
            return
        self._warned.add("turn")
        self._cue(CueKind.TURN_WARNING, turn_warning_text(nxt, self.segment_remaining_s() or 0.0))

    def _prepare_turn(self, turn: Segment) -> None:
        """Queue the turn's speed steps now, ahead of the turn (the APPROACH)."""
        self._warn_turn(turn)
        self._turn_prepared = True
        first = turn.speed_steps[0].offset_s
        self._queue = [s for s in self._queue if s.turn] + [
            _Step(self._active + s.offset_s - first, s.speed_kmh, turn.from_direction, turn=True)
            for s in turn.speed_steps
        ]
        self.phase = Phase.APPROACH

    def _next_segment(self, start: float | None = None) -> None:
        """End the current segment and begin the next at active time ``start`` (now when
        None)."""
        seg = self.segment
        if seg is not None and seg.kind == "turn":
            self.totals.turns += 1
        nxt = 0 if self._index is None else self._index + 1
        if nxt >= len(self.plan.segments):
            self._index = None
            self._end("finished", "finished")
            return
        self._begin(nxt, self._active if start is None else start)

    def _begin(self, index: int, start: float) -> None:
        seg = self.plan.segments[index]
        prepared = self._turn_prepared and seg.kind == "turn"
        self._index = index
        self._seg_start = start
        self._extra_s = self._extra_m = 0.0
        self._dist0 = self.totals.total_distance_m
        self._warned = set()
        self._turn_prepared = False
        self._window_start = self._settle_start = None
        self._beeps = []
        ends = {"duration_s": seg.duration_s} if seg.duration_s is not None else {}
        if seg.distance_m is not None:
            ends = {"distance_m": seg.distance_m}
        self._log(
            "segment",
            index=seg.index,
            kind=seg.kind,
            direction=seg.direction,
            speed_kmh=round(seg.speed_kmh, 3),
            incline_pct=seg.incline_pct,
            **ends,
            label=seg.label,
        )
        if seg.kind == "turn":
            self._cues = []
            self._window_at = start + seg.incline_offset_s
            self.phase = Phase.APPROACH
            if not prepared:
                self._queue = [
                    _Step(start + s.offset_s, s.speed_kmh, seg.from_direction, turn=True)
                    for s in seg.speed_steps
                ]
                self._cue(CueKind.TURN_WARNING, turn_warning_text(seg, seg.incline_offset_s))
            return
        self.facing = seg.direction
        self._queue = [
            _Step(start + s.offset_s, s.speed_kmh, seg.direction, turn=False)
            for s in seg.speed_steps
        ]
        self.phase = (
            Phase.RAMP
            if seg.direction == "backward" and len(seg.speed_steps) > 1
            else (Phase.STEADY)
        )
        nxt = self._next_turn()
        lead = turns.approach_s(nxt, seg.speed_kmh, self._rates) if nxt is not None else 0.0
        self._cues = interval_cues(seg, turn_lead_s=lead)
        self._command_incline(seg.incline_pct, in_turn=False)

    def _skip(self) -> tuple[bool, str]:
        seg = self.segment
        if seg is None:
            return False, "nothing to skip"
        if seg.kind == "turn":
            return False, "a turn cannot be skipped: finish turning first"
        nxt = self._next_turn()
        if nxt is not None and not self._turn_prepared:
            self._prepare_turn(nxt)
        self._next_segment()
        return True, "skipped" if nxt is None else "skipped to the turn"

    def _extend(self, seconds: float) -> tuple[bool, str]:
        seg = self.segment
        if seg is None or seg.kind == "turn" or self._turn_prepared or seconds <= 0:
            return False, "only an interval not yet slowing for its turn can be extended"
        if seg.distance_m is not None:
            self._extra_m += seconds * self._speed_now() / 3.6
        else:
            self._extra_s += seconds
        return True, f"extended by {seconds:g} s"
