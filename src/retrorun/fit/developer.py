"""retrorun's FIT developer fields: direction on laps and records; incline, a zone step's
start speed and exact % of max HR, and an open step's longest time on workout steps.

FIT has no notion of running backward (notes §3.5), so a retrorun file declares developer
fields (FIT Protocol, "Developer Data"): a ``developer_data_id`` message with retrorun's
application id, then one ``field_description`` per field. Readers that do not know them
skip them; Garmin Connect and Strava ignore them, which is why direction is *also* in lap
splits, workout step names and notes.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from retrorun.fit.profile import MesgNum
from retrorun.fit.wire import BaseType, Field, FitWriter, field, text

DEVELOPER_INDEX = 0
APPLICATION_ID = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/retrorun/retrorun").bytes
APPLICATION_VERSION = 1
DIRECTION_SIZE = 9  # "BACKWARD" and its NUL


class DirectionCode(enum.IntEnum):
    """Value of the record ``direction`` developer field."""

    FORWARD = 0
    BACKWARD = 1
    TURN = 2


@dataclass(frozen=True)
class DeveloperField:
    number: int
    name: str
    base: BaseType
    native_mesg: MesgNum
    units: str | None = None
    scale: int | None = None


LAP_DIRECTION = DeveloperField(0, "direction", BaseType.STRING, MesgNum.LAP)
"""FORWARD, BACKWARD or TURN on every lap."""
RECORD_DIRECTION = DeveloperField(
    1, "direction", BaseType.UINT8, MesgNum.RECORD, "0 fwd 1 bwd 2 turn"
)
"""`DirectionCode` on every record."""
STEP_INCLINE = DeveloperField(2, "incline", BaseType.SINT16, MesgNum.WORKOUT_STEP, "%", 100)
"""The step's treadmill incline, % x 100 (FIT workouts have no incline target)."""
STEP_START_SPEED = DeveloperField(
    3, "start_speed", BaseType.UINT16, MesgNum.WORKOUT_STEP, "km/h", 100
)
"""A heart-rate zone step's starting speed, km/h x 100, when the profile gives one."""
STEP_MAX_TIME = DeveloperField(4, "max_time", BaseType.UINT32, MesgNum.WORKOUT_STEP, "ms")
"""An open (lap button) step's longest time in ms: retrorun moves on by then (a field
description's scale is one byte, too small for ms as s x 1000)."""
STEP_HR_LOW_PCT = DeveloperField(5, "hr_low_pct", BaseType.UINT16, MesgNum.WORKOUT_STEP, "%", 100)
"""A % of max HR target's low end, % x 100 (the FIT target holds whole percents)."""
STEP_HR_HIGH_PCT = DeveloperField(6, "hr_high_pct", BaseType.UINT16, MesgNum.WORKOUT_STEP, "%", 100)
"""A % of max HR target's high end, % x 100."""
STEP_MAX_ROUNDS = DeveloperField(7, "max_rounds", BaseType.UINT16, MesgNum.WORKOUT_STEP)
"""A repeat until a heart rate: the most rounds retrorun runs (FIT's repeat has none)."""
WORKOUT_STEP_FIELDS = (
    STEP_INCLINE,
    STEP_START_SPEED,
    STEP_MAX_TIME,
    STEP_HR_LOW_PCT,
    STEP_HR_HIGH_PCT,
    STEP_MAX_ROUNDS,
)
"""Every developer field a workout file's steps may carry."""


def declare(writer: FitWriter, fields: tuple[DeveloperField, ...]) -> None:
    """Write retrorun's developer data id and the descriptions of `fields`."""
    writer.message(
        MesgNum.DEVELOPER_DATA_ID,
        (
            Field(1, BaseType.BYTE, APPLICATION_ID),
            Field(3, BaseType.UINT8, DEVELOPER_INDEX),
            Field(4, BaseType.UINT32, APPLICATION_VERSION),
        ),
    )
    for described in fields:
        writer.message(
            MesgNum.FIELD_DESCRIPTION,
            (
                Field(0, BaseType.UINT8, DEVELOPER_INDEX),
                Field(1, BaseType.UINT8, described.number),
                Field(2, BaseType.UINT8, int(described.base)),
                text(3, described.name, 16),
                field(6, BaseType.UINT8, described.scale),
                text(8, described.units, 24),
                Field(14, BaseType.UINT16, int(described.native_mesg)),
            ),
        )


def value(described: DeveloperField, data: int | str | None) -> Field | None:
    """A developer field value ready for `FitWriter.message(developer=...)`."""
    if data is None:
        return None
    if isinstance(data, str):
        return text(described.number, data, DIRECTION_SIZE)
    return Field(described.number, described.base, data)
