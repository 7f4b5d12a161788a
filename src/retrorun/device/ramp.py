"""Live estimates of how fast the belt and the deck really change, and how late they react.

Real treadmills ramp at 0.3-1 km/h per second and some react seconds after a command
(field notes §3 item 9; QZ #3152). The session has to command a turn early enough for the
belt to *arrive* at turn speed when the turn begins, so it asks this estimator how long a
change will take. Pure: it is fed commands and telemetry with their clock times.

Method: after a command, the first sample that has moved toward the target marks the end of
the reaction delay (extrapolated back along the measured slope, since samples arrive only
about once a second); consecutive samples that are both still short of the target give a
slope. Estimates are exponentially smoothed and clamped to plausible bounds so one odd
sample (or a treadmill that reports its set-point at once) cannot make the estimate absurd.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrorun.belt import DEFAULT_RATES, RampRates

__all__ = ["DEFAULT_RATES", "RampEstimator", "RampRates"]

# Smoothing weight of a new observation.
_ALPHA = 0.3
# Plausible bounds of a belt's rate of change, km/h per s, and of an incline's, % per s.
_SPEED_RATE_BOUNDS = (0.1, 3.0)
_INCLINE_RATE_BOUNDS = (0.05, 2.0)
# Reaction delays above this are treated as a lost command, not as a slow treadmill.
_MAX_REACTION_S = 10.0


@dataclass
class _Track:
    """One quantity being followed toward a commanded target."""

    target: float
    commanded_at: float
    start_value: float
    last: tuple[float, float] | None = None
    moved: bool = False


class RampEstimator:
    """Learns ramp rates and reaction delay from commands and the telemetry that follows."""

    def __init__(self, initial: RampRates = DEFAULT_RATES, *, tolerance: float = 0.15) -> None:
        self._accel = initial.accel_kmh_per_s
        self._decel = initial.decel_kmh_per_s
        self._incline = initial.incline_pct_per_s
        self._reaction = initial.reaction_delay_s
        self._tolerance = tolerance
        self._speed: _Track | None = None
        self._grade: _Track | None = None
        self.samples = 0
        """How many slope observations have been taken into account."""

    @property
    def rates(self) -> RampRates:
        return RampRates(self._accel, self._decel, self._incline, self._reaction)

    def speed_commanded(self, target_kmh: float, current_kmh: float, now: float) -> None:
        self._speed = _Track(target_kmh, now, current_kmh, last=(now, current_kmh))

    def incline_commanded(self, target_pct: float, current_pct: float, now: float) -> None:
        self._grade = _Track(target_pct, now, current_pct, last=(now, current_pct))

    def observe(self, now: float, speed_kmh: float | None, incline_pct: float | None) -> None:
        """Feed one telemetry sample (None for a value the record did not carry)."""
        if speed_kmh is not None and self._speed is not None:
            self._speed = self._follow(self._speed, now, speed_kmh, speed=True)
        if incline_pct is not None and self._grade is not None:
            self._grade = self._follow(self._grade, now, incline_pct, speed=False)

    def _follow(self, track: _Track, now: float, value: float, *, speed: bool) -> _Track | None:
        direction = 1.0 if track.target > track.start_value else -1.0
        remaining = (track.target - value) * direction
        arrived = remaining <= self._tolerance
        progressed = (value - track.start_value) * direction > self._tolerance / 2
        prev_t, prev_v = track.last if track.last is not None else (now, value)
        if progressed and not track.moved:
            track.moved = True
            self._learn_reaction(track, now, value, speed=speed, direction=direction)
        elif track.moved and now > prev_t and not arrived:
            slope = (value - prev_v) * direction / (now - prev_t)
            if slope > 0:
                self._learn_rate(slope, speed=speed, rising=direction > 0)
        if now - track.commanded_at > _MAX_REACTION_S and not track.moved:
            return None
        track.last = (now, value)
        return None if arrived else track

    def _learn_reaction(
        self, track: _Track, now: float, value: float, *, speed: bool, direction: float
    ) -> None:
        rate = (self._accel if direction > 0 else self._decel) if speed else self._incline
        travelled = abs(value - track.start_value)
        estimate = (now - track.commanded_at) - travelled / rate
        self._reaction = _smooth(self._reaction, min(max(estimate, 0.0), _MAX_REACTION_S))

    def _learn_rate(self, slope: float, *, speed: bool, rising: bool) -> None:
        self.samples += 1
        if not speed:
            self._incline = _smooth(self._incline, _clamp(slope, _INCLINE_RATE_BOUNDS))
        elif rising:
            self._accel = _smooth(self._accel, _clamp(slope, _SPEED_RATE_BOUNDS))
        else:
            self._decel = _smooth(self._decel, _clamp(slope, _SPEED_RATE_BOUNDS))


def _smooth(old: float, new: float) -> float:
    return old + _ALPHA * (new - old)


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])
