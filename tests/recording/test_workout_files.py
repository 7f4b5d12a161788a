"""Profiles as FIT workouts (checked with Garmin's SDK) and .zwo files, and FIT workouts back
into profiles."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import pytest

from retrorun.belt import DEFAULT_RATES
from retrorun.fit.profile import FileType, MesgNum, Sport, WktStepDuration, WktStepTarget
from retrorun.fit.wire import BaseType, Field, FitWriter, crc16
from retrorun.profiles import library
from retrorun.profiles.exporters.fit_workout import (
    SPEED_BAND_KMH,
    export_fit_workout,
    whole_sentences,
)
from retrorun.profiles.exporters.steps import (
    Block,
    SpeedChange,
    TurnPhase,
    export_items,
)
from retrorun.profiles.exporters.zwo import export_zwo
from retrorun.profiles.importers import import_profile
from retrorun.profiles.loader import load_profile, parse_profile
from retrorun.profiles.models import IntervalStep, Profile, RepeatStep
from retrorun.profiles.plan import Plan, compile_plan
from retrorun.profiles.safety import walk_steps
from retrorun.profiles.timeline import CueKind
from retrorun.recording.fit_activity import export_fit
from retrorun.recording.log_reader import parse_log
from tests.recording.fixtures import TINY
from tests.recording.garmin import decode, developer_key

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from retrorun.profiles.exporters.steps import Item
    from retrorun.profiles.models import Step
    from tests.conftest import CliResult

BUNDLED = [path.stem for path in library.profile_files(library.bundled_dir())]


def _profile(name: str) -> Profile:
    return load_profile(library.resolve(name)).profile


EXTRA = {
    "ends-backward-stop": """
name: Ends backward, stops
finish: stop
turn: {speed: 3, window: 8s, settle: 4s, warning: 15s, backward_ramp: 0.4}
steps:
  - {duration: 2m, ramp: {from: 4, to: 7}, label: warm-up}
  - repeat:
      times: 3
      steps:
        - {direction: backward, duration: 45s, speed: 4, incline: 2, cue: "Short steps"}
        - {direction: backward, duration: 30s, speed: 3.5, incline: 4}
""",
    "ends-backward-turn": """
name: Ends backward, turns
steps:
  - {distance: 400m, speed: 9}
  - {direction: backward, distance: 200m, speed: 5.5, label: backward walk}
""",
    "every-kind-of-step": """
name: Every kind of step
turn: {backward_ramp: 0.5}
steps:
  - {duration: 3m, ramp: {from: 5, to: 7}, label: warm-up}
  - {duration: 2m, open: true, speed: 6, label: ready when you are, cue: "Press skip when ready"}
  - {duration: 1m, keep_speed: true}
  - repeat:
      times: 2
      steps:
        - {direction: backward, duration: 2m, speed: 4, incline: 2, label: backward walk}
        - {direction: backward, duration: 1m, open: true, keep_speed: true, incline: 2}
        - {duration: 5m, heart_rate: {zone: 3}, min_speed: 6, max_speed: 9}
  - {duration: 4m, heart_rate: {bpm: [120, 135]}, min_speed: 5, max_speed: 8, speed: 6.5}
  - {direction: backward, duration: 3m, heart_rate: {percent_max: [55, 62.5]}, min_speed: 3,
     max_speed: 4.5, cue: "Short steps"}
  - {direction: backward, duration: 1m, speed: 3.5}
""",
}
PROFILES = BUNDLED + list(EXTRA)


def _any_profile(name: str) -> Profile:
    if name in EXTRA:
        return parse_profile(EXTRA[name]).profile
    return _profile(name)


def _expected(items: tuple[Item, ...]) -> list[dict[str, Any]]:
    """What the SDK should decode, worked out from the export's own items."""
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, Block):
            first = len(out)
            out.extend(_expected(item.items))
            out.append({"repeat_from": first, "times": item.times})
        else:
            out.append({"step": item})
    return out


def _check_turn(decoded: dict[str, Any], phase: TurnPhase) -> None:
    assert decoded["wkt_step_name"] == phase.name
    assert phase.facing.upper() in decoded["wkt_step_name"]
    assert phase.facing.upper() in decoded["notes"]
    assert decoded["duration_type"] == "time"
    assert decoded["duration_time"] == pytest.approx(phase.duration_s, abs=0.001)
    low, high = decoded["custom_target_speed_low"], decoded["custom_target_speed_high"]
    assert low * 3.6 == pytest.approx(phase.speed_kmh, abs=0.002)
    assert high * 3.6 == pytest.approx(phase.from_kmh, abs=0.002)
    assert decoded["intensity"] == "recovery"


def _check_speed_change(decoded: dict[str, Any], change: SpeedChange, limits: Any) -> None:  # noqa: ANN401
    """A backward belt's speed change: its own step, no faster than the backward ramp."""
    assert decoded["wkt_step_name"].startswith("BACKWARD speed ")
    assert "BACKWARD" in decoded["notes"]
    assert decoded["duration_type"] == "time"
    low, high = decoded["custom_target_speed_low"] * 3.6, decoded["custom_target_speed_high"] * 3.6
    assert (low, high) == pytest.approx(sorted((change.from_kmh, change.speed_kmh)), abs=0.002)
    assert (high - low) / decoded["duration_time"] <= limits.backward_ramp_kmh_per_s + 0.001


GARMIN_BPM_OFFSET = 100
"""FIT ``workout_hr``: custom heart-rate values above 100 are bpm + 100."""


def _check_length(decoded: dict[str, Any], step: IntervalStep, developer: dict[str, int]) -> None:
    if step.open_ended:
        # A watch waits for the lap button; the longest time is retrorun's developer field.
        assert decoded["duration_type"] == "open"
        assert decoded["developer_fields"][developer["max_time"]] == round(
            (step.duration_s or 0.0) * 1000
        )
    elif step.duration_s is not None:
        assert decoded["duration_type"] == "time"
        assert decoded["duration_time"] == pytest.approx(step.duration_s)
    else:
        assert decoded["duration_type"] == "distance"
        assert decoded["duration_distance"] == pytest.approx(step.distance_m)


def _check_zone(decoded: dict[str, Any], step: IntervalStep) -> None:
    """A heart-rate target (Garmin's zone number or custom range), the speed range as the
    secondary target."""
    target = step.heart_rate
    assert target is not None
    assert decoded["target_type"] == "heart_rate"
    if target.zone is not None:
        assert decoded["target_hr_zone"] == target.zone
    else:
        assert decoded["target_hr_zone"] == 0
        low, high = target.bpm or target.percent_max or (0, 0)
        offset = GARMIN_BPM_OFFSET if target.bpm else 0
        assert decoded["custom_target_heart_rate_low"] == round(low) + offset
        assert decoded["custom_target_heart_rate_high"] == round(high) + offset
    assert decoded["secondary_target_type"] == "speed"
    speeds = (
        decoded["secondary_custom_target_speed_low"] * 3.6,
        decoded["secondary_custom_target_speed_high"] * 3.6,
    )
    assert speeds == pytest.approx((step.min_speed_kmh, step.max_speed_kmh), abs=0.002)


def _check_step(decoded: dict[str, Any], step: IntervalStep, developer: dict[str, int]) -> None:
    assert decoded["wkt_step_name"].startswith(step.direction.upper() + " ")
    assert step.direction.upper() in decoded["notes"]
    _check_length(decoded, step, developer)
    assert decoded["developer_fields"][developer["incline"]] == round(step.incline_pct * 100)
    if step.keep_speed:
        assert decoded["target_type"] == "open"  # no target: the belt keeps its speed
        return
    if step.heart_rate is not None:
        _check_zone(decoded, step)
        return
    assert decoded["target_type"] == "speed"
    low, high = decoded["custom_target_speed_low"], decoded["custom_target_speed_high"]
    if step.ramp is not None:
        speeds = sorted((step.ramp.from_kmh, step.ramp.to_kmh))
        assert (low * 3.6, high * 3.6) == pytest.approx(speeds, abs=0.002)
        rising = step.ramp.to_kmh > step.ramp.from_kmh
        assert decoded["intensity"] == ("warmup" if rising else "cooldown")
    else:
        assert low * 3.6 == pytest.approx(step.end_speed_kmh - SPEED_BAND_KMH, abs=0.002)
        assert high * 3.6 == pytest.approx(step.end_speed_kmh + SPEED_BAND_KMH, abs=0.002)


def _run_order(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The decoded steps in the order a watch runs them, repeat steps followed."""
    out: list[dict[str, Any]] = []
    for index, step in enumerate(steps):
        if step["duration_type"] == "repeat_until_steps_cmplt":
            first = int(step["duration_step"])
            block = _run_order(steps[first:index])
            block_len = len(_run_order(steps[first:index]))
            del out[len(out) - block_len :]
            out.extend(block * int(step["repeat_steps"]))
        else:
            out.append(step)
    return out


@pytest.mark.parametrize("name", PROFILES)
def test_every_profile_decodes_back_to_its_steps_with_every_turn_spelled_out(name: str) -> None:
    profile = _any_profile(name)
    plan = compile_plan(profile)
    fit = decode(export_fit_workout(profile, plan))
    assert fit["file_id_mesgs"][0]["type"] == "workout"
    (workout,) = fit["workout_mesgs"]
    assert workout["wkt_name"] == profile.name
    assert workout["sport"] == "running"
    assert workout["sub_sport"] == "treadmill"
    expected = _expected(export_items(profile, plan))
    steps = fit["workout_step_mesgs"]
    developer = {
        name: developer_key(fit, name, MesgNum.WORKOUT_STEP) for name in ("incline", "max_time")
    }
    assert workout["num_valid_steps"] == len(steps) == len(expected)
    for index, (decoded, want) in enumerate(zip(steps, expected, strict=True)):
        assert decoded["message_index"] == index
        if "repeat_from" in want:
            assert decoded["duration_type"] == "repeat_until_steps_cmplt"
            assert decoded["duration_step"] == want["repeat_from"]
            assert decoded["repeat_steps"] == want["times"]
        elif isinstance(want["step"], TurnPhase):
            _check_turn(decoded, want["step"])
        elif isinstance(want["step"], SpeedChange):
            _check_speed_change(decoded, want["step"], plan.limits)
        else:
            _check_step(decoded, want["step"], developer)
    # A watch running the file goes through every turn of the plan, in three steps each,
    # and through them at the plan's times.
    ran = _run_order(steps)
    names = [step["wkt_step_name"] for step in ran]
    assert sum(" turn 2/3 " in n or " incline 2/3 " in n for n in names) == plan.turns
    assert len(ran) == len(plan.segments) + 2 * plan.turns + _speed_changes(plan)
    assert sum(
        step.get("duration_time", 0.0) for step in ran if "/3 " in step["wkt_step_name"]
    ) == (pytest.approx(plan.turn_duration_s, abs=0.01))


def _speed_changes(plan: Plan) -> int:
    """Backward intervals the plan ramps into from another speed (each one a step of its
    own in an export)."""
    count, before = 0, 0.0
    for segment in plan.segments:
        start = segment.ramp_from_kmh or segment.speed_kmh
        ramped = segment.kind == "interval" and not segment.keep_speed
        if ramped and segment.direction == "backward" and abs(start - before) >= 0.05:
            count += 1
        before = segment.speed_kmh
    return count


def _same_plan(back: Plan, original: Plan, *, structure: bool) -> None:
    """The plans run the same segments (and, with `structure`, from the same repeats)."""

    def view(plan: Plan) -> list[dict[str, Any]]:
        out = []
        for segment in plan.to_json()["segments"]:
            if not structure:
                del segment["source_path"]
                segment.pop("repeat_round", None)
                segment["cues"] = [c for c in segment["cues"] if c["kind"] != "last_interval"]
            out.append(segment)
        return out

    assert view(back) == view(original)
    assert back.limits == original.limits
    assert back.total_duration_s == pytest.approx(original.total_duration_s)


@pytest.mark.parametrize("name", PROFILES)
def test_a_profile_survives_fit_workout_and_import(name: str, tmp_path: Path) -> None:
    profile = _any_profile(name)
    original = compile_plan(profile)
    path = tmp_path / f"{name}.fit"
    path.write_bytes(export_fit_workout(profile, original))
    imported = import_profile(path)
    back = compile_plan(imported)
    assert back.name == original.name
    assert imported.steps == profile.steps
    assert imported.finish == profile.finish
    _same_plan(back, original, structure=True)


def _unrolled(steps: tuple[Step, ...]) -> list[IntervalStep]:
    out: list[IntervalStep] = []
    for step in steps:
        if isinstance(step, RepeatStep):
            out.extend(_unrolled(step.repeat.steps) * step.repeat.times)
        else:
            out.append(step)
    return out


@pytest.mark.parametrize("name", PROFILES)
def test_a_zwo_export_is_a_run_workout_with_its_turns_that_imports_to_the_same_plan(
    name: str, tmp_path: Path
) -> None:
    profile = _any_profile(name)
    plan = compile_plan(profile)
    text = export_zwo(profile, plan)
    root = ET.fromstring(text)  # noqa: S314 - our own output
    assert root.tag == "workout_file"
    assert root.findtext("sportType") == "run"
    elements = list(root.find("workout") or [])
    # Each interval one element, each turn three (slow, turn, settle), each speed change into
    # a backward interval one.
    assert len(elements) == len(plan.segments) + 2 * plan.turns + _speed_changes(plan)
    messages = [element.find("textevent").get("message", "") for element in elements]  # type: ignore[union-attr]
    assert all(m.startswith(("FORWARD", "BACKWARD")) for m in messages)
    turn_steps = [m for m in messages if " turn 2/3 " in m or " incline 2/3 " in m]
    assert len(turn_steps) == plan.turns
    intervals = [m for m in messages if m.startswith(("FORWARD: ", "BACKWARD: "))]
    assert [m.split(":")[0].lower() for m in intervals] == [
        s.direction for s in plan.segments if s.kind == "interval"
    ]
    path = tmp_path / f"{name}.zwo"
    path.write_text(text, encoding="utf-8")
    back = compile_plan(import_profile(path))
    _same_plan(back, plan, structure=False)


def test_a_zwo_export_imported_keeps_no_backward_cue_on_a_forward_step(tmp_path: Path) -> None:
    """The old export imported every step forward with "BACKWARD: ..." as its spoken cue."""
    profile = _profile("one-minute-alternation")
    path = tmp_path / "w.zwo"
    path.write_text(export_zwo(profile, compile_plan(profile)), encoding="utf-8")
    for segment in compile_plan(import_profile(path)).segments:
        own = (CueKind.START, CueKind.TEXT)
        spoken = " ".join(cue.text for cue in segment.cues if cue.kind in own).lower()
        if segment.direction == "forward":
            assert "backward" not in spoken, segment


def _workout_file(
    steps: list[tuple[Field, ...]], *, kind: int = FileType.WORKOUT, sport: int = Sport.RUNNING
) -> bytes:
    writer = FitWriter()
    writer.message(MesgNum.FILE_ID, (Field(0, BaseType.ENUM, kind),))
    writer.message(
        MesgNum.WORKOUT,
        (Field(4, BaseType.ENUM, sport), Field(6, BaseType.UINT16, len(steps))),
    )
    for index, fields in enumerate(steps):
        writer.message(MesgNum.WORKOUT_STEP, (Field(254, BaseType.UINT16, index), *fields))
    return writer.finish()


def _step(
    duration: int, value: int, target: int, low: int = 2000, high: int = 2200
) -> tuple[Field, ...]:
    return (
        Field(1, BaseType.ENUM, duration),
        Field(2, BaseType.UINT32, value),
        Field(3, BaseType.ENUM, target),
        Field(4, BaseType.UINT32, 0),
        Field(5, BaseType.UINT32, low),
        Field(6, BaseType.UINT32, high),
    )


GOOD_STEP = _step(WktStepDuration.TIME, 60_000, WktStepTarget.SPEED)


def _damaged(data: bytes) -> bytes:
    flipped = bytearray(data)
    flipped[20] ^= 0xFF
    return bytes(flipped)


def _bad_header_crc(data: bytes) -> bytes:
    broken = bytearray(data)
    broken[12:14] = struct.pack("<H", crc16(data[:12]) ^ 1)
    return bytes(broken)


BAD_FILES = [
    pytest.param(_workout_file([GOOD_STEP])[:-7], "byte", "file is cut short", id="cut"),
    pytest.param(_damaged(_workout_file([GOOD_STEP])), "byte", "file CRC does not match", id="crc"),
    pytest.param(_bad_header_crc(_workout_file([GOOD_STEP])), "byte 12", "header CRC", id="hcrc"),
    pytest.param(
        export_fit(parse_log(TINY.encode(), "tiny.jsonl")),
        "",
        "not a FIT workout file (file type 4",
        id="activity",
    ),
    pytest.param(
        _workout_file([GOOD_STEP], sport=2), "byte", "sport is 2, not running", id="cycling"
    ),
    pytest.param(
        _workout_file([GOOD_STEP, _step(4, 50, WktStepTarget.SPEED)]),
        "byte",
        "step 1: duration type 4: calories are not something a treadmill step can end on; "
        "give the step a time or a distance",
        id="calories",
    ),
    pytest.param(
        _workout_file([_step(WktStepDuration.TIME, 60_000, WktStepTarget.HEART_RATE)]),
        "byte",
        "step 0: target type 1: the custom heart-rate range 1900-2100 bpm is not within 60-230 bpm",
        id="heart-rate",
    ),
    pytest.param(_workout_file([]), "", "the workout has no steps", id="empty"),
]


@pytest.mark.parametrize(("data", "where", "message"), BAD_FILES)
def test_bad_fit_workouts_exit_2_with_one_line_naming_the_place(
    cli: Callable[..., CliResult], tmp_path: Path, data: bytes, where: str, message: str
) -> None:
    path = tmp_path / "w.fit"
    path.write_bytes(data)
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"retrorun: {path}")
    assert f"{path}: {where}" in result.stderr
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_foreign_fit_workout_imports_forward_at_the_middle_of_its_pace_range(
    tmp_path: Path,
) -> None:
    repeat = (
        Field(1, BaseType.ENUM, WktStepDuration.REPEAT_UNTIL_STEPS_CMPLT),
        Field(2, BaseType.UINT32, 1),
        Field(3, BaseType.ENUM, WktStepTarget.OPEN),
        Field(4, BaseType.UINT32, 4),
    )
    data = _workout_file(
        [GOOD_STEP, _step(WktStepDuration.DISTANCE, 40_000, WktStepTarget.SPEED), GOOD_STEP, repeat]
    )
    path = tmp_path / "garmin.fit"
    path.write_bytes(data)
    profile = import_profile(path)
    assert profile.name == "garmin"
    first, block = profile.steps
    assert isinstance(first, IntervalStep)
    assert first.direction == "forward"
    assert first.speed_kmh == pytest.approx(7.56)  # (2.0 + 2.2) / 2 m/s
    assert isinstance(block, RepeatStep)
    assert block.repeat.times == 4
    distance_step, time_step = block.repeat.steps
    assert isinstance(distance_step, IntervalStep)
    assert isinstance(time_step, IntervalStep)
    assert distance_step.distance_m == 400
    assert time_step.duration_s == 60


def test_workout_command_writes_fit_and_zwo(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    fit_path = tmp_path / "w.fit"
    result = cli("workout", "six-week-1", "-o", str(fit_path))
    assert result.exit_code == 0
    assert result.stdout == f"wrote {fit_path}\n"
    assert (
        decode(fit_path.read_bytes())["workout_mesgs"][0]["wkt_name"] == _profile("six-week-1").name
    )
    zwo_path = tmp_path / "w.zwo"
    assert cli("workout", "six-week-1", "--format", "zwo", "-o", str(zwo_path)).exit_code == 0
    assert ET.parse(zwo_path).getroot().findtext("sportType") == "run"  # noqa: S314 - our own output


def test_workout_command_refuses_an_unknown_profile(cli: Callable[..., CliResult]) -> None:
    result = cli("workout", "no-such-profile")
    assert result.exit_code == 2
    assert result.stderr.startswith("retrorun: no-such-profile: no such file or profile name")
    assert result.stderr.count("\n") == 1


def _seconds_at_speed(step: dict[str, Any], before_kmh: float) -> float:
    """How long another app's belt holds the step's speed, speeding up at the default rate
    (0.5 km/h per s after a 1 s reaction) from the speed before: a watch or app starts
    the step's clock or metres when the step starts."""
    speed = (step["custom_target_speed_low"] + step["custom_target_speed_high"]) / 2 * 3.6
    ramp_s = DEFAULT_RATES.reaction_delay_s + (speed - before_kmh) / DEFAULT_RATES.accel_kmh_per_s
    if step["duration_type"] == "time":
        return float(step["duration_time"] - ramp_s)
    ramp_m = DEFAULT_RATES.reaction_delay_s * before_kmh / 3.6 + (
        (speed + before_kmh) / 2 / 3.6 * (ramp_s - DEFAULT_RATES.reaction_delay_s)
    )
    return float((step["duration_distance"] - ramp_m) / (speed / 3.6))


def test_strides_keep_their_speed_in_a_watch_or_another_app() -> None:
    profile = _profile("track-warm-up")
    steps = _run_order(
        decode(export_fit_workout(profile, compile_plan(profile)))["workout_step_mesgs"]
    )
    strides = [i for i, step in enumerate(steps) if "stride" in step["wkt_step_name"]]
    assert len(strides) == 3
    for index in strides:
        before = steps[index - 1]
        before_kmh = (before["custom_target_speed_low"] + before["custom_target_speed_high"]) / 2
        assert _seconds_at_speed(steps[index], before_kmh * 3.6) >= 15.0


@pytest.mark.parametrize("name", BUNDLED)
def test_a_long_description_is_cut_at_a_sentence_for_the_watch(name: str) -> None:
    profile = _profile(name)
    (workout,) = decode(export_fit_workout(profile, compile_plan(profile)))["workout_mesgs"]
    sent = workout["wkt_description"]
    assert len(sent.encode("utf-8")) < 255
    assert profile.description.startswith(sent.removesuffix("…"))
    assert sent == profile.description or sent.endswith((".", "…"))


@pytest.mark.parametrize(
    ("text", "size", "cut"),
    [
        ("One two three four five six", 14, "One two…"),
        ("Short. Longer sentence here", 14, "Short."),
        ("Ünïcödé wörds ärë hérë", 14, "Ünïcödé…"),
        ("Ünïcödé wörds ärë hérë", 12, "Ünïcöd…"),  # one word too long: cut, never a byte
        ("Fits.", 5, "Fits."),
    ],
)
def test_whole_sentences_cut_at_a_sentence_or_a_word_never_inside_a_character(
    text: str, size: int, cut: str
) -> None:
    assert whole_sentences(text, size) == cut
    assert len(cut.encode("utf-8")) <= size


def _zwo_speeds(text: str) -> list[tuple[str, float | None, float | None, float]]:
    """Each element of a time-based .zwo as (message, start km/h, end km/h, seconds); a
    FreeRide has no speeds."""
    root = ET.fromstring(text)  # noqa: S314 - our own output
    reference = 3600 / float(root.findtext("thresholdSecPerKm") or "0")
    out: list[tuple[str, float | None, float | None, float]] = []
    for element in root.find("workout") or []:
        message = element.find("textevent").get("message", "")  # type: ignore[union-attr]
        seconds = float(element.get("Duration", "0"))
        if element.tag == "FreeRide":
            out.append((message, None, None, seconds))
        elif element.tag == "SteadyState":
            speed = float(element.get("Power", "0")) * reference
            out.append((message, speed, speed, seconds))
        else:
            low, high = (
                float(element.get(key, "0")) * reference for key in ("PowerLow", "PowerHigh")
            )
            out.append((message, low, high, seconds))
    return out


@pytest.mark.parametrize("name", PROFILES)
def test_an_app_running_the_zwo_changes_a_backward_belt_no_faster_than_the_backward_ramp(
    name: str,
) -> None:
    """An app follows a .zwo to the letter: every element facing backward starts at the
    speed the one before it ended (no jump after a turn's settle step or between backward
    steps), and ramps no faster than the profile's backward ramp."""
    profile = _any_profile(name)
    plan = compile_plan(profile)
    if plan.backward_duration_s == 0 or all(
        step.distance_m is not None for step, _ in walk_steps(profile.steps)
    ):
        pytest.skip("no backward step, or a file in metres (no time to ramp over)")
    rate = plan.limits.backward_ramp_kmh_per_s
    before: float | None = 0.0
    for message, start, end, seconds in _zwo_speeds(export_zwo(profile, plan)):
        facing_backward = message.startswith("BACKWARD")
        if facing_backward and start is not None and end is not None:
            assert before is not None, message
            assert start == pytest.approx(before, abs=0.02), message
            assert abs(end - start) / seconds <= rate + 0.01, message
        if end is not None:
            before = end
