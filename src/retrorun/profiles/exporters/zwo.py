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
Steady steps are ``SteadyState``; ramps, and the slow step of a turn, are ``Warmup`` (first
element), ``Cooldown`` (last element) or ``Ramp``, ``PowerLow`` at the start and
``PowerHigh`` at the end.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from retrorun.profiles.exporters.fit_workout import speed_text
from retrorun.profiles.exporters.steps import TurnPhase, export_items, flattened

if TYPE_CHECKING:
    from retrorun.profiles.models import IntervalStep, Profile
    from retrorun.profiles.timeline import Plan


STEP_MESSAGE = re.compile(
    r"^(?P<direction>FORWARD|BACKWARD): (?P<label>.+?)"
    r"(?:, incline (?P<incline>-?[0-9.]+) %)?(?:, (?P<distance>[0-9.]+) m)?"
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
    return f"{message}. {step.cue}" if step.cue else message


def _message(item: IntervalStep | TurnPhase, *, by_distance: bool) -> str:
    if isinstance(item, TurnPhase):
        return f"{item.name}: {item.text}"
    return step_message(item, by_distance=by_distance)


def _length(item: IntervalStep | TurnPhase, *, by_distance: bool) -> float:
    if isinstance(item, TurnPhase):
        return item.distance_m if by_distance else item.duration_s
    if by_distance:
        return item.distance_m or 0.0
    if item.duration_s is not None:
        return item.duration_s
    return (item.distance_m or 0.0) / ((item.start_speed_kmh + item.end_speed_kmh) / 7.2)


def _speeds(item: IntervalStep | TurnPhase) -> tuple[float, float]:
    if isinstance(item, TurnPhase):
        return item.from_kmh, item.speed_kmh
    return item.start_speed_kmh, item.end_speed_kmh


def export_zwo(profile: Profile, plan: Plan) -> str:
    """`profile` (compiled into `plan`) as .zwo XML text."""
    items = flattened(export_items(profile, plan))
    steps = [item for item in items if not isinstance(item, TurnPhase)]
    by_distance = all(step.distance_m is not None for step in steps)
    fastest = max(max(_speeds(item)) for item in items)
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
        start, end = _speeds(item)
        if start != end:
            tag = "Ramp"
            if position == 0:
                tag = "Warmup"
            elif position == len(items) - 1:
                tag = "Cooldown"
            attributes["PowerLow"] = _number(start / reference_kmh)
            attributes["PowerHigh"] = _number(end / reference_kmh)
        else:
            tag = "SteadyState"
            attributes["Power"] = _number(end / reference_kmh)
        element = ET.SubElement(workout, tag, attributes)
        message = _message(item, by_distance=by_distance)
        ET.SubElement(element, "textevent", {"timeoffset": "0", "message": message})
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"
