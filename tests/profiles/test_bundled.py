"""Every bundled profile validates, plans, says who it is for, and respects its numbers."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

import pytest

from retrorun.profiles import library
from retrorun.profiles.heart_zones import HeartRateZones
from retrorun.profiles.loader import load_profile
from retrorun.profiles.plan import compile_plan
from retrorun.profiles.timeline import CueKind
from retrorun_sim.runner import RunnerDirection, RunnerSpec, steady_heart_rate_bpm

if TYPE_CHECKING:
    from pathlib import Path

BUNDLED = library.profile_files(library.bundled_dir())


def test_the_promised_workouts_are_bundled() -> None:
    names = {path.stem for path in BUNDLED}
    assert {
        "first-backward-walk",
        "one-minute-alternation",
        "four-hundred-forward-backward",
        "backward-hill-repeats",
        "track-warm-up",
        "backward-cool-down",
    } <= names
    assert {f"six-week-{week}" for week in range(1, 7)} <= names


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_profile_validates_and_plans(path: Path) -> None:
    document = load_profile(path)
    plan = compile_plan(document.profile, where=document)
    assert plan.total_duration_s > 0
    assert plan.turns >= 2
    assert len(document.profile.description) > 80  # says who it is for
    # Backward volume stays within the 10-15 min a session that studies and coaches advise.
    assert plan.backward_duration_s <= 15 * 60


def test_the_zone_profile_holds_zone_2_forward_and_walks_backward() -> None:
    document = load_profile(library.resolve("zone-two-backward-walks"))
    plan = compile_plan(document.profile, zones=HeartRateZones.from_max(190))
    runs = [s for s in plan.segments if s.heart_rate is not None]
    assert len(runs) == 4
    assert {(s.direction, s.heart_rate.target) for s in runs if s.heart_rate} == {
        ("forward", "zone 2")
    }
    bouts = [s for s in plan.segments if s.kind == "interval" and s.direction == "backward"]
    assert len(bouts) == 4
    assert max(s.speed_kmh for s in bouts) <= 4.0  # a walk, well below the 5.9 km/h jog
    assert "[heart_rate] max_bpm" in document.profile.description


def test_first_backward_walk_is_slow_and_short() -> None:
    plan = compile_plan(load_profile(library.resolve("first-backward-walk")).profile)
    bouts = [s for s in plan.segments if s.kind == "interval" and s.direction == "backward"]
    assert {s.speed_kmh for s in bouts} == {2.5}
    assert all((s.duration_s or 0) <= 60 for s in bouts)
    assert plan.backward_duration_s <= 5 * 60


def test_hill_repeats_climb_between_four_and_eight_percent_at_walking_speed() -> None:
    plan = compile_plan(load_profile(library.resolve("backward-hill-repeats")).profile)
    bouts = [s for s in plan.segments if s.kind == "interval" and s.direction == "backward"]
    assert {s.incline_pct for s in bouts} == {4.0, 6.0, 8.0}
    assert max(s.speed_kmh for s in bouts) <= 5.0


def test_six_week_plan_progresses_week_by_week() -> None:
    weeks = [
        compile_plan(load_profile(library.resolve(f"six-week-{week}")).profile)
        for week in range(1, 7)
    ]
    backward_time = [plan.backward_duration_s for plan in weeks]
    top_speed = [
        max(s.speed_kmh for s in plan.segments if s.direction == "backward") for plan in weeks
    ]
    assert backward_time == sorted(backward_time)
    assert top_speed == sorted(top_speed)
    assert all(later - earlier <= 0.5 for earlier, later in pairwise(top_speed))


def test_resolve_prefers_existing_paths_then_user_then_bundled(tmp_path: Path) -> None:
    mine = tmp_path / "one-minute-alternation.yaml"
    mine.write_text("name: mine\nsteps:\n  - {duration: 1m, speed: 5}\n")
    assert library.resolve("one-minute-alternation", tmp_path) == mine
    assert library.resolve(str(mine)) == mine
    assert library.resolve("track-warm-up", tmp_path).parent == library.bundled_dir()


WALK_TO_RUN_BACKWARD_KMH = 5.9
"""Backward preferred walk-to-run transition, 1.63 m/s (Hreljac et al. 2005)."""


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_backward_labels_say_walk_or_jog_as_the_speed_is(path: Path) -> None:
    plan = compile_plan(load_profile(path).profile)
    for seg in plan.segments:
        if seg.kind != "interval" or seg.direction != "backward":
            continue
        if any(word in seg.label for word in ("jog", "run")):
            assert seg.speed_kmh >= WALK_TO_RUN_BACKWARD_KMH, seg.label
        if "walk" in seg.label:
            assert seg.speed_kmh < WALK_TO_RUN_BACKWARD_KMH, seg.label


def test_the_cool_down_brings_the_heart_rate_down_all_the_way() -> None:
    """By the simulator's runner model (backward costs 18.5 % more at the same speed), every
    step of the cool-down settles lower than the one before."""
    plan = compile_plan(load_profile(library.resolve("backward-cool-down")).profile)
    spec = RunnerSpec()
    steady = [
        steady_heart_rate_bpm(spec, seg.speed_kmh, seg.incline_pct, RunnerDirection(seg.direction))
        for seg in plan.segments
        if seg.kind == "interval"
    ]
    assert steady == sorted(steady, reverse=True)
    first = plan.segments[0]
    assert first.ramp_from_kmh is not None
    assert first.ramp_from_kmh > first.speed_kmh  # it starts by slowing down


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_cues_come_before_the_runner_needs_them(path: Path) -> None:
    """The first step's cue is said before the belt moves; a backward step's cue before the
    turn that leads to it, ahead of the turn warning."""
    profile = load_profile(path).profile
    plan = compile_plan(profile)
    first = next(seg for seg in plan.segments if seg.kind == "interval")
    assert plan.opening_cue == first.cue
    assert all(cue.text != first.cue for cue in first.cues)
    for before, turn, seg in zip(plan.segments, plan.segments[1:], plan.segments[2:], strict=False):
        if seg.kind != "interval" or turn.kind != "turn" or not seg.cue:
            continue
        if seg.direction == "backward":
            (preview,) = [c for c in before.cues if c.text == f"Next, backward: {seg.cue}"]
            (warning,) = [c for c in before.cues if c.kind == CueKind.TURN_WARNING]
            assert preview.offset_s < warning.offset_s
            assert all(c.text != seg.cue for c in seg.cues)


def test_first_backward_walk_reminds_of_the_safety_key_before_the_belt_moves() -> None:
    plan = compile_plan(load_profile(library.resolve("first-backward-walk")).profile)
    assert plan.opening_cue == "Clip the safety key to your clothes"
