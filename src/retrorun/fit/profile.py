"""The parts of the FIT profile (Profile.xlsx, FIT SDK 21.x) that retrorun reads and writes.

Message numbers and enum values are the profile's; field numbers live next to the code that
writes each message. Scales: times in ms (``s x 1000``), distances in cm (``m x 100``),
speeds in mm/s (``m/s x 1000``), grade in hundredths of a percent.
"""

from __future__ import annotations

import enum


class MesgNum(enum.IntEnum):
    """Global message numbers (Profile.xlsx, type ``mesg_num``)."""

    FILE_ID = 0
    SESSION = 18
    LAP = 19
    RECORD = 20
    EVENT = 21
    DEVICE_INFO = 23
    WORKOUT = 26
    WORKOUT_STEP = 27
    ACTIVITY = 34
    FILE_CREATOR = 49
    FIELD_DESCRIPTION = 206
    DEVELOPER_DATA_ID = 207


class FileType(enum.IntEnum):
    """``file``: what a FIT file holds (file_id.type)."""

    ACTIVITY = 4
    WORKOUT = 5


class Sport(enum.IntEnum):
    RUNNING = 1


class SubSport(enum.IntEnum):
    GENERIC = 0
    TREADMILL = 1


class Event(enum.IntEnum):
    TIMER = 0
    SESSION = 8
    LAP = 9
    ACTIVITY = 26


class EventType(enum.IntEnum):
    START = 0
    STOP = 1
    STOP_ALL = 4


class Intensity(enum.IntEnum):
    ACTIVE = 0
    REST = 1
    WARMUP = 2
    COOLDOWN = 3
    RECOVERY = 4
    INTERVAL = 5


class LapTrigger(enum.IntEnum):
    MANUAL = 0
    TIME = 1
    DISTANCE = 2
    SESSION_END = 7


class WktStepDuration(enum.IntEnum):
    """``wkt_step_duration``: what ends a workout step."""

    TIME = 0
    """duration_value in ms."""
    DISTANCE = 1
    """duration_value in cm."""
    HR_LESS_THAN = 2
    """duration_value: a heart rate, bpm + 100 (100 or less: % of the maximum)."""
    HR_GREATER_THAN = 3
    """duration_value: as `HR_LESS_THAN`."""
    OPEN = 5
    REPEAT_UNTIL_STEPS_CMPLT = 6
    """duration_value: index of the first step to repeat; target_value: the count."""
    REPEAT_UNTIL_HR_LESS_THAN = 10
    """duration_value: index of the first step to repeat; target_value: a heart rate as
    `HR_LESS_THAN`'s."""
    REPEAT_UNTIL_HR_GREATER_THAN = 11
    """As `REPEAT_UNTIL_HR_LESS_THAN`, until the heart rate is above it."""


class WktStepTarget(enum.IntEnum):
    """``wkt_step_target``: what a workout step aims at."""

    SPEED = 0
    HEART_RATE = 1
    OPEN = 2


MANUFACTURER_DEVELOPMENT = 255
"""``manufacturer.development``: for software that has no Garmin-assigned manufacturer id."""
