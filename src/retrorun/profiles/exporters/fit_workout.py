"""A profile as a FIT workout file (notes §3.3), for a watch or Garmin Connect.

Each interval step becomes a ``workout_step``: its duration (time in ms or distance in cm),
a custom speed target and the direction in the name (``"BACKWARD 4.0 km/h"`` or
``"BACKWARD backward walk"``) and notes (``"BACKWARD (facing away from the console). <cue>"``).
Every turn becomes three timed steps, slow, turn and settle (`retrorun.profiles.exporters.steps`),
intensity ``recovery``, their speed range from the speed before down to the turn speed; a
backward step's speed change is a step of its own too, its range from the speed before to
the step's. A repeat block becomes its steps followed by a repeat step pointing at the first
of them.

The other kinds of step keep what they are:

* a zone step has a heart-rate target: the zone number (``target_value``) or a custom range
  (bpm + 100, or whole % of max HR), with its speed range as the secondary target; its
  starting speed and an exact % of max HR go into developer fields;
* an open step has duration type ``open`` (a watch waits for the lap button); the most it
  lasts goes into the ``max_time`` developer field and its notes;
* a keep step has no target (``open``), so the belt keeps its speed.

Speed targets are a range, as watches expect: a steady speed is ±`SPEED_BAND_KMH` around it
(intensity ``active``); a ramp is its from/to range, with intensity ``warmup`` when it rises
and ``cooldown`` when it falls (that is how `retrorun.profiles.importers.fit_workout` reads
it back). The incline goes into retrorun's ``incline`` developer field, which watches ignore.
A step ending on a heart rate (``until_heart_rate``) has FIT's ``hr_greater_than`` or
``hr_less_than`` duration, its own duration in retrorun's ``max_time`` developer field; a
repeat block ending on a heart rate is FIT's ``repeat_until_hr_greater_than`` or
``repeat_until_hr_less_than``, its most rounds in the ``max_rounds`` developer field.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from retrorun.fit import developer
from retrorun.fit.profile import MANUFACTURER_DEVELOPMENT, FileType, Intensity, MesgNum
from retrorun.fit.wire import BaseType, Field, FitWriter, text
from retrorun.fit.workout import (
    BPM_OFFSET,
    DESCRIPTION_SIZE,
    HeartRateRange,
    WorkoutStep,
    write_workout,
)
from retrorun.profiles.exporters.steps import (
    Block,
    SpeedChange,
    TurnPhase,
    export_items,
    step_name,
    step_notes,
)

if TYPE_CHECKING:
    from retrorun.profiles.exporters.steps import Item
    from retrorun.profiles.models import HeartRateTarget, IntervalStep, Profile
    from retrorun.profiles.timeline import Plan

SPEED_BAND_KMH = 0.2
ELLIPSIS = "…"
OWN_PRODUCT_NAME = "retrorun"
"""``file_id`` product name of our files: the importer reads their ramps back as ramps."""
PRODUCT = 1


def whole_sentences(text: str, size: int) -> str:
    """`text` cut to at most `size` UTF-8 bytes at the end of a sentence, or at a word with
    "…" when the first sentence alone is too long (inside the word only when that alone is
    too long); never inside a character."""
    if len(text.encode("utf-8")) <= size:
        return text
    room = _cut(text, size)
    end = room.rfind(". ")
    if end > 0:
        return room[: end + 1]
    room = _cut(text, size - len(ELLIPSIS.encode("utf-8")))
    space = room.rfind(" ")
    return (room[:space] if space > 0 else room).rstrip(",;: ") + ELLIPSIS


def _cut(text: str, size: int) -> str:
    return text.encode("utf-8")[:size].decode("utf-8", errors="ignore")


def _heart_rate(target: HeartRateTarget) -> HeartRateRange:
    if target.zone is not None:
        return HeartRateRange(zone=target.zone)
    if target.bpm is not None:
        return HeartRateRange(low=target.bpm[0] + BPM_OFFSET, high=target.bpm[1] + BPM_OFFSET)
    low, high = target.percent_max or (0.0, 0.0)
    return HeartRateRange(low=round(low), high=round(high))


def _interval(step: IntervalStep) -> WorkoutStep:
    common = WorkoutStep(
        name=step_name(step),
        notes=step_notes(step),
        duration_s=step.duration_s,
        distance_m=step.distance_m,
        incline_pct=step.incline_pct,
        max_time_s=step.duration_s if step.open_ended else None,
    )
    if step.keep_speed:
        return common
    if step.heart_rate is not None:
        return replace(
            common,
            speed_low_kmh=step.min_speed_kmh,
            speed_high_kmh=step.max_speed_kmh,
            heart_rate=_heart_rate(step.heart_rate),
            start_speed_kmh=step.speed_kmh,
            percent_max=step.heart_rate.percent_max,
        )
    if step.ramp is not None and step.ramp.from_kmh != step.ramp.to_kmh:
        low, high = sorted((step.ramp.from_kmh, step.ramp.to_kmh))
        rising = step.ramp.to_kmh > step.ramp.from_kmh
        intensity = Intensity.WARMUP if rising else Intensity.COOLDOWN
    else:
        low = max(0.1, step.end_speed_kmh - SPEED_BAND_KMH)
        high = step.end_speed_kmh + SPEED_BAND_KMH
        intensity = Intensity.ACTIVE
    return replace(common, speed_low_kmh=low, speed_high_kmh=high, intensity=intensity)


def _turn(phase: TurnPhase | SpeedChange) -> WorkoutStep:
    low, high = sorted((phase.from_kmh, phase.speed_kmh))
    return WorkoutStep(
        name=phase.name,
        notes=phase.text,
        duration_s=round(phase.duration_s, 3),
        speed_low_kmh=low,
        speed_high_kmh=high,
        intensity=Intensity.RECOVERY,
        incline_pct=phase.incline_pct,
    )


def _until_heart_rate(step: IntervalStep, written: WorkoutStep) -> WorkoutStep:
    """A step ending on a heart rate as FIT's ``hr_greater_than`` / ``hr_less_than``
    duration; its duration goes into retrorun's ``max_time`` developer field (a watch ends
    the step on the heart rate alone)."""
    until = step.until_heart_rate
    if until is None:
        return written
    above = until.above is not None
    bpm = until.above if above else until.below
    return replace(written, until_bpm=bpm, until_above=above, max_time_s=step.duration_s)


def _repeat(first: int, block: Block) -> WorkoutStep:
    """A repeat step: a count, or (a block ending on a heart rate) FIT's repeat until a
    heart rate, the most rounds in retrorun's ``max_rounds`` developer field."""
    until = block.until
    if until is None:
        return WorkoutStep(repeat_from=first, repeat_times=block.times)
    above = until.above is not None
    bpm = until.above if above else until.below
    return WorkoutStep(
        repeat_from=first, repeat_times=block.times, until_bpm=bpm, until_above=above
    )


def workout_steps(items: tuple[Item, ...]) -> tuple[WorkoutStep, ...]:
    """The FIT steps of a profile's export items, blocks as repeat steps (nested ones too)."""
    out: list[WorkoutStep] = []

    def walk(level: tuple[Item, ...]) -> None:
        for item in level:
            if isinstance(item, Block):
                first = len(out)
                walk(item.items)
                out.append(_repeat(first, item))
            elif isinstance(item, TurnPhase | SpeedChange):
                out.append(_turn(item))
            else:
                out.append(_until_heart_rate(item, _interval(item)))

    walk(items)
    return tuple(out)


def export_fit_workout(profile: Profile, plan: Plan, created: int = 0) -> bytes:
    """`profile` (compiled into `plan`) as a FIT workout file; `created` is the FIT
    time_created (0: unknown)."""
    writer = FitWriter()
    writer.message(
        MesgNum.FILE_ID,
        (
            Field(0, BaseType.ENUM, FileType.WORKOUT),
            Field(1, BaseType.UINT16, MANUFACTURER_DEVELOPMENT),
            Field(2, BaseType.UINT16, PRODUCT),
            Field(4, BaseType.UINT32, created),
            text(8, OWN_PRODUCT_NAME, 16),
        ),
    )
    developer.declare(writer, developer.WORKOUT_STEP_FIELDS)
    description = whole_sentences(profile.description, DESCRIPTION_SIZE - 1)
    write_workout(writer, profile.name, description, workout_steps(export_items(profile, plan)))
    return writer.finish()
