"""FIT ``workout`` and ``workout_step`` messages (notes §3.3), shared by workout files and
activities that carry the steps they ran.

Step facts: ``duration_type`` time → ``duration_value`` in ms, distance → in cm; a speed
target with ``target_value`` 0 is a custom range, ``custom_target_value_low/high`` in mm/s;
a repeat step has ``duration_type`` ``repeat_until_steps_cmplt``, ``duration_value`` = the
index of the first step to repeat and ``target_value`` = how many times in all; a step ending
on a heart rate has ``duration_type`` ``hr_greater_than`` or ``hr_less_than`` and
``duration_value`` = the heart rate in bpm + 100 (its most in retrorun's ``max_duration``
developer field, which the caller declares).
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
HR_OFFSET = 100
"""FIT writes a heart rate in bpm as bpm + 100 (a value of 100 or less is % of the max)."""


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
    until_bpm: int | None = None
    """The step ends once the heart rate is above (`until_above`) or below this; then
    `duration_s` is the most it lasts."""
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
    """A ``workout`` message and its steps (the caller declared `developer.STEP_INCLINE`)."""
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
        fields: tuple[Field | None, ...] = (
            Field(254, BaseType.UINT16, index),
            Field(1, BaseType.ENUM, WktStepDuration.REPEAT_UNTIL_STEPS_CMPLT),
            Field(2, BaseType.UINT32, step.repeat_from),
            Field(3, BaseType.ENUM, WktStepTarget.OPEN),
            Field(4, BaseType.UINT32, step.repeat_times or 1),
        )
        writer.message(MesgNum.WORKOUT_STEP, fields)
        return
    duration: tuple[WktStepDuration, int | None]
    if step.until_bpm is not None:
        kind = WktStepDuration.HR_GREATER_THAN if step.until_above else WktStepDuration.HR_LESS_THAN
        duration = (kind, step.until_bpm + HR_OFFSET)
    elif step.distance_m is not None:
        duration = (WktStepDuration.DISTANCE, round(step.distance_m * 100))
    elif step.duration_s is not None:
        duration = (WktStepDuration.TIME, round(step.duration_s * 1000))
    else:
        duration = (WktStepDuration.OPEN, None)
    has_speed = step.speed_low_kmh is not None
    fields = (
        Field(254, BaseType.UINT16, index),
        text(0, step.name, NAME_SIZE),
        Field(1, BaseType.ENUM, duration[0]),
        field(2, BaseType.UINT32, duration[1]),
        Field(3, BaseType.ENUM, WktStepTarget.SPEED if has_speed else WktStepTarget.OPEN),
        Field(4, BaseType.UINT32, 0),
        field(5, BaseType.UINT32, _mm_per_s(step.speed_low_kmh)),
        field(6, BaseType.UINT32, _mm_per_s(step.speed_high_kmh)),
        Field(7, BaseType.ENUM, step.intensity),
        text(8, step.notes, NOTES_SIZE),
    )
    incline = None if step.incline_pct is None else round(step.incline_pct * 100)
    most = None
    if step.until_bpm is not None and step.duration_s is not None:
        most = round(step.duration_s * 1000)
    writer.message(
        MesgNum.WORKOUT_STEP,
        fields,
        developer=(
            developer.value(developer.STEP_INCLINE, incline),
            developer.value(developer.STEP_MAX_DURATION, most),
        ),
    )
