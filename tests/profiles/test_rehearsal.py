"""``--rehearse``: the same session at walking speeds, turns and cues where they were."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from retrorun.profiles.library import bundled_dir, profile_files
from retrorun.profiles.loader import load_profile
from retrorun.profiles.plan import compile_plan
from retrorun.profiles.rehearsal import ANNOUNCEMENT, REHEARSAL_MAX_KMH, announced, rehearsal
from tests.session.logcheck import check_log

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

BUNDLED = profile_files(bundled_dir())


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_every_bundled_profile_rehearses_under_the_ceiling_with_its_turns(path: Path) -> None:
    original = compile_plan(load_profile(path).profile)
    rehearsed = rehearsal(load_profile(path).profile)
    plan = compile_plan(rehearsed.profile)
    fastest = max(step.speed_kmh for seg in plan.segments for step in seg.speed_steps)
    assert fastest <= REHEARSAL_MAX_KMH
    # The same steps in the same directions: every turn still happens, in its place.
    assert [(s.kind, s.direction) for s in plan.segments] == [
        (s.kind, s.direction) for s in original.segments
    ]
    for before, after in zip(original.segments, plan.segments, strict=True):
        # Speeds only come down, so every backward cap of the original still holds, and a
        # backward bout stays slower than the forward one it was slower than.
        assert after.speed_kmh <= before.speed_kmh + 1e-9
        if after.kind == "interval":
            assert after.speed_kmh == pytest.approx(
                max(0.5, round(before.speed_kmh * rehearsed.scale, 1))
            )
    assert plan.turns == original.turns


def test_a_distance_step_keeps_its_time_and_the_start_says_rehearsal(tmp_path: Path) -> None:
    path = tmp_path / "track.yaml"
    path.write_text(
        "name: Track\nsteps:\n  - {distance: 1km, speed: 12}\n"
        "  - {direction: backward, duration: 60s, speed: 6}\n",
        encoding="utf-8",
    )
    rehearsed = rehearsal(load_profile(path).profile)
    assert rehearsed.scale == pytest.approx(0.25)
    plan = announced(compile_plan(rehearsed.profile))
    first = plan.segments[0]
    assert (first.duration_s, first.distance_m, first.speed_kmh) == (300.0, None, 3.0)
    assert plan.segments[2].speed_kmh == 1.5  # backward 6 km/h, scaled alike
    assert first.cues[0].text == ANNOUNCEMENT
    assert plan.name == "Track (rehearsal)"


def test_a_rehearsal_runs_slow_says_so_and_is_marked_in_the_log(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    log = tmp_path / "r.jsonl"
    result = cli(
        "run", "one-minute-alternation", "--sim", "--fast", "--headless", "--rehearse",
        "--log", str(log),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if "rehearsal:" in line]
    assert said[0].startswith("retrorun: rehearsal: every speed x0.33, at most 3 km/h; ")
    assert "16 turns" in said[0]
    lines = check_log(log)
    assert lines[0]["profile"]["rehearsal"] == {"max_speed_kmh": 3.0, "scale": 0.3333}
    cues = [line["text"] for line in lines if line["type"] == "cue"]
    assert "(rehearsal)" in cues[0]  # "Starting ... (rehearsal). The belt starts moving."
    assert ANNOUNCEMENT in cues[1:3]  # as the first step begins
    speeds = [line["speed_kmh"] for line in lines if line["type"] == "telemetry"]
    assert max(speeds) <= REHEARSAL_MAX_KMH + 0.05
    assert sum(1 for line in lines if line["type"] == "segment" and line["kind"] == "turn") == 16


def test_plan_shows_the_rehearsal(cli: Callable[..., CliResult]) -> None:
    result = cli("plan", "one-minute-alternation", "--rehearse", "--json")
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["name"].endswith("(rehearsal)")
