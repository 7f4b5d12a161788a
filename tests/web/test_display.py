"""The words the page shows, from snapshots: direction, countdowns, what comes next."""

from __future__ import annotations

from dataclasses import replace

import pytest

from retrorun.session.api import Phase, SessionState
from retrorun.web.display import clock, view
from tests.web.snapshots import BACKWARD_WALK, snapshot


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (0.2, "0:01"), (59.9, "1:00"), (61, "1:01"), (3725, "1:02:05")],
)
def test_countdowns_round_up(seconds: float, text: str) -> None:
    assert clock(seconds) == text


def test_a_forward_interval_before_a_turn() -> None:
    shown = view(snapshot())
    assert shown["direction"] == "FORWARD"
    assert shown["tone"] == "forward"
    assert shown["detail"] == "forward run (1/5)"
    assert (shown["remaining"], shown["remaining_label"]) == ("0:29", "left in segment")
    assert shown["turn"] == "Turn to BACKWARD in 0:29"
    assert shown["next"] == "Next: TURN to BACKWARD"
    assert shown["target_speed"] == "6.0 km/h"
    assert shown["measured_speed"] == "5.9 km/h"
    assert shown["heart_rate"] == "131 bpm"
    assert shown["distance"] == "0.02 km"
    assert shown["session_left"] == "1:53 left"
    assert shown["progress"] == round(11.2 / 124, 4)


def test_a_runner_who_picks_imperial_units_reads_mph_and_miles() -> None:
    shown = view(snapshot(next_segment=BACKWARD_WALK), "imperial")
    assert shown["target_speed"] == "3.7 mph"
    assert shown["measured_speed"] == "3.7 mph"
    assert shown["distance"] == "0.01 mi"
    assert "km" not in shown["next"]
    assert " mph, " in shown["next"]


def test_the_turn_shows_turn_from_the_moment_the_belt_slows() -> None:
    approach = snapshot(
        segment_index=1,
        segment_kind="turn",
        direction="backward",
        phase=Phase.APPROACH,
        segment_remaining_s=14.0,
        next_segment=BACKWARD_WALK,
    )
    shown = view(approach)
    assert (shown["direction"], shown["tone"]) == ("TURN", "turn")
    assert shown["detail"] == "to BACKWARD: hold the rails"
    assert shown["remaining_label"] == "turn ends in"
    assert shown["turn"] == "Turning: 0:14"
    assert shown["next"] == "Next: BACKWARD 0:30 at 4.0 km/h, 2 %"
    settled = view(replace(approach, phase=Phase.SETTLE))
    assert (settled["direction"], settled["tone"]) == ("BACKWARD", "backward")


def test_a_ramp_coming_next_shows_both_ends() -> None:
    ramp = replace(BACKWARD_WALK, direction="forward", speed_kmh=8.0, ramp_from_kmh=5.0)
    assert view(snapshot(next_segment=ramp))["next"] == "Next: FORWARD 0:30 at 5.0→8.0 km/h, 2 %"


def test_paused_and_ended_sessions() -> None:
    paused = view(snapshot(state=SessionState.PAUSED, reason="paused by you"))
    assert (paused["tone"], paused["paused"], paused["status"]) == (
        "paused",
        True,
        "PAUSED  paused by you",
    )
    ended = view(snapshot(state=SessionState.FINISHED, reason="finished", segment_index=None))
    assert (ended["tone"], ended["ended"], ended["status"]) == ("ended", True, "FINISHED")
    assert (ended["remaining"], ended["remaining_label"]) == ("0:12", "active time")
    assert (ended["turn"], ended["next"]) == ("", "")


def test_what_the_treadmill_does_not_report_shows_a_dash() -> None:
    shown = view(snapshot(measured_speed_kmh=None, heart_rate_bpm=None, segment_remaining_s=None))
    assert (shown["measured_speed"], shown["heart_rate"], shown["remaining"]) == ("-", "-", "-:--")
    assert view(snapshot(segment_remaining_m=212.4))["remaining"] == "213 m"
