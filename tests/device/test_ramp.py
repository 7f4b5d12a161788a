"""The ramp estimator on synthetic belts: it learns rates and reaction delay."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrorun.device.ramp import DEFAULT_RATES, RampEstimator


def _belt(
    estimator: RampEstimator, start: float, target: float, *, rate: float, delay: float
) -> None:
    """Feed 1 Hz samples of a belt that waits ``delay`` s, then ramps at ``rate``."""
    estimator.speed_commanded(target, start, 0.0)
    t = 0.0
    while True:
        t += 1.0
        moved = max(0.0, t - delay) * rate
        value = start + moved if target > start else start - moved
        done = abs(value - start) >= abs(target - start)
        estimator.observe(t, target if done else value, None)
        if done:
            return


@given(
    rate=st.floats(0.2, 1.5),
    delay=st.floats(0.0, 3.0),
)
def test_learns_a_steady_belt(rate: float, delay: float) -> None:
    estimator = RampEstimator()
    for _ in range(8):
        _belt(estimator, 2.0, 8.0, rate=rate, delay=delay)
        _belt(estimator, 8.0, 2.0, rate=rate, delay=delay)
    rates = estimator.rates
    assert rates.accel_kmh_per_s == pytest.approx(rate, rel=0.05)
    assert rates.decel_kmh_per_s == pytest.approx(rate, rel=0.05)
    # Samples come once a second, so the delay is known to within about a second.
    assert rates.reaction_delay_s == pytest.approx(delay, abs=1.0)


def test_a_treadmill_that_reports_its_set_point_at_once_stays_plausible() -> None:
    estimator = RampEstimator()
    for _ in range(5):
        estimator.speed_commanded(6.0, 2.0, 0.0)
        estimator.observe(0.2, 6.0, None)
        estimator.speed_commanded(2.0, 6.0, 10.0)
        estimator.observe(10.2, 2.0, None)
    rates = estimator.rates
    assert rates.accel_kmh_per_s <= 3.0
    assert rates.reaction_delay_s >= 0.0


def test_time_to_change_uses_the_right_direction() -> None:
    rates = DEFAULT_RATES
    slow_down = rates.time_to_change_speed(8.0, 2.5)
    assert slow_down == pytest.approx(rates.reaction_delay_s + 5.5 / rates.decel_kmh_per_s)
    assert rates.time_to_change_incline(0.0, 3.0) == pytest.approx(
        rates.reaction_delay_s + 3.0 / rates.incline_pct_per_s
    )
