"""Zwift run workouts and QZ programs import into profiles; bad files name the element."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from retrorun.errors import ConfigError, ProfileError
from retrorun.profiles.importers import import_file, import_profile
from retrorun.profiles.loader import parse_profile
from retrorun.profiles.models import IntervalStep
from retrorun.profiles.plan import compile_plan
from retrorun.profiles.safety import walk_steps

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import CliResult

DATA = Path(__file__).parent / "data"


def test_real_zwift_run_workout_plans_to_the_files_total_distance() -> None:
    # pyramid.zwo (github.com/luishpinto/zwift): 1+1+1 km, 5 x (200 m + 200 m), 1+1+1 km.
    profile = import_profile(DATA / "pyramid.zwo", ("5k=5:00/km",))
    plan = compile_plan(profile)
    assert plan.total_distance_m == pytest.approx(8000.0)
    assert plan.turns == 0
    assert {s.direction for s in plan.segments} == {"forward"}
    # speed = reference (5 km pace 5:00/km = 12 km/h) x Power
    fast = [s for s in plan.segments if s.label == "on"]
    assert len(fast) == 5
    assert fast[0].speed_kmh == pytest.approx(12.0 * 1.05, abs=0.01)
    warm_up = plan.segments[0]
    assert (warm_up.ramp_from_kmh, warm_up.ramp_to_kmh) == pytest.approx((9.7, 10.86), abs=0.01)


def test_text_events_become_cues_and_total_distance_is_kept() -> None:
    profile = import_profile(DATA / "still-easy.zwo", ("6:00/km",))
    steps = [step for step, _ in walk_steps(profile.steps)]
    assert steps[0].cue is not None
    assert steps[0].cue.startswith("Welcome back!")
    assert compile_plan(profile).total_distance_m == pytest.approx(3000.0)


def test_imported_yaml_is_a_valid_profile_again() -> None:
    text, _ = import_file(DATA / "pyramid.zwo", ("5:00/km",))
    again = compile_plan(parse_profile(text).profile)
    assert again.total_distance_m == pytest.approx(8000.0)


def _zwo(tmp_path: Path, workout: str, head: str = "<sportType>run</sportType>") -> Path:
    path = tmp_path / "w.zwo"
    path.write_text(
        f"<workout_file>\n<name>t</name>\n{head}\n<workout>\n{workout}\n</workout>\n"
        "</workout_file>\n"
    )
    return path


def test_time_based_zwo_uses_seconds_and_splits_at_text_events(tmp_path: Path) -> None:
    path = _zwo(
        tmp_path,
        '<SteadyState Duration="600" Power="1.0" pace="2">\n'
        '  <textevent timeoffset="300" message="Halfway there"/>\n</SteadyState>',
        "<sportType>run</sportType><durationType>time</durationType>",
    )
    profile = import_profile(path, ("10k=6:00/km",))
    steps = [step for step, _ in walk_steps(profile.steps)]
    assert [(s.duration_s, s.speed_kmh, s.cue) for s in steps] == [
        (300.0, 10.0, None),
        (300.0, 10.0, "Halfway there"),
    ]


BAD_ZWO = [
    ('<FreeRide Duration="600"/>', "<FreeRide>", 5, "no target speed"),
    ('<SteadyState Duration="600"/>', "<SteadyState>", 5, "Power must be a positive number"),
    ('<Sprint Duration="6" Power="1"/>', "<Sprint>", 5, "unsupported element Sprint"),
    ('<SteadyState Duration="600" Power="9" pace="1"/>', None, None, "not a valid profile"),
]


@pytest.mark.parametrize(("workout", "element", "line", "words"), BAD_ZWO)
def test_bad_zwo_files_name_the_element_and_line(
    tmp_path: Path, workout: str, element: str | None, line: int | None, words: str
) -> None:
    path = _zwo(tmp_path, workout)
    with pytest.raises(ProfileError, match=words) as caught:
        import_profile(path, ("5:00/km",))
    assert caught.value.file == str(path)
    assert (caught.value.path, caught.value.line) == (element, line)


def test_bike_workouts_and_missing_paces_are_refused(tmp_path: Path) -> None:
    bike = _zwo(tmp_path, '<SteadyState Duration="60" Power="1"/>', "<sportType>bike</sportType>")
    with pytest.raises(ProfileError, match="only run workouts"):
        import_profile(bike, ("5:00/km",))
    run = _zwo(tmp_path, '<SteadyState Duration="60" Power="1" pace="3"/>')
    with pytest.raises(ProfileError, match="--pace half="):
        import_profile(run)
    with pytest.raises(ConfigError, match="unknown reference"):
        import_profile(run, ("3k=5:00/km",))


def test_doctype_and_entities_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.zwo"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<workout_file/>\n')
    with pytest.raises(ProfileError, match="DOCTYPE") as caught:
        import_profile(path, ("5:00/km",))
    assert caught.value.line == 2


def test_broken_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.zwo"
    path.write_text("<workout_file>\n<name>t</name>\n<workout>\n</workout_file>\n")
    with pytest.raises(ProfileError, match="not valid XML") as caught:
        import_profile(path)
    assert caught.value.line == 4


QZ = """<rows>
  <row duration="00:05:00" speed="6.0" inclination="1" forcespeed="1"/>
  <repeat times="4">
    <row duration="00:01:00" speed="10.5" inclination="0"/>
    <row distance="0.2" speed="6" inclination="2"/>
  </repeat>
  <row duration="00:03:00" speed="5"/>
</rows>
"""


def test_qz_program_rows_repeats_and_distances(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    path.write_text(QZ)
    profile = import_profile(path)
    assert profile.name == "session"
    steps = [step for step, _ in walk_steps(profile.steps)]
    assert all(isinstance(s, IntervalStep) and s.direction == "forward" for s in steps)
    plan = compile_plan(profile)
    counted = sum(s.duration_s or s.estimated_duration_s for s in plan.segments)
    assert counted == pytest.approx(300 + 4 * (60 + 120) + 180)
    assert [s.incline_pct for s in plan.segments[:3]] == [1.0, 0.0, 2.0]


@pytest.mark.parametrize(
    ("row", "line", "words"),
    [
        ('<row speed="6"/>', 2, "needs a duration"),
        ('<row duration="00:01:00"/>', 2, "needs a speed"),
        ('<row duration="soon" speed="5"/>', 2, "hh:mm:ss"),
        ('<repeat times="0"><row duration="00:01:00" speed="5"/></repeat>', 2, "whole number"),
        ("<lap/>", 2, "unsupported element lap"),
    ],
)
def test_bad_qz_rows_name_the_element(tmp_path: Path, row: str, line: int, words: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(f"<rows>\n{row}\n</rows>\n")
    with pytest.raises(ProfileError, match=words) as caught:
        import_profile(path)
    assert caught.value.line == line


def test_a_foreign_backward_cue_never_rides_on_a_forward_step(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    path = _zwo(
        tmp_path,
        '<SteadyState Duration="300" Power="0.5">\n'
        '  <textevent timeoffset="0" message="Now turn and run backwards!"/>\n</SteadyState>\n'
        '<SteadyState Duration="300" Power="0.8">\n'
        '  <textevent timeoffset="0" message="Easy forward"/>\n</SteadyState>',
        "<sportType>run</sportType><durationType>time</durationType>",
    )
    result = cli("import", str(path), "--pace", "5:00/km")
    assert result.exit_code == 0, result.stderr
    profile = parse_profile(result.stdout).profile
    steps = [step for step, _ in walk_steps(profile.steps)]
    assert [(s.direction, s.cue) for s in steps] == [("forward", None), ("forward", "Easy forward")]
    assert result.stderr == (
        f"note: {path}: steps[0]: the cue 'Now turn and run backwards!' speaks of running "
        "backward on a step the file gives no direction, so it is imported forward without "
        "it; make the step backward by hand if it is\n"
    )
    assert "# Note: steps[0]: the cue 'Now turn and run backwards!'" in result.stdout
