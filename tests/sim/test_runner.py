"""The runner model: heart rate follows speed, incline and direction, with a lag."""

from __future__ import annotations

import math

import pytest

from retrorun_sim.runner import RunnerDirection, RunnerModel, RunnerSpec, steady_heart_rate_bpm

SPEC = RunnerSpec()
FORWARD, BACKWARD = RunnerDirection.FORWARD, RunnerDirection.BACKWARD


def test_heart_rate_rises_with_speed_and_incline() -> None:
    slow = steady_heart_rate_bpm(SPEC, 5.0, 0.0, FORWARD)
    fast = steady_heart_rate_bpm(SPEC, 10.0, 0.0, FORWARD)
    uphill = steady_heart_rate_bpm(SPEC, 5.0, 6.0, FORWARD)
    assert SPEC.resting_hr_bpm < slow < fast
    assert slow < uphill


def test_backward_costs_17_to_20_percent_more_heart_rate() -> None:
    forward = steady_heart_rate_bpm(SPEC, 6.0, 0.0, FORWARD)
    backward = steady_heart_rate_bpm(SPEC, 6.0, 0.0, BACKWARD)
    assert 1.17 <= backward / forward <= 1.20


def test_standing_still_is_the_same_either_way() -> None:
    assert steady_heart_rate_bpm(SPEC, 0.0, 0.0, BACKWARD) == SPEC.resting_hr_bpm


def test_heart_rate_never_passes_the_maximum() -> None:
    assert steady_heart_rate_bpm(SPEC, 30.0, 12.0, BACKWARD) == SPEC.max_hr_bpm


def test_heart_rate_follows_a_first_order_lag() -> None:
    runner = RunnerModel(SPEC)
    steady = steady_heart_rate_bpm(SPEC, 10.0, 0.0, FORWARD)
    rest = SPEC.resting_hr_bpm
    # After one time constant, 63 % of the way there.
    hr = runner.update(SPEC.time_constant_s, 10.0, 0.0)
    assert hr == pytest.approx(steady - (steady - rest) * math.exp(-1))
    assert runner.update(20 * SPEC.time_constant_s, 10.0, 0.0) == pytest.approx(steady, abs=0.01)


def test_turning_backward_raises_the_heart_rate_gradually() -> None:
    runner = RunnerModel(SPEC)
    forward = runner.update(600.0, 6.0, 0.0)
    runner.direction = BACKWARD
    soon = runner.update(605.0, 6.0, 0.0)
    later = runner.update(900.0, 6.0, 0.0)
    assert forward < soon < later
    assert later == pytest.approx(steady_heart_rate_bpm(SPEC, 6.0, 0.0, BACKWARD), abs=0.1)
