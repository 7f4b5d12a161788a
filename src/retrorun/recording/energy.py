"""Energy of a session, for the calories that FIT, TCX, Strava and Garmin Connect show.

**The treadmill's count first.** When the log's telemetry carries ``total_energy_kcal``
(FTMS Expended Energy), the session's energy is the sum of its increases, counted like
distance (a count that restarts from zero counts on from there).

**Else an estimate** from the belt: the ACSM metabolic equations (ACSM's Guidelines for
Exercise Testing and Prescription), gross oxygen cost in ml/kg/min with S in m/min and G
the grade as a fraction,

* walking (below `RUN_FROM_KMH`): ``VO2 = 0.1 S + 1.8 S G + 3.5``
* running: ``VO2 = 0.2 S + 0.9 S G + 3.5``

times 5 kcal per litre of oxygen and `BODY_MASS_KG`. Backward minutes cost
`BACKWARD_FACTOR` times as much: heart rate and VO2 are 17-20 % higher backward than
forward at the same speed and grade (Lee & Lee 2016; Flynn et al. 1994 found backward
walking and running significantly costlier). Turns count as forward walking. Only time with
the belt moving counts; a gap longer than `MAX_GAP_S` between two readings counts as
`MAX_GAP_S` (a lost connection is not exercise we can vouch for).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from retrorun.recording.activity import Sample, Span
    from retrorun.recording.log_reader import LogEvent

BODY_MASS_KG = 70.0
"""The estimate's runner; the treadmill's own count (when it has one) knows better."""
BACKWARD_FACTOR = 1.2
RUN_FROM_KMH = 6.0
KCAL_PER_LITRE_O2 = 5.0
MAX_GAP_S = 5.0
MAX_ENERGY_STEP_KCAL = 50.0
"""A rise of the treadmill's count larger than this between two readings is a carried-over
total, not energy spent (no runner burns 50 kcal in a few seconds)."""


def vo2_ml_per_kg_min(speed_kmh: float, incline_pct: float) -> float:
    """Gross oxygen cost of walking or running on a treadmill (ACSM)."""
    metres_per_min = speed_kmh * 1000 / 60
    grade = max(0.0, incline_pct) / 100
    if speed_kmh < RUN_FROM_KMH:
        return 0.1 * metres_per_min + 1.8 * metres_per_min * grade + 3.5
    return 0.2 * metres_per_min + 0.9 * metres_per_min * grade + 3.5


def kcal_per_s(
    speed_kmh: float,
    incline_pct: float,
    *,
    backward: bool,
    body_mass_kg: float = BODY_MASS_KG,
) -> float:
    """Estimated energy rate at a belt speed and incline, facing `backward` or not."""
    if speed_kmh <= 0:
        return 0.0
    litres_per_min = vo2_ml_per_kg_min(speed_kmh, incline_pct) * body_mass_kg / 1000
    rate = litres_per_min * KCAL_PER_LITRE_O2 / 60
    return rate * BACKWARD_FACTOR if backward else rate


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
            gained = reported - previous if reported >= previous else reported
            total += gained if gained <= MAX_ENERGY_STEP_KCAL else 0.0
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
