"""What a treadmill's belt and deck are believed to do: how fast they change, how late they react.

The session's estimator (`retrorun.device.ramp`) starts from `DEFAULT_RATES` and learns the
real figures from telemetry; the plan compiler (`retrorun.profiles.plan`) uses the same
defaults to say how long turns and ramps will take before any treadmill has been seen.
Pure data.
"""

from __future__ import annotations

from dataclasses import dataclass

SPEED_FACTOR_MIN = 0.8
SPEED_FACTOR_MAX = 1.2
"""A treadmill's speed factor (its belt's real speed over the speed it shows, measured by the
runner: docs/devices.md) outside these is a measuring mistake: belts are commonly 5-10 % off."""


@dataclass(frozen=True)
class RampRates:
    """What the estimator currently believes (defaults until measured)."""

    accel_kmh_per_s: float
    decel_kmh_per_s: float
    incline_pct_per_s: float
    reaction_delay_s: float

    def time_to_change_speed(self, from_kmh: float, to_kmh: float) -> float:
        """Seconds from a command until the belt is at the new speed."""
        delta = to_kmh - from_kmh
        rate = self.accel_kmh_per_s if delta > 0 else self.decel_kmh_per_s
        return self.reaction_delay_s + abs(delta) / rate

    def time_to_change_incline(self, from_pct: float, to_pct: float) -> float:
        """Seconds from a command until the deck is at the new incline."""
        return self.reaction_delay_s + abs(to_pct - from_pct) / self.incline_pct_per_s


# Conservative starting beliefs: slower than the usual 0.5-1 km/h per s, so that turns are
# commanded early rather than late until the treadmill has shown what it does.
DEFAULT_RATES = RampRates(
    accel_kmh_per_s=0.5, decel_kmh_per_s=0.5, incline_pct_per_s=0.3, reaction_delay_s=1.0
)
