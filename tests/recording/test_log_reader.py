"""Reading session logs: complete, interrupted (kill -9) and bad ones."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrorun.recording.log_reader import LogError, LogEvent, parse_log, read_log
from tests.recording.fixtures import EVENTS, HEADER, TINY, jsonl

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import CliResult


def test_a_complete_log_has_header_events_and_summary() -> None:
    log = parse_log(TINY.encode(), "tiny.jsonl")
    assert log.complete
    assert log.started_at == datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
    assert log.profile_name == "Tiny"
    assert len(log.events) == len(EVENTS)
    assert log.summary is not None
    assert log.summary["outcome"] == "interrupted"
    assert log.cut_line is None
    assert [e.type for e in log.of_type("segment")] == ["segment"] * 3


def test_a_log_cut_mid_line_keeps_everything_before_the_cut() -> None:
    lines = TINY.splitlines(keepends=True)
    cut = "".join(lines[:8]) + lines[8][:20]
    log = parse_log(cut.encode(), "cut.jsonl")
    assert not log.complete
    assert log.summary is None
    assert log.cut_line == 9
    assert len(log.events) == 7
    assert log.end_t == 6.0


def test_a_log_without_summary_but_whole_lines_is_incomplete_too() -> None:
    log = parse_log(jsonl(HEADER, *EVENTS).encode(), "x.jsonl")
    assert not log.complete
    assert log.cut_line is None
    assert log.end_t == 14.0


def test_unknown_event_types_and_fields_are_kept_not_refused() -> None:
    extra = {"t": 2.5, "type": "weather", "sunny": True}
    log = parse_log(jsonl(HEADER, *EVENTS[:3], extra, *EVENTS[3:]).encode(), "x.jsonl")
    assert log.of_type("weather")[0].get("sunny") is True


BAD = [
    pytest.param(b"", "x.jsonl:1: empty file", id="empty"),
    pytest.param(b"\n\n", "x.jsonl:1: empty file", id="blank"),
    pytest.param(b"PK\x03\x04 zip", "x.jsonl:1: not JSON", id="binary"),
    pytest.param(b"[1, 2]\n", "x.jsonl:1: a line is not a JSON object", id="array"),
    pytest.param(
        jsonl({"type": "gpx"}, *EVENTS).encode(),
        "x.jsonl:1: not a session log: the first line is not a 'session' header",
        id="foreign",
    ),
    pytest.param(
        jsonl({**HEADER, "version": 7}, *EVENTS).encode(),
        "x.jsonl:1: session log version 7 is not supported",
        id="version",
    ),
    pytest.param(
        jsonl({**HEADER, "started_at": "yesterday"}, *EVENTS).encode(),
        "x.jsonl:1: started_at 'yesterday' is not an ISO 8601 time",
        id="started_at",
    ),
    pytest.param(
        jsonl(HEADER, {"type": "telemetry", "speed_kmh": 3}).encode(),
        "x.jsonl:2: an event needs a string 'type' and a number 't'",
        id="no-t",
    ),
    pytest.param(
        jsonl(HEADER).encode(),
        "x.jsonl:1: the session recorded no segment and no telemetry",
        id="header-only",
    ),
    pytest.param(
        jsonl(HEADER, EVENTS[0], {"t": 1, "type": "state", "state": "interrupted"}).encode(),
        "x.jsonl:3: the session recorded no segment and no telemetry",
        id="no-exercise",
    ),
]


@pytest.mark.parametrize(("data", "message"), BAD)
def test_bad_logs_raise_one_error_naming_file_and_line(data: bytes, message: str) -> None:
    with pytest.raises(LogError) as raised:
        parse_log(data, "x.jsonl")
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(("data", "message"), BAD)
@pytest.mark.parametrize("command", ["export", "summary"])
def test_bad_logs_exit_2_with_one_line(
    cli: Callable[..., CliResult], tmp_path: Path, command: str, data: bytes, message: str
) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(data)
    result = cli(command, str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"retrorun: {tmp_path}/{message}")
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "x.fit").exists()


def test_a_missing_log_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(LogError, match="cannot read"):
        read_log(tmp_path / "nope.jsonl")


def test_the_summary_line_ends_the_session() -> None:
    after = {"t": 99, "type": "telemetry", "speed_kmh": 1, "distance_m": 99}
    log = parse_log((TINY + json.dumps(after) + "\n").encode(), "x.jsonl")
    assert log.events[-1].t == 14
    assert log.end_t == 14


@pytest.mark.parametrize(
    ("header", "event", "message"),
    [
        ({**HEADER, "started_at": "1970-01-01T00:00:00Z"}, EVENTS[2], "outside 1990-2100"),
        (HEADER, {**EVENTS[2], "t": -1}, "t -1 is outside 0-604800 s"),
        (HEADER, {**EVENTS[2], "t": 1e12}, "is outside 0-604800 s"),
    ],
)
def test_impossible_times_are_bad_input(
    header: dict[str, object], event: dict[str, object], message: str
) -> None:
    with pytest.raises(LogError, match=message):
        parse_log(jsonl(header, event).encode(), "x.jsonl")


@given(data=st.data())
def test_a_log_cut_anywhere_after_its_first_segment_reads_as_a_prefix(data: st.DataObject) -> None:
    whole = TINY.encode()
    first_segment_end = whole.index(b"\n", whole.index(b'"segment"')) + 1
    position = data.draw(st.integers(first_segment_end, len(whole)))
    log = parse_log(whole[:position], "cut.jsonl")
    complete = parse_log(whole, "tiny.jsonl")
    assert log.events == complete.events[: len(log.events)]
    assert log.complete == (position >= len(whole) - 1)


BROKEN_LINES = [
    pytest.param("{oops", "not JSON: Expecting property name", id="not-json"),
    pytest.param(
        '{"t": 3, "x": ' + "[" * 3000 + "]" * 3000 + "}", "nested more than 32", id="deep"
    ),
    pytest.param(
        '{"t": 3, "x": ' + "[" * 500 + "]" * 500 + "}", "nested more than 32", id="deep-500"
    ),
    pytest.param(
        '{"t": 3, "type": "x", "n": 1' + "0" * 4000 + "}", "more than 20 digits", id="long"
    ),
    pytest.param('{"t": 1' + "0" * 4000 + ', "type": "x"}', "more than 20 digits", id="long-t"),
    pytest.param('{"t": 1e400, "type": "x"}', "beyond the range of a float", id="huge-t"),
    pytest.param('{"type": "x"}', "an event needs a string 'type' and a number 't'", id="no-t"),
    pytest.param(
        '{"t": 3, "type": "x", "s": "' + "a" * 70_000 + '"}', "longer than", id="long-line"
    ),
    pytest.param("[1, 2]", "not a JSON object", id="array"),
]


@pytest.mark.parametrize(("line", "reason"), BROKEN_LINES)
def test_a_broken_line_in_the_middle_is_skipped_and_named(line: str, reason: str) -> None:
    """Everything whole before and after it still counts: nothing recorded is lost."""
    whole = parse_log(jsonl(HEADER, *EVENTS).encode(), "x.jsonl")
    broken = parse_log(
        (jsonl(HEADER, *EVENTS[:3]) + line + "\n" + jsonl(*EVENTS[3:])).encode(), "x.jsonl"
    )
    assert broken.events == tuple(
        LogEvent(e.t, e.type, e.fields, e.line + (e.line >= 5)) for e in whole.events
    )
    assert broken.summary == whole.summary
    assert [number for number, _ in broken.skipped] == [5]
    assert broken.skipped_note is not None
    assert broken.skipped_note.startswith("x.jsonl:5: skipped a broken line (")
    assert reason in broken.skipped_note


@pytest.mark.parametrize("command", ["export", "summary"])
def test_a_broken_line_is_noted_on_one_line_and_the_rest_is_used(
    cli: Callable[..., CliResult], tmp_path: Path, command: str
) -> None:
    path = tmp_path / "x.jsonl"
    lines = jsonl(HEADER, *EVENTS).splitlines()
    lines[2:2] = ["{oops", '{"t": 1' + "0" * 4000 + "}"] + ["[]"] * 6
    path.write_text("\n".join(lines) + "\n")
    result = cli(command, str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"note: {path}:3: skipped a broken line (not JSON: Expecting property name enclosed in "
        "double quotes); 7 more skipped (line 4, 5, 6, 7, 8, ...); every whole line is used"
    )
    if command == "export":
        assert (tmp_path / "x.fit").stat().st_size > 0
    else:
        assert "backward" in result.stdout


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_a_log_that_is_not_a_regular_file_is_refused(
    cli: Callable[..., CliResult], tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "fifo.jsonl" if kind == "fifo" else Path(kind)
    if kind == "fifo":
        os.mkfifo(path)
    result = cli("export", str(path), "-o", str(tmp_path / "out.fit"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"retrorun: {path}: not a regular file (")


@pytest.mark.parametrize("command", ["export", "summary"])
def test_an_event_timed_before_its_predecessor_still_exports(
    cli: Callable[..., CliResult], tmp_path: Path, command: str
) -> None:
    """Found by the fuzz test: a telemetry line at t 2 after one at t 12.5 made a lap of
    negative energy, which FIT cannot hold (exit 1, "field 11=-1 is outside ... UINT16")."""
    events = [dict(event) for event in EVENTS]
    late = next(i for i, e in enumerate(events) if e["type"] == "telemetry" and e["t"] == 13)
    events[late]["t"] = 2
    path = tmp_path / "x.jsonl"
    path.write_text(jsonl(HEADER, *events))
    result = cli(
        command, str(path), *(["-o", str(tmp_path / "x.fit")] if command == "export" else [])
    )
    assert result.exit_code == 0, result.stderr
