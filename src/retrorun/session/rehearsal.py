"""A session rehearsed on a belt that does exactly what it is told: what it says, and when.

``retrorun plan PROFILE --cues`` prints the spoken timeline of a profile. It comes from the
session engine itself (the code that says every cue in a real session), run against a
modelled belt with plain numbers for time: the belt answers every command at once, follows
a new speed after `DEFAULT_RATES`' reaction delay at its acceleration and deceleration, and
reports a sample every second. A real treadmill's rates differ a little, so a real session
says the same cues a few tenths of a second earlier or later. Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from retrorun.belt import DEFAULT_RATES
from retrorun.device import Telemetry
from retrorun.ftms import TreadmillData
from retrorun.session.api import LogEntry
from retrorun.session.engine import Engine
from retrorun.session.inputs import Done, EngineOptions, Publish, Ready, Sample, Send, Tick

if TYPE_CHECKING:
    from retrorun.profiles.plan import Plan
    from retrorun.session.engine import Event

SAMPLE_EVERY_S = 1.0
START_COUNTDOWN_S = 3.0
"""A treadmill's own countdown between Start and a moving belt."""
_STEP_S = 0.25
_CRAWL_KMH = 1.0
"""A moving belt's slowest speed before it is given one."""
_LIMIT_S = 65_536.0


@dataclass(frozen=True)
class SpokenCue:
    """One cue of the rehearsed session, `t` seconds after it began."""

    t: float
    kind: str
    text: str
    beeps: int = 0


@dataclass
class ModelBelt:
    """A belt that follows set-points after a reaction delay at fixed ramp rates and
    answers every command at once (the tests' fake treadmill builds on it)."""

    accel_kmh_per_s: float = DEFAULT_RATES.accel_kmh_per_s
    decel_kmh_per_s: float = DEFAULT_RATES.decel_kmh_per_s
    reaction_s: float = DEFAULT_RATES.reaction_delay_s
    start_countdown_s: float = START_COUNTDOWN_S
    speed_kmh: float = 0.0
    target_kmh: float = 0.0
    incline_pct: float = 0.0
    distance_m: float = 0.0
    running: bool = False
    runs_from: float | None = None
    pending: list[tuple[float, float]] = field(default_factory=list)
    """(effective at, target) set-points not yet reacted to."""

    def perform(self, send: Send, now: float) -> Done | None:
        if send.request == "start":
            if not self.running:
                self.runs_from = now + self.start_countdown_s
            self.running = True
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
            dt = min(_STEP_S, end - t)
            t += dt
            while self.pending and self.pending[0][0] <= t:
                self.target_kmh = self.pending.pop(0)[1]
            moving = self.running and (self.runs_from is None or t >= self.runs_from)
            goal = max(self.target_kmh, _CRAWL_KMH) if moving else 0.0
            if self.speed_kmh < goal:
                self.speed_kmh = min(goal, self.speed_kmh + self.accel_kmh_per_s * dt)
            elif self.speed_kmh > goal:
                self.speed_kmh = max(goal, self.speed_kmh - self.decel_kmh_per_s * dt)
            self.distance_m += self.speed_kmh / 3.6 * dt

    def telemetry(self, now: float, *, heart_rate_bpm: int | None = None) -> Telemetry:
        speed = round(self.speed_kmh, 2)
        return Telemetry(
            at=now,
            speed_kmh=speed,
            inclination_pct=self.incline_pct,
            distance_m=round(self.distance_m),
            integrated_distance_m=self.distance_m,
            elapsed_time_s=None,
            heart_rate_bpm=heart_rate_bpm,
            step_count=None,
            total_energy_kcal=None,
            record=TreadmillData(speed_kmh=speed),
        )


def rehearse(plan: Plan, options: EngineOptions | None = None) -> list[SpokenCue]:
    """Every cue a session of `plan` says with `options` (its cue settings and units), in
    order, on a belt that follows every command."""
    engine = Engine(plan, 0.0, options or EngineOptions(interactive=False, headless=True))
    belt = ModelBelt()
    said: list[SpokenCue] = []
    now = 0.0

    def feed(event: Event) -> None:
        queue: list[Event] = [event]
        while queue:
            for action in engine.handle(queue.pop(0), now):
                if isinstance(action, Send):
                    done = belt.perform(action, now)
                    if done is not None:
                        queue.append(done)
                elif isinstance(action, Publish) and isinstance(action.event, LogEntry):
                    entry = action.event
                    if entry.type == "cue":
                        fields = entry.fields
                        beeps = int(fields.get("beeps", 0))
                        said.append(SpokenCue(entry.t, fields["kind"], fields["text"], beeps))

    feed(Ready(plan.limits.device, incline_control=True))
    next_sample = SAMPLE_EVERY_S
    while engine.ended is None and now < _LIMIT_S:
        deadline = engine.next_deadline()
        step = next_sample if deadline is None else min(next_sample, deadline)
        belt.advance(now, step)
        now = max(now, step)
        if now >= next_sample:
            next_sample += SAMPLE_EVERY_S
            feed(Sample(belt.telemetry(now), DEFAULT_RATES))
        else:
            feed(Tick())
    return said
