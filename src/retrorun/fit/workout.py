"""FIT ``workout`` and ``workout_step`` messages (notes §3.3), shared by workout files and
activities that carry the steps they ran.

Step facts: ``duration_type`` time → ``duration_value`` in ms, distance → in cm; a speed
target with ``target_value`` 0 is a custom range, ``custom_target_value_low/high`` in mm/s;
a repeat step has ``duration_type`` ``repeat_until_steps_cmplt``, ``duration_value`` = the
index of the first step to repeat and ``target_value`` = how many times in all. A heart-rate
target has ``target_value`` = the zone (1-5), or 0 and a custom range whose values are
``workout_hr``: 0-100 is % of max HR, above 100 is bpm + 100 (`BPM_OFFSET`); a speed range
beside it goes into the secondary target (fields 19-22, the same units as the primary). A
step ending on a heart rate has ``duration_type`` ``hr_greater_than`` or ``hr_less_than``
and ``duration_value`` = the heart rate as ``workout_hr`` (bpm + 100), its longest time in
the ``max_time`` developer field. A repeat until a heart rate has ``duration_type``
``repeat_until_hr_greater_than`` or ``repeat_until_hr_less_than``, ``duration_value`` the
first step to repeat and ``target_value`` the heart rate (bpm + 100), the most rounds in
the ``max_rounds`` developer field.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrorun.fit import developer
from retrorun.fit.profile import (
    Intensity,
    MesgNum,
    Sport,
    SubSport,
    WktStepDuration,
    WktStepTarget,
)
from retrorun.fit.wire import BaseType, Field, FitWriter, field, text

NAME_SIZE = 48
NOTES_SIZE = 255  # a field is at most 255 bytes
DESCRIPTION_SIZE = 255
BPM_OFFSET = 100
"""``workout_hr``: a value above 100 is bpm + 100; 0-100 is % of max HR."""


@dataclass(frozen=True)
class HeartRateRange:
    """A heart-rate target: a zone of the watch's own zones, or a custom range."""

    zone: int = 0
    """1-5: the watch's zone; 0: the custom range below."""
    low: int | None = None
    """``workout_hr``: % of max HR (0-100), or bpm + `BPM_OFFSET`."""
    high: int | None = None


@dataclass(frozen=True)
class WorkoutStep:
    """One step: an exercise step (time or distance, speed range) or a repeat step."""

    name: str | None = None
    notes: str | None = None
    duration_s: float | None = None
    distance_m: float | None = None
    speed_low_kmh: float | None = None
    speed_high_kmh: float | None = None
    intensity: Intensity = Intensity.ACTIVE
    incline_pct: float | None = None
    repeat_from: int | None = None
    """For a repeat step: the index of the first step to repeat."""
    repeat_times: int | None = None
    """For a repeat step: how many times the steps run in all."""
    heart_rate: HeartRateRange | None = None
    """A heart-rate target; the speed range (if any) is then the secondary target."""
    max_time_s: float | None = None
    """An open step (it ends on the lap button): the longest it lasts, kept in a developer
    field since FIT's open duration has none."""
    start_speed_kmh: float | None = None
    """A heart-rate step's starting speed (developer field)."""
    percent_max: tuple[float, float] | None = None
    """A heart-rate target in % of max HR, exactly (developer fields)."""
    until_bpm: int | None = None
    """The step ends once the heart rate is above (`until_above`) or below this (bpm), at
    the latest after `max_time_s`; a repeat step repeats until then, at most
    `repeat_times` rounds."""
    until_above: bool = True


def _mm_per_s(speed_kmh: float | None) -> int | None:
    return None if speed_kmh is None else round(speed_kmh / 3.6 * 1000)


def write_workout(
    writer: FitWriter,
    name: str,
    description: str | None,
    steps: tuple[WorkoutStep, ...],
    sub_sport: SubSport = SubSport.TREADMILL,
) -> None:
    """A ``workout`` message and its steps (the caller declared the developer fields they
    use, of `developer.WORKOUT_STEP_FIELDS`)."""
    writer.message(
        MesgNum.WORKOUT,
        (
            Field(4, BaseType.ENUM, Sport.RUNNING),
            Field(6, BaseType.UINT16, len(steps)),
            text(8, name, NAME_SIZE),
            Field(11, BaseType.ENUM, sub_sport),
            text(17, description or None, DESCRIPTION_SIZE),
        ),
    )
    for index, step in enumerate(steps):
        write_step(writer, index, step)


def write_step(writer: FitWriter, index: int, step: WorkoutStep) -> None:
    """One ``workout_step`` message."""
    if step.repeat_from is not None:
        _write_repeat(writer, index, step)
        return
    duration: tuple[WktStepDuration, int | None]
    if step.until_bpm is not None:
        kind = WktStepDuration.HR_GREATER_THAN if step.until_above else WktStepDuration.HR_LESS_THAN
        duration = (kind, step.until_bpm + BPM_OFFSET)
    elif step.max_time_s is not None:
        duration = (WktStepDuration.OPEN, None)
    elif step.distance_m is not None:
        duration = (WktStepDuration.DISTANCE, round(step.distance_m * 100))
    elif step.duration_s is not None:
        duration = (WktStepDuration.TIME, round(step.duration_s * 1000))
    else:
        duration = (WktStepDuration.OPEN, None)
    fields = (
        Field(254, BaseType.UINT16, index),
        text(0, step.name, NAME_SIZE),
        Field(1, BaseType.ENUM, duration[0]),
        field(2, BaseType.UINT32, duration[1]),
        *_targets(step),
        Field(7, BaseType.ENUM, step.intensity),
        text(8, step.notes, NOTES_SIZE),
    )
    writer.message(MesgNum.WORKOUT_STEP, fields, developer=_developer(step))


def _write_repeat(writer: FitWriter, index: int, step: WorkoutStep) -> None:
    """A repeat step: a count, or until a heart rate with the most rounds beside it."""
    kind, value = WktStepDuration.REPEAT_UNTIL_STEPS_CMPLT, step.repeat_times or 1
    rounds = None
    if step.until_bpm is not None:
        kind = (
            WktStepDuration.REPEAT_UNTIL_HR_GREATER_THAN
            if step.until_above
            else WktStepDuration.REPEAT_UNTIL_HR_LESS_THAN
        )
        value, rounds = step.until_bpm + BPM_OFFSET, step.repeat_times
    fields = (
        Field(254, BaseType.UINT16, index),
        Field(1, BaseType.ENUM, kind),
        Field(2, BaseType.UINT32, step.repeat_from or 0),
        Field(3, BaseType.ENUM, WktStepTarget.OPEN),
        Field(4, BaseType.UINT32, value),
    )
    writer.message(
        MesgNum.WORKOUT_STEP,
        fields,
        developer=(developer.value(developer.STEP_MAX_ROUNDS, rounds),),
    )


def _targets(step: WorkoutStep) -> tuple[Field | None, ...]:
    """Fields 3-6 (and 19-22): a speed range, a heart rate (with the speed range as the
    secondary target), or no target."""
    low, high = _mm_per_s(step.speed_low_kmh), _mm_per_s(step.speed_high_kmh)
    hr = step.heart_rate
    if hr is None:
        return (
            Field(3, BaseType.ENUM, WktStepTarget.OPEN if low is None else WktStepTarget.SPEED),
            Field(4, BaseType.UINT32, 0),
            field(5, BaseType.UINT32, low),
            field(6, BaseType.UINT32, high),
        )
    secondary = low is not None
    return (
        Field(3, BaseType.ENUM, WktStepTarget.HEART_RATE),
        Field(4, BaseType.UINT32, hr.zone),
        field(5, BaseType.UINT32, hr.low),
        field(6, BaseType.UINT32, hr.high),
        field(19, BaseType.ENUM, WktStepTarget.SPEED if secondary else None),
        field(20, BaseType.UINT32, 0 if secondary else None),
        field(21, BaseType.UINT32, low),
        field(22, BaseType.UINT32, high),
    )


def _hundredths(value: float | None) -> int | None:
    return None if value is None else round(value * 100)


def _developer(step: WorkoutStep) -> tuple[Field | None, ...]:
    """The step's developer fields (`developer.WORKOUT_STEP_FIELDS`); unset ones left out."""
    pct = step.percent_max or (None, None)
    max_time = None if step.max_time_s is None else round(step.max_time_s * 1000)
    return (
        developer.value(developer.STEP_INCLINE, _hundredths(step.incline_pct)),
        developer.value(developer.STEP_START_SPEED, _hundredths(step.start_speed_kmh)),
        developer.value(developer.STEP_MAX_TIME, max_time),
        developer.value(developer.STEP_HR_LOW_PCT, _hundredths(pct[0])),
        developer.value(developer.STEP_HR_HIGH_PCT, _hundredths(pct[1])),
    )
