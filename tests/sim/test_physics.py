"""Belt physics on explicit time: ramps, countdown, reaction delay, exact distance."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrorun_sim.physics import (
    BeltMode,
    BeltModel,
    BeltSpec,
    Reset,
    SafetyStop,
    SetInclination,
    SetSpeed,
    Start,
    Stop,
)

NO_DELAYS = BeltSpec(reaction_delay_s=0.0, start_countdown_s=0.0)


def running(spec: BeltSpec = NO_DELAYS, speed_kmh: float = 1.0) -> BeltModel:
    """A belt started at t=0 and settled at ``speed_kmh`` by t=100."""
    belt = BeltModel(spec)
    belt.command(SetSpeed(speed_kmh), 0.0)
    belt.command(Start(), 0.0)
    belt.advance(100.0)
    assert belt.readings(100.0).speed_kmh == pytest.approx(speed_kmh)
    return belt


def test_speed_ramps_up_at_the_acceleration_rate() -> None:
    belt = running(speed_kmh=2.0)
    belt.command(SetSpeed(10.0), 100.0)
    # 8 km/h at 0.5 km/h per s: 16 s.
    assert belt.readings(108.0).speed_kmh == pytest.approx(6.0)
    assert belt.readings(115.9).speed_kmh < 10.0
    assert belt.readings(116.0).speed_kmh == pytest.approx(10.0)
    assert belt.readings(130.0).speed_kmh == pytest.approx(10.0)


def test_speed_ramps_down_at_the_deceleration_rate() -> None:
    belt = running(speed_kmh=10.0)
    belt.command(SetSpeed(2.0), 100.0)
    # 8 km/h at 0.8 km/h per s: 10 s.
    assert belt.readings(105.0).speed_kmh == pytest.approx(6.0)
    assert belt.readings(110.0).speed_kmh == pytest.approx(2.0)


def test_incline_moves_at_its_rate_both_ways() -> None:
    belt = running()
    belt.command(SetInclination(6.0), 100.0)
    assert belt.readings(106.0).inclination_pct == pytest.approx(3.0)
    assert belt.readings(112.0).inclination_pct == pytest.approx(6.0)
    belt.command(SetInclination(1.0), 112.0)
    assert belt.readings(122.0).inclination_pct == pytest.approx(1.0)


def test_start_counts_down_before_the_belt_moves() -> None:
    belt = BeltModel(BeltSpec(reaction_delay_s=0.0, start_countdown_s=3.0))
    belt.command(Start(), 0.0)
    assert belt.readings(2.99).mode is BeltMode.STARTING
    assert belt.readings(2.99).speed_kmh == 0.0
    assert belt.readings(3.0).mode is BeltMode.RUNNING
    # Then up to the 1.0 km/h minimum at 0.5 km/h per s.
    assert belt.readings(4.0).speed_kmh == pytest.approx(0.5)
    assert belt.readings(5.0).speed_kmh == pytest.approx(1.0)


def test_commands_take_effect_after_the_reaction_delay() -> None:
    belt = running(BeltSpec(reaction_delay_s=0.3, start_countdown_s=0.0), speed_kmh=5.0)
    effective = belt.command(SetSpeed(6.0), 100.0)
    assert effective == pytest.approx(100.3)
    assert belt.readings(100.3).speed_kmh == pytest.approx(5.0)
    assert belt.readings(101.3).speed_kmh == pytest.approx(5.5)


def test_stop_ramps_the_belt_down_and_stops_the_clock() -> None:
    belt = running(speed_kmh=8.0)
    elapsed = belt.readings(100.0).elapsed_time_s
    belt.command(Stop(), 100.0)
    assert belt.readings(105.0).speed_kmh == pytest.approx(4.0)
    assert belt.readings(110.0).speed_kmh == 0.0
    assert belt.readings(110.0).mode is BeltMode.STOPPED
    assert belt.readings(200.0).elapsed_time_s == pytest.approx(elapsed)


def test_pause_then_resume_keeps_counters_and_set_point() -> None:
    belt = running(speed_kmh=6.0)
    belt.command(Stop(pause=True), 100.0)
    paused = belt.readings(120.0)
    assert paused.mode is BeltMode.PAUSED
    belt.command(Start(), 120.0)
    resumed = belt.readings(140.0)
    assert resumed.speed_kmh == pytest.approx(6.0)
    assert resumed.distance_m > paused.distance_m > 0


def test_start_after_stop_begins_a_new_workout() -> None:
    belt = running(speed_kmh=6.0)
    belt.command(Stop(), 100.0)
    belt.command(Start(), 120.0)
    assert belt.readings(120.0).distance_m == 0.0


def test_safety_key_stops_much_faster_than_stop() -> None:
    belt = running(speed_kmh=9.0)
    belt.console(SafetyStop(), 100.0)
    # 9 km/h at 3 km/h per s: 3 s.
    assert belt.readings(103.0).speed_kmh == 0.0


def test_reset_returns_targets_and_counters_to_defaults() -> None:
    belt = running(speed_kmh=6.0)
    belt.command(SetInclination(4.0), 100.0)
    belt.command(Reset(), 110.0)
    after = belt.readings(130.0)
    assert after.mode is BeltMode.IDLE
    assert (after.speed_kmh, after.target_speed_kmh, after.target_inclination_pct) == (0, 0, 0)
    assert after.distance_m == after.elapsed_time_s == 0.0


def test_settled_mode_sees_commands_still_on_their_way() -> None:
    belt = BeltModel(BeltSpec(reaction_delay_s=2.0))
    belt.command(Start(), 0.0)
    assert belt.mode is BeltMode.IDLE
    assert belt.settled_mode() is BeltMode.RUNNING


def test_distance_is_counted_only_with_a_runner_when_the_machine_says_so() -> None:
    spec = BeltSpec(reaction_delay_s=0.0, start_countdown_s=0.0, count_only_with_runner=True)
    belt = running(spec, speed_kmh=3.6)
    belt.set_runner_on_belt(False, 100.0)
    before = belt.readings(100.0).distance_m
    assert belt.readings(200.0).distance_m == before
    assert belt.readings(200.0).speed_kmh == pytest.approx(3.6)
    belt.set_runner_on_belt(True, 200.0)
    assert belt.readings(210.0).distance_m == pytest.approx(before + 10.0)


def test_time_cannot_go_backwards() -> None:
    belt = BeltModel()
    belt.advance(5.0)
    with pytest.raises(ValueError, match="backwards"):
        belt.advance(4.0)


def _belt_speed_integral(commands: list[tuple[float, float]], end: float, spec: BeltSpec) -> float:
    """Distance by brute force: 1 ms steps of the same ramp law (an independent check)."""
    step = 0.001
    speed, target, t, distance = 0.0, 0.0, 0.0, 0.0
    queue = sorted(commands)
    while t < end - 1e-12:
        while queue and queue[0][0] <= t + 1e-12:
            target = queue.pop(0)[1]
        rate = spec.acceleration_kmh_per_s if target > speed else spec.deceleration_kmh_per_s
        new = (
            min(target, speed + rate * step) if target > speed else max(target, speed - rate * step)
        )
        distance += (speed + new) / 2 / 3.6 * step
        speed, t = new, t + step
    return distance


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=60).map(lambda tenths: tenths / 2),
            st.integers(min_value=10, max_value=160).map(lambda tenths: tenths / 10),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_distance_equals_the_integral_of_belt_speed(commands: list[tuple[float, float]]) -> None:
    spec = BeltSpec(reaction_delay_s=0.0, start_countdown_s=0.0, min_speed_kmh=0.0)
    belt = BeltModel(spec)
    belt.command(Start(), 0.0)
    for at_s, speed in sorted(commands):
        belt.command(SetSpeed(speed), at_s)
    end = 60.0
    expected = _belt_speed_integral(sorted(commands), end, spec)
    assert belt.readings(end).distance_m == pytest.approx(expected, rel=1e-3, abs=1e-3)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(min_value=0.01, max_value=10.0), min_size=1, max_size=20))
def test_distance_does_not_depend_on_how_often_it_is_read(gaps: list[float]) -> None:
    spec = BeltSpec(reaction_delay_s=0.3, start_countdown_s=3.0)
    once, often = BeltModel(spec), BeltModel(spec)
    for belt in (once, often):
        belt.command(SetSpeed(12.0), 0.0)
        belt.command(Start(), 0.0)
    t = 0.0
    for gap in gaps:
        t += gap
        often.advance(t)
    assert often.readings(t).distance_m == pytest.approx(once.readings(t).distance_m, abs=1e-9)
    assert often.readings(t).energy_kcal == pytest.approx(once.readings(t).energy_kcal, abs=1e-9)
