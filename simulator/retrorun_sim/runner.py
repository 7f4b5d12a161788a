"""A simple runner on the belt: heart rate that follows speed, incline and direction.

The steady-state heart rate rises linearly with speed, more steeply uphill, and is 18.5 %
higher running backward than forward at the same speed (backward raises %HRmax by 17-20 %,
Lee & Lee 2016; domain notes §1.3). The heart follows the steady state with a first-order lag
(time constant ~30 s), so a speed step shows as an exponential approach, not a jump.

Pure: `update` takes ``now`` and the belt's state at that moment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class RunnerDirection(StrEnum):
    """Which way the runner faces; FTMS has no field for it, so only the runner knows."""

    FORWARD = "forward"
    BACKWARD = "backward"


@dataclass(frozen=True, slots=True)
class RunnerSpec:
    """The runner's heart: resting and maximum rate, how it responds, how fast."""

    resting_hr_bpm: float = 60.0
    max_hr_bpm: float = 190.0
    hr_rise_per_kmh_bpm: float = 7.0
    # Each percent of incline steepens the rise by this fraction.
    incline_gain_per_pct: float = 0.05
    backward_factor: float = 1.185
    # Below this speed the direction matters proportionally less: standing still is
    # standing still whichever way one faces.
    backward_full_effect_kmh: float = 2.0
    time_constant_s: float = 30.0


def steady_heart_rate_bpm(
    spec: RunnerSpec, speed_kmh: float, inclination_pct: float, direction: RunnerDirection
) -> float:
    """The heart rate a runner settles at when speed and incline are held."""
    rise = (
        spec.hr_rise_per_kmh_bpm
        * speed_kmh
        * (1 + spec.incline_gain_per_pct * max(0.0, inclination_pct))
    )
    steady = spec.resting_hr_bpm + rise
    if direction is RunnerDirection.BACKWARD:
        share = min(1.0, speed_kmh / spec.backward_full_effect_kmh)
        steady *= 1 + (spec.backward_factor - 1) * share
    return min(steady, spec.max_hr_bpm)


class RunnerModel:
    """The runner's heart rate over time (first-order lag toward the steady state)."""

    def __init__(self, spec: RunnerSpec | None = None, *, now: float = 0.0) -> None:
        self.spec = spec or RunnerSpec()
        self.direction = RunnerDirection.FORWARD
        self._now = now
        self._heart_rate_bpm = self.spec.resting_hr_bpm

    @property
    def heart_rate_bpm(self) -> float:
        return self._heart_rate_bpm

    def update(self, now: float, speed_kmh: float, inclination_pct: float) -> float:
        """Move the heart to ``now`` with speed and incline as they are now; return it."""
        dt = now - self._now
        if dt < 0:
            raise ValueError(f"time went backwards: {now} < {self._now}")
        steady = steady_heart_rate_bpm(self.spec, speed_kmh, inclination_pct, self.direction)
        self._heart_rate_bpm = steady + (self._heart_rate_bpm - steady) * math.exp(
            -dt / self.spec.time_constant_s
        )
        self._now = now
        return self._heart_rate_bpm
