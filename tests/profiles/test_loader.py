"""Profiles are read from YAML/JSON, and every mistake is named by file, field path and line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from retrorun.errors import ProfileError, ProfileErrors
from retrorun.profiles.loader import load_profile, parse_profile
from retrorun.profiles.models import IntervalStep, RepeatStep

if TYPE_CHECKING:
    from pathlib import Path


def _first(text: str) -> IntervalStep:
    step = parse_profile(text).profile.steps[0]
    assert isinstance(step, IntervalStep)
    return step


@pytest.mark.parametrize(
    ("step", "duration_s", "distance_m", "speed_kmh"),
    [
        ("{duration: 90, speed: 9}", 90.0, None, 9.0),
        ("{duration: 90s, speed: 9 km/h}", 90.0, None, 9.0),
        ("{duration: 2m, speed: 6 mph}", 120.0, None, 6 * 1.609344),
        ("{duration: '1:30', speed: '6:00/km'}", 90.0, None, 10.0),
        ("{duration: 1:30, speed: 6:00/km}", 90.0, None, 10.0),
        ("{duration: 1h5m, speed: '9:40/mi'}", 3900.0, None, 3600 * 1.609344 / 580),
        ("{duration: '1:02:03', speed: 12}", 3723.0, None, 12.0),
        ("{distance: 400m, speed: 8}", None, 400.0, 8.0),
        ("{distance: 1km, speed: 8}", None, 1000.0, 8.0),
        ("{distance: 0.25mi, speed: 8}", None, 0.25 * 1609.344, 8.0),
        ("{distance: 400, speed: 8}", None, 400.0, 8.0),
    ],
)
def test_human_quantities_parse_to_numbers(
    step: str, duration_s: float | None, distance_m: float | None, speed_kmh: float
) -> None:
    parsed = _first(f"name: q\nsteps:\n  - {step}\n")
    assert parsed.duration_s == duration_s
    assert parsed.distance_m == pytest.approx(distance_m)
    assert parsed.speed_kmh == pytest.approx(speed_kmh)


@pytest.mark.parametrize(
    ("units", "speed", "speed_kmh"),
    [
        ("km/h", "9", 9.0),
        ("mph", "5", 5 * 1.609344),
        ("mph", "8 km/h", 8.0),
        ("pace", "5:00", 12.0),
        ("pace", "6", 10.0),
        ("pace", "'9:40/mi'", 3600 * 1.609344 / 580),
    ],
)
def test_bare_speeds_use_the_profile_units(units: str, speed: str, speed_kmh: float) -> None:
    step = _first(f"name: u\nunits: {units}\nsteps:\n  - {{duration: 60, speed: {speed}}}\n")
    assert step.speed_kmh == pytest.approx(speed_kmh)


def test_repeat_blocks_nest_and_keep_their_steps() -> None:
    text = """
name: nested
steps:
  - repeat:
      times: 2
      steps:
        - repeat:
            times: 3
            steps:
              - {duration: 30s, speed: 8}
              - {direction: backward, duration: 30s, speed: 4}
"""
    outer = parse_profile(text).profile.steps[0]
    assert isinstance(outer, RepeatStep)
    inner = outer.repeat.steps[0]
    assert isinstance(inner, RepeatStep)
    assert (outer.repeat.times, inner.repeat.times) == (2, 3)
    backward = inner.repeat.steps[1]
    assert isinstance(backward, IntervalStep)
    assert backward.direction == "backward"


def test_json_profiles_load_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(
        '{\n  "name": "j",\n  "steps": [\n    {"duration": "1m", "speed": 99}\n  ]\n}\n'
    )
    with pytest.raises(ProfileErrors) as caught:
        load_profile(path)
    assert str(caught.value).startswith(f"{path}:4 steps[0].speed: 99")


BAD = [
    # (yaml text, expected line, expected path, words in the message)
    ("name: x\nsteps:\n  - {duration: 1m, speed: fast}\n", 3, "steps[0].speed", "'fast'"),
    ("name: x\nsteps:\n  - {duration: soon, speed: 5}\n", 3, "steps[0].duration", "'soon'"),
    ("name: x\nsteps:\n  - {distance: 5 leagues, speed: 5}\n", 3, "steps[0].distance", "leagues"),
    ("name: x\nsteps:\n  - {duration: 1m}\n", 3, "steps[0]", "'speed' or 'ramp'"),
    ("name: x\nsteps:\n  - {speed: 5}\n", 3, "steps[0]", "'duration' or 'distance'"),
    (
        "name: x\nsteps:\n  - {duration: 1m, distance: 1km, speed: 5}\n",
        3,
        "steps[0]",
        "exactly one of 'duration' or 'distance'",
    ),
    (
        "name: x\nsteps:\n  - {duration: 1m, speed: 5, colour: red}\n",
        3,
        "steps[0].colour",
        "unknown",
    ),
    (
        "name: x\nsteps:\n  - {duration: 1m, speed: 5, direction: back}\n",
        3,
        "steps[0].direction",
        "'back'",
    ),
    ("name: x\nsteps:\n  - {duration: 1m, speed: 45}\n", 3, "steps[0].speed", "at most 30"),
    ("name: x\nsteps:\n  - {duration: -5, speed: 5}\n", 3, "steps[0].duration", "more than 0"),
    ("name: x\nsteps: []\n", 2, "steps", "must not be empty"),
    ("steps:\n  - {duration: 1m, speed: 5}\n", 1, "name", "missing"),
    (
        "name: x\nsteps:\n  - repeat:\n      times: 0\n      steps:\n        - {duration: 1m}\n",
        4,
        "steps[0].repeat.times",
        "at least 1",
    ),
    (
        (
            "name: x\nsteps:\n  - repeat:\n      times: 2\n      steps:\n"
            "        - {duration: 1m, speed: 5}\n        - {duration: 1m, sped: 5}\n"
        ),
        7,
        "steps[0].repeat.steps[1].sped",
        "unknown",
    ),
    (
        "name: x\nturn: {window: 'a while'}\nsteps:\n  - {duration: 1m, speed: 5}\n",
        2,
        "turn.window",
        "'a while'",
    ),
    ("name: x\nname: y\nsteps:\n  - {duration: 1m, speed: 5}\n", 2, "name", "twice"),
]


@pytest.mark.parametrize(("text", "line", "path", "words"), BAD)
def test_invalid_profiles_name_file_path_and_line(
    tmp_path: Path, text: str, line: int, path: str, words: str
) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text(text)
    with pytest.raises(ProfileErrors) as caught:
        load_profile(file)
    problems = caught.value.problems
    assert any(
        p.file == str(file) and p.line == line and p.path == path and words in p.message
        for p in problems
    ), [str(p) for p in problems]
    assert str(caught.value).startswith(f"{file}:")


def test_every_problem_of_a_file_is_reported_once_per_line(tmp_path: Path) -> None:
    file = tmp_path / "many.yaml"
    file.write_text(
        "name: many\nsteps:\n  - {duration: 1m, speed: fast}\n  - {duration: never, speed: 5}\n"
        "  - {duration: 1m, speed: 5, colour: red}\n"
    )
    with pytest.raises(ProfileErrors) as caught:
        load_profile(file)
    lines = str(caught.value).splitlines()
    assert [problem.line for problem in caught.value.problems] == [3, 4, 5]
    assert len(lines) == 3


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("name: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "a profile is a mapping"),
        ("!!python/object/apply:os.system ['true']\n", "not valid YAML"),
    ],
)
def test_unreadable_documents_are_profile_errors(text: str, words: str) -> None:
    with pytest.raises(ProfileError, match=words):
        parse_profile(text, file="x.yaml")


def test_missing_file_is_a_profile_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(tmp_path / "nope.yaml")
