"""FIT workout files as Garmin Connect writes them, encoded with Garmin's own FIT SDK.

The importer is checked against files it did not write: a file id from Garmin Connect
(manufacturer garmin, product 65534), a ``workout`` and its ``workout_step``s with names,
notes, custom pace ranges (mm/s on the wire), a ``repeat_until_steps_cmplt`` step, and the
kinds of steps a watch has that a treadmill follows its own way (heart-rate zones and
conditions, the lap button) or cannot follow (power).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from garmin_fit_sdk import Encoder, Profile

MESG = Profile["mesg_num"]
CONNECT = {"manufacturer": "garmin", "product": 65534, "serial_number": 3_941_208_771}


def pace(low_m_per_s: float, high_m_per_s: float) -> dict[str, Any]:
    """A custom speed (pace) target, as Garmin Connect writes one (mm/s on the wire)."""
    return {
        "target_type": "speed",
        "target_value": 0,
        "custom_target_value_low": round(low_m_per_s * 1000),
        "custom_target_value_high": round(high_m_per_s * 1000),
    }


def minutes(value: float) -> dict[str, Any]:
    return {"duration_type": "time", "duration_value": round(value * 60_000)}


def metres(value: float) -> dict[str, Any]:
    return {"duration_type": "distance", "duration_value": round(value * 100)}


WARM_UP = {"wkt_step_name": "Warm up", **minutes(10), **pace(2.5, 2.78), "intensity": "warmup"}
FAST = {"wkt_step_name": "400 m", **metres(400), **pace(3.7, 3.9), "intensity": "active"}
RECOVER = {"wkt_step_name": "Recover", **minutes(1.5), **pace(2.2, 2.4), "intensity": "recovery"}
COOL_DOWN = {"wkt_step_name": "Cool down", **minutes(5), **pace(2.2, 2.5), "intensity": "cooldown"}
HEART_RATE_ZONE = {
    "wkt_step_name": "Zone 2",
    **minutes(20),
    "target_type": "heart_rate",
    "target_value": 2,
    "intensity": "active",
}
LAP_BUTTON = {"wkt_step_name": "Walk until ready", "duration_type": "open", **pace(1.2, 1.4)}
POWER = {
    "wkt_step_name": "Power",
    **minutes(5),
    "target_type": "power",
    "target_value": 3,
    "intensity": "active",
}


def repeat(first: int, times: int) -> dict[str, Any]:
    return {
        "duration_type": "repeat_until_steps_cmplt",
        "duration_value": first,
        "target_type": "open",
        "target_value": times,
    }


def track_repeats(*, replace: dict[int, dict[str, Any]] | None = None) -> bytes:
    """ "Treadmill 6x400": warm-up 10 min, 6 x (400 m fast, 1:30 recovery), cool-down 5 min;
    `replace` swaps steps by index (to make the files a treadmill cannot run)."""
    steps: list[dict[str, Any]] = [
        {**WARM_UP, "notes": "Easy, relaxed"},
        {**FAST, "notes": "Strong but controlled"},
        RECOVER,
        repeat(1, 6),
        COOL_DOWN,
    ]
    for index, step in (replace or {}).items():
        steps[index] = step
    return _workout("Treadmill 6x400", steps)


def heart_rate_above(bpm: int) -> dict[str, Any]:
    """A heart-rate condition as Garmin Connect writes one: bpm + 100 on the wire."""
    return {"duration_type": "hr_greater_than", "duration_value": bpm + 100}


def heart_rate_below(bpm: int) -> dict[str, Any]:
    return {"duration_type": "hr_less_than", "duration_value": bpm + 100}


def heart_rate_range(low: int, high: int) -> dict[str, Any]:
    """A custom heart-rate target: bpm + 100 on the wire (100 or less is % of max)."""
    return {
        "target_type": "heart_rate",
        "target_value": 0,
        "custom_target_value_low": low,
        "custom_target_value_high": high,
    }


HEART_RATE_STEPS: list[dict[str, Any]] = [
    WARM_UP,
    HEART_RATE_ZONE,
    {"wkt_step_name": "Build", **heart_rate_above(160), **pace(3.0, 3.2), "intensity": "active"},
    {"wkt_step_name": "Recover", **heart_rate_below(120), "target_type": "open"},
    repeat(2, 3),
    {"wkt_step_name": "Steady", **minutes(5), **heart_rate_range(240, 250)},
    {"wkt_step_name": "Easy", **minutes(5), **heart_rate_range(60, 70)},
    COOL_DOWN,
]
"""Warm-up 10 min; 20 min in zone 2; 3 x (build until HR above 160, recover until below
120); 5 min at 140-150 bpm; 5 min at 60-70 % of max; cool-down 5 min."""


def heart_rate_workout(*, replace: dict[int, dict[str, Any]] | None = None) -> bytes:
    """ "Heart rate builder" (`HEART_RATE_STEPS`), as Garmin Connect writes it."""
    steps = list(HEART_RATE_STEPS)
    for index, step in (replace or {}).items():
        steps[index] = step
    return _workout("Heart rate builder", steps)


def _workout(name: str, steps: list[dict[str, Any]]) -> bytes:
    encoder = Encoder()
    encoder.write_mesg(
        {
            "mesg_num": MESG["FILE_ID"],
            "type": "workout",
            "time_created": dt.datetime(2026, 11, 2, 7, 30, tzinfo=dt.UTC),
            **CONNECT,
        }
    )
    encoder.write_mesg(
        {
            "mesg_num": MESG["WORKOUT"],
            "wkt_name": name,
            "sport": "running",
            "sub_sport": "generic",
            "num_valid_steps": len(steps),
        }
    )
    for index, step in enumerate(steps):
        encoder.write_mesg({"mesg_num": MESG["WORKOUT_STEP"], "message_index": index, **step})
    return encoder.close()
