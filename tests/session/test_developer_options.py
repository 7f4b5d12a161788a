"""``run --no-log`` and ``run --start-at``: conveniences for trying profiles on the simulator,
which never trade away what keeps a runner safe."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from retrorun.profiles import library
from retrorun.profiles.loader import load_profile
from retrorun.profiles.part_way import from_point
from retrorun.profiles.plan import compile_plan
from retrorun.profiles.safety import SAFETY_NUMBERS
from retrorun.profiles.timeline import CueKind

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from retrorun.profiles.plan import Plan
    from tests.conftest import CliResult

BUNDLED = library.profile_files(library.bundled_dir())
TURN_KMH = SAFETY_NUMBERS["turn_speed_default"].value


def _lines(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_no_log_writes_nothing_and_says_so_at_the_start(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    result = cli("run", "first-backward-walk", "--sim", "--fast", "--no-log", "--export", "fit")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        "retrorun: --no-log: nothing of this session is written"
    )
    assert result.stdout.splitlines()[-1].endswith("(no log: --no-log)")
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "treadmills.toml"]
    assert written == []


def test_start_at_inside_a_backward_interval_starts_forward_and_turns_first(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    # 20:00 into the alternation is 23 s into the fifth backward walk (19:37-20:45).
    log = tmp_path / "end.jsonl"
    result = cli(
        "run", "one-minute-alternation", "--sim", "--fast", "--headless", "--start-at", "20:00",
        "--log", str(log),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    lines = _lines(log)
    assert lines[0]["profile"]["start_at_s"] == 1200
    segments = [line for line in lines if line["type"] == "segment"]
    assert [(s["kind"], s["direction"]) for s in segments[:2]] == [
        ("turn", "backward"),
        ("interval", "backward"),
    ]
    assert segments[1]["duration_s"] == pytest.approx(45.0, abs=1.0)  # what was left of it
    # The belt starts from rest, forward, only up to turn speed; the runner turns in the
    # window, settles, and only then does the belt climb in backward steps.
    speeds = [
        (line["t"], line["speed_kmh"])
        for line in lines
        if "speed_kmh" in line and line["type"] == "command"
    ]
    phases = [
        (line["t"], line["phase"], line["facing"]) for line in lines if line["type"] == "phase"
    ]
    first_backward = next(t for t, phase, facing in phases if facing == "backward")
    assert all(v <= TURN_KMH for t, v in speeds if t < first_backward + 10.0)
    assert [p for _, p, _ in phases[:4]] == ["approach", "turn_window", "settle", "ramp"]
    telemetry = [line for line in lines if line["type"] == "telemetry"]
    before_settled = [tel["speed_kmh"] for tel in telemetry if tel["t"] <= phases[3][0]]
    assert max(before_settled) <= TURN_KMH + 0.1  # the simulator's own belt, measured
    audit = cli("audit", str(log))
    assert audit.exit_code == 0, audit.stdout
    assert audit.stdout.strip().endswith("clean")


def test_start_at_inside_a_warm_up_ramp_goes_on_from_the_speed_it_had_reached() -> None:
    document = load_profile(library.resolve("one-minute-alternation"))
    plan = compile_plan(document.profile)
    rest = compile_plan(from_point(document.profile, plan, 150.0))  # half way up 5 -> 8 km/h
    first = rest.segments[0]
    assert (first.ramp_from_kmh, first.ramp_to_kmh) == (6.5, 8.0)
    assert first.duration_s == pytest.approx(150.0)
    assert rest.name == "One minute forward, one minute backward (from 2:30)"
    assert len(rest.segments) == len(plan.segments)


def test_start_at_inside_a_turn_starts_at_the_interval_it_leads_to() -> None:
    document = load_profile(library.resolve("one-minute-alternation"))
    plan = compile_plan(document.profile)
    turn = plan.segments[2]  # 6:03, the first turn to backward
    assert turn.kind == "turn"
    rest = compile_plan(from_point(document.profile, plan, turn.start_s + 5.0))
    assert [(s.kind, s.direction, s.duration_s) for s in rest.segments[:2]] == [
        ("turn", "backward", rest.segments[0].duration_s),
        ("interval", "backward", 60.0),
    ]
    assert len(rest.segments) == len(plan.segments) - 2


def _interval_runs(plan: Plan) -> list[tuple[object, ...]]:
    return [
        (s.direction, s.label, s.speed_kmh, s.incline_pct, s.duration_s, s.distance_m)
        for s in plan.segments
        if s.kind == "interval"
    ]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda path: path.stem)
def test_start_at_any_interval_keeps_every_step_after_it(path: Path) -> None:
    document = load_profile(path)
    plan = compile_plan(document.profile)
    whole = _interval_runs(plan)
    for number, seg in enumerate(s for s in plan.segments if s.kind == "interval"):
        if number == 0 or seg.source_path == "finish":
            continue
        rest = _interval_runs(compile_plan(from_point(document.profile, plan, seg.start_s)))
        assert rest[0][:2] == whole[number][:2], (path.stem, number)  # the one cut into
        assert rest[1:] == whole[number + 1 :], (path.stem, number)


def test_start_at_keeps_the_last_interval_cue_of_a_repeat() -> None:
    document = load_profile(library.resolve("one-minute-alternation"))
    plan = compile_plan(document.profile)
    fourth = [s for s in plan.segments if s.label == "forward run"][3]
    # 10 s into the fourth of eight rounds: four more rounds follow the one under way.
    rest = compile_plan(from_point(document.profile, plan, fourth.start_s + 10.0))
    opened = [s for s in rest.segments if any(cue.kind == CueKind.LAST_INTERVAL for cue in s.cues)]
    runs = [s for s in rest.segments if s.kind == "interval" and s.label == "forward run"]
    assert len(runs) == 5
    assert opened == [runs[-1]]  # said once, as the last round starts
