"""Export a session as a FIT activity file (notes §3.4; FIT cookbook "Encoding Activity Files").

`export_fit(log)` is pure: a `SessionLog` in, the bytes of a ``.fit`` file out.

Messages, in order: ``file_id`` (activity), retrorun's developer data id and field
descriptions, ``device_info`` for retrorun and for the treadmill, the ``workout`` and one
``workout_step`` per segment that ran, then in time order the timer ``event``s (start; stop
and start around every pause; stop-all at the end), 1 Hz ``record``s and one ``lap`` per
segment, and finally ``session`` (running / treadmill) and ``activity``.

How backward running shows up (no app has a direction field, notes §3.5):

* **Laps**: one per segment, so Garmin Connect's and Strava's lap tables split forward,
  backward and turns; turns are ``rest`` intensity, intervals ``active``.
* **Workout steps**: each lap's ``wkt_step_index`` points at a step named
  ``"BACKWARD 4.0 km/h"`` / ``"FORWARD ..."`` / ``"TURN to backward"``; Garmin Connect shows
  the step names of a workout activity next to its laps.
* **Developer fields** ``direction`` on laps (FORWARD / BACKWARD / TURN) and on records
  (0 / 1 / 2) for tools that read them (Garmin Connect and Strava do not display them
  without a registered Connect IQ app).

Distance is the treadmill's (`retrorun.recording.activity`): records carry no position.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun import __version__
from retrorun.fit import developer
from retrorun.fit.profile import (
    MANUFACTURER_DEVELOPMENT,
    Event,
    EventType,
    FileType,
    Intensity,
    LapTrigger,
    MesgNum,
    Sport,
    SubSport,
)
from retrorun.fit.wire import BaseType, Field, FitWriter, field, fit_time, text
from retrorun.fit.workout import WorkoutStep, write_workout
from retrorun.profiles.words import in_units, speed_number, speed_unit
from retrorun.recording.activity import Activity, Lap, build_activity

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from retrorun.profiles.words import Units
    from retrorun.recording.log_reader import SessionLog

PRODUCT = 1
MANUFACTURER_GARMIN = 1


@dataclass(frozen=True)
class DeviceIdentity:
    """Who the FIT file says recorded it (``file_id`` and the creator's ``device_info``).

    The default is the honest one: manufacturer ``development`` (255), product 1, named
    ``retrorun``. Garmin Connect computes training load (and training effect, VO2max) only
    for files whose creator is a Garmin device, so a runner who wants those can name one:
    ``DeviceIdentity(MANUFACTURER_GARMIN, product, serial_number)`` with the product id of
    their own watch (FIT profile ``garmin_product``). It changes nothing else in the file.
    """

    manufacturer: int = MANUFACTURER_DEVELOPMENT
    product: int = PRODUCT
    serial_number: int | None = None
    product_name: str = "retrorun"


RETRORUN_DEVICE = DeviceIdentity()
SIMULATED_MARK = "simulated treadmill"
"""The treadmill's ``device_info.descriptor`` in a FIT file of a session on the simulator."""
DIRECTION_CODES = {
    "forward": developer.DirectionCode.FORWARD,
    "backward": developer.DirectionCode.BACKWARD,
    "turn": developer.DirectionCode.TURN,
}


def export_fit(
    log: SessionLog,
    utc_offset_s: int = 0,
    identity: DeviceIdentity = RETRORUN_DEVICE,
    units: Units = "metric",
) -> bytes:
    """The session as a FIT activity file. `utc_offset_s` only sets the activity's local time;
    `identity` is the device the file names as its creator (default: retrorun itself);
    `units` are those of the steps' names and notes (the numbers are metric, as FIT is)."""
    activity = build_activity(log)
    writer = FitWriter()
    created = fit_time(activity.started_at)
    writer.message(
        MesgNum.FILE_ID,
        (
            Field(0, BaseType.ENUM, FileType.ACTIVITY),
            Field(1, BaseType.UINT16, identity.manufacturer),
            Field(2, BaseType.UINT16, identity.product),
            Field(3, BaseType.UINT32Z, identity.serial_number or created or 1),
            Field(4, BaseType.UINT32, created),
            text(8, identity.product_name, 20),
        ),
    )
    developer.declare(
        writer, (developer.LAP_DIRECTION, developer.RECORD_DIRECTION, developer.STEP_INCLINE)
    )
    _devices(writer, log, created, identity)
    write_workout(writer, activity.name, None, tuple(_step(lap, units) for lap in activity.laps))
    for _, _, write in sorted(_timeline(activity), key=lambda item: (item[0], item[1])):
        write(writer)
    _session(writer, activity, utc_offset_s)
    return writer.finish()


def _devices(writer: FitWriter, log: SessionLog, created: int, identity: DeviceIdentity) -> None:
    writer.message(
        MesgNum.DEVICE_INFO,
        (
            Field(253, BaseType.UINT32, created),
            Field(0, BaseType.UINT8, 0),  # device_index 0: the creator
            Field(2, BaseType.UINT16, identity.manufacturer),
            field(3, BaseType.UINT32Z, identity.serial_number),
            Field(4, BaseType.UINT16, identity.product),
            field(5, BaseType.UINT16, _software_version(__version__)),
            text(27, identity.product_name, 20),
        ),
    )
    device = log.header.get("device")
    name = device.get("name") if isinstance(device, dict) else None
    simulated = isinstance(device, dict) and device.get("simulated") is True
    if (isinstance(name, str) and name) or simulated:
        writer.message(
            MesgNum.DEVICE_INFO,
            (
                Field(253, BaseType.UINT32, created),
                Field(0, BaseType.UINT8, 1),
                # The simulator is marked where FIT readers list the devices, so no one
                # takes the file for a real run (and ``retrorun upload`` wants --force).
                text(19, SIMULATED_MARK if simulated else None, 20),
                text(27, name if isinstance(name, str) and name else None, 32),
            ),
        )


def _software_version(version: str) -> int | None:
    """``"0.12.3"`` → 12 (FIT software_version is major.minor x 100), None when not numeric."""
    parts = version.split(".")[:2]
    if len(parts) < 2 or not all(part.isdigit() for part in parts):  # noqa: PLR2004
        return None
    return int(parts[0]) * 100 + int(parts[1])


def _step(lap: Lap, units: Units) -> WorkoutStep:
    speed = lap.target_speed_kmh
    if lap.kind == "turn":
        name = f"TURN to {lap.direction}"
    elif speed is None:
        name = lap.group.upper()
    else:
        name = f"{lap.group.upper()} {speed_number(speed, units):.1f} {speed_unit(units)}"
    return WorkoutStep(
        name=name,
        notes=in_units(lap.label, units) or None,
        duration_s=lap.duration_target_s,
        distance_m=lap.distance_target_m,
        speed_low_kmh=speed,
        speed_high_kmh=speed,
        intensity=Intensity.REST if lap.kind == "turn" else Intensity.ACTIVE,
    )


Item = tuple[float, int, "Callable[[FitWriter], None]"]


def _timeline(activity: Activity) -> list[Item]:
    """Everything written in time order: (second, order within the second, writer)."""
    items: list[Item] = []
    base = fit_time(activity.started_at)

    def stamp(t: float) -> int:
        return base + round(t)

    for number, span in enumerate(activity.active):
        event_type = EventType.START
        items.append((round(span.start_t), 0, _event(stamp(span.start_t), event_type)))
        last = number == len(activity.active) - 1
        stop = EventType.STOP_ALL if last else EventType.STOP
        items.append((round(span.end_t), 3, _event(stamp(span.end_t), stop)))
    seen: dict[int, int] = {}
    for position, sample in enumerate(activity.samples):
        seen[round(sample.t)] = position  # one record per second: the latest reading wins
    for second, position in seen.items():
        sample = activity.samples[position]
        fields = (
            Field(253, BaseType.UINT32, base + second),
            field(3, BaseType.UINT8, sample.heart_rate_bpm),
            Field(5, BaseType.UINT32, round(sample.distance_m * 100)),
            field(9, BaseType.SINT16, _hundredths(sample.incline_pct)),
            Field(73, BaseType.UINT32, round(sample.speed_kmh / 3.6 * 1000)),
        )
        code = developer.value(developer.RECORD_DIRECTION, int(DIRECTION_CODES[sample.group]))
        items.append((second, 1, _message(MesgNum.RECORD, fields, (code,))))
    centimetres = _lap_centimetres(activity.laps)
    items.extend(
        (round(lap.span.end_t), 2, _lap(activity, lap, stamp, cm))
        for lap, cm in zip(activity.laps, centimetres, strict=True)
    )
    return items


def _hundredths(value: float | None) -> int | None:
    return None if value is None else round(value * 100)


def _mm_per_s(speed_kmh: float) -> int:
    return round(speed_kmh / 3.6 * 1000)


def _event(timestamp: int, event_type: EventType) -> Callable[[FitWriter], None]:
    fields = (
        Field(253, BaseType.UINT32, timestamp),
        Field(0, BaseType.ENUM, Event.TIMER),
        Field(1, BaseType.ENUM, event_type),
        Field(4, BaseType.UINT8, 0),
    )
    return _message(MesgNum.EVENT, fields)


def _message(
    number: MesgNum, fields: tuple[Field | None, ...], dev: tuple[Field | None, ...] = ()
) -> Callable[[FitWriter], None]:
    def write(writer: FitWriter) -> None:
        writer.message(number, fields, dev)

    return write


def _lap_centimetres(laps: Sequence[Lap]) -> list[int]:
    """Each lap's distance in the FIT unit (cm), rounded where the laps meet so that the laps
    add up to the session's distance exactly (rounding each lap alone drifts by up to half a
    centimetre a lap)."""
    edges = [0.0, *itertools.accumulate(lap.distance_m for lap in laps)]
    return [round(end * 100) - round(start * 100) for start, end in itertools.pairwise(edges)]


def _lap(
    activity: Activity, lap: Lap, stamp: Callable[[float], int], centimetres: int
) -> Callable[[FitWriter], None]:
    last = lap.index == len(activity.laps) - 1
    if last:
        trigger = LapTrigger.SESSION_END
    elif lap.distance_target_m is not None:
        trigger = LapTrigger.DISTANCE
    elif lap.duration_target_s is not None:
        trigger = LapTrigger.TIME
    else:
        trigger = LapTrigger.MANUAL
    fields = (
        Field(254, BaseType.UINT16, lap.index),
        Field(253, BaseType.UINT32, stamp(lap.span.end_t)),
        Field(0, BaseType.ENUM, Event.LAP),
        Field(1, BaseType.ENUM, EventType.STOP),
        Field(2, BaseType.UINT32, stamp(lap.span.start_t)),
        Field(7, BaseType.UINT32, round(lap.span.duration_s * 1000)),
        Field(8, BaseType.UINT32, round(lap.timer_s * 1000)),
        Field(9, BaseType.UINT32, centimetres),
        Field(11, BaseType.UINT16, lap.calories_kcal),
        field(15, BaseType.UINT8, lap.avg_heart_rate_bpm),
        field(16, BaseType.UINT8, lap.max_heart_rate_bpm),
        Field(23, BaseType.ENUM, Intensity.REST if lap.kind == "turn" else Intensity.ACTIVE),
        Field(24, BaseType.ENUM, trigger),
        Field(25, BaseType.ENUM, Sport.RUNNING),
        Field(39, BaseType.ENUM, SubSport.TREADMILL),
        field(45, BaseType.SINT16, _hundredths(lap.avg_incline_pct)),
        Field(71, BaseType.UINT16, lap.index),
        Field(110, BaseType.UINT32, _mm_per_s(lap.avg_speed_kmh)),
        Field(111, BaseType.UINT32, _mm_per_s(lap.max_speed_kmh)),
    )
    direction = developer.value(developer.LAP_DIRECTION, lap.group.upper())
    return _message(MesgNum.LAP, fields, (direction,))


def _session(writer: FitWriter, activity: Activity, utc_offset_s: int) -> None:
    end = fit_time(activity.moment(activity.span.end_t))
    rates = activity.heart_rates()
    timer = activity.timer_s
    avg_kmh = activity.distance_m / timer * 3.6 if timer > 0 else 0.0
    writer.message(
        MesgNum.SESSION,
        (
            Field(254, BaseType.UINT16, 0),
            Field(253, BaseType.UINT32, end),
            Field(0, BaseType.ENUM, Event.SESSION),
            Field(1, BaseType.ENUM, EventType.STOP),
            Field(2, BaseType.UINT32, fit_time(activity.moment(activity.span.start_t))),
            Field(5, BaseType.ENUM, Sport.RUNNING),
            Field(6, BaseType.ENUM, SubSport.TREADMILL),
            Field(7, BaseType.UINT32, round(activity.span.duration_s * 1000)),
            Field(8, BaseType.UINT32, round(timer * 1000)),
            Field(9, BaseType.UINT32, round(activity.distance_m * 100)),
            Field(11, BaseType.UINT16, activity.calories_kcal),
            field(16, BaseType.UINT8, round(sum(rates) / len(rates)) if rates else None),
            field(17, BaseType.UINT8, max(rates) if rates else None),
            Field(25, BaseType.UINT16, 0),
            Field(26, BaseType.UINT16, len(activity.laps)),
            Field(28, BaseType.ENUM, 0),  # session_trigger.activity_end
            Field(124, BaseType.UINT32, _mm_per_s(avg_kmh)),
            Field(125, BaseType.UINT32, _mm_per_s(activity.max_speed_kmh)),
        ),
    )
    writer.message(
        MesgNum.ACTIVITY,
        (
            Field(253, BaseType.UINT32, end),
            Field(0, BaseType.UINT32, round(timer * 1000)),
            Field(1, BaseType.UINT16, 1),
            Field(2, BaseType.ENUM, 0),  # activity.manual
            Field(3, BaseType.ENUM, Event.ACTIVITY),
            Field(4, BaseType.ENUM, EventType.STOP),
            Field(5, BaseType.UINT32, end + utc_offset_s),
        ),
    )
