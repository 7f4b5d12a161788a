"""QZ (qdomyos-zwift) XML training programs into raw profile data.

The format, as QZ reads and writes it (qdomyos-zwift issue #2915, ``trainprogram.cpp``): a
root ``<rows>`` holding ``<row>`` elements, each with ``duration="hh:mm:ss"`` or
``distance`` (km), ``speed`` (km/h) and ``inclination`` (%), plus ``<repeat times="N">``
blocks around rows. ``forcespeed="1"`` is QZ's way of saying "set this speed"; without it QZ
leaves the speed to the runner. retrorun always sets a row's speed (the belt needs a target),
and says so once per file when rows without ``forcespeed`` have one. A ``<textevent
timeoffset="s" message="…"/>`` inside a time row (as in Zwift files) becomes a cue at its
offset: the row is split there. Other row attributes (fan speed, cadence, resistance, ...)
steer things a treadmill profile does not have and are ignored. Every step is forward.

A row without a speed keeps the speed the belt runs (``keep_speed``; it needs a duration);
a heart-rate zone row (``zonehr``, ``minspeed``, ``maxspeed``) holds that zone of the runner's
between those speeds (a zone step; QZ's ``looptimehr`` is noted, retrorun's control law has
its own timing). A row retrorun cannot run is refused with the row's number and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from retrorun.profiles.models import ZONES
from retrorun.profiles.quantities import parse_duration_s

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

    from retrorun.profiles.importers.xmlsafe import XmlDocument

Raw = dict[str, Any]
MAX_TIMES = 100
CUE_MAX = 200
_TEXT_TAGS = ("textevent", "TextEvent")


def _number(document: XmlDocument, element: ET.Element, name: str) -> float | None:
    value = element.get(name)
    if value is None or not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise document.error(f"attribute {name} must be a number, not {value!r}", element) from None


@dataclass
class _Reader:
    document: XmlDocument
    rows: int = 0
    unforced: int = 0
    """Rows with a speed but no ``forcespeed="1"``."""
    loop_times: int = 0
    """Zone rows with QZ's ``looptimehr`` (how often QZ adjusts the speed)."""
    notes: list[str] = field(default_factory=list)

    def row(self, row: ET.Element) -> list[Raw]:
        self.rows += 1
        number = self.rows
        document = self.document
        step: Raw = {}
        duration = row.get("duration")
        distance_km = _number(document, row, "distance")
        if duration and duration.strip() not in ("", "00:00:00"):
            try:
                step["duration"] = parse_duration_s(duration.strip())
            except ValueError:
                raise document.error(
                    f"row {number}: duration {duration!r} is not hh:mm:ss", row
                ) from None
        elif distance_km is not None and distance_km > 0:
            step["distance"] = round(distance_km * 1000, 3)
        else:
            raise document.error(
                f"row {number} has neither a duration (hh:mm:ss) nor a distance (km); give it one",
                row,
            )
        speed = _number(document, row, "speed")
        if row.get("zonehr") is not None:
            step.update(self.zone(row, number, speed))
        elif speed is None or speed <= 0:
            if "duration" not in step:
                raise document.error(
                    f"row {number}: a distance row without a speed is not supported; give it "
                    "a speed in km/h, or a duration to keep the speed the belt runs",
                    row,
                )
            step["keep_speed"] = True
        else:
            if (row.get("forcespeed") or "0").strip() in ("0", "", "false"):
                self.unforced += 1
            step["speed"] = speed
        step["incline"] = _number(document, row, "inclination") or 0.0
        return _split_at_text_events(step, row)

    def zone(self, row: ET.Element, number: int, speed: float | None) -> Raw:
        """A heart-rate zone row (``zonehr``, ``minspeed``, ``maxspeed``) as a zone step."""
        document = self.document
        zone = _number(document, row, "zonehr")
        if zone is None or zone != int(zone) or not 1 <= zone <= ZONES:
            raise document.error(
                f"row {number}: zonehr must be a heart-rate zone 1-{ZONES}, not "
                f"{row.get('zonehr')!r}",
                row,
            )
        low, high = _number(document, row, "minspeed"), _number(document, row, "maxspeed")
        if low is None or high is None or not 0 < low < high:
            raise document.error(
                f"row {number}: a heart-rate zone row needs minspeed and maxspeed (km/h, "
                "minspeed below maxspeed): the speeds the belt may hold the zone within",
                row,
            )
        if row.get("looptimehr") is not None:
            self.loop_times += 1
        step: Raw = {"heart_rate": {"zone": int(zone)}, "min_speed": low, "max_speed": high}
        if speed is not None and low <= speed <= high:
            step["speed"] = speed
        return step

    def rows_of(self, parent: ET.Element) -> list[Raw]:
        document = self.document
        steps: list[Raw] = []
        for element in parent:
            if element.tag == "row":
                steps.extend(self.row(element))
            elif element.tag == "repeat":
                times = _number(document, element, "times")
                if times is None or times != int(times) or not 1 <= times <= MAX_TIMES:
                    raise document.error(f"times must be a whole number 1-{MAX_TIMES}", element)
                inner = self.rows_of(element)
                if not inner:
                    raise document.error("a repeat needs rows inside it", element)
                steps.append({"repeat": {"times": int(times), "steps": inner}})
            else:
                raise document.error(f"unsupported element {element.tag}", element)
        return steps


def _split_at_text_events(step: Raw, row: ET.Element) -> list[Raw]:
    """`step` split where its text events fall (time rows), each part starting with its cue;
    a distance row's events are all said when it starts."""
    cuts: dict[float, list[str]] = {0.0: []}
    total = step.get("duration")
    for event in (e for e in row if e.tag in _TEXT_TAGS):
        message = (event.get("message") or "").strip()
        if not message:
            continue
        try:
            offset = float(event.get("timeoffset") or 0)
        except ValueError:
            offset = 0.0
        inside = total is not None and 0 < offset < total
        cuts.setdefault(offset if inside else 0.0, []).append(message)
    if total is None or len(cuts) == 1:
        cue = " ".join(cuts[0.0])[:CUE_MAX]
        return [{**step, "cue": cue} if cue else step]
    bounds = [*sorted(cuts), total]
    parts: list[Raw] = []
    for begin, end in pairwise(bounds):
        part = {**step, "duration": round(end - begin, 3)}
        if cuts[begin]:
            part["cue"] = " ".join(cuts[begin])[:CUE_MAX]
        parts.append(part)
    return parts


def qz_to_raw(document: XmlDocument, name: str) -> tuple[Raw, list[str]]:
    """A parsed QZ program → raw profile data (not yet validated), and notes."""
    root = document.root
    if root.tag != "rows":
        raise document.error("not a QZ program: the root element must be <rows>", root)
    reader = _Reader(document)
    steps = reader.rows_of(root)
    if not steps:
        raise document.error("the program has no rows", root)
    notes = []
    if reader.unforced:
        notes.append(
            f'{reader.unforced} of {reader.rows} rows have a speed without forcespeed="1" '
            "(QZ leaves those to the runner); retrorun sets every row's speed"
        )
    if reader.loop_times:
        notes.append(
            f"{reader.loop_times} zone row{'s give' if reader.loop_times > 1 else ' gives'} "
            "looptimehr (how often QZ adjusts the speed); retrorun holds a zone with its own "
            "control law (docs/profiles.md)"
        )
    return {
        "name": name[:80],
        "description": "Imported from a QZ (qdomyos-zwift) training program.",
        "steps": steps,
    }, notes
