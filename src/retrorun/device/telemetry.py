"""Treadmill Data records to `Telemetry` samples: units, last known values, distance.

Pure. Treadmills leave fields out of some records (Matrix truncates, others alternate
fields between records), and dashboards that show a dropped field as 0 confuse runners
(FitOSC #15), so a sample carries the last known value of every field but the heart rate,
which is only ever the record's own (how long a heart rate stays usable is the session's
call: `retrorun.session.heart`). Distance is also
integrated from the reported speed (trapezoids between samples) for treadmills that report
none, or count only with a runner on the belt (field notes §3.11).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from retrorun.device.capabilities import KMH_PER_MPH
from retrorun.device.events import Telemetry

if TYPE_CHECKING:
    from retrorun.ftms import TreadmillData

_KMH_PER_M_PER_S = 3.6
_V = TypeVar("_V", int, float)


class TelemetryMerger:
    """Turns each complete record into a sample that remembers what earlier ones said."""

    def __init__(self, *, mph_in_kmh_fields: bool = False, speed_factor: float = 1.0) -> None:
        """``speed_factor``: the belt's real speed over the one it shows (measured); its
        distance counter counts the speed it believes, so it is scaled the same way."""
        self._speed_factor = (KMH_PER_MPH if mph_in_kmh_fields else 1.0) * speed_factor
        self._distance_factor = speed_factor
        self.latest: Telemetry | None = None

    def feed(self, record: TreadmillData, at: float) -> Telemetry:
        prev = self.latest
        speed = None if record.speed_kmh is None else record.speed_kmh * self._speed_factor
        integrated = prev.integrated_distance_m if prev else 0.0
        if prev is not None and prev.speed_kmh is not None and speed is not None:
            mean_kmh = (prev.speed_kmh + speed) / 2
            integrated += mean_kmh / _KMH_PER_M_PER_S * max(0.0, at - prev.at)

        sample = Telemetry(
            at=at,
            speed_kmh=_keep(speed, prev, "speed_kmh"),
            inclination_pct=_keep(record.inclination_pct, prev, "inclination_pct"),
            distance_m=_keep(self._distance(record.total_distance_m), prev, "distance_m"),
            integrated_distance_m=integrated,
            elapsed_time_s=_keep(record.elapsed_time_s, prev, "elapsed_time_s"),
            # A measurement, not a setting: a record without one has no heart rate (the last
            # one kept forever would be acted on long after the grips were let go).
            heart_rate_bpm=record.heart_rate_bpm,
            step_count=_keep(record.step_count, prev, "step_count"),
            total_energy_kcal=_keep(record.total_energy_kcal, prev, "total_energy_kcal"),
            record=record,
        )
        self.latest = sample
        return sample

    def _distance(self, counted_m: int | None) -> int | None:
        if counted_m is None or self._distance_factor == 1.0:
            return counted_m
        return round(counted_m * self._distance_factor)


def _keep(new: _V | None, prev: Telemetry | None, name: str) -> _V | None:
    """``new`` when the record carried it, else the previous sample's value."""
    if new is not None or prev is None:
        return new
    old: _V | None = getattr(prev, name)
    return old
