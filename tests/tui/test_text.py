"""What the session screen says, as pure functions (no app needed)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from hypothesis import given
from hypothesis import strategies as st

from retrorun.profiles.heart_zones import HeartRateZones
from retrorun.profiles.loader import parse_profile
from retrorun.profiles.plan import compile_plan
from retrorun.session import view
from retrorun.session.api import SegmentPreview, SessionState
from retrorun.session.engine import Engine
from retrorun.tui.bigtext import GLYPHS, big_word
from retrorun.tui.text import (
    clock_text,
    heart_rate_text,
    pace_text,
    plan_position_s,
    preview_text,
)
from retrorun.tui.widgets.charts import column_kinds
from tests.tui.rig import short_plan

if TYPE_CHECKING:
    from pathlib import Path


def _seconds(text: str) -> int:
    total = 0
    for part in text.split(":"):
        total = total * 60 + int(part)
    return total


@given(st.floats(min_value=0, max_value=30_000, allow_nan=False))
def test_a_countdown_never_shows_less_time_than_is_left(seconds: float) -> None:
    shown = _seconds(clock_text(seconds))
    assert seconds - 1e-6 <= shown < seconds + 1


def test_clock_text_examples() -> None:
    assert [clock_text(s) for s in (0, 0.2, 59.5, 60, 3599.5, 3600, 7325)] == [
        "0:00",
        "0:01",
        "1:00",
        "1:00",
        "1:00:00",
        "1:00:00",
        "2:02:05",
    ]


def test_pace_is_minutes_per_kilometre() -> None:
    assert pace_text(9.0) == "6:40 /km"
    assert pace_text(12.0) == "5:00 /km"
    assert pace_text(0.0) == pace_text(None) == "-:-- /km"


def test_next_reads_like_the_announcement() -> None:
    backward = SegmentPreview(3, "interval", "backward", 4.0, 4.0, 60.0, None, "backward walk")
    assert preview_text(backward) == "Next: BACKWARD 1:00 at 4.0 km/h, 4 %"
    by_distance = SegmentPreview(5, "interval", "forward", 9.0, 0.0, None, 400.0, "400 m")
    assert preview_text(by_distance) == "Next: FORWARD 400 m at 9.0 km/h, 0 %"
    turn = SegmentPreview(2, "turn", "backward", 2.5, 0.0, 15.0, None, "turn")
    assert preview_text(turn) == "Next: TURN to BACKWARD"
    assert preview_text(None) == "Next: finish"
    warm_up = SegmentPreview(0, "interval", "forward", 8.0, 0.0, 300.0, None, "warm-up", 5.0)
    assert preview_text(warm_up) == "Next: FORWARD 5:00 at 5.0→8.0 km/h, 0 %"
    # Both ends of a ramp in the runner's units (the end alone used to be converted).
    assert preview_text(warm_up, units="imperial") == "Next: FORWARD 5:00 at 3.1→5.0 mph, 0 %"


@given(st.text(alphabet="".join(GLYPHS), max_size=12))
def test_block_letters_are_three_even_rows(word: str) -> None:
    rows = big_word(word)
    assert len({len(row) for row in rows}) == 1
    assert len(rows[0]) == max(0, 4 * len(word) - 1)


def test_the_direction_words_are_all_drawn() -> None:
    for word in ("FORWARD", "BACKWARD", "TURN", "DONE", "PAUSED", "STOP"):
        assert all(letter in GLYPHS for letter in word)


def test_the_progress_bar_marks_each_turn_once(tmp_path: Path) -> None:
    plan = short_plan(tmp_path)
    for width in (10, 40, 73, 200):
        kinds = column_kinds(plan, width)
        assert len(kinds) == width
        turns = sum(1 for segment in plan.segments if segment.kind == "turn")
        assert kinds.count("turn") == turns
        assert kinds[0] == "forward"
        assert "backward" in kinds or width < turns * 3


def test_the_heart_rate_readout_says_lost_and_the_zone_held() -> None:
    document = parse_profile(
        "name: z\nsteps:\n"
        "  - {duration: 5m, speed: 8}\n"
        "  - {duration: 5m, heart_rate: {zone: 2}, min_speed: 6, max_speed: 9}\n"
    )
    plan = compile_plan(document.profile, zones=HeartRateZones.from_max(190))
    snap = Engine(plan, 0.0).snapshot(0.0)
    plain, zone = plan.segments
    assert heart_rate_text(snap, plain) == ""  # never had one
    fresh = replace(snap, heart_rate_bpm=128, heart_rate_state="fresh")
    assert heart_rate_text(fresh, plain) == "128 bpm"
    assert heart_rate_text(fresh, zone) == "128 bpm  zone 2: 114-133"
    stale = replace(snap, heart_rate_state="stale")
    assert heart_rate_text(stale, plain) == "lost"
    assert heart_rate_text(stale, zone) == "lost  zone 2: 114-133"


def test_a_session_stopped_part_way_shows_how_far_it_got(tmp_path: Path) -> None:
    plan = short_plan(tmp_path)
    starts = tuple(segment.start_s for segment in plan.segments)
    total = plan.total_duration_s
    running = replace(
        Engine(plan, 0.0).snapshot(0.0),
        state=SessionState.RUNNING,
        segment_index=1,
        segment_elapsed_s=4.0,
    )
    where = starts[1] + 4.0
    assert plan_position_s(running, starts, total) == where
    # Stopped by the runner or by a fault: the bar and the chart stay where it ended.
    for ended in (SessionState.STOPPED, SessionState.INTERRUPTED):
        assert plan_position_s(replace(running, state=ended), starts, total) == where
    assert plan_position_s(replace(running, state=SessionState.FINISHED), starts, total) == total


def test_next_says_when_a_step_may_end_sooner() -> None:
    document = parse_profile(
        "name: sooner\nsteps:\n"
        "  - {duration: 5m, speed: 8}\n"
        "  - {duration: 10m, speed: 9, until_heart_rate: {above: 150}}\n"
        "  - {duration: 2m, speed: 6, open: true}\n"
        "  - {direction: backward, duration: 3m, speed: 4, until_heart_rate: {below: 120}}\n"
    )
    plan = compile_plan(document.profile)
    build, easy, turn, walk = plan.segments[1:5]
    assert turn.kind == "turn"
    assert preview_text(view.preview(build), planned=build) == (
        "Next: FORWARD up to 10:00 at 9.0 km/h, 0 %, until HR above 150"
    )
    assert preview_text(view.preview(easy), planned=easy) == (
        "Next: FORWARD up to 2:00 at 6.0 km/h, 0 %, ends on skip"
    )
    assert preview_text(view.preview(turn), walk, planned=turn) == (
        "Next: turn, then BACKWARD up to 3:00 at 4.0 km/h, 0 %, until HR below 120"
    )
