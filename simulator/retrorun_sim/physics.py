"""Belt and incline physics: a pure model that moves only when told what time it is.

Theory of operation
-------------------
The belt has a *set point* (target speed, target inclination) and a *mode* (idle, counting
down, running, paused, stopped). What the belt is driven toward is the set point while
running and 0 km/h otherwise; the real speed ramps toward it at a constant rate
(acceleration up, deceleration down), the incline likewise at its own rate. Commands from
the control point take effect after the firmware's reaction delay; console buttons and the
safety key act at once. Start counts down before the belt moves.

Between two events (a command taking effect, the countdown ending) speed and incline are
piecewise linear in time, with one break each where the ramp reaches its target. `advance`
splits the interval at those breaks and integrates each piece in closed form: distance is
the trapezoid of the speed (exact for a linear speed), energy and steps use Simpson's rule
(exact for energy, whose rate is the product of two linear functions). Nothing samples.

Every method takes ``now`` (seconds on the caller's clock) and first brings the model up to
that time; ``now`` never goes backwards.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from enum import StrEnum

_KMH_PER_MS = 3.6
# Metabolic cost of moving on the flat, ~1 kcal per kg per km: the figure treadmill consoles
# use for their calorie estimate.
_FLAT_KCAL_PER_KG_M = 0.001
# Climbing costs the vertical work at ~25 % muscular efficiency: g / (0.25 * 4184 J/kcal).
_CLIMB_KCAL_PER_KG_M = 9.81 / (0.25 * 4184.0)


@dataclass(frozen=True, slots=True)
class BeltSpec:
    """What the machine can do and how quickly it does it.

    Defaults are the simulator estimates of the domain notes (§2.4): 0.5 km/h/s up,
    0.8 km/h/s down, 0.5 %/s incline, 0.3 s firmware reaction, 3 s start countdown,
    1.0-16.0 km/h in 0.1 and 0-12 % in 0.5.
    """

    min_speed_kmh: float = 1.0
    max_speed_kmh: float = 16.0
    speed_increment_kmh: float = 0.1
    min_inclination_pct: float = 0.0
    max_inclination_pct: float = 12.0
    inclination_increment_pct: float = 0.5
    acceleration_kmh_per_s: float = 0.5
    deceleration_kmh_per_s: float = 0.8
    # Deceleration after Stop or Pause; None means `deceleration_kmh_per_s`.
    stop_deceleration_kmh_per_s: float | None = None
    # After Stop or Pause the belt coasts to rest over this many seconds, whatever its speed
    # (Kingsmith QZ #470, Horizon 7.4 QZ #923: about 20 s); None: the deceleration decides.
    stop_coast_s: float | None = None
    # Pause drives the belt to this speed instead of 0 (NordicTrack S20, QZ #1850: 1 mph).
    pause_speed_kmh: float = 0.0
    # Start after Pause resumes at the minimum speed, not the old set point (CITYSPORTS,
    # field notes §3.10).
    resume_at_minimum: bool = False
    # The safety key cuts motor power: the belt coasts down much faster (2-4 km/h/s).
    safety_deceleration_kmh_per_s: float = 3.0
    inclination_rate_pct_per_s: float = 0.5
    reaction_delay_s: float = 0.3
    start_countdown_s: float = 3.0
    # CITYSPORTS pads count distance, time and steps only while someone walks on them.
    count_only_with_runner: bool = False
    # The belt really runs this many times the speed the console believes, shows and reports
    # (belts are commonly 5-10 % off); the console's distance counts its belief too.
    true_speed_factor: float = 1.0
    runner_mass_kg: float = 70.0


class BeltMode(StrEnum):
    """Where the belt is in a workout."""

    IDLE = "idle"
    STARTING = "starting"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class SetSpeed:
    speed_kmh: float


@dataclass(frozen=True, slots=True)
class SetInclination:
    inclination_pct: float


@dataclass(frozen=True, slots=True)
class Start:
    pass


@dataclass(frozen=True, slots=True)
class Stop:
    pause: bool = False


@dataclass(frozen=True, slots=True)
class Reset:
    pass


@dataclass(frozen=True, slots=True)
class SafetyStop:
    pass


BeltCommand = SetSpeed | SetInclination | Start | Stop | Reset | SafetyStop


@dataclass(frozen=True, slots=True)
class BeltReadings:
    """The belt at one instant: what a Treadmill Data record is built from."""

    time_s: float
    mode: BeltMode
    speed_kmh: float
    target_speed_kmh: float
    inclination_pct: float
    target_inclination_pct: float
    distance_m: float
    elapsed_time_s: float
    energy_kcal: float
    elevation_gain_m: float
    step_count: float
    runner_on_belt: bool


@dataclass(frozen=True, slots=True)
class PhysicalBelt:
    """What the runner's feet feel at ``time_s``: the belt itself, whatever anyone reports."""

    time_s: float
    speed_kmh: float
    inclination_pct: float

    @property
    def moving(self) -> bool:
        return self.speed_kmh > 0.0


@dataclass(order=True, slots=True)
class _Pending:
    at_s: float
    seq: int
    command: BeltCommand = field(compare=False)


def _toward(value: float, target: float, up: float, down: float, dt: float) -> float:
    """Where a ramp from ``value`` toward ``target`` is after ``dt`` seconds."""
    if target > value:
        return min(target, value + up * dt)
    return max(target, value - down * dt)


def _reach_time(value: float, target: float, up: float, down: float) -> float:
    """Seconds a ramp from ``value`` needs to reach ``target`` (0 when already there)."""
    if target > value:
        return (target - value) / up
    return (value - target) / down


class BeltModel:
    """The belt, its set points and its counters; see the module docstring."""

    def __init__(self, spec: BeltSpec | None = None, *, now: float = 0.0) -> None:
        self.spec = spec or BeltSpec()
        self._now = now
        self._mode = BeltMode.IDLE
        self._countdown_end_s: float | None = None
        self._stop_rate_kmh_per_s = self._stop_deceleration()
        self._speed_kmh = 0.0
        self._target_speed_kmh = 0.0
        self._inclination_pct = self.spec.min_inclination_pct
        self._target_inclination_pct = self.spec.min_inclination_pct
        self._distance_m = 0.0
        self._elapsed_s = 0.0
        self._energy_kcal = 0.0
        self._elevation_m = 0.0
        self._steps = 0.0
        self._runner_on_belt = True
        self._resuming = False
        self._pending: list[_Pending] = []
        self._seq = itertools.count()

    # ------------------------------------------------------------------ inputs

    def command(self, command: BeltCommand, now: float) -> float:
        """Accept a control-point command; it takes effect after the reaction delay.

        Returns the clock time at which it takes effect.
        """
        self.advance(now)
        at_s = now + self.spec.reaction_delay_s
        bisect.insort(self._pending, _Pending(at_s, next(self._seq), command))
        return at_s

    def console(self, command: BeltCommand, now: float) -> None:
        """A console button or the safety key: takes effect at ``now``."""
        self.advance(now)
        self._apply(command)

    def set_runner_on_belt(self, on_belt: bool, now: float) -> None:  # noqa: FBT001
        """Someone steps on or off (matters with `BeltSpec.count_only_with_runner`)."""
        self.advance(now)
        self._runner_on_belt = on_belt

    # ------------------------------------------------------------------ outputs

    @property
    def mode(self) -> BeltMode:
        return self._mode

    def readings(self, now: float) -> BeltReadings:
        """The belt at ``now``."""
        self.advance(now)
        return BeltReadings(
            time_s=self._now,
            mode=self._mode,
            speed_kmh=self._speed_kmh,
            target_speed_kmh=self._target_speed_kmh,
            inclination_pct=self._inclination_pct,
            target_inclination_pct=self._target_inclination_pct,
            distance_m=self._distance_m,
            elapsed_time_s=self._elapsed_s,
            energy_kcal=self._energy_kcal,
            elevation_gain_m=self._elevation_m,
            step_count=self._steps,
            runner_on_belt=self._runner_on_belt,
        )

    def physical(self, now: float) -> PhysicalBelt:
        """The belt's real speed and incline at ``now`` (never the set point)."""
        self.advance(now)
        speed = self._speed_kmh * self.spec.true_speed_factor
        return PhysicalBelt(self._now, speed, self._inclination_pct)

    def settled_mode(self) -> BeltMode:
        """The mode once every accepted command has taken effect and any countdown ended.

        Commands are judged against this (Start while a Start is still on its way is
        "Start while running"), not against the belt's current, delayed state.
        """
        mode = BeltMode.RUNNING if self._mode is BeltMode.STARTING else self._mode
        for pending in self._pending:
            match pending.command:
                case Start():
                    mode = BeltMode.RUNNING
                case Stop(pause=pause):
                    mode = BeltMode.PAUSED if pause else BeltMode.STOPPED
                case SafetyStop():
                    mode = BeltMode.STOPPED
                case Reset():
                    mode = BeltMode.IDLE
                case _:
                    pass
        return mode

    def next_event_s(self) -> float | None:
        """The next time something changes by itself (a command lands, countdown ends)."""
        times = [p.at_s for p in self._pending[:1]]
        if self._countdown_end_s is not None:
            times.append(self._countdown_end_s)
        return min(times) if times else None

    # ------------------------------------------------------------------ time

    def advance(self, now: float) -> None:
        """Bring the model to ``now``, applying every event on the way in time order."""
        if now < self._now:
            raise ValueError(f"time went backwards: {now} < {self._now}")
        while (event := self.next_event_s()) is not None and event <= now:
            self._integrate(event)
            if self._countdown_end_s is not None and self._countdown_end_s <= event:
                self._countdown_end_s = None
                self._begin_running()
            else:
                self._apply(self._pending.pop(0).command)
        self._integrate(now)

    def _belt_target_kmh(self) -> float:
        if self._mode is BeltMode.RUNNING:
            return self._target_speed_kmh
        return self.spec.pause_speed_kmh if self._mode is BeltMode.PAUSED else 0.0

    def _counting(self) -> bool:
        return self._mode is BeltMode.RUNNING and (
            self._runner_on_belt or not self.spec.count_only_with_runner
        )

    def _integrate(self, until: float) -> None:
        spec = self.spec
        speed_target = self._belt_target_kmh()
        decel = (
            self._stop_rate_kmh_per_s
            if self._mode is not BeltMode.RUNNING
            else spec.deceleration_kmh_per_s
        )
        rate = spec.inclination_rate_pct_per_s
        while self._now < until:
            # Split at the first ramp end inside the interval: both are linear up to it.
            speed_reach = _reach_time(
                self._speed_kmh, speed_target, spec.acceleration_kmh_per_s, decel
            )
            incline_reach = _reach_time(
                self._inclination_pct, self._target_inclination_pct, rate, rate
            )
            # A ramp end closer than the clock's resolution is snapped to, not stepped to:
            # stepping by less than one ulp would never move time.
            if self._now + speed_reach <= self._now:
                self._speed_kmh = speed_target
            if self._now + incline_reach <= self._now:
                self._inclination_pct = self._target_inclination_pct
            breaks = [until] + [
                self._now + reach
                for reach in (speed_reach, incline_reach)
                if self._now + reach > self._now
            ]
            end = min(breaks)
            dt = end - self._now
            v0, g0 = self._speed_kmh, self._inclination_pct
            v1 = _toward(v0, speed_target, spec.acceleration_kmh_per_s, decel, dt)
            g1 = _toward(g0, self._target_inclination_pct, rate, rate, dt)
            if self._counting():
                self._accumulate(v0, v1, g0, g1, dt)
            self._speed_kmh, self._inclination_pct, self._now = v1, g1, end

    def _accumulate(self, v0: float, v1: float, g0: float, g1: float, dt: float) -> None:
        vm, gm = (v0 + v1) / 2, (g0 + g1) / 2
        self._distance_m += vm / _KMH_PER_MS * dt
        self._elapsed_s += dt
        mass = self.spec.runner_mass_kg

        def energy_rate(v: float, g: float) -> float:
            climb = max(0.0, g) / 100 * _CLIMB_KCAL_PER_KG_M
            return mass * v / _KMH_PER_MS * (_FLAT_KCAL_PER_KG_M + climb)

        def climb_rate(v: float, g: float) -> float:
            return v / _KMH_PER_MS * max(0.0, g) / 100

        def step_rate(v: float) -> float:
            # Step length grows with speed: ~0.5 m walking at 2 km/h (CITYSPORTS capture:
            # 33 m in 65 steps), ~1.05 m running at 10 km/h (~160 steps/min).
            return v / _KMH_PER_MS / (0.35 + 0.07 * v)

        self._energy_kcal += (
            dt / 6 * (energy_rate(v0, g0) + 4 * energy_rate(vm, gm) + energy_rate(v1, g1))
        )
        self._elevation_m += (
            dt / 6 * (climb_rate(v0, g0) + 4 * climb_rate(vm, gm) + climb_rate(v1, g1))
        )
        self._steps += dt / 6 * (step_rate(v0) + 4 * step_rate(vm) + step_rate(v1))

    # ------------------------------------------------------------------ commands

    def _stop_deceleration(self) -> float:
        spec = self.spec
        return spec.stop_deceleration_kmh_per_s or spec.deceleration_kmh_per_s

    def _apply(self, command: BeltCommand) -> None:
        spec = self.spec
        match command:
            case SetSpeed(speed_kmh=speed):
                # A running belt never goes below its minimum (a 2 mph floor is a floor).
                floor = spec.min_speed_kmh if speed > 0 else 0.0
                self._target_speed_kmh = min(max(speed, floor), spec.max_speed_kmh)
            case SetInclination(inclination_pct=pct):
                self._target_inclination_pct = min(
                    max(pct, spec.min_inclination_pct), spec.max_inclination_pct
                )
            case Start():
                if self._mode in (BeltMode.IDLE, BeltMode.STOPPED):
                    self._clear_counters()
                if self._mode is not BeltMode.RUNNING:
                    self._resuming = self._mode is BeltMode.PAUSED
                    self._mode = BeltMode.STARTING
                    self._countdown_end_s = self._now + spec.start_countdown_s
            case Stop(pause=pause):
                coast_s = spec.stop_coast_s
                rate = self._stop_deceleration()
                if coast_s and self._speed_kmh > 0:
                    rate = self._speed_kmh / coast_s
                self._halt(BeltMode.PAUSED if pause else BeltMode.STOPPED, rate)
            case SafetyStop():
                self._halt(BeltMode.STOPPED, spec.safety_deceleration_kmh_per_s)
            case Reset():
                self._halt(BeltMode.IDLE, self._stop_deceleration())
                self._pending.clear()
                self._clear_counters()
                self._target_speed_kmh = 0.0
                self._target_inclination_pct = spec.min_inclination_pct

    def _clear_counters(self) -> None:
        self._distance_m = self._elapsed_s = self._energy_kcal = 0.0
        self._elevation_m = self._steps = 0.0

    def _halt(self, mode: BeltMode, deceleration_kmh_per_s: float) -> None:
        self._mode = mode
        self._countdown_end_s = None
        self._stop_rate_kmh_per_s = deceleration_kmh_per_s

    def _begin_running(self) -> None:
        self._mode = BeltMode.RUNNING
        # The belt starts at its minimum speed when no higher set point is waiting
        # (CITYSPORTS starts at 1.0 km/h); a paused belt resumes its set point (Urevo), or
        # its minimum on machines that forget it (`BeltSpec.resume_at_minimum`).
        if self._resuming and self.spec.resume_at_minimum:
            self._target_speed_kmh = self.spec.min_speed_kmh
        self._resuming = False
        self._target_speed_kmh = max(self._target_speed_kmh, self.spec.min_speed_kmh)
