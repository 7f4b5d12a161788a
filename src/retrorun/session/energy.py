"""The energy a runner spends, counted as the session goes (`EnergyCounter`) and estimated
from the belt when the treadmill does not count it (`kcal_per_s`).

**The treadmill's count first.** When the treadmill reports ``total_energy_kcal`` (FTMS
Expended Energy), the session's energy is the sum of its increases, counted like distance:
a count that restarts from zero counts on from there, and a rise larger than
`MAX_ENERGY_STEP_KCAL` between two readings is a carried-over total, not energy spent.

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

Pure: no I/O, no clock; the engine feeds it readings and their times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BODY_MASS_KG = 70.0
"""The estimate's runner; the treadmill's own count (when it has one) knows better."""
BACKWARD_FACTOR = 1.2
RUN_FROM_KMH = 6.0
KCAL_PER_LITRE_O2 = 5.0
MAX_GAP_S = 5.0
MAX_ENERGY_STEP_KCAL = 50.0
"""A rise of the treadmill's count larger than this between two readings is a carried-over
total, not energy spent (no runner burns 50 kcal in a few seconds)."""

EnergySource = Literal["treadmill", "estimate"]


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


def energy_text(kcal: float, source: EnergySource) -> str:
    """How screens and lines show it: ``112 kcal`` (the treadmill's count) or ``98 kcal
    est.`` (the estimate)."""
    return f"{kcal:.0f} kcal" + ("" if source == "treadmill" else " est.")


def energy_gained(previous: float, reported: float) -> float:
    """What a rise of the treadmill's count from `previous` to `reported` adds: a count
    that restarted counts from zero, a jump past `MAX_ENERGY_STEP_KCAL` adds nothing."""
    gained = reported - previous if reported >= previous else reported
    return gained if gained <= MAX_ENERGY_STEP_KCAL else 0.0


@dataclass
class EnergyCounter:
    """The session's energy so far: the treadmill's count once it counts, else the
    estimate. Feed it every reading with `feed`; `kcal` and `source` say where it stands."""

    counted_kcal: float = 0.0
    estimated_kcal: float = 0.0
    _last_count: float | None = None
    _last_t: float | None = None

    @property
    def source(self) -> EnergySource:
        return "treadmill" if self.counted_kcal > 0 else "estimate"

    @property
    def kcal(self) -> float:
        return self.counted_kcal if self.counted_kcal > 0 else self.estimated_kcal

    def feed(
        self,
        t: float,
        *,
        counting: bool,
        speed_kmh: float | None,
        incline_pct: float | None,
        backward: bool,
        reported_kcal: float | None,
    ) -> None:
        """A reading at session time `t`; only time and energy while `counting` (the
        session running, not paused) are added."""
        last_t, self._last_t = self._last_t, t
        if reported_kcal is not None and reported_kcal >= 0:
            last, self._last_count = self._last_count, reported_kcal
            if counting and last is not None:
                self.counted_kcal += energy_gained(last, reported_kcal)
        if counting and last_t is not None and speed_kmh:
            seconds = min(max(0.0, t - last_t), MAX_GAP_S)
            rate = kcal_per_s(speed_kmh, incline_pct or 0.0, backward=backward)
            self.estimated_kcal += rate * seconds
