"""FIT workouts with heart-rate conditions and targets, as Garmin Connect writes them: they
import, plan to a hand count and run; our own export writes the conditions back and imports
to the same plan (checked with Garmin's SDK as the independent decoder)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from retrorun.fit.profile import MesgNum
from retrorun.profiles.exporters.fit_workout import export_fit_workout
from retrorun.profiles.heart_zones import HeartRateZones
from retrorun.profiles.importers import import_profile
from retrorun.profiles.loader import parse_profile
from retrorun.profiles.models import IntervalStep, RepeatStep
from retrorun.profiles.plan import compile_plan
from retrorun.profiles.safety import walk_steps
from tests.profiles import garmin_workouts
from tests.recording.garmin import decode, developer_key

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

ZONES = HeartRateZones.from_max(190)  # zone 2: 114-133 bpm


def _imported(tmp_path: Path, cli: Callable[..., CliResult]) -> tuple[Path, Path, CliResult]:
    source = tmp_path / "Heart_rate_builder.fit"
    source.write_bytes(garmin_workouts.heart_rate_workout())
    profile = tmp_path / "builder.yaml"
    result = cli("import", str(source), "-o", str(profile))
    return source, profile, result


def test_a_garmin_heart_rate_workout_imports_and_plans_to_a_hand_count(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    source, profile, result = _imported(tmp_path, cli)
    assert result.exit_code == 0, result.stderr
    notes = [f"note: {source}: {note}" for note in _expected_notes()]
    assert result.stderr.splitlines() == notes
    document = parse_profile(profile.read_text(encoding="utf-8"))
    steps = [step for step, _ in walk_steps(document.profile.steps)]
    assert [s.label for s in steps] == [
        "Warm up",
        "Zone 2",
        "Build",
        "Recover",
        "Steady",
        "Easy",
        "Cool down",
    ]
    build, recover = steps[2], steps[3]
    assert build.until_heart_rate is not None
    assert build.until_heart_rate.above == 160
    assert build.duration_s == 600.0  # the file gives no length: 10 min at most
    assert build.speed_kmh == pytest.approx(3.1 * 3.6, abs=0.01)
    assert recover.until_heart_rate is not None
    assert recover.until_heart_rate.below == 120
    assert recover.keep_speed
    targets = [(s.heart_rate, s.min_speed_kmh, s.max_speed_kmh) for s in steps if s.heart_rate]
    assert [(t.model_dump(exclude_none=True), lo, hi) for t, lo, hi in targets] == [
        ({"zone": 2}, 4.0, 10.0),
        ({"bpm": (140, 150)}, 4.0, 10.0),
        ({"percent_max": (60.0, 70.0)}, 4.0, 10.0),
    ]
    plan = compile_plan(document.profile, zones=ZONES)
    intervals = [s for s in plan.segments if s.kind == "interval"]
    # Hand count: 10 + 20 + 3 x (10 + 10) + 5 + 5 + 5 minutes, every condition at its most.
    assert len(intervals) == 1 + 1 + 3 * 2 + 3
    assert sum(s.duration_s or 0.0 for s in intervals) == pytest.approx(60 * (10 + 20 + 60 + 15))
    until = [(s.label, s.until_heart_rate.describe()) for s in intervals if s.until_heart_rate]
    assert until == [("Build", "HR above 160"), ("Recover", "HR below 120")] * 3
    holds = [(s.heart_rate.low_bpm, s.heart_rate.high_bpm) for s in intervals if s.heart_rate]
    assert holds == [(114, 133), (140, 150), (114, 133)]


def _expected_notes() -> list[str]:
    return [
        (
            "1 step has no target: the belt keeps the speed it runs (keep_speed), which you can "
            "nudge; give a speed to change it"
        ),
        (
            "2 steps end on a heart rate (until_heart_rate), at the latest after 10 min; change "
            "its duration to taste; without a fresh heart rate a step runs to its duration"
        ),
        (
            "3 forward heart-rate targets give no speed range: held between 4 and 10 km/h "
            "(min_speed, max_speed), change them to your own; a zone number is of your "
            "[heart_rate] zones in the config"
        ),
    ]


def test_plan_shows_the_conditions_and_run_without_zones_is_one_line(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    _, profile, result = _imported(tmp_path, cli)
    assert result.exit_code == 0, result.stderr
    config = tmp_path / "config.toml"
    config.write_text("[heart_rate]\nmax_bpm = 190\n", encoding="utf-8")
    shown = cli("plan", str(profile), "--config", str(config))
    assert shown.exit_code == 0, shown.stderr
    build = next(line for line in shown.stdout.splitlines() if " Build " in line)
    assert "≤10:00" in build
    assert "up to 10:00, until HR above 160; 1/3)" in build
    assert "total 1:46:" in shown.stdout  # 1:45:00 of steps and the belt's ramps between them
    run = cli("run", str(profile), "--sim", "--fast", "--no-log")
    assert run.exit_code == 2
    assert run.stderr.splitlines() == [
        (
            f"retrorun: {profile}:14 steps[1].heart_rate: a heart-rate zone step needs your zones: "
            "set max_bpm (and optionally zones) in the [heart_rate] section of the config file "
            "(docs/session.md)"
        )
    ]


ENDS_ON_HEART_RATE = """
name: Ends on heart rate
steps:
  - {duration: 5m, speed: 6, label: warm-up}
  - repeat:
      times: 3
      steps:
        - {duration: 4m, speed: 9.5, until_heart_rate: {above: 155}, label: build}
        - {direction: backward, duration: 150s, speed: 4, until_heart_rate: {below: 125}}
  - {duration: 3m, speed: 5, until_heart_rate: {below: 110}}
"""


def test_our_export_writes_the_conditions_and_imports_to_the_same_plan(tmp_path: Path) -> None:
    profile = parse_profile(ENDS_ON_HEART_RATE).profile
    plan = compile_plan(profile)
    data = export_fit_workout(profile, plan)
    fit = decode(data)
    longest = developer_key(fit, "max_time", MesgNum.WORKOUT_STEP)
    ending = [
        (s["wkt_step_name"], s["duration_type"], s["duration_hr"], s["developer_fields"][longest])
        for s in fit["workout_step_mesgs"]
        if str(s["duration_type"]).startswith("hr_")
    ]
    # bpm + 100 on the wire, and the most each lasts (ms) in retrorun's developer field
    assert set(ending) == {
        ("FORWARD build", "hr_greater_than", 255, 240_000),
        ("BACKWARD 4.0 km/h", "hr_less_than", 225, 150_000),
        ("FORWARD 5.0 km/h", "hr_less_than", 210, 180_000),
    }
    path = tmp_path / "ends.fit"
    path.write_bytes(data)
    imported = import_profile(path)
    assert imported.steps == profile.steps
    back = compile_plan(imported)
    assert [s.to_json() for s in back.segments] == [s.to_json() for s in plan.segments]
    assert back.turns == plan.turns == 6


UNTIL_ROUNDS = """
name: Rounds until warm
steps:
  - {duration: 5m, speed: 6, label: warm-up}
  - repeat:
      times: 6
      until_heart_rate: {above: 150}
      steps:
        - {duration: 2m, speed: 9.5, label: run}
        - {direction: backward, duration: 1m, speed: 4}
  - repeat:
      times: 3
      until_heart_rate: {below: 110}
      steps:
        - {direction: backward, duration: 1m, speed: 3.5}
  - {duration: 3m, speed: 5}
"""


def test_a_block_ending_on_a_heart_rate_goes_out_as_fit_repeat_until_and_comes_back(
    tmp_path: Path,
) -> None:
    profile = parse_profile(UNTIL_ROUNDS).profile
    plan = compile_plan(profile)
    data = export_fit_workout(profile, plan)
    fit = decode(data)
    rounds = developer_key(fit, "max_rounds", MesgNum.WORKOUT_STEP)
    steps = fit["workout_step_mesgs"]
    repeats = [
        (s["duration_type"], s["repeat_hr"], s["developer_fields"][rounds], s["duration_step"])
        for s in steps
        if str(s["duration_type"]).startswith("repeat_")
    ]
    # Garmin's SDK reads FIT's repeat until a heart rate: bpm + 100, the step to go back to;
    # the most rounds in retrorun's developer field. The first block's first round has no
    # turn before its run: written on its own, the block repeats the other five.
    first_run = next(i for i, s in enumerate(steps) if s.get("wkt_step_name") == "FORWARD run")
    second_run = next(
        i for i, s in enumerate(steps) if s.get("wkt_step_name") == "FORWARD run" and i > first_run
    )
    assert repeats[0] == ("repeat_until_hr_greater_than", 250, 5, second_run - 3)
    # The second's first round slows from 4 to 3.5 km/h backward first: on its own too.
    assert repeats[1][:3] == ("repeat_until_hr_less_than", 210, 2)
    path = tmp_path / "rounds.fit"
    path.write_bytes(data)
    imported = import_profile(path)
    assert imported.steps == profile.steps
    back = compile_plan(imported)
    assert [s.to_json() for s in back.segments] == [s.to_json() for s in plan.segments]


def test_a_garmin_repeat_until_a_heart_rate_imports_with_at_most_ten_rounds(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    until_below = {**garmin_workouts.repeat(2, 0), "duration_type": "repeat_until_hr_less_than"}
    until_below["target_value"] = 120 + 100
    source = tmp_path / "until.fit"
    source.write_bytes(garmin_workouts.heart_rate_workout(replace={4: until_below}))
    profile = tmp_path / "until.yaml"
    result = cli("import", str(source), "-o", str(profile))
    assert result.exit_code == 0, result.stderr
    assert (
        f"note: {source}: 1 repeat runs until a heart rate, at most 10 rounds (times); change "
        "it to taste; without a fresh heart rate every round runs"
    ) in result.stderr.splitlines()
    document = parse_profile(profile.read_text(encoding="utf-8"))
    (block,) = [s.repeat for s in document.profile.steps if isinstance(s, RepeatStep)]
    assert block.times == 10
    assert block.until_heart_rate is not None
    assert block.until_heart_rate.below == 120
    assert [s.label for s in block.steps if isinstance(s, IntervalStep)] == ["Build", "Recover"]
    shown = cli("plan", str(profile), "--config", str(_zones_config(tmp_path)))
    assert shown.exit_code == 0, shown.stderr
    assert "round ends: up to 10 rounds, until HR below 120" in shown.stdout


def _zones_config(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text("[heart_rate]\nmax_bpm = 190\n", encoding="utf-8")
    return config


def test_a_repeat_until_a_percentage_of_max_is_one_line(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    until_pct = {**garmin_workouts.repeat(2, 0), "duration_type": "repeat_until_hr_greater_than"}
    until_pct["target_value"] = 85
    source = tmp_path / "pct.fit"
    source.write_bytes(garmin_workouts.heart_rate_workout(replace={4: until_pct}))
    result = cli("import", str(source), "-o", str(tmp_path / "pct.yaml"))
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"retrorun: {source}: byte ")
    assert line.endswith(
        "step 4: duration type 11: a repeat until a heart rate above 85 % of the maximum heart "
        "rate; retrorun ends a repeat on a heart rate in bpm: give the condition in bpm"
    )
