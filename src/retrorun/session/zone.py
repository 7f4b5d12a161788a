"""Holding a heart-rate zone by speed: the control law of a zone step.

Pure: `decide` takes the zone, the heart rate now and at the last decision, and the speed;
it returns the speed to ask for and why. The engine calls it every `ZONE_UPDATE_S` seconds
of the step's counted time and sends the speed through the same safety layer as a nudge
(caps, the backward ramp rate), so nothing here can make a step unsafe.

Theory of operation
-------------------
The heart follows a change of speed with a lag (a time constant of about 30 s: most of the
change shows after a minute, all of it after two). A controller that reacts faster than the
heart overshoots and swings around the zone, so this one is deliberately slow and small:

* **Update interval**: one decision every `ZONE_UPDATE_S` (20 s); the first comes 20 s after
  the step's clock starts (the belt at its start speed).
* **Dead band**: nothing changes while the heart rate is inside the zone kept
  `ZONE_MARGIN_BPM` (3 bpm) away from each edge (a narrow zone keeps a quarter of its width),
  so a heart rate drifting by a beat or two inside the zone never moves the belt.
* **Step size**: `FORWARD_STEP_KMH` (0.3 km/h) per decision forward, `FAR_STEP_KMH` (0.5
  km/h) when the heart rate is more than `FAR_BPM` (10 bpm) outside the zone; backward always
  `BACKWARD_STEP_KMH` (0.2 km/h): a walker facing away gets small changes only.
* **Catching up**: below the zone but risen by `TREND_BPM` (3 bpm) or more since the last
  decision (or above and fallen as much), the heart is still on its way: hold.
* **Bounds**: never below the step's ``min_speed`` nor above its ``max_speed``; at a bound,
  the verdict says so (the runner is told once: the zone cannot be reached there).
* **No heart rate** (none yet, or stale: `retrorun.session.heart`): hold the speed. A zone
  step never acts on a heart rate it does not have.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ZONE_UPDATE_S = 20.0
ZONE_MARGIN_BPM = 3
FAR_BPM = 10
TREND_BPM = 3
FORWARD_STEP_KMH = 0.3
FAR_STEP_KMH = 0.5
BACKWARD_STEP_KMH = 0.2

Verdict = Literal["below", "above", "in_zone", "catching_up", "at_max", "at_min", "no_heart_rate"]


@dataclass(frozen=True)
class Zone:
    """The heart-rate range to hold and the speeds it may be held with."""

    low_bpm: int
    high_bpm: int
    min_speed_kmh: float
    max_speed_kmh: float
    backward: bool = False


@dataclass(frozen=True)
class Decision:
    """The speed to ask for (the same as now when holding) and why."""

    speed_kmh: float
    verdict: Verdict


def dead_band(zone: Zone) -> tuple[int, int]:
    """The heart rates at which nothing changes."""
    margin = min(ZONE_MARGIN_BPM, (zone.high_bpm - zone.low_bpm) // 4)
    return zone.low_bpm + margin, zone.high_bpm - margin


def decide(zone: Zone, hr: int | None, previous_hr: int | None, speed_kmh: float) -> Decision:
    """One decision of the control law (see the module docstring)."""
    if hr is None:
        return Decision(speed_kmh, "no_heart_rate")
    low, high = dead_band(zone)
    if low <= hr <= high:
        return Decision(speed_kmh, "in_zone")
    below = hr < low
    if previous_hr is not None and (
        (below and hr - previous_hr >= TREND_BPM) or (not below and previous_hr - hr >= TREND_BPM)
    ):
        return Decision(speed_kmh, "catching_up")
    return _step(zone, hr, speed_kmh, below=below)


def _step(zone: Zone, hr: int, speed_kmh: float, *, below: bool) -> Decision:
    """One step toward the zone, within the step's speeds."""
    outside = zone.low_bpm - hr if below else hr - zone.high_bpm
    if zone.backward:
        step = BACKWARD_STEP_KMH
    else:
        step = FAR_STEP_KMH if outside > FAR_BPM else FORWARD_STEP_KMH
    if below:
        if speed_kmh >= zone.max_speed_kmh - 1e-9:
            return Decision(zone.max_speed_kmh, "at_max")
        return Decision(round(min(zone.max_speed_kmh, speed_kmh + step), 2), "below")
    if speed_kmh <= zone.min_speed_kmh + 1e-9:
        return Decision(zone.min_speed_kmh, "at_min")
    return Decision(round(max(zone.min_speed_kmh, speed_kmh - step), 2), "above")
