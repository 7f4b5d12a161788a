"""Zwift run workouts (.zwo) into raw profile data.

Format facts (h4l/zwift-workout-file-reference, generated from Zwift's built-in files; the
run semantics as QZ implements them in qdomyos-zwift ``src/zwiftworkout.cpp``):

* root ``<workout_file>`` with ``<name>``, ``<description>``, ``<sportType>`` and
  ``<workout>``; only ``sportType`` ``run`` is a run workout.
* In a run workout, durations are **metres** unless a ``<durationType>`` element says
  ``time`` (then seconds).
* ``Power`` is a fraction of a reference **speed**; the ``pace`` attribute selects the
  reference: 0 = 1 mile, 1 = 5 km, 2 = 10 km, 3 = half marathon, 4 = marathon. An optional
  ``<thresholdSecPerKm>`` element replaces the reference for every step.
* Elements: ``SteadyState`` (Duration, Power), ``Warmup``/``Cooldown``/``Ramp`` (Duration,
  PowerLow → PowerHigh), ``IntervalsT`` (Repeat, OnDuration, OffDuration, OnPower,
  OffPower), ``FreeRide`` and ``MaxEffort`` (no target: refused, a treadmill needs a speed).
  ``textevent`` children (timeoffset or distoffset, message) become cues.

Zwift has no direction: every step is forward, except in retrorun's own exports, whose
first text event (``"BACKWARD: backward walk, incline 2 %. <cue>"``) gives the direction,
label, incline and cue (and a zone step's target and speed range, an open step's "open", a
keep step's ``FreeRide``: `retrorun.profiles.exporters.zwo`), and whose turn and speed
change steps are dropped (the plan makes them again; `retrorun.profiles.importers.own`).
A text event part-way through a steady or ramp step whose offset is in the step's own unit
splits the step there so the cue lands at the right moment; any other text event is spoken
when its step starts.
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from retrorun.errors import ConfigError
from retrorun.profiles.exporters.steps import is_speed_text, read_heart_rate
from retrorun.profiles.exporters.zwo import STEP_MESSAGE
from retrorun.profiles.importers.own import TurnSteps, read_back
from retrorun.profiles.quantities import parse_speed_kmh

if TYPE_CHECKING:
    import re
    import xml.etree.ElementTree as ET
    from collections.abc import Mapping

    from retrorun.profiles.importers.xmlsafe import XmlDocument

Raw = dict[str, Any]

REFERENCES = ("mile", "5k", "10k", "half", "marathon")
"""The ``pace`` attribute's values 0-4, by the names ``--pace`` accepts."""
CUE_MAX = 200
LABEL_MAX = 60
_TEXT_TAGS = ("textevent", "TextEvent")
_LABELS = {"SteadyState": "steady", "Warmup": "warm-up", "Cooldown": "cool-down", "Ramp": "ramp"}


def parse_paces(options: tuple[str, ...], location: str = "--pace") -> dict[int | None, float]:
    """``--pace`` values (``"5:00/km"``, ``"5k=5:00/km"``) → reference speeds in km/h by
    ``pace`` index (None = every index); `location` names where they were written."""
    references: dict[int | None, float] = {}
    for option in options:
        name, _, pace = option.rpartition("=")
        if name and name not in REFERENCES:
            raise ConfigError(
                f"unknown reference {name!r}; use one of {', '.join(REFERENCES)}",
                location=location,
            )
        try:
            speed = parse_speed_kmh(pace.strip(), "pace")
        except ValueError as exc:
            raise ConfigError(str(exc), location=location) from exc
        references[REFERENCES.index(name) if name else None] = speed
    return references


class _Zwo:
    def __init__(self, document: XmlDocument, references: Mapping[int | None, float]) -> None:
        self.doc = document
        self.references = references
        self.turns = TurnSteps()
        root = document.root
        threshold = _text(root, "thresholdSecPerKm")
        self.threshold_kmh = None
        if threshold:
            seconds = self._number(root.find("thresholdSecPerKm"), threshold, "thresholdSecPerKm")
            self.threshold_kmh = 3600 / seconds
        self.by_time = "time" in _text(root, "durationType").lower()

    def _number(self, element: ET.Element | None, value: str | None, name: str) -> float:
        try:
            number = float(value) if value is not None else None
        except ValueError:
            number = None
        if number is None or not math.isfinite(number) or number <= 0:
            raise self.doc.error(
                f"attribute {name} must be a positive number, not {value!r}", element
            )
        return number

    def attr(self, element: ET.Element, name: str) -> float:
        return self._number(element, element.get(name), name)

    def speed(self, element: ET.Element, power_attr: str) -> float:
        power = self.attr(element, power_attr)
        if self.threshold_kmh is not None:
            return round(self.threshold_kmh * power, 2)
        pace = element.get("pace")
        index = int(pace) if pace is not None and pace.isdigit() else None
        reference = self.references.get(index, self.references.get(None))
        if reference is None:
            wanted = (
                f"{REFERENCES[index]}=" if index is not None and index < len(REFERENCES) else ""
            )
            raise self.doc.error(
                f"needs a reference pace: pass --pace {wanted}5:00/km (your own pace) or set "
                "[runner] paces in the config",
                element,
            )
        return round(reference * power, 2)

    def length(self, value: float) -> Raw:
        return {"duration": value} if self.by_time else {"distance": value}

    def steps(self) -> list[Raw]:
        workout = self.doc.root.find("workout")
        if workout is None:
            raise self.doc.error("no <workout> element", self.doc.root)
        steps: list[Raw] = []
        for element in workout:
            steps.extend(self.element(element))
        if not steps:
            raise self.doc.error("the workout has no steps", workout)
        return steps

    def element(self, element: ET.Element) -> list[Raw]:
        tag = element.tag
        first = next((e.get("message", "") for e in element if e.tag in _TEXT_TAGS), "")
        if tag in _LABELS and self.turns.take(first):
            return []
        own = STEP_MESSAGE.match(first) if tag in _LABELS or tag == "FreeRide" else None
        if own is not None:
            return [self.own_step(element, own)]
        if tag == "SteadyState":
            speed = self.speed(element, "Power")
            return self.split(element, self.attr(element, "Duration"), speed, speed)
        if tag in ("Warmup", "Cooldown", "Ramp"):
            low, high = self.speed(element, "PowerLow"), self.speed(element, "PowerHigh")
            return self.split(element, self.attr(element, "Duration"), low, high)
        if tag == "IntervalsT":
            return [self.intervals(element)]
        if tag in ("FreeRide", "MaxEffort"):
            raise self.doc.error(
                f"{tag} has no target speed, which a treadmill needs; replace it with a "
                "SteadyState in the file",
                element,
            )
        if tag in _TEXT_TAGS:
            return []  # a workout-level message has no step to belong to
        raise self.doc.error(f"unsupported element {tag}", element)

    def own_step(self, element: ET.Element, message: re.Match[str]) -> Raw:
        """A step of retrorun's own export: everything but the length and speed is in its
        message."""
        if message["distance"]:
            step: Raw = {"distance": float(message["distance"])}
        else:
            step = self.length(self.attr(element, "Duration"))
        step.update(self.own_speed(element, message))
        if message["open"]:
            step["open"] = True
        step["direction"] = message["direction"].lower()
        if not is_speed_text(message["label"]):
            step["label"] = message["label"][:LABEL_MAX]
        if message["incline"]:
            step["incline"] = float(message["incline"])
        if message["cue"]:
            step["cue"] = message["cue"][:CUE_MAX]
        return step

    def own_speed(self, element: ET.Element, message: re.Match[str]) -> Raw:
        """What an own step holds: the speed it keeps, its zone, its speed or its ramp."""
        if element.tag == "FreeRide" or message["keep"]:
            return {"keep_speed": True}
        if element.tag == "SteadyState":
            start = end = self.speed(element, "Power")
        else:
            start, end = self.speed(element, "PowerLow"), self.speed(element, "PowerHigh")
        target = read_heart_rate(message["hold"] or "")
        if target is not None:
            low, high = float(message["min"]), float(message["max"])
            zone: Raw = {"heart_rate": target, "min_speed": low, "max_speed": high}
            start = min(max(start, low), high)  # the reference pace rounds
            return zone if start == low else {**zone, "speed": start}
        return {"speed": start} if start == end else {"ramp": {"from": start, "to": end}}

    def intervals(self, element: ET.Element) -> Raw:
        repeat = self.attr(element, "Repeat")
        on = {
            **self.length(self.attr(element, "OnDuration")),
            "speed": self.speed(element, "OnPower"),
            "label": "on",
        }
        cue = _cue(element)
        if cue:
            on["cue"] = cue
        steps = [on]
        off_length = element.get("OffDuration")
        if off_length is not None and float(off_length or 0) > 0:
            steps.append(
                {
                    **self.length(self.attr(element, "OffDuration")),
                    "speed": self.speed(element, "OffPower"),
                    "label": "off",
                }
            )
        return {"repeat": {"times": round(repeat), "steps": steps}}

    def split(self, element: ET.Element, total: float, start: float, end: float) -> list[Raw]:
        """One step, split at text events that fall inside it."""
        own = "timeoffset" if self.by_time else "distoffset"
        cuts: dict[float, list[str]] = {0.0: []}
        for event in (e for e in element if e.tag in _TEXT_TAGS):
            message = (event.get("message") or "").strip()
            if not message:
                continue
            offset_text = event.get(own)
            offset = float(offset_text) if offset_text and _is_number(offset_text) else 0.0
            offset = offset if 0 < offset < total else 0.0
            cuts.setdefault(offset, []).append(message)
        bounds = [*sorted(cuts), total]
        steps = []
        for begin, finish in pairwise(bounds):
            if finish - begin <= 0:
                continue
            from_kmh = round(start + (end - start) * begin / total, 2)
            to_kmh = round(start + (end - start) * finish / total, 2)
            step: Raw = self.length(round(finish - begin, 3))
            if from_kmh == to_kmh:
                step["speed"] = from_kmh
            else:
                step["ramp"] = {"from": from_kmh, "to": to_kmh}
            step["label"] = _LABELS.get(element.tag, element.tag.lower())
            if cuts[begin]:
                step["cue"] = " ".join(cuts[begin])[:CUE_MAX]
            steps.append(step)
        return steps


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cue(element: ET.Element) -> str:
    messages = (e.get("message", "").strip() for e in element if e.tag in _TEXT_TAGS)
    return " ".join(m for m in messages if m)[:CUE_MAX]


def _text(root: ET.Element, tag: str) -> str:
    found = root.find(tag)
    return (found.text or "").strip() if found is not None else ""


def zwo_to_raw(
    document: XmlDocument, references: Mapping[int | None, float]
) -> tuple[Raw, list[str]]:
    """A parsed .zwo file → raw profile data (not yet validated), and notes."""
    root = document.root
    if root.tag != "workout_file":
        raise document.error("not a Zwift workout: the root element must be <workout_file>", root)
    sport = _text(root, "sportType").lower()
    if "run" not in sport:
        raise document.error(
            f"sportType is {sport or 'missing'!r}, not 'run': only run workouts can be imported",
            root.find("sportType") if root.find("sportType") is not None else root,
        )
    zwo = _Zwo(document, references)
    name = _text(root, "name") or "Imported Zwift workout"
    description = _text(root, "description")
    author = _text(root, "author")
    origin = f"Imported from a Zwift run workout{f' by {author}' if author else ''}."
    raw = {
        "name": name[:80],
        "description": f"{description} {origin}".strip()[:2000],
        "steps": zwo.steps(),
    }
    notes = []
    if root.find("durationType") is None:
        notes.append(
            "the file has no <durationType>, so its durations are read as metres, as in "
            "Zwift's run workouts; if they are seconds, add <durationType>time</durationType>"
        )
    return read_back(raw, zwo.turns), notes
