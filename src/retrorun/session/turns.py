"""Turn timing: when to start slowing so the belt *arrives* at turn speed on time.

A turn's window (belt held at turn speed while the runner turns on the rails) must not
begin while the belt is still fast, and should not begin late either. The plan gives the
turn's speed steps as offsets from the turn's start, the last one at the window's start;
a real belt needs its reaction delay plus the change divided by its ramp rate to follow
the last step. So every step is commanded `lead` seconds earlier than the plan says, and
the engine still refuses to say "Turn around now" until the belt is measured at turn speed.

The lead uses the slower of the measured acceleration and deceleration: until the belt
has been seen slowing, only its acceleration is known (from the start), and arriving a
second early at turn speed is harmless while arriving late is not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrorun.device import RampRates
    from retrorun.profiles.plan import Segment

ARRIVAL_TOLERANCE_KMH = 0.2
"""The belt is "at turn speed" within this much of it."""
LEAD_MARGIN_S = 1.0
"""Telemetry arrives about once a second: a sample a second old must already show arrival."""
MAX_ARRIVAL_WAIT_S = 30.0
"""A belt that never reaches turn speed (console held, firmware ignoring us) does not hold
the session forever: after this the window begins anyway, with the speed logged."""


def turn_lead_s(turn: Segment, from_kmh: float, rates: RampRates) -> float:
    """Seconds before the window's planned start to command the turn's last speed step.

    ``from_kmh`` is the speed the belt is on when the turn's steps begin.
    """
    steps = turn.speed_steps
    before = steps[-2].speed_kmh if len(steps) > 1 else from_kmh
    rate = min(rates.accel_kmh_per_s, rates.decel_kmh_per_s)
    change = abs(steps[-1].speed_kmh - before)
    return rates.reaction_delay_s + change / rate + LEAD_MARGIN_S


def approach_s(turn: Segment, from_kmh: float, rates: RampRates) -> float:
    """Seconds before the end of the preceding interval that the turn's first step is due."""
    return max(0.0, turn_lead_s(turn, from_kmh, rates) - turn.speed_steps[0].offset_s)


def arrived(measured_kmh: float | None, turn_kmh: float) -> bool:
    return measured_kmh is not None and abs(measured_kmh - turn_kmh) <= ARRIVAL_TOLERANCE_KMH
