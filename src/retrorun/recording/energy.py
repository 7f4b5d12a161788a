"""Energy of a session, for the calories that FIT, TCX, Strava and Garmin Connect show.

The treadmill's count when the log's telemetry carries ``total_energy_kcal``, else the ACSM
estimate with its backward factor; both are described in `retrorun.session.energy`, which
counts the same way while the session runs.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from retrorun.session.energy import MAX_GAP_S, energy_gained, kcal_per_s

if TYPE_CHECKING:
    from retrorun.recording.activity import Sample, Span
    from retrorun.recording.log_reader import LogEvent


def with_energy(
    samples: tuple[Sample, ...],
    events: tuple[LogEvent, ...],
    span: Span,
    active: tuple[Span, ...],
) -> tuple[tuple[Sample, ...], Literal["treadmill", "estimate"]]:
    """`samples` with their cumulative `energy_kcal`, and where the numbers came from."""
    counted = _treadmill_counts(events, span)
    if counted and counted[-1][1] > 0:
        return _at_times(samples, counted), "treadmill"
    return _estimated(samples, active), "estimate"


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value) if value >= 0 else None
    return None


def _treadmill_counts(events: tuple[LogEvent, ...], span: Span) -> list[tuple[float, float]]:
    """(t, cumulative kcal since the activity started) for each reading of the count."""
    counted: list[tuple[float, float]] = []
    total = 0.0
    previous: float | None = None
    for event in events:
        if event.type != "telemetry":
            continue
        reported = _number(event.get("total_energy_kcal"))
        if reported is None:
            continue
        if previous is not None and event.t > span.start_t:
            total += energy_gained(previous, reported)
        previous = reported
        if span.start_t <= event.t <= span.end_t:
            counted.append((event.t, total))
    return counted


def _at_times(
    samples: tuple[Sample, ...], counted: list[tuple[float, float]]
) -> tuple[Sample, ...]:
    result = []
    position = 0
    energy = 0.0
    for sample in samples:
        while position < len(counted) and counted[position][0] <= sample.t:
            energy = counted[position][1]
            position += 1
        result.append(replace(sample, energy_kcal=energy))
    return tuple(result)


def _estimated(samples: tuple[Sample, ...], active: tuple[Span, ...]) -> tuple[Sample, ...]:
    result = []
    energy = 0.0
    previous_t: float | None = active[0].start_t if active else None
    for sample in samples:
        if previous_t is not None:
            middle = (previous_t + sample.t) / 2
            if any(span.start_t <= middle <= span.end_t for span in active):
                seconds = min(sample.t - previous_t, MAX_GAP_S)
                rate = kcal_per_s(
                    sample.speed_kmh,
                    sample.incline_pct or 0.0,
                    backward=sample.group == "backward",
                )
                energy += rate * seconds
        previous_t = sample.t
        result.append(replace(sample, energy_kcal=energy))
    return tuple(result)
