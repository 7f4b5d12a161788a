"""Profiles as FIT workouts (checked with Garmin's SDK) and .zwo files, and FIT workouts back
into profiles."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import pytest

from retrorun.fit.profile import FileType, MesgNum, Sport, WktStepDuration, WktStepTarget
from retrorun.fit.wire import BaseType, Field, FitWriter, crc16
from retrorun.profiles import library
from retrorun.profiles.exporters.fit_workout import SPEED_BAND_KMH, export_fit_workout
from retrorun.profiles.exporters.zwo import export_zwo
from retrorun.profiles.importers import import_profile
from retrorun.profiles.loader import load_profile
from retrorun.profiles.models import IntervalStep, Profile, RepeatStep
from retrorun.profiles.plan import compile_plan
from retrorun.recording.fit_activity import export_fit
from retrorun.recording.log_reader import parse_log
from tests.recording.fixtures import TINY
from tests.recording.garmin import decode, developer_key

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from retrorun.profiles.models import Step
    from tests.conftest import CliResult

BUNDLED = [path.stem for path in library.profile_files(library.bundled_dir())]


def _profile(name: str) -> Profile:
    return load_profile(library.resolve(name)).profile


def _expected(steps: tuple[Step, ...]) -> list[dict[str, Any]]:
    """What the SDK should decode, worked out from the profile's own steps."""
    out: list[dict[str, Any]] = []
    for step in steps:
        if isinstance(step, RepeatStep):
            first = len(out)
            out.extend(_expected(step.repeat.steps))
            out.append({"repeat_from": first, "times": step.repeat.times})
        else:
            out.append({"step": step})
    return out


def _check_step(decoded: dict[str, Any], step: IntervalStep, incline_key: int) -> None:
    assert decoded["wkt_step_name"].startswith(step.direction.upper() + " ")
    assert step.direction.upper() in decoded["notes"]
    if step.duration_s is not None:
        assert decoded["duration_type"] == "time"
        assert decoded["duration_time"] == pytest.approx(step.duration_s)
    else:
        assert decoded["duration_type"] == "distance"
        assert decoded["duration_distance"] == pytest.approx(step.distance_m)
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
    assert decoded["developer_fields"][incline_key] == round(step.incline_pct * 100)


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_profile_decodes_back_to_its_steps(name: str) -> None:
    profile = _profile(name)
    fit = decode(export_fit_workout(profile))
    assert fit["file_id_mesgs"][0]["type"] == "workout"
    (workout,) = fit["workout_mesgs"]
    assert workout["wkt_name"] == profile.name
    assert workout["sport"] == "running"
    assert workout["sub_sport"] == "treadmill"
    expected = _expected(profile.steps)
    steps = fit["workout_step_mesgs"]
    incline = developer_key(fit, "incline", MesgNum.WORKOUT_STEP)
    assert workout["num_valid_steps"] == len(steps) == len(expected)
    for index, (decoded, want) in enumerate(zip(steps, expected, strict=True)):
        assert decoded["message_index"] == index
        if "repeat_from" in want:
            assert decoded["duration_type"] == "repeat_until_steps_cmplt"
            assert decoded["duration_step"] == want["repeat_from"]
            assert decoded["repeat_steps"] == want["times"]
        else:
            _check_step(decoded, want["step"], incline)


@pytest.mark.parametrize("name", BUNDLED)
def test_a_profile_survives_fit_workout_and_import(name: str, tmp_path: Path) -> None:
    original = compile_plan(_profile(name))
    path = tmp_path / f"{name}.fit"
    path.write_bytes(export_fit_workout(_profile(name)))
    back = compile_plan(import_profile(path))
    assert back.name == original.name
    assert len(back.segments) == len(original.segments)
    assert back.turns == original.turns
    assert back.total_duration_s == pytest.approx(original.total_duration_s, abs=0.5)
    assert back.total_distance_m == pytest.approx(original.total_distance_m, abs=1.0)
    assert back.backward_duration_s == pytest.approx(original.backward_duration_s, abs=0.5)
    assert [s.direction for s in back.segments] == [s.direction for s in original.segments]
    assert [s.incline_pct for s in back.segments] == [s.incline_pct for s in original.segments]
    assert [s.label for s in back.segments] == [s.label for s in original.segments]


def _unrolled(steps: tuple[Step, ...]) -> list[IntervalStep]:
    out: list[IntervalStep] = []
    for step in steps:
        if isinstance(step, RepeatStep):
            out.extend(_unrolled(step.repeat.steps) * step.repeat.times)
        else:
            out.append(step)
    return out


@pytest.mark.parametrize("name", BUNDLED)
def test_a_zwo_export_is_a_run_workout_with_directions_that_imports_again(
    name: str, tmp_path: Path
) -> None:
    profile = _profile(name)
    text = export_zwo(profile)
    root = ET.fromstring(text)  # noqa: S314 - our own output
    assert root.tag == "workout_file"
    assert root.findtext("sportType") == "run"
    steps = _unrolled(profile.steps)
    elements = list(root.find("workout") or [])
    assert len(elements) == len(steps)
    for element, step in zip(elements, steps, strict=True):
        message = element.find("textevent")
        assert message is not None
        assert message.get("message", "").startswith(step.direction.upper() + ":")
    path = tmp_path / f"{name}.zwo"
    path.write_text(text, encoding="utf-8")
    back = compile_plan(import_profile(path))
    intervals = [s for s in back.segments if s.kind == "interval"]
    assert len(intervals) == len(steps)
    for segment, step in zip(intervals, steps, strict=True):
        assert segment.speed_kmh == pytest.approx(step.end_speed_kmh, abs=0.02)
        if step.duration_s is not None:
            assert segment.duration_s == pytest.approx(step.duration_s, abs=0.1)
        else:
            assert segment.estimated_distance_m == pytest.approx(step.distance_m, abs=1.0)


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
        _workout_file([GOOD_STEP, _step(WktStepDuration.OPEN, 0, WktStepTarget.SPEED)]),
        "byte",
        "step 1: duration type 5 is not supported",
        id="open",
    ),
    pytest.param(
        _workout_file([_step(WktStepDuration.TIME, 60_000, WktStepTarget.HEART_RATE)]),
        "byte",
        "step 0: a treadmill step needs a custom speed (pace) target, not target type 1",
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
