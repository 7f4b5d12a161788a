"""A profile as a Zwift run workout (.zwo, notes §3.1).

Zwift run targets are fractions of a reference pace; the file sets that reference with
``<thresholdSecPerKm>`` (the profile's fastest speed), so ``Power`` 0.5 is half of it and
QZ and Zwift agree on the speed. Zwift has no repeats beyond on/off pairs and no
direction, so the steps are unrolled and every step starts with a text event saying
FORWARD or BACKWARD (and the step's cue). Durations are metres when every step is a
distance; otherwise seconds (``<durationType>time``), a distance step taking the time it
lasts at its speed. Steady steps are ``SteadyState``; ramps are ``Warmup`` (first step),
``Cooldown`` (last step) or ``Ramp``, ``PowerLow`` at the start and ``PowerHigh`` at the end.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from retrorun.profiles.exporters.fit_workout import speed_text
from retrorun.profiles.models import IntervalStep, RepeatStep

if TYPE_CHECKING:
    from retrorun.profiles.models import Profile, Step


def _unrolled(steps: tuple[Step, ...]) -> list[IntervalStep]:
    out: list[IntervalStep] = []
    for step in steps:
        if isinstance(step, RepeatStep):
            for _ in range(step.repeat.times):
                out.extend(_unrolled(step.repeat.steps))
        else:
            out.append(step)
    return out


def _number(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def export_zwo(profile: Profile) -> str:
    """`profile` as .zwo XML text."""
    steps = _unrolled(profile.steps)
    by_distance = all(step.distance_m is not None for step in steps)
    fastest = max(max(s.start_speed_kmh, s.end_speed_kmh) for s in steps)
    threshold_s_per_km = round(3600 / fastest)
    reference_kmh = 3600 / threshold_s_per_km
    root = ET.Element("workout_file")
    ET.SubElement(root, "author").text = "retrorun"
    ET.SubElement(root, "name").text = profile.name
    ET.SubElement(root, "description").text = (
        f"{profile.description} Forward and backward intervals for a treadmill (retrorun); "
        "the direction is in each step's message."
    ).strip()
    ET.SubElement(root, "sportType").text = "run"
    if not by_distance:
        ET.SubElement(root, "durationType").text = "time"
    ET.SubElement(root, "thresholdSecPerKm").text = str(threshold_s_per_km)
    ET.SubElement(root, "tags")
    workout = ET.SubElement(root, "workout")
    for position, step in enumerate(steps):
        if by_distance:
            length = step.distance_m or 0.0
        elif step.duration_s is not None:
            length = step.duration_s
        else:
            length = (step.distance_m or 0.0) / ((step.start_speed_kmh + step.end_speed_kmh) / 7.2)
        attributes = {"Duration": _number(round(length, 1))}
        if step.ramp is not None and step.ramp.from_kmh != step.ramp.to_kmh:
            tag = "Ramp"
            if position == 0:
                tag = "Warmup"
            elif position == len(steps) - 1:
                tag = "Cooldown"
            attributes["PowerLow"] = _number(step.ramp.from_kmh / reference_kmh)
            attributes["PowerHigh"] = _number(step.ramp.to_kmh / reference_kmh)
        else:
            tag = "SteadyState"
            attributes["Power"] = _number(step.end_speed_kmh / reference_kmh)
        element = ET.SubElement(workout, tag, attributes)
        message = f"{step.direction.upper()}: {step.label or speed_text(step)}"
        if step.incline_pct:
            message += f", incline {step.incline_pct:g} %"
        if step.cue:
            message += f". {step.cue}"
        ET.SubElement(element, "textevent", {"timeoffset": "0", "message": message})
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"
