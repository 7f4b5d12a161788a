"""A pure fake treadmill and a driver that runs an `Engine` against it with explicit time.

The fake belt follows set-points after a reaction delay at fixed ramp rates, reports a
sample every second, answers every command at once (or rejects the next one when told),
and remembers every command with the direction the runner faced, so tests can check
what the engine asked of it. No asyncio: the driver steps time from deadline to deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from retrorun.device import RampRates, Telemetry
from retrorun.ftms import TreadmillData
from retrorun.session.api import (
    CommandResult,
    LogEntry,
    Phase,
    SessionEnded,
    SessionEvent,
    Snapshot,
    UserCommand,
)
from retrorun.session.engine import Engine, Event
from retrorun.session.inputs import Answer, Done, EngineOptions, Publish, Ready, Sample, Send, Tick

if TYPE_CHECKING:
    from retrorun.profiles.plan import Plan
    from retrorun.profiles.safety import DeviceRange


@dataclass
class FakeBelt:
    accel_kmh_per_s: float = 0.5
    decel_kmh_per_s: float = 0.8
    reaction_s: float = 0.3
    start_countdown_s: float = 3.0
    speed_kmh: float = 0.0
    target_kmh: float = 0.0
    incline_pct: float = 0.0
    distance_m: float = 0.0
    running: bool = False
    runs_from: float | None = None
    heart_rate_bpm: int | None = None
    reject_next: bool = False
    pause_speed_kmh: float = 0.0
    """What Pause leaves the belt at (some treadmills creep on at 1.6 km/h)."""
    unanswered: frozenset[str] = frozenset()
    """Requests this belt never answers (a treadmill that ignores them)."""
    reports_distance: bool = True
    """False: like treadmills without Total Distance, only the integrated distance."""
    pending: list[tuple[float, float]] = field(default_factory=list)
    """(effective at, target) set-points not yet reacted to."""

    def perform(self, send: Send, now: float) -> Done | None:
        if send.request in self.unanswered:
            return None
        if self.reject_next and send.request != "stop":
            self.reject_next = False
            return Done(send.seq, "operation_failed", reason="operation failed")
        if send.request == "start":
            if not self.running:
                self.runs_from = now + self.start_countdown_s
            self.running = True
        elif send.request == "pause" and self.pause_speed_kmh > 0:
            self.target_kmh = self.pause_speed_kmh
            self.pending.clear()
        elif send.request in ("stop", "pause"):
            self.running = False
            self.runs_from = None
            self.target_kmh = 0.0
            self.pending.clear()
        elif send.request == "speed" and send.value is not None:
            self.pending.append((now + self.reaction_s, send.value))
        elif send.request == "incline" and send.value is not None:
            self.incline_pct = send.value
        return Done(send.seq, "success", outcome="sent")

    def advance(self, start: float, end: float) -> None:
        """Move the belt from ``start`` to ``end`` (small steps: speed is piecewise linear)."""
        t = start
        while t < end - 1e-9:
            dt = min(0.25, end - t)
            t += dt
            while self.pending and self.pending[0][0] <= t:
                self.target_kmh = self.pending.pop(0)[1]
            moving = self.running and (self.runs_from is None or t >= self.runs_from)
            goal = max(self.target_kmh, 1.0) if moving else 0.0
            if self.speed_kmh < goal:
                self.speed_kmh = min(goal, self.speed_kmh + self.accel_kmh_per_s * dt)
            elif self.speed_kmh > goal:
                self.speed_kmh = max(goal, self.speed_kmh - self.decel_kmh_per_s * dt)
            self.distance_m += self.speed_kmh / 3.6 * dt

    def sample(self, now: float) -> Telemetry:
        speed = round(self.speed_kmh, 2)
        return Telemetry(
            at=now,
            speed_kmh=speed,
            inclination_pct=self.incline_pct,
            distance_m=round(self.distance_m) if self.reports_distance else None,
            integrated_distance_m=self.distance_m,
            elapsed_time_s=None,
            heart_rate_bpm=self.heart_rate_bpm,
            step_count=None,
            total_energy_kcal=None,
            record=TreadmillData(speed_kmh=speed),
        )

    @property
    def rates(self) -> RampRates:
        return RampRates(self.accel_kmh_per_s, self.decel_kmh_per_s, 0.5, self.reaction_s)


@dataclass(frozen=True)
class Sent:
    """One command, when it was sent, and which way the runner faced in which phase."""

    t: float
    send: Send
    facing: str
    phase: Phase


@dataclass
class Drive:
    """An engine, a fake belt, and everything that happened, on explicit time."""

    engine: Engine
    belt: FakeBelt
    now: float = 0.0
    events: list[SessionEvent] = field(default_factory=list)
    sends: list[Sent] = field(default_factory=list)
    """Every command with the time and the way the runner faced when it was sent."""
    answers: list[CommandResult] = field(default_factory=list)
    next_sample: float = 1.0
    rates_known: bool = True

    @classmethod
    def start(
        cls,
        plan: Plan,
        *,
        belt: FakeBelt | None = None,
        options: EngineOptions | None = None,
        device: DeviceRange | None = None,
        rates_known: bool = True,
    ) -> Drive:
        drive = cls(Engine(plan, 0.0, options), belt or FakeBelt(), rates_known=rates_known)
        drive.feed(Ready(device, incline_control=True))
        return drive

    def feed(self, event: Event) -> None:
        queue: list[Event] = [event]
        while queue:
            for action in self.engine.handle(queue.pop(0), self.now):
                if isinstance(action, Send):
                    self.sends.append(Sent(self.now, action, self.engine.facing, self.engine.phase))
                    done = self.belt.perform(action, self.now)
                    if done is not None:
                        queue.append(done)
                elif isinstance(action, Publish):
                    self.events.append(action.event)
                elif isinstance(action, Answer):
                    self.answers.append(action.result)

    def command(self, command: UserCommand) -> CommandResult:
        self.feed(command)
        return self.answers[-1]

    def run_until(self, t: float) -> None:
        """Advance to ``t``, feeding samples every second and ticks at every deadline."""
        while self.now < t and self.engine.ended is None:
            deadline = self.engine.next_deadline()
            step = min(self.next_sample, t, deadline if deadline is not None else t)
            self.belt.advance(self.now, step)
            self.now = max(self.now, step)
            if self.now >= self.next_sample:
                self.next_sample += 1.0
                rates = self.belt.rates if self.rates_known else _DEFAULT
                self.feed(Sample(self.belt.sample(self.now), rates))
            else:
                self.feed(Tick())

    def run_to_end(self, limit: float = 20_000.0) -> SessionEnded:
        self.run_until(limit)
        assert self.engine.ended is not None, "the session did not end"
        return self.engine.ended

    # ---------------------------------------------------------------- views

    def log(self, type_: str | None = None) -> list[LogEntry]:
        return [
            e for e in self.events if isinstance(e, LogEntry) and (type_ is None or e.type == type_)
        ]

    def cues(self, kind: str | None = None) -> list[LogEntry]:
        return [e for e in self.log("cue") if kind is None or e.fields["kind"] == kind]

    def snapshot(self) -> Snapshot:
        return self.engine.snapshot(self.now)

    def commands(self, request: str) -> list[Sent]:
        return [s for s in self.sends if s.send.request == request]

    def state_changes(self) -> list[str]:
        return [str(e.fields["state"]) for e in self.log("state")]


_DEFAULT = RampRates(0.5, 0.5, 0.3, 1.0)
