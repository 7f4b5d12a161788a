"""QZ (qdomyos-zwift) XML training programs into raw profile data.

The format, as QZ users share it (qdomyos-zwift issue #2915): a root ``<rows>`` holding
``<row>`` elements, each with ``duration="hh:mm:ss"`` or ``distance`` (km), ``speed`` (km/h)
and ``inclination`` (%), plus ``<repeat times="N">`` blocks around rows. Other row attributes
(``forcespeed``, fan speed, cadence, resistance, ...) steer things a treadmill profile does
not have and are ignored. Every step is forward.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retrorun.profiles.quantities import parse_duration_s

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

    from retrorun.profiles.importers.xmlsafe import XmlDocument

Raw = dict[str, Any]
MAX_TIMES = 100


def _number(document: XmlDocument, element: ET.Element, name: str) -> float | None:
    value = element.get(name)
    if value is None or not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise document.error(f"attribute {name} must be a number, not {value!r}", element) from None


def _row(document: XmlDocument, row: ET.Element) -> Raw:
    step: Raw = {}
    duration = row.get("duration")
    distance_km = _number(document, row, "distance")
    if duration and duration.strip() not in ("", "00:00:00"):
        try:
            step["duration"] = parse_duration_s(duration.strip())
        except ValueError:
            raise document.error(f"duration {duration!r} is not hh:mm:ss", row) from None
    elif distance_km is not None and distance_km > 0:
        step["distance"] = round(distance_km * 1000, 3)
    else:
        raise document.error("a row needs a duration (hh:mm:ss) or a distance (km)", row)
    speed = _number(document, row, "speed")
    if speed is None or speed <= 0:
        raise document.error("a row needs a speed in km/h above 0", row)
    step["speed"] = speed
    step["incline"] = _number(document, row, "inclination") or 0.0
    return step


def _rows(document: XmlDocument, parent: ET.Element) -> list[Raw]:
    steps: list[Raw] = []
    for element in parent:
        if element.tag == "row":
            steps.append(_row(document, element))
        elif element.tag == "repeat":
            times = _number(document, element, "times")
            if times is None or times != int(times) or not 1 <= times <= MAX_TIMES:
                raise document.error(f"times must be a whole number 1-{MAX_TIMES}", element)
            inner = _rows(document, element)
            if not inner:
                raise document.error("a repeat needs rows inside it", element)
            steps.append({"repeat": {"times": int(times), "steps": inner}})
        else:
            raise document.error(f"unsupported element {element.tag}", element)
    return steps


def qz_to_raw(document: XmlDocument, name: str) -> Raw:
    """A parsed QZ program → raw profile data (not yet validated)."""
    root = document.root
    if root.tag != "rows":
        raise document.error("not a QZ program: the root element must be <rows>", root)
    steps = _rows(document, root)
    if not steps:
        raise document.error("the program has no rows", root)
    return {
        "name": name[:80],
        "description": "Imported from a QZ (qdomyos-zwift) training program.",
        "steps": steps,
    }
