"""``retrorun summary``: per-direction numbers, pauses, overrides, faults and a chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from retrorun.recording.log_reader import parse_log
from retrorun.recording.summary import render_summary, summarize
from tests.recording.fixtures import EVENTS, HEADER, TINY, jsonl
from tests.recording.logs import bundled_plan, play

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

# Worked out by hand from tests/recording/fixtures.py.
TINY_TABLE = [
    "Tiny: 2026-11-21 06:00 UTC, interrupted (safety key pulled)",
    "active 0:09 (elapsed 0:12), 18 m, 1 turn, 2 kcal est.",
    "",
    "             time  distance  avg km/h  max km/h  avg HR  max HR",
    "forward      0:04      10 m       9.0       9.0     135     150",
    # The mean of the measured speed over the 3 s run: 1 s from 0 (the belt at rest while
    # paused) to 7.2 km/h after the resume, 3.6 on average, and 1 s at 7.2.
    "backward     0:03       6 m       5.4       7.2     120     130",
    "turn         0:02       2 m       3.6       3.6       -       -",
    "",
    "pauses: 1",
    "  0:09  paused by you for 0:03",
    "overrides: 2",
    "  0:12  nudge: 7.7 km/h",
    "  0:12  console speed 7.2 km/h",
    "faults: 2",
    "  0:14  safety key pulled",
    "  0:14  interrupted: safety key pulled",
    "",
]


def test_the_tiny_session_summary(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    path = tmp_path / "tiny.jsonl"
    path.write_text(TINY, encoding="utf-8")
    result = cli("summary", str(path), "--width", "30")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[: len(TINY_TABLE)] == TINY_TABLE
    chart = lines[len(TINY_TABLE) :]
    assert chart[0].startswith("  9.0 ┤")
    assert "█" in chart[0]
    assert "▒" in chart[1]
    assert any(line.startswith("   HR") and line.endswith("110-150 bpm") for line in chart)
    assert chart[-1].strip() == "█ forward  ▒ backward  · turn"


def test_an_interrupted_log_says_so_and_counts_what_was_done() -> None:
    summary = summarize(parse_log(jsonl(HEADER, *EVENTS[:10]).encode(), "x.jsonl"))
    assert summary.outcome == "interrupted (the log ends without a summary)"
    assert summary.groups["forward"].distance_m == 10.0
    assert summary.groups["turn"].distance_m == 2.0
    assert summary.turns == 1
    assert summary.faults == ()


def test_direction_totals_of_a_simulated_session_match_what_was_run() -> None:
    played = play(bundled_plan("one-minute-alternation"), pauses=((300.0, 40.0),))
    log = parse_log(played.text.encode(), "s.jsonl")
    summary = summarize(log)
    assert log.summary is not None
    for group in ("forward", "backward", "turn"):
        stats = summary.groups[group]
        assert stats.duration_s == log.summary[group]["duration_s"]
        assert abs(stats.distance_m - log.summary[group]["distance_m"]) < 0.05
    assert summary.turns == log.summary["turns"] == 16
    assert summary.groups["backward"].max_speed_kmh <= 8.0
    assert len(render_summary(summary)) > len(TINY_TABLE)


def test_a_turn_read_from_a_whole_metre_counter_averages_no_faster_than_its_maximum() -> None:
    # A 2 s turn at 3.6 km/h (2 m) whose coarse counter says 4 m: distance over time says
    # 7.2 km/h, twice anything the belt did; the mean of its measured speed says 3.6.
    coarse = {7: 12.0, 8: 14.0}
    events = [
        {**e, "distance_m": coarse[e["t"]]} if e["type"] == "telemetry" and e["t"] in coarse else e
        for e in EVENTS
    ]
    turn = summarize(parse_log(jsonl(HEADER, *events).encode(), "t.jsonl")).groups["turn"]
    assert turn.distance_m / turn.duration_s * 3.6 > turn.max_speed_kmh
    assert turn.avg_speed_kmh == pytest.approx(3.6)
