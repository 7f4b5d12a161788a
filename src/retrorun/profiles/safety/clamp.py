"""Run time: make each requested speed or incline safe to command, saying why it changed.

The session calls these before every command; they are pure and cheap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun.profiles.safety.limits import (
    BACKWARD_INCLINE_FLOOR_PCT,
    BACKWARD_RAMP_STEP_KMH,
    STEEP_BACKWARD_INCLINE_PCT,
    STEEP_BACKWARD_SPEED_CAP_KMH,
    TOLERANCE,
    DeviceRange,
    SafetyLimits,
)

if TYPE_CHECKING:
    from retrorun.profiles.models import Direction


@dataclass(frozen=True)
class Clamped:
    """A value made safe to command, with the reasons it differs from the request."""

    value: float
    requested: float
    reasons: tuple[str, ...] = ()

    @property
    def limited(self) -> bool:
        """Whether the safety layer changed the request."""
        return bool(self.reasons)


def _snap(value: float, low: float, high: float, increment: float) -> float:
    """The multiple of `increment` nearest `value` that lies within [low, high]."""
    if increment <= 0:
        return min(max(value, low), high)
    snapped = round(value / increment) * increment
    if snapped > high + TOLERANCE:
        snapped = math.floor(high / increment + TOLERANCE) * increment
    if snapped < low - TOLERANCE:
        snapped = math.ceil(low / increment - TOLERANCE) * increment
    if snapped > high + TOLERANCE:  # no multiple fits: the upper (safety) bound wins
        snapped = high
    return round(snapped, 6)


def clamp_speed(
    direction: Direction,
    requested_kmh: float,
    incline_pct: float,
    limits: SafetyLimits,
    device: DeviceRange | None = None,
) -> Clamped:
    """The speed to command instead of `requested_kmh`, given direction and current incline.

    Call before every speed command. `device` defaults to ``limits.device``; the result is
    inside the device's range, on its increment grid, and never above a safety cap.
    """
    device = device or limits.device
    reasons: list[str] = []
    high = math.inf
    if direction == "backward":
        high = limits.backward_speed_max_kmh
        if requested_kmh > high + TOLERANCE:
            reasons.append(f"backward speed capped at {high:g} km/h")
        if incline_pct > STEEP_BACKWARD_INCLINE_PCT + TOLERANCE:
            high = min(high, STEEP_BACKWARD_SPEED_CAP_KMH)
            if requested_kmh > high + TOLERANCE:
                reasons.append(
                    f"backward speed capped at {high:g} km/h above "
                    f"{STEEP_BACKWARD_INCLINE_PCT:g} % incline"
                )
    elif limits.forward_speed_max_kmh is not None:
        high = limits.forward_speed_max_kmh
        if requested_kmh > high + TOLERANCE:
            reasons.append(f"forward speed capped at your personal {high:g} km/h")
    low, increment = 0.0, 0.0
    if device is not None:
        low, increment = device.speed_min_kmh, device.speed_increment_kmh
        if requested_kmh > device.speed_max_kmh + TOLERANCE and device.speed_max_kmh < high:
            reasons.append(f"treadmill maximum is {device.speed_max_kmh:g} km/h")
        if requested_kmh < low - TOLERANCE:
            reasons.append(f"treadmill minimum is {low:g} km/h")
        high = min(high, device.speed_max_kmh)
    value = _snap(max(requested_kmh, 0.0), low, high, increment)
    return Clamped(value, requested_kmh, tuple(reasons))


def clamp_incline(
    direction: Direction,
    requested_pct: float,
    speed_kmh: float,
    limits: SafetyLimits,
    device: DeviceRange | None = None,
    *,
    current_pct: float | None = None,
    in_turn: bool = False,
) -> Clamped:
    """The incline to command instead of `requested_pct`.

    While backward the incline may only change inside a turn window (`in_turn`); outside it
    the result is `current_pct` (when known). Backward inclines stay within 0 % and the
    backward cap, and at most 5 % while the belt runs faster than 5 km/h.
    """
    device = device or limits.device
    reasons: list[str] = []
    value = requested_pct
    if direction == "backward" and not in_turn and current_pct is not None:
        if abs(requested_pct - current_pct) > TOLERANCE:
            reasons.append("incline changes while backward only in the turn window")
        value = current_pct
    low, high = -math.inf, math.inf
    if limits.incline_max_pct is not None:
        high = limits.incline_max_pct
    if direction == "backward":
        low, high = BACKWARD_INCLINE_FLOOR_PCT, min(high, limits.backward_incline_max_pct)
        if speed_kmh > STEEP_BACKWARD_SPEED_CAP_KMH + TOLERANCE:
            high = min(high, STEEP_BACKWARD_INCLINE_PCT)
    increment = 0.0
    if device is not None:
        low, high = max(low, device.incline_min_pct), min(high, device.incline_max_pct)
        increment = device.incline_increment_pct
    if value > high + TOLERANCE:
        reasons.append(f"incline capped at {high:g} %")
    elif value < low - TOLERANCE:
        reasons.append(f"incline raised to {low:g} %")
    return Clamped(_snap(value, low, high, increment), requested_pct, tuple(reasons))


def limit_speed_change(
    direction: Direction,
    previous_kmh: float,
    requested_kmh: float,
    elapsed_s: float,
    limits: SafetyLimits,
) -> Clamped:
    """Hold a backward speed change to the ramp rate since the previous command, and to one
    backward step (`BACKWARD_RAMP_STEP_KMH`) however long ago that was.

    Forward changes pass unchanged (the belt's own ramp limits them).
    """
    if direction == "forward":
        return Clamped(requested_kmh, requested_kmh)
    by_rate = limits.backward_ramp_kmh_per_s * max(elapsed_s, 0.0)
    allowed = min(by_rate, BACKWARD_RAMP_STEP_KMH)
    step = requested_kmh - previous_kmh
    if abs(step) <= allowed + TOLERANCE:
        return Clamped(requested_kmh, requested_kmh)
    value = previous_kmh + math.copysign(allowed, step)
    reason = (
        f"backward speed changes at most {limits.backward_ramp_kmh_per_s:g} km/h per s"
        if by_rate < BACKWARD_RAMP_STEP_KMH
        else f"backward speed changes in steps of at most {BACKWARD_RAMP_STEP_KMH:g} km/h"
    )
    return Clamped(round(value, 6), requested_kmh, (reason,))


def backward_ramp(
    from_kmh: float,
    to_kmh: float,
    limits: SafetyLimits,
    since_last_s: float = math.inf,
) -> tuple[tuple[float, float], ...]:
    """Commanded ``(offset_s, speed_kmh)`` steps from `from_kmh` to `to_kmh` while backward.

    Steps are at most `BACKWARD_RAMP_STEP_KMH` apart and spaced so the change never exceeds
    the backward ramp rate, counting `since_last_s` (time since the previous speed command)
    towards the first step. The last step is `to_kmh`; no change gives one step at offset 0.
    """
    change = to_kmh - from_kmh
    count = max(1, math.ceil(abs(change) / BACKWARD_RAMP_STEP_KMH - TOLERANCE))
    size = change / count
    spacing = abs(size) / limits.backward_ramp_kmh_per_s
    first = max(0.0, spacing - since_last_s)
    return tuple(
        (round(first + index * spacing, 6), round(from_kmh + (index + 1) * size, 6))
        for index in range(count)
    )
