"""The session screen against a real session on the simulator: every key and button."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrorun.session.api import CommandKind, Phase, SessionState
from retrorun.session.cues import HEADS_UP_S
from retrorun.tui import RetrorunApp
from retrorun.tui.screens import SessionScreen
from retrorun.tui.widgets import CueBanner, DirectionIndicator, Readouts, StateLine
from tests.tui.rig import SimSession, short_profile

if TYPE_CHECKING:
    from pathlib import Path

SIZE = (80, 24)


def _app(session: SimSession, tmp_path: Path) -> RetrorunApp:
    return RetrorunApp(session.launched(), memory_path=tmp_path / "memory.json")


async def test_the_screen_follows_the_session_from_connecting_to_running(
    session: SimSession, tmp_path: Path
) -> None:
    app = _app(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        assert screen.query_one(StateLine).text.startswith("● CONNECTING")
        await session.advance_until(lambda s: s.state == SessionState.RUNNING)
        await session.advance(5)
        await pilot.pause()
        snap = session.runner.snapshot()
        assert screen.query_one(StateLine).text.startswith("● RUNNING")
        direction = screen.query_one(DirectionIndicator)
        assert (direction.word, direction.kind) == ("FORWARD", "forward")
        assert screen.last.segment_remaining_s is not None
        assert abs(screen.last.t - snap.t) <= 0.25
        readouts = screen.query_one(Readouts)
        assert readouts.speed.startswith("6.0 km/h")
        assert readouts.next_up == "Next: turn, then BACKWARD 0:30 at 4.0 km/h, 2 %"


async def test_space_pauses_and_resumes(session: SimSession, tmp_path: Path) -> None:
    app = _app(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await session.advance_until(lambda s: s.state == SessionState.RUNNING)
        await pilot.press("space")
        await session.advance(1)
        await pilot.pause()
        assert session.runner.snapshot().state == SessionState.PAUSED
        assert app.screen.query_one(StateLine).state == "paused"
        paused = app.answers[-1].command
        assert paused.kind == CommandKind.PAUSE
        await pilot.press("space")
        await session.advance_until(lambda s: s.state == SessionState.RUNNING)
        await session.advance(0.5)
        await pilot.pause()
        assert app.answers[-1].command.kind == CommandKind.RESUME
        assert app.screen.query_one(StateLine).state == "running"


async def test_n_skips_to_the_next_segment(session: SimSession, tmp_path: Path) -> None:
    app = _app(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        # The backward interval: skipping it brings the turn back to forward.
        first = await session.advance_until(
            lambda s: s.segment_kind == "interval" and s.direction == "backward"
        )
        await pilot.press("n")
        await pilot.pause()
        await session.advance(0.5)
        await pilot.pause()
        assert app.answers[-1].accepted, app.answers[-1].reason
        assert (session.runner.snapshot().segment_index or 0) > (first.segment_index or 0)
        assert app.screen.query_one(DirectionIndicator).word == "TURN"


async def test_speed_keys_nudge_by_a_tenth_and_a_half(session: SimSession, tmp_path: Path) -> None:
    app = _app(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await session.advance_until(lambda s: s.state == SessionState.RUNNING)
        await session.advance(2)
        steps: list[tuple[str, float]] = [
            ("plus", 0.1),
            ("equals_sign", 0.1),
            ("minus", -0.1),
            ("greater_than_sign", 0.5),
            ("less_than_sign", -0.5),
        ]
        for key, amount in steps:
            before = session.runner.snapshot().target_speed_kmh or 0.0
            await pilot.press(key)
            await session.advance(0.5)
            await pilot.pause()
            answer = app.answers[-1]
            assert (answer.command.kind, answer.command.amount) == (CommandKind.SPEED, amount)
            assert answer.accepted, answer.reason
            after = session.runner.snapshot().target_speed_kmh or 0.0
            assert round(after - before, 2) == amount, key
        banner = app.screen.query_one(CueBanner)
        assert banner.text.lower().startswith("speed")
        assert banner.flash


async def test_u_and_d_nudge_the_incline(session: SimSession, tmp_path: Path) -> None:
    app = _app(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await session.advance_until(lambda s: s.state == SessionState.RUNNING)
        await session.advance(2)
        for key, amount in (("u", 0.5), ("d", -0.5)):
            before = session.runner.snapshot().target_incline_pct or 0.0
            await pilot.press(key)
            await session.advance(0.5)
            await pilot.pause()
            answer = app.answers[-1]
            assert (answer.command.kind, answer.command.amount) == (CommandKind.INCLINE, amount)
            assert answer.accepted, answer.reason
            assert session.runner.snapshot().target_incline_pct == before + amount


async def test_e_extends_the_segment_by_thirty_seconds(session: SimSession, tmp_path: Path) -> None:
    app = _app(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await session.advance_until(lambda s: s.state == SessionState.RUNNING)
        before = session.runner.snapshot().segment_remaining_s or 0.0
        await pilot.press("e")
        await pilot.pause()
        await session.advance(0.25)
        await pilot.pause()
        answer = app.answers[-1]
        assert (answer.command.kind, answer.command.amount) == (CommandKind.EXTEND, 30.0)
        after = session.runner.snapshot().segment_remaining_s or 0.0
        assert after > before + 29


async def test_the_turn_shows_turn_then_backward(session: SimSession, tmp_path: Path) -> None:
    app = _app(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await session.advance_until(lambda s: s.phase == Phase.TURN_WINDOW)
        await session.advance(0.25)
        await pilot.pause()
        direction = app.screen.query_one(DirectionIndicator)
        assert (direction.word, direction.kind) == ("TURN", "turn")
        assert direction.detail == "to BACKWARD: hold the rails"
        await session.advance_until(
            lambda s: s.segment_kind == "interval" and s.direction == "backward"
        )
        await session.advance(0.25)
        await pilot.pause()
        assert (direction.word, direction.kind) == ("BACKWARD", "backward")
        assert app.screen.query_one(Readouts).incline == "2 %"


async def test_every_cue_lands_in_the_banner(session: SimSession, tmp_path: Path) -> None:
    app = _app(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        # The turn warning comes at least HEADS_UP_S before the belt slows for the turn.
        await session.advance_until(
            lambda s: (
                s.next_segment is not None
                and s.next_segment.kind == "turn"
                and (s.segment_remaining_s or HEADS_UP_S) < HEADS_UP_S
            )
        )
        await pilot.pause()
        banner = app.screen.query_one(CueBanner)
        assert "backward" in banner.text.lower()
        assert banner.flash
        await session.advance(3)
        await pilot.pause()
        assert not banner.flash or "turn" in banner.text.lower()


async def test_the_buttons_do_what_the_keys_do(session: SimSession, tmp_path: Path) -> None:
    app = _app(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await session.advance_until(lambda s: s.state == SessionState.RUNNING)
        await session.advance(2)
        clicked = await pilot.click("#buttons Button")  # the first: pause
        assert clicked
        await session.advance(0.5)
        await pilot.pause()
        assert session.runner.snapshot().state == SessionState.PAUSED


async def test_a_dropped_link_shows_reconnecting_until_it_is_back(tmp_path: Path) -> None:
    session = await SimSession.start(
        short_profile(tmp_path), tmp_path / "s.jsonl", faults=("disconnect@20:4",)
    )
    try:
        app = _app(session, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await session.advance_until(lambda s: s.state == SessionState.RECONNECTING)
            await session.advance(0.25)
            await pilot.pause()
            state = app.screen.query_one(StateLine)
            assert state.state == "reconnecting"
            assert state.text.startswith("● RECONNECTING")
            await session.advance_until(lambda s: s.state != SessionState.RECONNECTING)
            await session.advance(0.25)
            await pilot.pause()
            assert state.state != "reconnecting"
    finally:
        await session.close()
