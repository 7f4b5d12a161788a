"""Human quantities in profiles: durations, distances, speeds and paces.

Profiles are written by people, so a duration may be ``90``, ``"90s"``, ``"2m"``, ``"1:30"``
or ``"1h5m"``; a distance ``400`` (metres), ``"400m"``, ``"1km"`` or ``"0.25mi"``; a speed
``9`` (in the profile's units), ``"9 km/h"``, ``"5.5 mph"``, ``"6:00/km"`` or ``"9:40/mi"``.
Each parser returns a plain number in the unit its name says, or raises `ValueError` with a
message that shows what a good value looks like (pydantic turns it into a field error).
A pace becomes a speed with exact arithmetic (fractions, one rounding to float at the end):
``"5:30/km"`` is the float nearest 3600 / 330 km/h, ``"8:50/mi"`` the one nearest
3600 * 1.609344 / 530.
"""

from __future__ import annotations

import re
import reprlib
from fractions import Fraction
from typing import Literal

KM_PER_MILE = 1.609344
M_PER_MILE = 1609.344

SpeedUnits = Literal["km/h", "mph", "pace"]

_NUMBER = r"(\d+(?:\.\d+)?|\.\d+)"
_DURATION_PARTS = re.compile(
    rf"^(?:{_NUMBER}\s*h)?\s*(?:{_NUMBER}\s*(?:m|min))?\s*(?:{_NUMBER}\s*s)?$", re.IGNORECASE
)
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)$")
_DISTANCE = re.compile(rf"^{_NUMBER}\s*(m|km|mi|mile|miles)$", re.IGNORECASE)
_SPEED = re.compile(rf"^{_NUMBER}\s*(km/h|kmh|kph|mph)$", re.IGNORECASE)
_PACE = re.compile(r"^(\d{1,2}):(\d{2}(?:\.\d+)?)\s*(?:min)?\s*/\s*(km|mi|mile)$", re.IGNORECASE)
_BARE_PACE = re.compile(r"^(\d{1,2}):(\d{2}(?:\.\d+)?)$")

DURATION_HELP = "write seconds (90), '90s', '2m', '1h5m' or a clock time '1:30'"
DISTANCE_HELP = "write metres (400) or '400m', '1km', '0.25mi'"
SPEED_HELP = "write a number in the profile's units, '9 km/h', '5.5 mph', '6:00/km' or '9:40/mi'"
PACE_HELP = "write minutes:seconds per km or mile, '5:30/km' or '8:50/mi'"


def parse_duration_s(value: object) -> float:
    """A duration in seconds from a number of seconds or a human string."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = value.strip() if isinstance(value, str) else ""
    clock = _CLOCK.match(text)
    if clock:
        hours, minutes, seconds = clock.groups()
        if float(seconds) < 60 and (hours is None or int(minutes) < 60):  # noqa: PLR2004
            return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    parts = _DURATION_PARTS.match(text)
    if text and parts and any(parts.groups()):
        hours, minutes, seconds = (float(part) if part else 0.0 for part in parts.groups())
        return hours * 3600 + minutes * 60 + seconds
    raise ValueError(f"{reprlib.repr(value)} is not a duration; {DURATION_HELP}")


def parse_distance_m(value: object) -> float:
    """A distance in metres from a number of metres or a string with a unit."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = _DISTANCE.match(value.strip()) if isinstance(value, str) else None
    if match:
        number, unit = float(match.group(1)), match.group(2).lower()
        return number * {"m": 1.0, "km": 1000.0}.get(unit, M_PER_MILE)
    raise ValueError(f"{reprlib.repr(value)} is not a distance; {DISTANCE_HELP}")


def _pace_to_kmh(minutes: str, seconds: str, per: str) -> float | None:
    """The speed of a pace, computed exactly and rounded once."""
    secs = Fraction(seconds)
    total_s = int(minutes) * 60 + secs
    if secs >= 60 or total_s <= 0:  # noqa: PLR2004
        return None
    per_km = Fraction(str(KM_PER_MILE)) if per.lower().startswith("mi") else Fraction(1)
    return float(3600 * per_km / total_s)


def parse_pace_kmh(value: object) -> float:
    """The speed in km/h of a pace with its unit: ``"5:30/km"``, ``"8:50/mi"``,
    ``"5:30 min/km"``."""
    match = _PACE.match(value.strip()) if isinstance(value, str) else None
    kmh = _pace_to_kmh(*match.groups()) if match else None
    if kmh is None:
        raise ValueError(f"{reprlib.repr(value)} is not a pace; {PACE_HELP}")
    return kmh


def _number_kmh(number: float, units: SpeedUnits) -> float | None:
    if units == "mph":
        return number * KM_PER_MILE
    if units == "pace":
        # A bare number in pace units is minutes per km: 6 = 6:00/km, 5.5 = 5:30/km.
        return 60 / number if number > 0 else None
    return number


def _text_kmh(text: str, units: SpeedUnits) -> float | None:
    speed = _SPEED.match(text)
    if speed:
        number = float(speed.group(1))
        return number * KM_PER_MILE if speed.group(2).lower() == "mph" else number
    pace = _PACE.match(text)
    if pace:
        return _pace_to_kmh(*pace.groups())
    bare = _BARE_PACE.match(text)
    if bare and units == "pace":
        return _pace_to_kmh(bare.group(1), bare.group(2), "km")
    try:
        return _number_kmh(float(text), units)
    except ValueError:
        return None


def parse_speed_kmh(value: object, units: SpeedUnits = "km/h") -> float:
    """A speed in km/h. Bare numbers (and bare ``m:ss`` paces) use the profile's `units`."""
    kmh: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        kmh = _number_kmh(float(value), units)
    elif isinstance(value, str):
        kmh = _text_kmh(value.strip(), units)
    if kmh is None:
        raise ValueError(f"{reprlib.repr(value)} is not a speed; {SPEED_HELP}")
    return kmh


def format_duration(seconds: float) -> str:
    """``75`` → ``1:15``, ``3725`` → ``1:02:05`` (rounded to whole seconds)."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_pace(speed_kmh: float) -> str:
    """A speed as a pace per km, ``12.0`` → ``5:00/km``."""
    if speed_kmh <= 0:
        return "-"
    total = round(3600 / speed_kmh)
    return f"{total // 60}:{total % 60:02d}/km"
