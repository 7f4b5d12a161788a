"""FIT activities, checked by Garmin's own FIT SDK decoder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrorun.fit.profile import MesgNum
from retrorun.recording.fit_activity import export_fit
from retrorun.recording.log_reader import parse_log
from tests.recording.fixtures import EVENTS, HEADER, TINY, jsonl
from tests.recording.garmin import decode, developer_key
from tests.recording.logs import STARTED_AT, bundled_plan, cut, play

START = datetime.fromisoformat(STARTED_AT)


def _fit(text: str) -> dict[str, list[dict[str, Any]]]:
    return decode(export_fit(parse_log(text.encode(), "s.jsonl")))


def test_the_tiny_session_decodes_to_its_hand_computed_totals() -> None:
    fit = _fit(TINY)
    assert fit["file_id_mesgs"][0]["type"] == "activity"
    (session,) = fit["session_mesgs"]
    assert session["sport"] == "running"
    assert session["sub_sport"] == "treadmill"
    assert session["num_laps"] == 3
    assert session["total_distance"] == 18.0
    assert session["total_timer_time"] == 9.0
    assert session["total_elapsed_time"] == 12.0
    assert session["start_time"] == START + timedelta(seconds=2)
    laps = fit["lap_mesgs"]
    assert [lap["total_distance"] for lap in laps] == [10.0, 2.0, 6.0]
    assert [lap["total_timer_time"] for lap in laps] == [4.0, 2.0, 3.0]
    direction = developer_key(fit, "direction", MesgNum.LAP)
    assert [lap["developer_fields"][direction] for lap in laps] == ["FORWARD", "TURN", "BACKWARD"]
    assert [lap["intensity"] for lap in laps] == ["active", "rest", "active"]
    assert [lap["enhanced_avg_speed"] for lap in laps] == [2.5, 1.0, 2.0]
    assert laps[0]["avg_heart_rate"] == 135
    assert laps[0]["max_heart_rate"] == 150
    steps = fit["workout_step_mesgs"]
    assert [steps[lap["wkt_step_index"]]["wkt_step_name"] for lap in laps] == [
        "FORWARD 9.0 km/h",
        "TURN to backward",
        "BACKWARD 7.2 km/h",
    ]
    (activity,) = fit["activity_mesgs"]
    assert activity["num_sessions"] == 1
    assert activity["total_timer_time"] == 9.0


def test_a_runner_who_picks_imperial_units_gets_steps_named_in_mph() -> None:
    fit = decode(export_fit(parse_log(TINY.encode(), "s.jsonl"), units="imperial"))
    laps, steps = fit["lap_mesgs"], fit["workout_step_mesgs"]
    assert [steps[lap["wkt_step_index"]]["wkt_step_name"] for lap in laps] == [
        "FORWARD 5.6 mph",
        "TURN to backward",
        "BACKWARD 4.5 mph",
    ]
    # The numbers stay metric, as FIT's are.
    assert [lap["total_distance"] for lap in laps] == [10.0, 2.0, 6.0]


def test_records_are_1_hz_with_distance_speed_grade_and_heart_rate() -> None:
    fit = _fit(TINY)
    records = fit["record_mesgs"]
    direction = developer_key(fit, "direction", MesgNum.RECORD)
    assert [r["timestamp"] for r in records] == [
        START + timedelta(seconds=t) for t in (3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14)
    ]
    assert [r["distance"] for r in records][:4] == [2.5, 5.0, 7.5, 10.0]
    assert records[0]["enhanced_speed"] == 2.5
    assert records[0]["grade"] == 1.0
    assert records[0]["heart_rate"] == 120
    assert "heart_rate" not in records[4]  # none measured during the turn
    assert [r["developer_fields"][direction] for r in records][3:6] == [0, 2, 2]


def test_timer_events_stop_and_start_around_the_pause() -> None:
    events = [(e["event_type"], e["timestamp"]) for e in _fit(TINY)["event_mesgs"]]
    assert events == [
        ("start", START + timedelta(seconds=2)),
        ("stop", START + timedelta(seconds=9)),
        ("start", START + timedelta(seconds=12)),
        ("stop_all", START + timedelta(seconds=14)),
    ]


@pytest.mark.parametrize(
    "name", ["one-minute-alternation", "backward-hill-repeats", "four-hundred-forward-backward"]
)
def test_a_simulated_bundled_session_has_its_laps_distance_and_duration(name: str) -> None:
    played = play(bundled_plan(name), pauses=((95.0, 30.0),))
    fit = _fit(played.text)
    (session,) = fit["session_mesgs"]
    assert session["num_laps"] == played.laps == len(fit["lap_mesgs"])
    assert session["total_distance"] == pytest.approx(played.distance_m, abs=0.01)
    assert session["total_timer_time"] == pytest.approx(played.active_s, abs=0.001)
    assert session["total_elapsed_time"] == pytest.approx(played.elapsed_s, abs=0.001)
    assert sum(lap["total_distance"] for lap in fit["lap_mesgs"]) == pytest.approx(
        played.distance_m, abs=0.05
    )
    assert fit["record_mesgs"][-1]["distance"] == pytest.approx(played.distance_m, abs=0.01)


def test_an_interrupted_log_exports_everything_up_to_its_last_line() -> None:
    played = play(bundled_plan("one-minute-alternation"))
    text = cut(played.text, 400.0)
    log = parse_log(text.encode(), "s.jsonl")
    fit = decode(export_fit(log))
    last = log.of_type("telemetry")[-1]
    segments = log.of_type("segment")
    (session,) = fit["session_mesgs"]
    assert session["num_laps"] == len(segments) == len(fit["lap_mesgs"])
    assert session["total_distance"] == pytest.approx(last.get("distance_m"), abs=0.01)
    assert session["total_elapsed_time"] == pytest.approx(log.end_t - 4.0)
    assert fit["record_mesgs"][-1]["timestamp"] == START + timedelta(seconds=round(last.t))


def test_a_treadmill_that_restarts_its_distance_count_keeps_adding_up() -> None:
    lines = TINY.replace('"distance_m": 16.0', '"distance_m": 2.0').replace(
        '"distance_m": 18.0, "heart', '"distance_m": 4.0, "heart'
    )
    assert _fit(lines)["session_mesgs"][0]["total_distance"] == 18.0


@settings(max_examples=15, deadline=None)
@given(
    pauses=st.lists(
        st.tuples(st.floats(1, 1700), st.integers(1, 120)), max_size=4, unique_by=lambda p: p[0]
    )
)
def test_pauses_never_count_as_active_time(pauses: list[tuple[float, int]]) -> None:
    played = play(bundled_plan("one-minute-alternation"), pauses=tuple(pauses), heart_rate=False)
    fit = _fit(played.text)
    (session,) = fit["session_mesgs"]
    assert session["total_timer_time"] == pytest.approx(played.active_s, abs=0.001)
    assert session["total_elapsed_time"] == pytest.approx(
        played.active_s + sum(length for _, length in pauses), abs=0.001
    )
    stops = [e for e in fit["event_mesgs"] if e["event_type"] == "stop"]
    assert len(stops) == len(pauses)
    assert sum(lap["total_timer_time"] for lap in fit["lap_mesgs"]) == pytest.approx(
        played.active_s, abs=0.01
    )


def test_the_file_is_stamped_with_the_session_start() -> None:
    fit = _fit(TINY)
    assert fit["file_id_mesgs"][0]["time_created"] == datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
    assert fit["device_info_mesgs"][1]["product_name"] == "RetroRun Treadmill"


def test_impossible_readings_are_left_out_not_encoded() -> None:
    damaged = TINY.replace('"heart_rate_bpm": 120', '"heart_rate_bpm": 999').replace(
        '"speed_kmh": 9.0, "distance_m": 2.5', '"speed_kmh": 1e9, "distance_m": 2.5'
    )
    first = _fit(damaged)["record_mesgs"][0]
    assert "heart_rate" not in first
    assert first["enhanced_speed"] == 0.0
    assert first["distance"] == 2.5


def test_a_session_that_died_before_its_first_reading_still_exports_its_lap() -> None:
    text = jsonl(HEADER, *EVENTS[:3])
    fit = _fit(text)
    assert len(fit["lap_mesgs"]) == 1
    assert fit["session_mesgs"][0]["total_distance"] == 0.0
    assert fit["lap_mesgs"][0]["developer_fields"]


def test_a_count_carried_over_from_before_the_session_is_not_run_distance() -> None:
    shifted = TINY
    for metres in (18.0, 16.0, 14.0, 12.0, 11.0, 10.0, 7.5, 5.0, 2.5):
        shifted = shifted.replace(f'"distance_m": {metres}', f'"distance_m": {metres + 5000}')
    fit = _fit(shifted)
    # The first reading jumps from 0 to 5002.5 m in one second: a baseline, not a sprint.
    assert fit["session_mesgs"][0]["total_distance"] == 15.5
    assert [lap["total_distance"] for lap in fit["lap_mesgs"]] == [7.5, 2.0, 6.0]
