"""The coach's board: rows from status, state and telemetry messages."""

from __future__ import annotations

from dataclasses import replace

from retrorun.clock import ManualClock
from retrorun.mqtt.board import Board
from retrorun.mqtt.payloads import state_payload, telemetry_payload
from retrorun.session.api import SessionState
from tests.mqtt.fake_session import FakeSession


def test_rows_follow_status_state_and_telemetry() -> None:
    board = Board()
    snapshot = FakeSession(ManualClock()).snapshot()
    assert board.apply("retrorun/tm2/status", b"online")
    assert board.apply("retrorun/tm1/state", state_payload(snapshot))
    assert not board.apply("retrorun/tm1/state", state_payload(snapshot))  # nothing new
    assert board.apply("retrorun/tm1/status", b"offline")
    rows = board.rows()
    assert [row.treadmill_id for row in rows] == ["tm1", "tm2"]
    assert rows[0].online is False
    assert rows[0].state == "connecting"
    assert rows[0].segment == f"1/{snapshot.segment_count} {snapshot.segment_label}"
    assert rows[1].state is None


def test_telemetry_updates_the_measured_values() -> None:
    board = Board()
    snapshot = FakeSession(ManualClock()).snapshot()
    board.apply("retrorun/tm1/state", state_payload(snapshot))
    moving = replace(snapshot, measured_speed_kmh=8.4, heart_rate_bpm=151, remaining_s=125.0)
    assert board.apply("retrorun/tm1/telemetry", telemetry_payload(moving))
    row = board.rows()[0]
    assert (row.speed_kmh, row.heart_rate_bpm, row.remaining_s) == (8.4, 151, 125.0)
    assert "2:05" in board.render()


def test_render_aligns_columns() -> None:
    board = Board()
    board.apply("retrorun/treadmill-long-name/status", b"online")
    board.apply("retrorun/t2/status", b"offline")
    lines = board.render().splitlines()
    assert lines[0].split() == [
        "TREADMILL",
        "LINK",
        "STATE",
        "SEGMENT",
        "DIR",
        "KM/H",
        "INCL%",
        "HR",
        "DIST",
        "M",
        "LEFT",
    ]
    assert [line.split()[:2] for line in lines[1:]] == [
        ["t2", "offline"],
        ["treadmill-long-name", "online"],
    ]
    link_column = lines[0].index("LINK")
    assert lines[1].index("offline") == lines[2].index("online") == link_column


def test_an_empty_board_says_so() -> None:
    assert "no treadmill" in Board().render()


def test_junk_is_counted_and_ignored() -> None:
    board = Board()
    for topic, payload in [
        ("other/tm1/state", b"{}"),
        ("retrorun/tm1", b"online"),
        ("retrorun/tm1/status", b"maybe"),
        ("retrorun/tm1/state", b"{broken"),
        ("retrorun/tm1/state", b"[1]"),
        ("retrorun/tm1/cue", b"{}"),
        ("retrorun/tm1/state", b"\xff"),
    ]:
        assert not board.apply(topic, payload)
    assert board.ignored == 7
    assert board.rows() == []


def test_a_late_telemetry_message_never_brings_a_finished_session_back() -> None:
    # The session's last telemetry can arrive after its final state: the board keeps
    # "finished" (and the next session's own state message moves it on).
    board = Board()
    snapshot = FakeSession(ManualClock()).snapshot()
    running = replace(snapshot, state=SessionState.RUNNING)
    board.apply("retrorun/tm1/state", state_payload(replace(snapshot, state=SessionState.FINISHED)))
    board.apply("retrorun/tm1/telemetry", telemetry_payload(running))
    assert board.rows()[0].state == "finished"
    board.apply("retrorun/tm1/state", state_payload(running))
    assert board.rows()[0].state == "running"
