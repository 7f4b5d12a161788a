"""Screen transitions against a real simulated session: help, quit, the end, the summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.widgets import Label, Static

from retrorun.config import Config
from retrorun.recording.log_reader import read_log
from retrorun.session.api import CommandKind, SessionEnded, SessionState, Totals, UserCommand
from retrorun.session.keys import KEY_MAP, help_lines
from retrorun.tui import Launched, RetrorunApp
from retrorun.tui.screens import ConfirmQuit, HelpScreen, SessionScreen, SummaryScreen
from retrorun.tui.text import clock_text
from retrorun.tui.widgets import CueBanner, Readouts, StateLine
from tests.tui.rig import SimSession, short_profile

if TYPE_CHECKING:
    from textual.pilot import Pilot


SIZE = (80, 24)


def _app(session: SimSession, tmp_path: Path, notice: str | None = None) -> RetrorunApp:
    return RetrorunApp(session.launched(notice), memory_path=tmp_path / "memory.json")


async def _run_then_quit(session: SimSession, pilot: Pilot[None], seconds: float) -> None:
    """Run for `seconds` (the belt moving), then q, y, and let the session end."""
    await session.advance_until(lambda s: s.state == SessionState.RUNNING)
    await session.advance(seconds)
    assert session.sim.readings().speed_kmh > 0
    await pilot.press("q", "y")
    await session.clock.run_until(session.task, limit=30)
    await pilot.pause()


async def test_question_mark_lists_every_key_and_escape_closes_it(
    session: SimSession, tmp_path: Path
) -> None:
    app = _app(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = str(app.screen.query_one("#help-keys", Static).render())
        for line in help_lines():  # the key map, as the headless view lists it too
            assert line in shown
        assert len(help_lines()) == len(KEY_MAP)
        box = app.screen.query_one("#help").region  # all of it on an 80x24 terminal
        assert box.y >= 0
        assert box.bottom <= SIZE[1]
        keys = app.screen.query_one("#help-keys", Static)
        assert keys.region.height == len(shown.splitlines())  # no line wraps
        await pilot.press("escape")
        assert isinstance(app.screen, SessionScreen)


async def test_q_asks_first_and_n_keeps_the_session_running(
    session: SimSession, tmp_path: Path
) -> None:
    app = _app(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await session.advance_until(lambda s: s.state == SessionState.RUNNING)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmQuit)
        await pilot.press("n")
        await session.advance(1)
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert session.runner.snapshot().state == SessionState.RUNNING


async def test_q_then_y_stops_the_belt_and_shows_the_summary(
    session: SimSession, tmp_path: Path
) -> None:
    app = _app(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _run_then_quit(session, pilot, 5)
        assert session.task.result().outcome == "stopped"
        await session.clock.advance(20)  # the belt runs down
        assert session.sim.readings().speed_kmh == 0.0
        assert app.ended is not None
        assert isinstance(app.screen, SummaryScreen)
        assert "STOPPED" in str(app.screen.query_one("#summary-title", Label).render())
        await pilot.press("q")
    assert app.return_code == 0


async def test_the_end_of_the_plan_shows_the_summary_and_exports_fit(
    session: SimSession, tmp_path: Path
) -> None:
    app = _app(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await session.clock.run_until(session.task, limit=600)
        await pilot.pause()
        assert session.task.result().outcome == "finished"
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        report = str(summary.query_one("#summary-report", Static).render())
        assert "backward" in report
        assert "km/h" in report  # the speed chart
        assert str(session.log_path) in str(summary.query_one("#summary-log", Label).render())
        await pilot.press("x")
        await pilot.pause()
        fit = session.log_path.with_suffix(".fit")
        assert fit.read_bytes()[8:12] == b".FIT"
        assert summary.exported == f"FIT written: {fit}"
        # Under the summary, the session screen shows the end too.
        session_screen = app.screen_stack[-2]
        assert isinstance(session_screen, SessionScreen)
        assert session_screen.query_one(StateLine).state == "finished"
    assert read_log(session.log_path).complete


async def test_a_runner_who_picks_imperial_units_sees_mph_and_miles_everywhere(
    tmp_path: Path,
) -> None:
    session = await SimSession.start(
        short_profile(tmp_path), tmp_path / "session.jsonl", config=Config(units="imperial")
    )
    try:
        app = _app(session, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await session.advance_until(lambda s: s.state == SessionState.RUNNING)
            await session.advance(10)
            await pilot.pause()
            readouts = app.screen.query_one(Readouts)
            assert readouts.speed.startswith("3.7 mph (now ")  # 6 km/h
            assert readouts.speed.endswith(" /mi")
            assert readouts.distance.endswith(" mi")
            assert readouts.next_up == "Next: turn, then BACKWARD 0:30 at 2.5 mph, 2 %"
            await session.clock.run_until(session.task, limit=600)
            await pilot.pause()
            summary = app.screen
            assert isinstance(summary, SummaryScreen)
            await app.workers.wait_for_complete()
            await pilot.pause()
            totals = str(summary.query_one("#summary-totals", Static).render())
            report = str(summary.query_one("#summary-report", Static).render())
            assert " mi" in totals
            assert "avg mph" in report
            assert "mph └" in report  # the speed chart's axis
            assert "km" not in totals + report
    finally:
        await session.close()


async def test_the_audio_notice_is_shown_once_in_the_banner(
    session: SimSession, tmp_path: Path
) -> None:
    notice = "espeak-ng not found: cues are beeps only (apt install espeak-ng)"
    app = _app(session, tmp_path, notice)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one(CueBanner).text == notice


async def test_without_a_log_the_summary_shows_the_session_totals(
    session: SimSession, tmp_path: Path
) -> None:
    app = RetrorunApp(Launched(session.runner), memory_path=tmp_path / "memory.json")
    async with app.run_test(size=SIZE) as pilot:
        await _run_then_quit(session, pilot, 20)
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        totals = str(summary.query_one("#summary-totals", Static).render())
        forward = session.task.result().totals.forward
        assert forward.duration_s > 15
        assert f"forward  {clock_text(forward.duration_s):>8}" in totals
        assert "no session log" in str(summary.query_one("#summary-log", Label).render())
        await pilot.press("x")  # nothing to export: nothing happens
        assert summary.exported is None


async def test_the_keys_of_the_map_send_their_commands(session: SimSession, tmp_path: Path) -> None:
    app = _app(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await session.advance_until(lambda s: s.state == SessionState.RUNNING)
        keys = ("p", "r", "s", "u", "d", "right_square_bracket", "greater_than_sign")
        for count, key in enumerate(keys, start=1):
            await pilot.press(key)
            while len(app.answers) < count:
                await pilot.pause()
        sent = [answer.command for answer in app.answers]
        assert sent == [
            UserCommand(CommandKind.PAUSE, source="key"),
            UserCommand(CommandKind.RESUME, source="key"),
            UserCommand(CommandKind.SKIP, source="key"),
            UserCommand(CommandKind.INCLINE, 0.5, source="key"),
            UserCommand(CommandKind.INCLINE, -0.5, source="key"),
            UserCommand(CommandKind.SPEED, 0.5, source="key"),
            UserCommand(CommandKind.SPEED, 0.5, source="key"),
        ]


async def test_ctrl_c_stops_the_belt_and_leaves(session: SimSession, tmp_path: Path) -> None:
    app = _app(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await session.advance_until(lambda s: s.state == SessionState.RUNNING)
        await session.advance(5)
        assert session.sim.readings().speed_kmh > 0
        await pilot.press("ctrl+c")
        await session.clock.run_until(session.task, limit=30)
        await pilot.pause()
    ended = session.task.result()
    assert (ended.outcome, ended.exit_code) == ("stopped", 3)
    assert not app.is_running
    await session.clock.advance(20)  # the belt runs down
    assert session.sim.readings().speed_kmh == 0.0


async def test_ctrl_q_asks_like_q(session: SimSession, tmp_path: Path) -> None:
    app = _app(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await session.advance_until(lambda s: s.state == SessionState.RUNNING)
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmQuit)
        await pilot.press("ctrl+q")  # asking twice asks once
        await pilot.press("n")
        await session.advance(1)
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert session.runner.snapshot().state == SessionState.RUNNING
        await pilot.press("ctrl+q", "y")
        await session.clock.run_until(session.task, limit=30)
        await pilot.pause()
        assert session.task.result().outcome == "stopped"
        assert isinstance(app.screen, SummaryScreen)


class LongPathReport:
    """A session log deep in the user data folder, whose path is wider than the screen."""

    log_path = (
        Path.home() / ".local/share/retrorun/sessions/simulated"
        / "2026-12-01T19-05-00-one-minute-forward-one-minute-backward.jsonl"
    )  # fmt: skip

    async def summary_lines(self, width: int) -> list[str]:
        return [f"a summary {width} columns wide"]

    async def export_fit(self) -> Path:
        return self.log_path.with_suffix(".fit")


async def test_a_long_log_path_wraps_on_the_summary_instead_of_being_cut(tmp_path: Path) -> None:
    ended = SessionEnded(60.0, "finished", "finished", 0, Totals())
    app = RetrorunApp(memory_path=tmp_path / "memory.json")
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(SummaryScreen(ended, LongPathReport()))
        await pilot.pause()
        label = app.screen.query_one("#summary-log", Label)
        shown = "~/.local/share/retrorun/sessions/simulated/2026-12-01T19-05-00-one-minute-forward"
        assert str(label.render()).startswith(f"log: {shown}")
        assert str(label.render()).endswith("-one-minute-backward.jsonl")
        # Every character is on screen: the label takes the lines the path needs.
        lines = [strip.text for strip in label.render_lines(label.region.reset_offset)]
        assert "".join(line.rstrip()[1:] for line in lines) == str(label.render())
        assert len(lines) == 2
        assert label.region.bottom <= SIZE[1] - 1  # above the buttons
