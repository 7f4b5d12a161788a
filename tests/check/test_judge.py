"""The check's judgements on plain numbers: no treadmill, no event loop."""

from __future__ import annotations

import pytest

from retrorun.check.judge import (
    Change,
    Follow,
    Point,
    distance_ratio,
    follow_of,
    measure,
    reads_as_kmh,
    reads_as_mph,
    settled,
)

# A belt at 2 km/h asked for 4 at t = 0: 1 s reaction, 0.5 km/h per s, sampled each second.
RAMP = [Point(float(t), v) for t, v in enumerate([2.0, 2.0, 2.5, 3.0, 3.5, 4.0, 4.0, 4.0])]


def test_a_ramp_gives_its_rate_and_reaction() -> None:
    change = measure(RAMP, commanded_at=0.0, start=2.0, asked=4.0)
    assert change.settled == 4.0
    assert change.settled_at == 5.0
    assert change.rate_per_s == pytest.approx(0.5)
    assert change.reaction_s == pytest.approx(1.0)


def test_settled_needs_three_agreeing_readings_after_a_move() -> None:
    assert not settled(RAMP[:6], commanded_at=0.0, start=2.0)
    assert settled(RAMP, commanded_at=0.0, start=2.0)
    # A belt that has not moved yet is not settled before a real one would react.
    still = [Point(float(t), 2.0) for t in range(4)]
    assert not settled(still, commanded_at=0.0, start=2.0)
    assert settled([*still, Point(6.0, 2.0)], commanded_at=0.0, start=2.0)


@pytest.mark.parametrize(
    ("start", "asked", "settled_kmh", "follow"),
    [
        (2.0, 4.0, 4.0, Follow.FOLLOWED),
        (2.0, 4.0, 6.44, Follow.MPH_COMMANDS),  # "02 90 01" runs the belt at 6.44 km/h
        (1.0, 4.0, 1.0, Follow.IGNORED),
        (2.0, 4.0, 3.0, Follow.ELSEWHERE),
    ],
)
def test_where_the_belt_settled_says_what_the_firmware_did(
    start: float, asked: float, settled_kmh: float, follow: Follow
) -> None:
    change = Change(0.0, start, asked, settled_kmh, 5.0, None, None)
    assert follow_of(change) is follow


def test_distance_against_integrated_speed() -> None:
    assert distance_ratio(10.0, 9.0) is None  # too short to tell
    mph = distance_ratio(64.0, 40.0)
    assert mph is not None
    assert reads_as_mph(mph)
    kmh = distance_ratio(39.0, 40.0)
    assert kmh is not None
    assert reads_as_kmh(kmh)
    assert not reads_as_mph(kmh)
