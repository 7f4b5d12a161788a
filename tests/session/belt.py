"""A pure fake treadmill and a driver that runs an `Engine` against it with explicit time.

The fake belt follows set-points after a reaction delay at fixed ramp rates, reports a
sample every second, answers every command at once (or rejects the next one when told),
and remembers every command with the direction the runner faced, so tests can check
what the engine asked of it. No asyncio: the driver steps time from deadline to deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from retrorun.device import RampRates, Telemetry
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
from retrorun.session.rehearsal import ModelBelt

if TYPE_CHECKING:
    from retrorun.profiles.plan import Plan
    from retrorun.profiles.safety import DeviceRange


@dataclass
class FakeBelt(ModelBelt):
    accel_kmh_per_s: float = 0.5
    decel_kmh_per_s: float = 0.8
    reaction_s: float = 0.3
    heart_rate_bpm: int | None = None
    reject_next: bool = False
    pause_speed_kmh: float = 0.0
    """What Pause leaves the belt at (some treadmills creep on at 1.6 km/h)."""
    unanswered: frozenset[str] = frozenset()
    """Requests this belt never answers (a treadmill that ignores them)."""
    reports_distance: bool = True
    """False: like treadmills without Total Distance, only the integrated distance."""

    def perform(self, send: Send, now: float) -> Done | None:
        if send.request in self.unanswered:
            return None
        if self.reject_next and send.request != "stop":
            self.reject_next = False
            return Done(send.seq, "operation_failed", reason="operation failed")
        if send.request == "pause" and self.pause_speed_kmh > 0:
            self.target_kmh = self.pause_speed_kmh
            self.pending.clear()
            return Done(send.seq, "success", outcome="sent")
        return super().perform(send, now)

    def sample(self, now: float) -> Telemetry:
        telemetry = self.telemetry(now, heart_rate_bpm=self.heart_rate_bpm)
        return telemetry if self.reports_distance else replace(telemetry, distance_m=None)

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
