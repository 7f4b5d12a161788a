"""FIT workout files as Garmin Connect writes them, encoded with Garmin's own FIT SDK.

The importer is checked against files it did not write: a file id from Garmin Connect
(manufacturer garmin, product 65534), a ``workout`` and its ``workout_step``s with names,
notes, custom pace ranges (mm/s on the wire), a ``repeat_until_steps_cmplt`` step, and the
kinds of steps a watch has and a treadmill cannot follow yet (heart-rate zones, the lap
button, power).
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
            "wkt_name": "Treadmill 6x400",
            "sport": "running",
            "sub_sport": "generic",
            "num_valid_steps": len(steps),
        }
    )
    for index, step in enumerate(steps):
        encoder.write_mesg({"mesg_num": MESG["WORKOUT_STEP"], "message_index": index, **step})
    return encoder.close()
