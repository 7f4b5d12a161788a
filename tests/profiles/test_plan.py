"""Compiling profiles into plans: turns, ramps, totals, cues, and the safety invariants."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings

from retrorun.errors import ProfileError, ProfileErrors
from retrorun.profiles import safety
from retrorun.profiles.loader import parse_profile
from retrorun.profiles.models import Profile
from retrorun.profiles.plan import Plan, compile_plan
from tests.profiles.strategies import profiles

ONE_ONE = """
name: 1/1
steps:
  - {duration: 5m, ramp: {from: 5, to: 8}, label: warm-up}
  - repeat:
      times: 3
      steps:
        - {duration: 1m, speed: 9}
        - {direction: backward, duration: 1m, speed: 4, incline: 2}
  - {duration: 2m, speed: 5}
"""


def _plan(text: str) -> Plan:
    document = parse_profile(text)
    return compile_plan(document.profile, where=document)


def test_every_direction_change_gets_a_turn_and_interval_time_counts_at_speed() -> None:
    plan = _plan(ONE_ONE)
    kinds = [(s.kind, s.direction) for s in plan.segments]
    assert kinds == [
        ("interval", "forward"),
        *[
            ("interval", "forward"),
            ("turn", "backward"),
            ("interval", "backward"),
            ("turn", "forward"),
        ]
        * 3,
        ("interval", "forward"),
    ]
    assert plan.turns == 6
    backward = [s for s in plan.segments if s.direction == "backward" and s.kind == "interval"]
    assert {s.duration_s for s in backward} == {60.0}
    # Each interval's time counts at its speed; the plan adds the belt's ramp up to it at
    # the default 0.5 km/h per s after a 1 s reaction: backward 2.5 -> 4 in steps every 2 s
    # (4 s, then 1 s for the last step's 0.5 km/h), forward 2.5 -> 9 (14 s), 8 -> 9 (3 s)
    # right after the warm-up, 2.5 -> 5 (6 s) for the last step.
    assert plan.backward_duration_s == pytest.approx(3 * (60 + 6))
    assert plan.forward_duration_s == pytest.approx(300 + (60 + 3) + 2 * (60 + 14) + (120 + 6))
    # Into backward: slowing 9 -> 2.5 (1 s reaction, 13 s, 1 s margin), 10 s window, 5 s
    # settle; out of backward: steps 4 -> 2.5 (4 s), the last step (2 s) and the margin.
    turns = [s for s in plan.segments if s.kind == "turn"]
    assert turns[0].estimated_duration_s == pytest.approx(15 + 15)
    assert turns[1].estimated_duration_s == pytest.approx(7 + 15)
    assert plan.total_duration_s == pytest.approx(637 + 198 + 3 * 30 + 3 * 22)


def test_backward_speed_is_reached_in_ramp_steps_and_incline_moves_in_the_window() -> None:
    plan = _plan(ONE_ONE)
    turn, back = plan.segments[2], plan.segments[3]
    assert turn.speed_kmh == 2.5
    assert turn.incline_pct == 2.0
    assert turn.incline_offset_s == 15.0  # the window, once the belt has slowed from 9 km/h
    assert [(s.offset_s, s.speed_kmh) for s in back.speed_steps] == [
        (0.0, 3.0),
        (2.0, 3.5),
        (4.0, 4.0),
    ]
    turn_back = plan.segments[4]
    assert [s.speed_kmh for s in turn_back.speed_steps] == [3.5, 3.0, 2.5]
    assert turn_back.incline_offset_s == 7.0  # the incline waits for the turn window


def test_backward_incline_change_without_direction_change_gets_a_turn() -> None:
    plan = _plan(
        "name: hill\nsteps:\n  - {direction: backward, duration: 2m, speed: 4, incline: 4}\n"
        "  - {direction: backward, duration: 2m, speed: 4, incline: 8}\n"
    )
    assert [(s.kind, s.direction, s.incline_pct) for s in plan.segments] == [
        ("turn", "backward", 4.0),
        ("interval", "backward", 4.0),
        ("turn", "backward", 8.0),
        ("interval", "backward", 8.0),
        ("turn", "forward", 8.0),  # it ends backward: the runner turns before the stop
    ]
    assert plan.segments[0].from_direction == "forward"  # the runner starts facing the console


def test_distance_steps_are_estimated_from_target_speed() -> None:
    plan = _plan(
        "name: d\nsteps:\n  - {distance: 400m, speed: 12}\n  - {distance: 1km, speed: 10}\n"
    )
    assert [s.distance_m for s in plan.segments] == [400.0, 1000.0]
    assert [s.duration_s for s in plan.segments] == [None, None]
    assert [s.estimated_duration_s for s in plan.segments] == pytest.approx([120.0, 360.0])
    assert plan.total_distance_m == 1400.0


def test_cues_warn_before_turns_count_down_and_mark_the_last_interval() -> None:
    plan = _plan(ONE_ONE)
    first_fast = plan.segments[1]
    kinds = [(c.offset_s, c.kind) for c in first_fast.cues]
    end = first_fast.estimated_duration_s  # the minute, after 3 s of ramp from 8 to 9 km/h
    assert end == pytest.approx(63.0)
    assert (end - 30.0, "halfway") in kinds
    assert (end - 10.0, "turn_warning") in kinds
    assert [(o, k) for o, k in kinds if k == "countdown"] == [
        (end - 3.0, "countdown"),
        (end - 2.0, "countdown"),
        (end - 1.0, "countdown"),
    ]
    last = [s for s in plan.segments if any(c.kind == "last_interval" for c in s.cues)]
    assert [s.repeat_round for s in last] == ["3/3"]
    assert plan.segments[-1].cues[-1].kind == "finish"


def test_a_backward_step_too_short_for_its_ramp_is_refused() -> None:
    document = parse_profile(
        "name: short\nturn: {backward_ramp: 0.1}\nsteps:\n"
        "  - {direction: backward, duration: 20s, speed: 8}\n"
    )
    with pytest.raises(ProfileErrors, match=r"steps\[0\]: this backward step lasts about 20 s"):
        compile_plan(document.profile, where=document)


def test_json_has_the_documented_keys() -> None:
    data = _plan(ONE_ONE).to_json()
    assert {"total_duration_s", "total_distance_m", "turns", "segments"} <= data.keys()
    for segment in data["segments"]:
        assert {"kind", "direction", "speed_kmh", "incline_pct"} <= segment.keys()
        assert ("duration_s" in segment) != ("distance_m" in segment)


def _check_plan_safety(plan: Plan) -> None:
    limits = plan.limits
    facing = "forward"
    last_speed: tuple[float, float] | None = None  # (time, speed) of the last backward command
    incline = 0.0
    speed = 0.0
    for command in plan.commands():
        if command.incline_pct is not None:
            if facing == "backward" or command.direction == "backward":
                assert command.in_turn_window or command.incline_pct == incline, command
            incline = command.incline_pct
        if command.speed_kmh is not None:
            speed = command.speed_kmh
            if command.in_turn_window:
                assert speed <= safety.TURN_SPEED_CAP_KMH
            elif command.direction == "backward":
                if last_speed is not None:
                    dt = command.t_s - last_speed[0]
                    assert abs(speed - last_speed[1]) <= limits.backward_ramp_kmh_per_s * dt + 1e-5
                last_speed = (command.t_s, speed)
            if not command.in_turn_window:
                assert safety.target_violations(command.direction, speed, incline, limits) == ()
            facing = command.direction
        if command.direction != "backward" or command.in_turn_window:
            last_speed = (command.t_s, speed) if command.in_turn_window else None


def _check_turns(plan: Plan) -> None:
    previous = "forward"
    for segment in plan.segments:
        if segment.kind == "interval":
            assert segment.direction == previous, "direction changed without a turn"
        else:
            assert segment.from_direction == previous
            assert segment.speed_kmh <= safety.TURN_SPEED_CAP_KMH
            assert (segment.window_s or 0) >= safety.TURN_WINDOW_MIN_S
        previous = segment.direction


def _check_totals(plan: Plan) -> None:
    assert plan.total_duration_s == pytest.approx(
        plan.forward_duration_s + plan.backward_duration_s + plan.turn_duration_s
    )
    assert plan.total_distance_m == pytest.approx(
        plan.forward_distance_m + plan.backward_distance_m + plan.turn_distance_m
    )
    start = 0.0
    for index, segment in enumerate(plan.segments):
        assert segment.index == index
        assert segment.start_s == pytest.approx(start)
        start += segment.estimated_duration_s
        assert all(0 <= c.offset_s <= segment.estimated_duration_s + 1e-6 for c in segment.cues)
    assert plan.turns == sum(1 for s in plan.segments if s.kind == "turn")


@settings(max_examples=150, deadline=None)
@given(profiles)
def test_every_plan_of_a_valid_profile_obeys_the_safety_rules(raw: dict[str, Any]) -> None:
    profile = Profile.model_validate(raw)
    assert safety.check_profile(profile) == ()
    problems: tuple[ProfileError, ...] = ()
    try:
        plan = compile_plan(profile)
    except ProfileErrors as exc:  # slow distance steps can add up past the longest session
        problems = exc.problems
    if problems:
        assert [p.message.startswith("the plan lasts ") for p in problems] == [True]
        assume(False)
    _check_turns(plan)
    _check_plan_safety(plan)
    _check_totals(plan)
    _check_round_ends(plan)


def _check_round_ends(plan: Plan) -> None:
    """A block ending on a heart rate goes on, when met, from the segment after its last
    round: the successor of an interval just like the one ending the round (the same step,
    direction, incline and speed), so a turn there is the one this round's end needs."""
    for seg in plan.segments:
        for end in seg.round_ends:
            last = plan.segments[end.skip_to - 1]
            assert last.kind == "interval"
            assert last.source_path == seg.source_path
            assert (last.direction, last.incline_pct) == (seg.direction, seg.incline_pct)
            assert last.speed_steps[-1].speed_kmh == seg.speed_steps[-1].speed_kmh
            assert end.last == (end.skip_to == seg.index + 1)


def test_repeats_that_unroll_to_a_huge_plan_are_refused() -> None:
    inner = "{repeat: {times: 100, steps: [{duration: 10s, speed: 5}]}}"
    document = parse_profile(
        f"name: huge\nsteps:\n  - repeat:\n      times: 100\n      steps: [{inner}]\n"
    )
    with pytest.raises(ProfileErrors, match="unroll to 10000 intervals, more than 2000"):
        compile_plan(document.profile, where=document)
