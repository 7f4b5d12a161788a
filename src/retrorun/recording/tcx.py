"""Export a session as TCX (Garmin Training Center Database v2), the fallback format.

`export_tcx(log)` is pure: a `SessionLog` in, the XML text out. Structure (schema
TrainingCenterDatabasev2.xsd, element order as the schema's sequences require):

``TrainingCenterDatabase/Activities/Activity[@Sport=Running]`` with ``Id`` (start time),
then one ``Lap[@StartTime]`` per segment: ``TotalTimeSeconds``, ``DistanceMeters``,
``MaximumSpeed``, ``Calories`` (the treadmill's energy, else the estimate of
`retrorun.recording.energy`), ``AverageHeartRateBpm`` and
``MaximumHeartRateBpm`` when known, ``Intensity`` (Active; Resting for turns),
``TriggerMethod``, ``Track``s of ``Trackpoint``s (``Time``, ``DistanceMeters``,
``HeartRateBpm``, speed in the ActivityExtension ``TPX/Speed``; no ``Position``: a treadmill
has none), ``Notes`` with the direction (FORWARD / BACKWARD / TURN and the label) and the
``LX/AvgSpeed`` extension. A pause ends a ``Track``; the next reading starts another, which
is how Garmin devices mark pauses in TCX.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from retrorun.profiles.words import in_units
from retrorun.recording.activity import Activity, Lap, Sample, build_activity

if TYPE_CHECKING:
    from datetime import datetime

    from retrorun.profiles.words import Units
    from retrorun.recording.log_reader import SessionLog

TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
EXT_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{TCX_NS} http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd"


def _tag(name: str) -> str:
    return f"{{{TCX_NS}}}{name}"


def _ext(name: str) -> str:
    return f"{{{EXT_NS}}}{name}"


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _child(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, _tag(name))
    if text is not None:
        element.text = text
    return element


def _bpm(parent: ET.Element, name: str, value: int | None) -> None:
    if value is not None and value > 0:
        _child(_child(parent, name), "Value", str(min(value, 255)))


def export_tcx(log: SessionLog, units: Units = "metric") -> str:
    """The session as TCX text (UTF-8 XML declaration included); the laps' notes in `units`
    (the numbers are metric, as TCX is)."""
    ET.register_namespace("", TCX_NS)
    ET.register_namespace("ax", EXT_NS)
    ET.register_namespace("xsi", XSI_NS)
    activity = build_activity(log)
    root = ET.Element(
        _tag("TrainingCenterDatabase"), {f"{{{XSI_NS}}}schemaLocation": SCHEMA_LOCATION}
    )
    node = _child(_child(root, "Activities"), "Activity")
    node.set("Sport", "Running")
    _child(node, "Id", _time(activity.moment(activity.span.start_t)))
    for lap in activity.laps:
        _lap(node, activity, lap, units)
    _child(node, "Notes", f"{activity.name} (retrorun, treadmill)")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _lap(parent: ET.Element, activity: Activity, lap: Lap, units: Units) -> None:
    node = _child(parent, "Lap")
    node.set("StartTime", _time(activity.moment(lap.span.start_t)))
    _child(node, "TotalTimeSeconds", f"{lap.timer_s:.3f}")
    _child(node, "DistanceMeters", f"{lap.distance_m:.2f}")
    _child(node, "MaximumSpeed", f"{lap.max_speed_kmh / 3.6:.3f}")
    _child(node, "Calories", str(lap.calories_kcal))
    _bpm(node, "AverageHeartRateBpm", lap.avg_heart_rate_bpm)
    _bpm(node, "MaximumHeartRateBpm", lap.max_heart_rate_bpm)
    _child(node, "Intensity", "Resting" if lap.kind == "turn" else "Active")
    if lap.distance_target_m is not None:
        trigger = "Distance"
    elif lap.duration_target_s is not None:
        trigger = "Time"
    else:
        trigger = "Manual"
    _child(node, "TriggerMethod", trigger)
    for track in _tracks(activity, lap):
        element = _child(node, "Track")
        for sample in track:
            _point(element, activity, sample)
    direction = lap.group.upper()
    label = in_units(lap.label, units)
    _child(node, "Notes", f"{direction}: {label}" if label else direction)
    extension = ET.SubElement(_child(node, "Extensions"), _ext("LX"))
    ET.SubElement(extension, _ext("AvgSpeed")).text = f"{lap.avg_speed_kmh / 3.6:.3f}"


def _tracks(activity: Activity, lap: Lap) -> list[list[Sample]]:
    """The lap's samples, split where the timer was stopped between two of them."""
    tracks: list[list[Sample]] = []
    previous_span = None
    for sample in activity.lap_samples(lap):
        span = next(
            (i for i, a in enumerate(activity.active) if a.start_t <= sample.t <= a.end_t), None
        )
        if span is None:
            continue  # paused: the belt is stopped, nothing to record
        if span != previous_span or not tracks:
            tracks.append([])
            previous_span = span
        tracks[-1].append(sample)
    return tracks


def _point(parent: ET.Element, activity: Activity, sample: Sample) -> None:
    point = _child(parent, "Trackpoint")
    _child(point, "Time", _time(activity.moment(sample.t)))
    _child(point, "DistanceMeters", f"{sample.distance_m:.2f}")
    _bpm(point, "HeartRateBpm", sample.heart_rate_bpm)
    tpx = ET.SubElement(_child(point, "Extensions"), _ext("TPX"))
    ET.SubElement(tpx, _ext("Speed")).text = f"{sample.speed_kmh / 3.6:.3f}"
