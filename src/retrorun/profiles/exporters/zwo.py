"""A profile as a Zwift run workout (.zwo, notes §3.1).

Zwift run targets are fractions of a reference pace; the file sets that reference with
``<thresholdSecPerKm>`` (the profile's fastest speed), so ``Power`` 0.5 is half of it and
QZ and Zwift agree on the speed. Zwift has no repeats beyond on/off pairs and no
direction, so the steps are unrolled, every turn is written as its three steps (slow, turn,
settle: `retrorun.profiles.exporters.steps`), and every element starts with a text event
saying FORWARD or BACKWARD: ``"BACKWARD: backward walk, incline 2 %. <cue>"`` for a step,
the turn step's name and text for a turn. Durations are metres when every step is a
distance (a turn's steps then last the metres the plan expects them to take); otherwise
seconds (``<durationType>time``), a distance step taking the time it lasts at its speed.
Steady steps are ``SteadyState``; ramps, the slow step of a turn and a backward step's speed
change (`retrorun.profiles.exporters.steps.SpeedChange`) are ``Warmup`` (first element),
``Cooldown`` (last element) or ``Ramp``, ``PowerLow`` at the start and ``PowerHigh`` at the
end.

Zwift has no heart-rate targets, no lap button and no "keep the speed", so the other kinds
of step run as Zwift can and say the rest in their message, which ``retrorun import`` reads:

* a zone step is a ``SteadyState`` at its start speed, the runner adjusting the speed to
  stay in the zone: ``"FORWARD: zone 2 run, holds zone 2 at 6-10 km/h. <cue>"``;
* an open step lasts its longest time: ``"..., open: skip or lap to go on"``;
* a keep step is a ``FreeRide`` of its time (the runner's own pace, the belt left as it
  runs): ``"FORWARD: at the same speed, keeps the speed"``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from retrorun.profiles.exporters.steps import (
    SpeedChange,
    TurnPhase,
    export_items,
    flattened,
    speed_text,
)
from retrorun.profiles.models import IntervalStep

if TYPE_CHECKING:
    from retrorun.profiles.exporters.steps import Flat
    from retrorun.profiles.models import Profile
    from retrorun.profiles.timeline import Plan


KEEPS = ", keeps the speed"
OPEN = ", open: skip or lap to go on"
STEP_MESSAGE = re.compile(
    r"^(?P<direction>FORWARD|BACKWARD): (?P<label>.+?)"
    r"(?:, incline (?P<incline>-?[0-9.]+) %)?(?:, (?P<distance>[0-9.]+) m)?"
    r"(?:, holds (?P<hold>.+?) at (?P<min>[0-9.]+)-(?P<max>[0-9.]+) km/h)?"
    rf"(?P<keep>{KEEPS})?(?P<open>{OPEN})?"
    r"(?:\. (?P<cue>.+))?$",
    re.DOTALL,
)
"""A step's message as `step_message` writes it (the label ends at the first ". ")."""


def _number(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def step_message(step: IntervalStep, *, by_distance: bool) -> str:
    """``"BACKWARD: backward walk, incline 2 %. Hold the rails"``; in a file timed in
    seconds a distance step says its metres (``"FORWARD: stride, 100 m"``), which the
    file's duration (the time it lasts at its speed) cannot keep."""
    message = f"{step.direction.upper()}: {step.label or speed_text(step)}"
    if step.incline_pct:
        message += f", incline {step.incline_pct:g} %"
    if step.distance_m is not None and not by_distance:
        message += f", {step.distance_m:g} m"
    if step.heart_rate is not None:
        low, high = _number(step.min_speed_kmh or 0.0), _number(step.max_speed_kmh or 0.0)
        message += f", holds {step.heart_rate.describe()} at {low}-{high} km/h"
    if step.keep_speed:
        message += KEEPS
    if step.open_ended:
        message += OPEN
    return f"{message}. {step.cue}" if step.cue else message


def _message(item: Flat, *, by_distance: bool) -> str:
    if isinstance(item, TurnPhase | SpeedChange):
        return f"{item.name}: {item.text}"
    return step_message(item, by_distance=by_distance)


def _length(item: Flat, *, by_distance: bool) -> float:
    if isinstance(item, TurnPhase | SpeedChange):
        return item.distance_m if by_distance else item.duration_s
    if by_distance:
        return item.distance_m or 0.0
    if item.duration_s is not None:
        return item.duration_s
    return (item.distance_m or 0.0) / ((item.start_speed_kmh + item.end_speed_kmh) / 7.2)


def _speeds(item: Flat) -> tuple[float, float] | None:
    """Start and end speed; None for a keep step (it has none of its own)."""
    if isinstance(item, TurnPhase | SpeedChange):
        return item.from_kmh, item.speed_kmh
    if item.keep_speed:
        return None
    return item.start_speed_kmh, item.end_speed_kmh


def export_zwo(profile: Profile, plan: Plan) -> str:
    """`profile` (compiled into `plan`) as .zwo XML text."""
    items = flattened(export_items(profile, plan))
    steps = [item for item in items if isinstance(item, IntervalStep)]
    by_distance = all(step.distance_m is not None for step in steps)
    fastest = max(max(speeds) for item in items if (speeds := _speeds(item)) is not None)
    threshold_s_per_km = round(3600 / fastest)
    reference_kmh = 3600 / threshold_s_per_km
    root = ET.Element("workout_file")
    ET.SubElement(root, "author").text = "retrorun"
    ET.SubElement(root, "name").text = profile.name
    ET.SubElement(root, "description").text = (
        f"{profile.description} Forward and backward intervals for a treadmill (retrorun); "
        "the direction is in each step's message, and every turn is three steps: slow "
        "down, turn around on the rails, settle."
    ).strip()
    ET.SubElement(root, "sportType").text = "run"
    if not by_distance:
        ET.SubElement(root, "durationType").text = "time"
    ET.SubElement(root, "thresholdSecPerKm").text = str(threshold_s_per_km)
    ET.SubElement(root, "tags")
    workout = ET.SubElement(root, "workout")
    for position, item in enumerate(items):
        attributes = {"Duration": _number(round(_length(item, by_distance=by_distance), 1))}
        speeds = _speeds(item)
        if speeds is None:
            tag = "FreeRide"
        elif speeds[0] != speeds[1]:
            start, end = speeds
            tag = "Ramp"
            if position == 0:
                tag = "Warmup"
            elif position == len(items) - 1:
                tag = "Cooldown"
            attributes["PowerLow"] = _number(start / reference_kmh)
            attributes["PowerHigh"] = _number(end / reference_kmh)
        else:
            tag = "SteadyState"
            attributes["Power"] = _number(speeds[1] / reference_kmh)
        element = ET.SubElement(workout, tag, attributes)
        message = _message(item, by_distance=by_distance)
        ET.SubElement(element, "textevent", {"timeoffset": "0", "message": message})
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"
