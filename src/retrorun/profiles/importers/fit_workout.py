"""FIT workout files (running) into raw profile data (notes §3.3).

Reads ``file_id`` (must be a workout), ``workout`` (sport running, or unset) and its
``workout_step``s:

* duration ``time`` (ms) or ``distance`` (cm) → ``duration`` / ``distance``;
  ``repeat_until_steps_cmplt`` wraps the steps from ``duration_value`` up to it in a repeat
  block of ``target_value`` times (blocks nest);
* a custom speed target (mm/s) → ``speed`` at the middle of the range; in retrorun's own
  files (``file_id`` product name ``retrorun``) a ``ramp`` across it when the step's
  intensity is ``warmup`` (rising) or ``cooldown`` (falling), which is how
  `retrorun.profiles.exporters.fit_workout` writes ramps (a watch's warm-up with a pace range
  is a range to stay in, not a ramp);
* the step name becomes the label and the notes the cue. A name starting ``BACKWARD`` makes
  a backward step (retrorun's own files, whose notes start with a facing sentence that is not
  a cue); retrorun's turn steps are dropped (`retrorun.profiles.importers.own`: the plan
  makes the turns again) and the ``incline`` developer field is the incline.

A step without a target keeps the belt's speed (``keep_speed``); an open step (it ends on
the lap button) is an ``open`` step of at most `OPEN_STEP_MAX_S`, or of the ``max_time``
developer field's time in retrorun's own files. A heart-rate condition (``hr_less_than``,
``hr_greater_than``: bpm + 100) is an ``until_heart_rate`` step of at most as long (the
``max_time`` field again in our files). A repeat until a heart rate
(``repeat_until_hr_greater_than``, ``repeat_until_hr_less_than``: ``target_value`` bpm
+ 100) is a repeat block with ``until_heart_rate`` of at most `UNTIL_ROUNDS_MAX` rounds (the
``max_rounds`` developer field's in our files). A heart-rate target is a zone step
(``heart_rate`` between ``min_speed`` and ``max_speed``): the zone number, or the custom
range as bpm (values above 100 are bpm + 100) or % of max HR (0-100; exactly, from the
``hr_low_pct``/``hr_high_pct`` developer fields when present), and the ``start_speed``
developer field as its ``speed``; its speeds are its secondary speed target, or when it has
none `ZONE_SPEEDS_KMH` (a walk backward). Anything a treadmill cannot follow is refused with
the step, its name and its byte offset: a condition in % of max (a profile's conditions are
in bpm), repeats until a time or a distance, targets such as cadence or power, and unknown
types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retrorun.errors import ProfileError
from retrorun.fit.profile import FileType, Intensity, MesgNum, Sport, WktStepDuration, WktStepTarget
from retrorun.fit.reader import FitMessage, read_fit
from retrorun.fit.workout import BPM_OFFSET
from retrorun.profiles.exporters.fit_workout import OWN_PRODUCT_NAME
from retrorun.profiles.exporters.steps import OWN_NOTES, is_speed_text
from retrorun.profiles.importers.own import TurnSteps, fold_first_round, read_back
from retrorun.profiles.models import MAX_HR_BPM, MIN_HR_BPM, MIN_PERCENT_MAX, ZONES

if TYPE_CHECKING:
    from pathlib import Path

Raw = dict[str, Any]
LABEL_MAX = 60
CUE_MAX = 200
OPEN_STEP_MAX_S = 600.0
"""The most an open (lap-button) step of a FIT file lasts here: a session never waits
forever for a press (the file gives no length)."""
ZONE_SPEEDS_KMH = {"forward": (4.0, 10.0), "backward": (2.0, 4.0)}
"""The speeds a heart-rate target without a speed range is held within: forward from a brisk
walk to a steady run, backward a walk (`retrorun.profiles.safety`: a backward zone step
walks)."""
_HR_DURATIONS = {WktStepDuration.HR_LESS_THAN: "below", WktStepDuration.HR_GREATER_THAN: "above"}
_HR_REPEATS = {
    WktStepDuration.REPEAT_UNTIL_HR_LESS_THAN: "below",
    WktStepDuration.REPEAT_UNTIL_HR_GREATER_THAN: "above",
}
UNTIL_ROUNDS_MAX = 10
"""The most rounds a FIT repeat until a heart rate runs here (the file gives none)."""
_DURATIONS = {
    4: "calories are not something a treadmill step can end on",
    7: "repeat until a time is not supported; repeat a number of times",
    8: "repeat until a distance is not supported; repeat a number of times",
}
"""FIT ``wkt_step_duration`` values retrorun cannot run, and why."""
_TARGETS = {
    3: "a cadence target is not something a treadmill can follow",
    4: "a power target is not something a treadmill can follow",
    5: "a grade target alone has no speed",
}
"""FIT ``wkt_step_target`` values other than speed, and why they cannot be run."""


def is_fit(head: bytes) -> bool:
    """Whether a file starting with `head` (12 bytes or more) is a FIT file."""
    return len(head) >= 12 and head[8:12] == b".FIT"  # noqa: PLR2004 - FIT header layout


def _int(message: FitMessage, number: int) -> int | None:
    value = message.fields.get(number)
    return value if isinstance(value, int) else None


def _error(path: Path, message: FitMessage, text: str) -> ProfileError:
    return ProfileError(text, file=f"{path}: byte {message.offset}")


def _step_error(path: Path, message: FitMessage, position: int, text: str) -> ProfileError:
    """An error about step `position`, named by its index and its name when it has one."""
    name = message.fields.get(0)
    named = f" ({name!r})" if isinstance(name, str) and name else ""
    return _error(path, message, f"step {position}{named}: {text}")


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
    turns = TurnSteps()
    raw = {
        "name": (name if isinstance(name, str) and name else path.stem)[:80],
        "description": f"{description} {origin}".strip()[:2000]
        if isinstance(description, str)
        else origin,
        "steps": _steps(steps, path, turns, ramps=_own_file(file_ids[0])),
    }
    return read_back(raw, turns)


def _own_file(file_id: FitMessage) -> bool:
    """Whether retrorun wrote the file (its ``file_id`` product name)."""
    return file_id.fields.get(8) == OWN_PRODUCT_NAME


def _steps(messages: list[FitMessage], path: Path, turns: TurnSteps, *, ramps: bool) -> list[Raw]:
    level: list[tuple[int, Raw]] = []
    for position, message in enumerate(messages):
        duration_type = message.fields.get(1)
        if (
            duration_type == WktStepDuration.REPEAT_UNTIL_STEPS_CMPLT
            or duration_type in _HR_REPEATS
        ):
            first = _int(message, 2)
            repeat = _repeat(message, position, path)
            block = [raw for index, raw in level if first is not None and index >= first]
            if first is None or not block:
                raise _step_error(
                    path, message, position, "a repeat needs steps before it and a count"
                )
            level = [(index, raw) for index, raw in level if index < first]
            level.append((first, {"repeat": {**repeat, "steps": block}}))
        elif not turns.take(_text(message, 0) + " " + _text(message, 8)):
            level.append((position, _interval(message, position, path, ramps=ramps)))
    return fold_first_round([raw for _, raw in level])


def _repeat(message: FitMessage, position: int, path: Path) -> Raw:
    """A repeat step's count, or its heart rate (bpm + 100) and most rounds (retrorun's
    ``max_rounds`` developer field, else `UNTIL_ROUNDS_MAX`)."""
    duration_type, value = _int(message, 1), _int(message, 4)
    if duration_type == WktStepDuration.REPEAT_UNTIL_STEPS_CMPLT:
        if value is None or value < 1:
            raise _step_error(path, message, position, "a repeat needs steps before it and a count")
        return {"times": value}
    bound = _HR_REPEATS[WktStepDuration(duration_type or 0)]
    bpm = _condition_bpm(
        message, position, path, value, (f"a repeat until a heart rate {bound}", "repeat")
    )
    rounds = message.developer.get("max_rounds")
    times = rounds if isinstance(rounds, int) and rounds > 0 else UNTIL_ROUNDS_MAX
    return {"times": times, "until_heart_rate": {bound: bpm}}


def _text(message: FitMessage, number: int) -> str:
    value = message.fields.get(number)
    return value if isinstance(value, str) else ""


def _kmh(value: object) -> float | None:
    return round(value / 1000 * 3.6, 2) if isinstance(value, int) and value > 0 else None


def _longest_s(message: FitMessage) -> float:
    """How long a step without a length of its own (open, or ending on a heart rate) lasts
    at most: retrorun's ``max_time`` developer field, else `OPEN_STEP_MAX_S`."""
    most = message.developer.get("max_time")
    return most / 1000 if isinstance(most, int) and most > 0 else OPEN_STEP_MAX_S


def _length(message: FitMessage, position: int, path: Path) -> Raw:
    duration_type, value = _int(message, 1), _int(message, 2)
    if duration_type == WktStepDuration.OPEN:
        return {"duration": _longest_s(message), "open": True}
    if duration_type == WktStepDuration.TIME and isinstance(value, int) and value > 0:
        return {"duration": value / 1000}
    if duration_type == WktStepDuration.DISTANCE and isinstance(value, int) and value > 0:
        return {"distance": value / 100}
    if duration_type in _HR_DURATIONS:
        return _until(message, position, path)
    why = _DURATIONS.get(duration_type or 0, "it is not a duration type retrorun knows")
    if duration_type in (WktStepDuration.TIME, WktStepDuration.DISTANCE):
        why = "its length is 0"
    if "repeat" not in why:
        why += "; give the step a time or a distance"
    raise _step_error(path, message, position, f"duration type {duration_type}: {why}")


def _until(message: FitMessage, position: int, path: Path) -> Raw:
    """A heart-rate condition (duration type 2 or 3) as ``until_heart_rate``."""
    duration_type, value = _int(message, 1), _int(message, 2)
    bound = _HR_DURATIONS[WktStepDuration(duration_type or 0)]
    bpm = _condition_bpm(message, position, path, value, (f"a heart rate {bound}", "step"))
    return {"duration": _longest_s(message), "until_heart_rate": {bound: bpm}}


def _condition_bpm(
    message: FitMessage, position: int, path: Path, value: int | None, what: tuple[str, str]
) -> int:
    """A heart-rate condition's ``workout_hr`` `value` in bpm; one in % of max (or none) is
    refused: a profile's conditions are in bpm. `what` names it (``"a heart rate above"``)
    and what it ends (``"step"``)."""
    if value is not None and value > BPM_OFFSET:
        return value - BPM_OFFSET
    shown = "no value" if value is None else f"{value} % of the maximum heart rate"
    raise _step_error(
        path,
        message,
        position,
        f"duration type {_int(message, 1)}: {what[0]} {shown}; retrorun ends a "
        f"{what[1]} on a heart rate in bpm: give the condition in bpm",
    )


def _speed(message: FitMessage, position: int, path: Path, *, ramps: bool, direction: str) -> Raw:
    fields = message.fields
    zone, target = _int(message, 4), _int(message, 3)
    if target == WktStepTarget.OPEN and _int(message, 1) != WktStepDuration.DISTANCE:
        return {"keep_speed": True}
    if target == WktStepTarget.HEART_RATE:
        return _zone(message, position, path, direction)
    if target != WktStepTarget.SPEED:
        why = _TARGETS.get(target or 0, "it is not a target type retrorun knows")
        zoned = f" zone {zone}" if zone else ""
        raise _step_error(
            path,
            message,
            position,
            f"target type {target}{zoned}: {why}; give the step a custom speed (pace) target",
        )
    if zone is not None and zone > 0:
        raise _step_error(
            path,
            message,
            position,
            f"speed zone {zone} needs the watch's own zone table, which the file does not "
            "carry; give the step a custom speed (pace) range",
        )
    low, high = _kmh(fields.get(5)), _kmh(fields.get(6))
    if low is None or high is None:
        low = high = low if low is not None else high
    if low is None or high is None:
        raise _step_error(path, message, position, "the speed target has no range")
    intensity = fields.get(7)
    if ramps and low != high and intensity == Intensity.WARMUP:
        return {"ramp": {"from": low, "to": high}}
    if ramps and low != high and intensity == Intensity.COOLDOWN:
        return {"ramp": {"from": high, "to": low}}
    return {"speed": round((low + high) / 2, 2)}


def _zone(message: FitMessage, position: int, path: Path, direction: str) -> Raw:
    """A heart-rate target: a zone step within its secondary speed range, or within
    `ZONE_SPEEDS_KMH` when it has none."""
    if _int(message, 19) == WktStepTarget.SPEED:
        min_kmh, max_kmh = _kmh(message.fields.get(21)), _kmh(message.fields.get(22))
        if min_kmh is None or max_kmh is None:
            raise _step_error(path, message, position, "the secondary speed target has no range")
    else:
        min_kmh, max_kmh = ZONE_SPEEDS_KMH[direction]
    step: Raw = {
        "heart_rate": _heart_rate(message, position, path),
        "min_speed": min_kmh,
        "max_speed": max_kmh,
    }
    start = message.developer.get("start_speed")
    if isinstance(start, int) and start > 0:
        step["speed"] = start / 100
    return step


def _heart_rate(message: FitMessage, position: int, path: Path) -> Raw:
    """A heart-rate target: a zone 1-5, or a custom range in bpm (+ 100) or % of max HR."""
    zone, low, high = _int(message, 4), _int(message, 5), _int(message, 6)
    if zone:
        if zone > ZONES:
            raise _step_error(
                path, message, position, f"heart-rate zone {zone}: zones are 1 to {ZONES}"
            )
        return {"zone": zone}
    if low is not None and high is not None and BPM_OFFSET < low < high:
        bpm = [low - BPM_OFFSET, high - BPM_OFFSET]
        if not MIN_HR_BPM <= bpm[0] < bpm[1] <= MAX_HR_BPM:
            raise _step_error(
                path,
                message,
                position,
                f"target type 1: the custom heart-rate range {bpm[0]}-{bpm[1]} bpm is not "
                f"within {MIN_HR_BPM}-{MAX_HR_BPM} bpm",
            )
        return {"bpm": bpm}
    if low is not None and high is not None and MIN_PERCENT_MAX <= low < high <= BPM_OFFSET:
        exact = message.developer.get("hr_low_pct"), message.developer.get("hr_high_pct")
        if isinstance(exact[0], int) and isinstance(exact[1], int):
            return {"percent_max": [exact[0] / 100, exact[1] / 100]}
        return {"percent_max": [low, high]}
    raise _step_error(
        path,
        message,
        position,
        f"target type 1: the custom heart-rate range {low}-{high} is neither bpm (above "
        f"{BPM_OFFSET}: bpm + {BPM_OFFSET}) nor % of max ({MIN_PERCENT_MAX:g}-{BPM_OFFSET}), "
        "low then high",
    )


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
    if rest and not is_speed_text(rest):
        step["label"] = rest[:LABEL_MAX]
    incline = message.developer.get("incline")
    if isinstance(incline, int):
        step["incline"] = incline / 100
    notes = message.fields.get(8)
    cue = notes if isinstance(notes, str) else ""
    own = OWN_NOTES.match(cue)
    if own is not None:
        cue = cue[own.end() :].strip()
    if cue:
        step["cue"] = cue[:CUE_MAX]
    return step


def _interval(message: FitMessage, position: int, path: Path, *, ramps: bool) -> Raw:
    words = _words(message)
    return {
        **_length(message, position, path),
        **_speed(message, position, path, ramps=ramps, direction=words["direction"]),
        **words,
    }


def fit_notes(raw: Raw) -> list[str]:
    """Notes on the open (lap-button) steps, the steps without a target, the steps ending on
    a heart rate and the heart-rate targets without speeds of an imported FIT workout."""
    steps = _intervals(raw["steps"])

    def count(key: str) -> int:
        return sum(bool(step.get(key)) for step in steps)

    def unbounded(key: str) -> int:
        """Steps the file gave no longest time (retrorun's own files give one)."""
        return sum(
            bool(step.get(key)) and step.get("duration") == OPEN_STEP_MAX_S for step in steps
        )

    notes = []
    opened, kept = unbounded("open"), count("keep_speed")
    if opened:
        notes.append(
            f"{opened} open step{'s end' if opened > 1 else ' ends'} on the skip key (the lap "
            f"button), at the latest after {OPEN_STEP_MAX_S / 60:g} min; change its duration "
            "to taste"
        )
    if kept:
        notes.append(
            f"{kept} step{'s have' if kept > 1 else ' has'} no target: the belt keeps the "
            "speed it runs (keep_speed), which you can nudge; give a speed to change it"
        )
    notes.extend(_heart_rate_notes(steps, unbounded("until_heart_rate")))
    rounds = sum(
        block["times"] == UNTIL_ROUNDS_MAX and "until_heart_rate" in block
        for block in _blocks(raw["steps"])
    )
    if rounds:
        notes.append(
            f"{rounds} repeat{'s run' if rounds > 1 else ' runs'} until a heart rate, at most "
            f"{UNTIL_ROUNDS_MAX} rounds (times); change it to taste; without a fresh heart "
            "rate every round runs"
        )
    return notes


def _heart_rate_notes(steps: list[Raw], until: int) -> list[str]:
    """Notes on the steps ending on a heart rate the file gave no longest time (`until` of
    them) and on the speeds the heart-rate targets without any are held within."""
    notes = []
    if until:
        notes.append(
            f"{until} step{'s end' if until > 1 else ' ends'} on a heart rate "
            f"(until_heart_rate), at the latest after {OPEN_STEP_MAX_S / 60:g} min; change its "
            "duration to taste; without a fresh heart rate a step runs to its duration"
        )
    for direction, speeds in ZONE_SPEEDS_KMH.items():
        targets = sum(
            "heart_rate" in step
            and step["direction"] == direction
            and (step["min_speed"], step["max_speed"]) == speeds
            for step in steps
        )
        if targets:
            notes.append(
                f"{targets} {direction} heart-rate target"
                f"{'s give' if targets > 1 else ' gives'} no speed range: held between "
                f"{speeds[0]:g} and {speeds[1]:g} km/h (min_speed, max_speed), change them to "
                "your own; a zone number is of your [heart_rate] zones in the config"
            )
    return notes


def _blocks(steps: list[Raw]) -> list[Raw]:
    """Every repeat block, nested ones too."""
    out: list[Raw] = []
    for step in steps:
        if "repeat" in step:
            out.extend([step["repeat"], *_blocks(step["repeat"]["steps"])])
    return out


def _intervals(steps: list[Raw]) -> list[Raw]:
    out: list[Raw] = []
    for step in steps:
        out.extend(_intervals(step["repeat"]["steps"]) if "repeat" in step else [step])
    return out
