"""A test double of a running session (tests only, never shipped).

`FakeSession` implements `SessionHandle` over a real compiled plan: on its clock it walks
through the plan's segments, publishing a `Snapshot` every 0.25 s, a `Cue` at each segment
change and a `LogEntry` per segment, and ends with `SessionEnded`. It answers commands the
way the session's contract says (pause only when running, resume only when paused, nudges
clamped to the plan's limits, nothing after the end) and records every command it receives,
so tests can check what the bridge passed on and that the session's own history (``events``)
does not depend on the broker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from retrorun.hub import Hub
from retrorun.profiles import library
from retrorun.profiles.loader import load_profile
from retrorun.profiles.plan import compile_plan
from retrorun.session.api import (
    CommandKind,
    CommandResult,
    Cue,
    CueKind,
    LogEntry,
    Phase,
    SessionEnded,
    SessionStarted,
    SessionState,
    Snapshot,
    Totals,
    UserCommand,
)

if TYPE_CHECKING:
    from retrorun.clock import Clock
    from retrorun.hub import Only, Subscription
    from retrorun.profiles.plan import Plan
    from retrorun.session.api import SessionEvent

TICK_S = 0.25
FORWARD_MAX_KMH = 16.0
INCLINE_MAX_PCT = 15.0


def bundled_plan(name: str = "one-minute-alternation") -> Plan:
    return compile_plan(load_profile(library.resolve(name)).profile)


class FakeSession:
    """See the module docstring. Drive it with ``await session.run()`` on its clock."""

    def __init__(
        self, clock: Clock, plan: Plan | None = None, *, device: str = "FS-T1 Sim"
    ) -> None:
        self._clock = clock
        self._plan = plan if plan is not None else bundled_plan()
        self._hub: Hub[SessionEvent] = Hub()
        self.device = device
        self.received: list[UserCommand] = []
        self.history: list[SessionEvent] = []
        """Everything the session published, in order (its own log)."""
        self._index = 0
        self._segment_elapsed_s = 0.0
        self._elapsed_s = 0.0
        self._distance_m = 0.0
        self._extra_s = 0.0
        self._speed_offset_kmh = 0.0
        self._incline_offset_pct = 0.0
        self._state = SessionState.CONNECTING
        self._current = self._build(0.0)

    # ------------------------------------------------------------------ SessionHandle
    @property
    def plan(self) -> Plan:
        return self._plan

    def snapshot(self) -> Snapshot:
        return self._current

    def events(self, *, only: Only = None) -> Subscription[SessionEvent]:
        return self._hub.subscribe(only=only)

    async def command(self, command: UserCommand) -> CommandResult:
        self.received.append(command)
        accepted, reason = self._apply(command)
        if accepted:
            self._publish_snapshot()
        return CommandResult(command, accepted, reason)

    # ------------------------------------------------------------------ the script
    async def run(self) -> None:
        """Run the whole plan on the clock, then end (FINISHED unless stopped first)."""
        self._emit(
            SessionStarted(
                "2026-11-21T06:00:00Z",
                {"name": self._plan.name, "total_duration_s": self._plan.total_duration_s},
                {"name": self.device, "address": "AA:BB:CC:DD:EE:01", "simulated": True},
            )
        )
        self._state = SessionState.RUNNING
        self._enter_segment()
        start = self._clock.now()
        tick = 0
        while not self._state.ended:
            tick += 1
            await self._clock.sleep_until(start + tick * TICK_S)
            if self._state is SessionState.RUNNING:
                self._advance(TICK_S)
            self._publish_snapshot()
        outcome: Literal["finished", "stopped"] = (
            "finished" if self._state is SessionState.FINISHED else "stopped"
        )
        self._emit(
            SessionEnded(self.t, outcome, outcome, 0 if outcome == "finished" else 3, Totals())
        )
        self._hub.close()

    @property
    def t(self) -> float:
        return self._elapsed_s

    def _segment_length_s(self) -> float:
        return self._plan.segments[self._index].estimated_duration_s + self._extra_s

    def _advance(self, seconds: float) -> None:
        segment = self._plan.segments[self._index]
        self._segment_elapsed_s += seconds
        self._elapsed_s += seconds
        self._distance_m += (segment.speed_kmh + self._speed_offset_kmh) / 3.6 * seconds
        if self._segment_elapsed_s >= self._segment_length_s():
            self._next_segment()

    def _next_segment(self) -> None:
        if self._index + 1 >= len(self._plan.segments):
            self._state = SessionState.FINISHED
            self._emit(Cue(self.t, CueKind.FINISH, "Workout complete."))
            return
        self._index += 1
        self._segment_elapsed_s = 0.0
        self._extra_s = 0.0
        self._speed_offset_kmh = 0.0
        self._incline_offset_pct = 0.0
        self._enter_segment()

    def _enter_segment(self) -> None:
        segment = self._plan.segments[self._index]
        self._emit(LogEntry(self.t, "segment", {"index": segment.index, "kind": segment.kind}))
        self._emit(Cue(self.t, CueKind.TEXT, f"{segment.direction.capitalize()} {segment.label}"))

    def _apply(self, command: UserCommand) -> tuple[bool, str]:  # noqa: PLR0911 - one per kind
        if self._state.ended:
            return False, "the session has ended"
        kind = command.kind
        if kind is CommandKind.PAUSE:
            if self._state is not SessionState.RUNNING:
                return False, f"not running ({self._state})"
            self._state = SessionState.PAUSED
            self._emit(Cue(self.t, CueKind.PAUSE, "Paused."))
            return True, "paused"
        if kind is CommandKind.RESUME:
            if self._state is not SessionState.PAUSED:
                return False, "not paused"
            self._state = SessionState.RUNNING
            self._emit(Cue(self.t, CueKind.PAUSE, "Resumed."))
            return True, "resumed"
        if kind is CommandKind.SKIP:
            self._next_segment()
            return True, f"skipped to segment {self._index + 1}"
        if kind is CommandKind.EXTEND:
            amount = command.amount if command.amount is not None else 30.0
            self._extra_s += amount
            return True, f"extended by {amount:g} s"
        if kind is CommandKind.STOP:
            self._state = SessionState.STOPPED
            return True, "stopped"
        return self._nudge(command)

    def _nudge(self, command: UserCommand) -> tuple[bool, str]:
        segment = self._plan.segments[self._index]
        amount = command.amount or 0.0
        if command.kind is CommandKind.SPEED:
            limit = (
                self._plan.limits.backward_speed_max_kmh
                if segment.direction == "backward"
                else FORWARD_MAX_KMH
            )
            wanted = segment.speed_kmh + self._speed_offset_kmh + amount
            target = min(max(wanted, 0.5), limit)
            self._speed_offset_kmh = target - segment.speed_kmh
            self._emit(Cue(self.t, CueKind.OVERRIDE, f"Speed {target:.1f}."))
            if target != wanted:
                return True, f"clamped to {target:.1f} km/h"
            return True, f"speed {target:.1f} km/h"
        wanted = segment.incline_pct + self._incline_offset_pct + amount
        target = min(max(wanted, 0.0), INCLINE_MAX_PCT)
        self._incline_offset_pct = target - segment.incline_pct
        return True, f"incline {target:.1f} %"

    # ------------------------------------------------------------------ publishing
    def _emit(self, event: SessionEvent) -> None:
        self.history.append(event)
        self._hub.publish(event)

    def _publish_snapshot(self) -> None:
        self._current = self._build(self.t)
        self._emit(self._current)

    def _build(self, t: float) -> Snapshot:
        segment = self._plan.segments[self._index]
        remaining = max(0.0, self._segment_length_s() - self._segment_elapsed_s)
        later = sum(s.estimated_duration_s for s in self._plan.segments[self._index + 1 :])
        moving = self._state is SessionState.RUNNING
        speed = segment.speed_kmh + self._speed_offset_kmh
        return Snapshot(
            t=t,
            state=self._state,
            plan_name=self._plan.name,
            segment_count=len(self._plan.segments),
            segment_index=self._index,
            segment_kind=segment.kind,
            segment_label=segment.label,
            direction=segment.direction,
            phase=Phase.STEADY,
            target_speed_kmh=speed,
            target_incline_pct=segment.incline_pct + self._incline_offset_pct,
            measured_speed_kmh=speed if moving else 0.0,
            measured_incline_pct=segment.incline_pct + self._incline_offset_pct,
            heart_rate_bpm=120 + self._index,
            distance_m=self._distance_m,
            segment_elapsed_s=self._segment_elapsed_s,
            segment_remaining_s=remaining,
            segment_remaining_m=None,
            elapsed_s=self._elapsed_s,
            remaining_s=remaining + later,
            next_segment=None,
            totals=Totals(),
        )
