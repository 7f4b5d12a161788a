"""Zwift run workouts and QZ programs import into profiles; bad files name the element."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from retrorun.errors import ConfigError, ProfileError
from retrorun.profiles.importers import import_file, import_profile
from retrorun.profiles.loader import parse_profile
from retrorun.profiles.models import IntervalStep, RepeatStep
from retrorun.profiles.plan import compile_plan
from retrorun.profiles.safety import walk_steps
from tests.profiles import garmin_workouts

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
        ('<row speed="6"/>', 2, "row 1 has neither a duration"),
        ('<row distance="0.5"/>', 2, "row 1: a distance row without a speed is not supported"),
        (
            '<row duration="00:10:00" zonehr="2" looptimehr="10" maxspeed="12"/>',
            2,
            "row 1: a heart-rate zone row needs minspeed and maxspeed",
        ),
        (
            '<row duration="00:10:00" zonehr="7" minspeed="5" maxspeed="9"/>',
            2,
            "row 1: zonehr must be a heart-rate zone 1-5, not '7'",
        ),
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


def test_a_garmin_connect_workout_imports_names_notes_and_repeats_to_a_hand_count(
    tmp_path: Path,
) -> None:
    path = tmp_path / "Treadmill_6x400.fit"
    path.write_bytes(garmin_workouts.track_repeats())
    profile = import_profile(path)
    assert profile.name == "Treadmill 6x400"
    steps = [step for step, _ in walk_steps(profile.steps)]
    assert [(s.label, s.cue) for s in steps] == [
        ("Warm up", "Easy, relaxed"),
        ("400 m", "Strong but controlled"),
        ("Recover", None),
        ("Cool down", None),
    ]
    # A watch's warm-up pace range is a range to stay in: its middle, not a ramp.
    assert steps[0].ramp is None
    assert steps[0].speed_kmh == pytest.approx((2.5 + 2.78) / 2 * 3.6, abs=0.01)
    plan = compile_plan(profile)
    intervals = [s for s in plan.segments if s.kind == "interval"]
    assert len(intervals) == 1 + 6 * 2 + 1
    counted = sum(s.duration_s or s.estimated_duration_s for s in intervals)
    fast_s = 400 / 3.8  # 400 m at the middle of 3.7-3.9 m/s
    assert counted == pytest.approx(600 + 6 * (fast_s + 90) + 300, abs=0.5)
    assert sum(s.distance_m or 0.0 for s in intervals) == pytest.approx(6 * 400)


GARMIN_REFUSED = [
    pytest.param(
        {2: {**garmin_workouts.RECOVER, "duration_type": "calories", "duration_value": 50}},
        "step 2 ('Recover'): duration type 4: calories are not something a treadmill step can "
        "end on",
        id="calories",
    ),
    pytest.param(
        {4: garmin_workouts.POWER},
        "step 4 ('Power'): target type 4 zone 3: a power target is not something a treadmill "
        "can follow",
        id="power",
    ),
    pytest.param(
        {4: {**garmin_workouts.COOL_DOWN, "target_type": 42}},
        "step 4 ('Cool down'): target type 42: it is not a target type retrorun knows",
        id="unknown-target",
    ),
    pytest.param(
        {2: {"wkt_step_name": "Recover", **garmin_workouts.heart_rate_above(-15)}},
        "step 2 ('Recover'): duration type 3: a heart rate above 85 % of the maximum heart "
        "rate; retrorun ends a step on a heart rate in bpm: give the condition in bpm",
        id="heart-rate-condition-in-percent",
    ),
    pytest.param(
        {4: {**garmin_workouts.COOL_DOWN, **garmin_workouts.heart_rate_range(90, 240)}},
        "step 4 ('Cool down'): target type 1: the custom heart-rate range 90-240 is neither "
        "bpm (above 100: bpm + 100) nor % of max (30-100), low then high",
        id="heart-rate-range-mixed",
    ),
    pytest.param(
        {2: {**garmin_workouts.HEART_RATE_ZONE, "target_value": 7}},
        "step 2 ('Zone 2'): heart-rate zone 7: zones are 1 to 5",
        id="heart-rate-zone-7",
    ),
    pytest.param(
        {3: {**garmin_workouts.repeat(1, 6), "duration_type": "repeat_until_time"}},
        "step 3: duration type 7: repeat until a time is not supported; repeat a number of times",
        id="repeat-until-time",
    ),
]


@pytest.mark.parametrize(("replace", "words"), GARMIN_REFUSED)
def test_garmin_steps_a_treadmill_cannot_run_are_one_line_naming_the_step(
    tmp_path: Path, cli: Callable[..., CliResult], replace: dict[int, Any], words: str
) -> None:
    path = tmp_path / "w.fit"
    path.write_bytes(garmin_workouts.track_repeats(replace=replace))
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"retrorun: {path}: byte ")
    assert words in result.stderr
    assert result.stderr.count("\n") == 1


def _notes(path: Path, *notes: str) -> list[str]:
    """The lines `retrorun import` prints on stderr for `notes` about `path`."""
    return [f"note: {path}: {note}" for note in notes]


def test_a_qz_program_keeps_its_cues_at_their_offsets_and_clamps_a_route_incline(
    cli: Callable[..., CliResult],
) -> None:
    path = DATA / "qz-hills-and-intervals.xml"
    result = cli("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == _notes(
        path,
        '2 of 5 rows have a speed without forcespeed="1" (QZ leaves those to the runner); '
        "retrorun sets every row's speed",
        "1 step had an incline of -20 %, outside the -15 to 40 % a profile allows: clamped "
        "into that range (the treadmill's own range decides at run time)",
    )
    plan = compile_plan(parse_profile(result.stdout).profile)
    intervals = [s for s in plan.segments if s.kind == "interval"]
    # Hand count: 5 min warm-up, 5 x (2 min + 1 min), 500 m at 7.5 km/h, 3 min.
    counted = sum(s.duration_s or s.estimated_duration_s for s in intervals)
    assert counted == pytest.approx(300 + 5 * 180 + 240 + 180)
    assert [(s.duration_s, s.cue) for s in intervals[:2]] == [
        (240.0, "Easy walk to warm up"),
        (60.0, "One minute to the first interval"),
    ]
    assert intervals[-2].incline_pct == -15.0


def test_zwift_paces_come_from_the_config_and_pace_replaces_them(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[runner]\npaces = { 5k = "5:00/km" }\n')
    from_config = cli("import", str(DATA / "pyramid.zwo"), "--config", str(config))
    assert from_config.exit_code == 0, from_config.stderr
    assert "durations are read as metres" in from_config.stderr
    given = cli("import", str(DATA / "pyramid.zwo"), "--pace", "5:00/km", "--config", str(config))
    assert given.stdout == from_config.stdout
    faster = cli("import", str(DATA / "pyramid.zwo"), "--pace", "4:00/km", "--config", str(config))
    assert faster.stdout != from_config.stdout
    config.write_text('[runner]\npaces = { 5k = "quick" }\n')
    bad = cli("import", str(DATA / "pyramid.zwo"), "--config", str(config))
    assert bad.exit_code == 2
    assert bad.stderr.startswith(f"retrorun: {config}:2 runner.paces: 'quick' is not a speed")
    assert cli("import", str(DATA / "pyramid.zwo")).exit_code == 2  # no paces anywhere


QZ_ZONES = """<rows>
  <row duration="00:05:00" speed="6" forcespeed="1"/>
  <row duration="00:20:00" zonehr="2" minspeed="6" maxspeed="10" looptimehr="10" speed="7"/>
  <row duration="00:02:00"/>
  <row duration="00:03:00" speed="5" forcespeed="1"/>
</rows>
"""


def test_qz_zone_rows_hold_a_zone_and_rows_without_a_speed_keep_it(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    path = tmp_path / "zone.xml"
    path.write_text(QZ_ZONES)
    result = cli("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "1 zone row gives looptimehr" in result.stderr
    steps = [step for step, _ in walk_steps(parse_profile(result.stdout).profile.steps)]
    zone, keep = steps[1], steps[2]
    assert zone.heart_rate is not None
    assert zone.heart_rate.zone == 2
    assert (zone.min_speed_kmh, zone.max_speed_kmh, zone.speed_kmh) == (6.0, 10.0, 7.0)
    assert keep.keep_speed
    assert keep.duration_s == 120.0
    plan = compile_plan(parse_profile(result.stdout).profile)
    counted = sum(s.duration_s or 0.0 for s in plan.segments)
    assert counted == pytest.approx(300 + 1200 + 120 + 180)  # the hand count


def test_a_qz_program_starting_without_a_speed_is_one_line(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    path = tmp_path / "keep.xml"
    path.write_text('<rows>\n  <row duration="00:02:00"/>\n</rows>\n')
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert f"retrorun: {path}" in result.stderr
    assert "keep_speed" in result.stderr


def test_garmin_lap_button_and_no_target_steps_become_open_and_keep_steps(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    path = tmp_path / "w.fit"
    path.write_bytes(
        garmin_workouts.track_repeats(
            replace={
                2: {**garmin_workouts.RECOVER, "target_type": "open"},
                4: garmin_workouts.LAP_BUTTON,
            }
        )
    )
    result = cli("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == _notes(
        path,
        "1 open step ends on the skip key (the lap button), at the latest after 10 min; "
        "change its duration to taste",
        "1 step has no target: the belt keeps the speed it runs (keep_speed), which you can "
        "nudge; give a speed to change it",
    )
    steps = [step for step, _ in walk_steps(parse_profile(result.stdout).profile.steps)]
    recover, last = steps[2], steps[3]
    assert recover.keep_speed
    assert recover.duration_s == 90.0
    assert last.open_ended
    assert last.duration_s == 600.0
    assert last.speed_kmh == pytest.approx((1.2 + 1.4) / 2 * 3.6, abs=0.01)


def test_the_bundled_qz_profile_is_its_program_imported_with_the_recoveries_turned() -> None:
    # profiles/qz-hill-walks.yaml says it is tests/profiles/data/qz-hill-walks.xml imported,
    # then labelled and its flat recovery walks turned backward: nothing else may differ.
    imported = [s for s, _ in walk_steps(import_profile(DATA / "qz-hill-walks.xml").steps)]
    bundled_profile = parse_profile(
        (Path(__file__).parents[2] / "profiles" / "qz-hill-walks.yaml").read_text()
    ).profile
    bundled = [s for s, _ in walk_steps(bundled_profile.steps)]
    assert len(bundled) == len(imported)
    turned = 0
    for mine, theirs in zip(bundled, imported, strict=True):
        assert (mine.duration_s, mine.cue) == (theirs.duration_s, theirs.cue)
        if mine.direction == "backward":
            assert (theirs.speed_kmh, theirs.incline_pct) == (4.5, 0.0)  # a flat recovery
            assert (mine.speed_kmh, mine.incline_pct) == (3.5, 0.0)
            turned += 1
        else:
            assert (mine.speed_kmh, mine.incline_pct) == (theirs.speed_kmh, theirs.incline_pct)
    assert turned == 1  # one step of the repeat block
    hills = bundled_profile.steps[2]
    assert isinstance(hills, RepeatStep)
    assert hills.repeat.times == 4
    assert compile_plan(bundled_profile).turns == 8


@pytest.mark.parametrize(
    ("target", "heart_rate"),
    [
        ({"target_value": 2}, {"zone": 2}),
        (
            {"target_value": 0, "custom_target_value_low": 225, "custom_target_value_high": 240},
            {"bpm": (125, 140)},
        ),
        (
            {"target_value": 0, "custom_target_value_low": 60, "custom_target_value_high": 70},
            {"percent_max": (60.0, 70.0)},
        ),
    ],
    ids=["zone", "bpm", "percent-max"],
)
def test_a_garmin_heart_rate_step_with_a_secondary_pace_range_is_a_zone_step(
    tmp_path: Path, cli: Callable[..., CliResult], target: dict[str, Any], heart_rate: object
) -> None:
    """FIT's custom heart rate is bpm + 100 above 100 and % of max HR up to 100; the pace
    range a watch shows beside it (the secondary target) is the range the belt holds it in."""
    zone_step = {
        **garmin_workouts.HEART_RATE_ZONE,
        **target,
        "secondary_target_type": "speed",
        "secondary_target_value": 0,
        "secondary_custom_target_value_low": 1667,
        "secondary_custom_target_value_high": 2500,
    }
    path = tmp_path / "w.fit"
    path.write_bytes(garmin_workouts.track_repeats(replace={2: zone_step}))
    result = cli("import", str(path))
    assert result.exit_code == 0, result.stderr
    steps = [step for step, _ in walk_steps(parse_profile(result.stdout).profile.steps)]
    zone = steps[2]
    assert zone.heart_rate is not None
    assert zone.heart_rate.model_dump(exclude_none=True) == heart_rate
    assert (zone.min_speed_kmh, zone.max_speed_kmh) == (6.0, 9.0)  # 1.667 and 2.5 m/s
    assert zone.speed_kmh is None
    assert zone.duration_s == 20 * 60
