"""FIT workout files (running) into raw profile data (notes §3.3).

Reads ``file_id`` (must be a workout), ``workout`` (sport running, or unset) and its
``workout_step``s:

* duration ``time`` (ms) or ``distance`` (cm) → ``duration`` / ``distance``;
  ``repeat_until_steps_cmplt`` wraps the steps from ``duration_value`` up to it in a repeat
  block of ``target_value`` times (blocks nest);
* a custom speed target (mm/s) → ``speed`` at the middle of the range, or a ``ramp`` across it
  when the step's intensity is ``warmup`` (rising) or ``cooldown`` (falling), which is how
  `retrorun.profiles.exporters.fit_workout` writes ramps;
* a step name starting ``BACKWARD`` makes a backward step (retrorun's own files); the rest of
  the name becomes the label, the notes after retrorun's facing sentence the cue, and the
  ``incline`` developer field the incline.

Anything a treadmill cannot follow (open or heart-rate durations, zone or heart-rate targets)
is refused with the step and its byte offset named.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retrorun.errors import ProfileError
from retrorun.fit.profile import FileType, Intensity, MesgNum, Sport, WktStepDuration, WktStepTarget
from retrorun.fit.reader import FitMessage, read_fit

if TYPE_CHECKING:
    from pathlib import Path

Raw = dict[str, Any]
LABEL_MAX = 60
CUE_MAX = 200
_FACING = ("FORWARD (facing the console).", "BACKWARD (facing away from the console).")


def is_fit(head: bytes) -> bool:
    """Whether a file starting with `head` (12 bytes or more) is a FIT file."""
    return len(head) >= 12 and head[8:12] == b".FIT"  # noqa: PLR2004 - FIT header layout


def _int(message: FitMessage, number: int) -> int | None:
    value = message.fields.get(number)
    return value if isinstance(value, int) else None


def _error(path: Path, message: FitMessage, text: str) -> ProfileError:
    return ProfileError(text, file=f"{path}: byte {message.offset}")


def fit_to_raw(data: bytes, path: Path) -> Raw:
    """A FIT workout file's bytes → raw profile data (not yet validated)."""
    messages = read_fit(data, str(path))
    file_ids = [m for m in messages if m.global_number == MesgNum.FILE_ID]
    kind = _int(file_ids[0], 0) if file_ids else None
    if kind != FileType.WORKOUT:
        raise ProfileError(
            f"not a FIT workout file (file type {kind}, a workout is {int(FileType.WORKOUT)})",
            file=str(path),
        )
    workouts = [m for m in messages if m.global_number == MesgNum.WORKOUT]
    workout = workouts[0] if workouts else None
    sport = _int(workout, 4) if workout is not None else None
    if workout is not None and sport not in (None, Sport.RUNNING):
        raise _error(
            path,
            workout,
            f"the workout's sport is {sport}, not running "
            f"({int(Sport.RUNNING)}): only running workouts can be imported",
        )
    steps = sorted(
        (m for m in messages if m.global_number == MesgNum.WORKOUT_STEP),
        key=lambda m: _int(m, 254) or 0,
    )
    if not steps:
        raise ProfileError("the workout has no steps", file=str(path))
    name = workout.fields.get(8) if workout is not None else None
    description = workout.fields.get(17) if workout is not None else None
    origin = "Imported from a FIT workout."
    return {
        "name": (name if isinstance(name, str) and name else path.stem)[:80],
        "description": f"{description} {origin}".strip()[:2000]
        if isinstance(description, str)
        else origin,
        "steps": _steps(steps, path),
    }


def _steps(messages: list[FitMessage], path: Path) -> list[Raw]:
    level: list[tuple[int, Raw]] = []
    for position, message in enumerate(messages):
        duration_type = message.fields.get(1)
        if duration_type == WktStepDuration.REPEAT_UNTIL_STEPS_CMPLT:
            first = _int(message, 2)
            times = _int(message, 4)
            block = [raw for index, raw in level if first is not None and index >= first]
            if first is None or times is None or times < 1 or not block:
                raise _error(
                    path, message, f"step {position}: a repeat needs steps before it and a count"
                )
            level = [(index, raw) for index, raw in level if index < first]
            level.append((first, {"repeat": {"times": times, "steps": block}}))
        else:
            level.append((position, _interval(message, position, path)))
    return [raw for _, raw in level]


def _kmh(value: object) -> float | None:
    return round(value / 1000 * 3.6, 2) if isinstance(value, int) and value > 0 else None


def _length(message: FitMessage, position: int, path: Path) -> Raw:
    duration_type, value = _int(message, 1), _int(message, 2)
    if duration_type == WktStepDuration.TIME and isinstance(value, int) and value > 0:
        return {"duration": value / 1000}
    if duration_type == WktStepDuration.DISTANCE and isinstance(value, int) and value > 0:
        return {"distance": value / 100}
    raise _error(
        path,
        message,
        f"step {position}: duration type {duration_type} is not supported; a treadmill "
        "step needs a time or a distance",
    )


def _speed(message: FitMessage, position: int, path: Path) -> Raw:
    fields = message.fields
    zone, target = _int(message, 4), _int(message, 3)
    if target != WktStepTarget.SPEED or (zone is not None and zone > 0):
        raise _error(
            path,
            message,
            f"step {position}: a treadmill step needs a custom speed (pace) target, "
            f"not target type {target}" + (f" zone {zone}" if zone else ""),
        )
    low, high = _kmh(fields.get(5)), _kmh(fields.get(6))
    if low is None or high is None:
        low = high = low if low is not None else high
    if low is None or high is None:
        raise _error(path, message, f"step {position}: the speed target has no range")
    intensity = fields.get(7)
    if low != high and intensity == Intensity.WARMUP:
        return {"ramp": {"from": low, "to": high}}
    if low != high and intensity == Intensity.COOLDOWN:
        return {"ramp": {"from": high, "to": low}}
    return {"speed": round((low + high) / 2, 2)}


def _words(message: FitMessage) -> Raw:
    """Direction and label from the step name, cue from the notes, incline from retrorun's
    developer field."""
    step: Raw = {}
    name = message.fields.get(0)
    name = name if isinstance(name, str) else ""
    word, _, rest = name.partition(" ")
    step["direction"] = "backward" if word.upper() == "BACKWARD" else "forward"
    if word.upper() not in ("FORWARD", "BACKWARD"):
        rest = name
    if rest and not rest.endswith("km/h"):
        step["label"] = rest[:LABEL_MAX]
    incline = message.developer.get("incline")
    if isinstance(incline, int):
        step["incline"] = incline / 100
    notes = message.fields.get(8)
    cue = notes if isinstance(notes, str) else ""
    for facing in _FACING:
        if cue.startswith(facing):
            cue = cue[len(facing) :].strip()
            if cue.startswith("Incline"):
                cue = cue.partition("%.")[2].strip()
    if cue:
        step["cue"] = cue[:CUE_MAX]
    return step


def _interval(message: FitMessage, position: int, path: Path) -> Raw:
    return {
        **_length(message, position, path),
        **_speed(message, position, path),
        **_words(message),
    }
