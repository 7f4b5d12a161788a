"""The profile commands: plan, validate, profiles and import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import CliResult

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the real user's config or profile folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("RETRORUN_CONFIG", raising=False)


def test_plan_prints_a_table_totals_and_a_chart(cli: Callable[..., CliResult]) -> None:
    result = cli("plan", "one-minute-alternation")
    assert result.exit_code == 0, result.stderr
    assert "turn     backward" in result.stdout
    assert "16 turns" in result.stdout
    assert "█ forward  ▒ backward  · turn" in result.stdout


def test_plan_json_has_totals_and_segments(cli: Callable[..., CliResult]) -> None:
    result = cli("plan", "four-hundred-forward-backward", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["turns"] == 6
    assert data["total_distance_m"] == pytest.approx(
        sum(s["estimated_distance_m"] for s in data["segments"]), abs=0.01
    )
    backward = [
        s for s in data["segments"] if s["kind"] == "interval" and s["direction"] == "backward"
    ]
    assert [s["distance_m"] for s in backward] == [400.0, 400.0, 400.0]
    assert data["limits"]["backward_speed_max_kmh"] == 8.0


def test_plan_applies_personal_limits_from_the_config(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    config = tmp_path / "me.toml"
    config.write_text("[limits]\nbackward_speed_max_kmh = 5\n")
    result = cli("plan", "four-hundred-forward-backward", "--config", str(config))
    assert result.exit_code == 2
    assert "backward speed 6 km/h is above the 5 km/h backward cap" in result.stderr
    assert "four-hundred-forward-backward.yaml:" in result.stderr


def test_validate_reports_one_line_per_problem(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nsteps:\n  - {direction: backward, duration: 1m, speed: 9}\n"
        "  - {duration: 1m, speed: quick}\n"
    )
    result = cli("validate", "track-warm-up", str(bad))
    assert result.exit_code == 2
    assert result.stdout.startswith("ok track-warm-up: Track warm-up")
    assert result.stderr.splitlines() == [
        (
            f"{bad}:4 steps[1].speed: 'quick' is not a speed; write a number in the profile's "
            "units, '9 km/h', '5.5 mph', '6:00/km' or '9:40/mi'"
        ),
    ]
    safety = tmp_path / "fast.yaml"
    safety.write_text("name: fast\nsteps:\n  - {direction: backward, duration: 1m, speed: 9}\n")
    result = cli("validate", str(safety))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{safety}:3 steps[0].speed: backward speed 9 km/h is above")


def test_validate_all_good_exits_zero(cli: Callable[..., CliResult]) -> None:
    result = cli("validate", "six-week-1", "six-week-6")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2


def test_unknown_profile_name_is_bad_input(cli: Callable[..., CliResult]) -> None:
    result = cli("plan", "no-such-workout")
    assert result.exit_code == 2
    assert "no such file or profile name" in result.stderr
    assert "first-backward-walk" in result.stderr


def test_profiles_lists_bundled_and_user_profiles(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    mine = tmp_path / "data" / "retrorun" / "profiles"
    mine.mkdir(parents=True)
    (mine / "lunch.yaml").write_text(
        "name: Lunch run\nsteps:\n  - {duration: 10m, speed: 10}\n"
        "  - {direction: backward, duration: 5m, speed: 5}\n"
    )
    (mine / "broken.yaml").write_text("name: broken\n")
    result = cli("profiles")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.split()[:2] == ["first-backward-walk", "20:07"] for line in lines)
    lunch = next(line for line in lines if "lunch" in line)
    assert "Lunch run" in lunch
    assert "33% backward" in lunch
    assert any("broken" in line and "invalid" in line for line in lines)


def test_import_prints_or_writes_a_profile(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    result = cli("import", str(DATA / "pyramid.zwo"), "--pace", "5k=5:00/km")
    assert result.exit_code == 0, result.stderr
    assert "name: Pyramid" in result.stdout
    out = tmp_path / "pyramid.yaml"
    result = cli("import", str(DATA / "pyramid.zwo"), "--pace", "5:00/km", "-o", str(out))
    assert result.exit_code == 0
    planned = cli("plan", str(out), "--json")
    assert json.loads(planned.stdout)["total_distance_m"] == pytest.approx(8000.0)


def test_import_without_pace_names_the_element(cli: Callable[..., CliResult]) -> None:
    result = cli("import", str(DATA / "pyramid.zwo"))
    assert result.exit_code == 2
    assert "pyramid.zwo:8 <Warmup>: needs a reference pace" in result.stderr


def test_bad_config_is_bad_input_naming_file_and_line(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[limits]\nbackward_speed_max_kmh = 'slow'\n")
    result = cli("validate", "track-warm-up", "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr == (
        f"retrorun: {config}:2: limits.backward_speed_max_kmh must be a number more than 0, "
        "not 'slow'\n"
    )


def test_a_profile_of_yours_that_hides_a_bundled_one_is_said_so(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    mine = tmp_path / "data" / "retrorun" / "profiles"
    mine.mkdir(parents=True)
    (mine / "first-backward-walk.yaml").write_text(
        "name: My first walk\nsteps:\n  - {duration: 1m, speed: 5}\n"
    )
    listed = cli("profiles")
    assert any(
        line.split()[:1] == ["first-backward-walk"] and "hidden by yours" in line
        for line in listed.stdout.splitlines()
    )
    log = tmp_path / "run.jsonl"
    ran = cli("run", "first-backward-walk", "--sim", "--fast", "--log", str(log))
    assert ran.exit_code == 0, ran.stderr
    assert "using your own first-backward-walk" in ran.stderr
    assert '"name": "My first walk"' in log.read_text().splitlines()[0]


def test_validate_warns_of_a_forward_speed_no_treadmill_runs_and_checks_your_folder(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    mine = tmp_path / "data" / "retrorun" / "profiles"
    mine.mkdir(parents=True)
    (mine / "typo.yaml").write_text("name: typo\nsteps:\n  - {duration: 1m, speed: 30}\n")
    (mine / "fine.yaml").write_text("name: fine\nsteps:\n  - {duration: 1m, speed: 9}\n")
    result = cli("validate")  # no argument: every profile of yours
    assert result.exit_code == 0  # a warning is not a failure
    assert "ok " in result.stdout
    assert result.stdout.count("ok ") == 2
    (warning,) = result.stderr.strip().splitlines()
    assert warning.startswith("warning: ")
    assert "typo.yaml:3 steps[0].speed: 30 km/h forward" in warning


ENDS_BACKWARD = """name: ends backward
{finish}steps:
  - {{duration: 1m, speed: 6}}
  - repeat:
      times: 2
      steps:
        - {{duration: 1m, speed: 6}}
        - {{direction: backward, duration: 1m, speed: 5}}
"""


def test_a_workout_ending_backward_ends_with_a_turn_that_plan_shows_and_validate_explains(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    path = tmp_path / "ends-backward.yaml"
    path.write_text(ENDS_BACKWARD.format(finish=""))
    shown = cli("plan", str(path))
    assert shown.exit_code == 0, shown.stderr
    last = [line for line in shown.stdout.splitlines() if "turn to" in line][-1]
    assert "turn     forward" in last
    assert "2.5" in last
    assert "turn to forward to finish" in last
    data = json.loads(cli("plan", str(path), "--json").stdout)
    assert [data["segments"][-1][key] for key in ("kind", "from_direction", "direction")] == [
        "turn",
        "backward",
        "forward",
    ]
    checked = cli("validate", str(path))
    assert checked.exit_code == 0
    assert (
        f"note: {path}:8 steps[1].repeat.steps[1]: the workout ends backward: the plan adds a "
        "turn to forward at the turn speed (2.5 km/h)"
    ) in checked.stdout


def test_finish_stop_slows_to_turn_speed_and_warns_before_the_belt_stops(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    path = tmp_path / "ends-backward.yaml"
    path.write_text(ENDS_BACKWARD.format(finish="finish: stop\n"))
    data = json.loads(cli("plan", str(path), "--json").stdout)
    last = data["segments"][-1]
    assert (last["kind"], last["direction"], last["speed_kmh"]) == ("interval", "backward", 2.5)
    assert last["speed_steps"][-1] == [8.0, 2.5]
    assert {"offset_s": 0.0, "kind": "text", "text": "Hold the rails, the belt is stopping"} in (
        last["cues"]
    )
    before = data["segments"][-2]["cues"]
    assert "The belt slows to stop in 10 seconds" in [cue["text"] for cue in before]
    checked = cli("validate", str(path))
    assert 'stops after "Hold the rails, the belt is stopping" (finish: stop)' in checked.stdout


def test_a_workout_ending_forward_gets_no_extra_turn(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    path = tmp_path / "ends-forward.yaml"
    path.write_text(ENDS_BACKWARD.format(finish="") + "  - {duration: 1m, speed: 5}\n")
    data = json.loads(cli("plan", str(path), "--json").stdout)
    assert data["segments"][-1]["kind"] == "interval"
    assert "note:" not in cli("validate", str(path)).stdout


PACED = """name: paced
steps:
  - {duration: 5m, ramp: {from: "7:30/km", to: "6:00/km"}, label: warm-up}
  - repeat:
      times: 2
      steps:
        - {duration: 3m, pace: "5:30/km"}
        - {duration: 2m, pace: "8:50/mi", label: steady}
  - {direction: backward, duration: 1m, speed: 4}
"""


def test_paces_are_speeds_exactly_and_plan_shows_a_runs_pace_in_the_runners_units(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    from fractions import Fraction  # noqa: PLC0415

    from retrorun.profiles.loader import parse_profile  # noqa: PLC0415
    from retrorun.profiles.safety import walk_steps  # noqa: PLC0415

    steps = [step for step, _ in walk_steps(parse_profile(PACED).profile.steps)]
    assert steps[1].speed_kmh == 3600 / 330  # 5:30 per km, one rounding
    assert steps[2].speed_kmh == float(Fraction(3600) * Fraction("1.609344") / 530)
    assert steps[0].ramp is not None
    assert (steps[0].ramp.from_kmh, steps[0].ramp.to_kmh) == (8.0, 10.0)
    profile = tmp_path / "paced.yaml"
    profile.write_text(PACED, encoding="utf-8")
    metric = cli("plan", str(profile)).stdout.splitlines()
    assert "(5:30/km; 1/2)" in metric[3]
    assert "steady (5:29/km; 1/2)" in metric[4]  # 8:50/mi is 5:29/km
    assert metric[2].endswith("warm-up")  # a ramp shows its speeds only
    assert metric[8].endswith("backward 4.0 km/h")  # a backward walk shows no pace
    config = tmp_path / "imperial.toml"
    config.write_text('[display]\nunits = "imperial"\n', encoding="utf-8")
    imperial = cli("plan", str(profile), "--config", str(config)).stdout.splitlines()
    assert "steady (8:50/mi; 1/2)" in imperial[4]


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ('pace: "5:70/km"', "steps[0].pace: '5:70/km' is not a pace; write minutes:seconds"),
        ("pace: 5.5", "steps[0].pace: 5.5 is not a pace; write minutes:seconds per km or mile"),
        ('pace: "1:30/km"', "steps[0].pace: '1:30/km' is 40.0 km/h, faster than any treadmill"),
        ('pace: "5:00/km", speed: 12', "steps[0].pace: give 'speed' or 'pace', not both"),
    ],
    ids=["seconds", "no-unit", "too-fast", "both"],
)
def test_a_bad_pace_is_one_line_naming_its_field_path(
    cli: Callable[..., CliResult], tmp_path: Path, step: str, message: str
) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text(f"name: bad\nsteps:\n  - {{duration: 1m, {step}}}\n", encoding="utf-8")
    result = cli("validate", str(profile))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{profile}:3 {message}")
    assert result.stderr.count("\n") == 1
