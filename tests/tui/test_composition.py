"""``retrorun run`` with the TUI: how the command composes a session for the app.

The session runs on the simulator in virtual time (`run_virtual`), so half a minute of
running passes at once.
"""

from __future__ import annotations

import asyncio
import importlib
from typing import TYPE_CHECKING

import pytest

from retrorun.cli.tui_session import Composition, TuiOptions
from retrorun.clock import run_virtual
from retrorun.config import AudioConfig, Config
from retrorun.recording.log_reader import read_log
from retrorun.session.api import SessionState
from retrorun.tui import RetrorunApp

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult


def _options(tmp_path: Path, voice: bool | None) -> TuiOptions:
    return TuiOptions(
        device=None,
        sim_options=("strict", ()),
        log_path=tmp_path / "session.jsonl",
        trace=False,
        config_path=None,
        voice=voice,
    )


def test_closing_the_app_stops_a_running_session_and_completes_its_log(tmp_path: Path) -> None:
    quiet = Config(audio=AudioConfig(voice=True, tones=False))
    composition = Composition(_options(tmp_path, voice=False), quiet)

    async def main() -> tuple[SessionState, list[str], object]:
        launched = await composition.launch("one-minute-alternation", None)
        assert launched.notice is None  # --no-voice: nothing to apologise for
        await asyncio.sleep(30)
        state = launched.handle.snapshot().state
        ended = await composition.finish()
        assert launched.report is not None
        lines = await launched.report.summary_lines(40)
        return state, lines, ended

    state, lines, ended = run_virtual(main())
    assert state == SessionState.RUNNING
    assert getattr(ended, "outcome", None) == "stopped"
    log = read_log(tmp_path / "session.jsonl")
    assert log.complete
    assert any(e.type == "command" and e.get("action") == "stop" for e in log.events)
    assert any("forward" in line for line in lines)


def test_a_second_launch_is_refused(tmp_path: Path) -> None:
    quiet = Config(audio=AudioConfig(voice=False, tones=False))
    composition = Composition(_options(tmp_path, voice=None), quiet)

    async def main() -> str:
        await composition.launch("one-minute-alternation", None)
        try:
            await composition.launch("one-minute-alternation", None)
        except Exception as exc:  # noqa: BLE001 - the message is what is checked
            return str(exc)
        finally:
            await composition.finish()
        return "accepted"

    assert "already running" in run_virtual(main())


async def _never(*_: object, **__: object) -> None:
    pytest.fail("the app opened")


def test_a_bad_profile_fails_before_the_screen_changes(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The package's `run` attribute is the click command, so the module is fetched by name.
    monkeypatch.setattr(importlib.import_module("retrorun.cli.run"), "_terminal", lambda: True)
    monkeypatch.setattr(RetrorunApp, "run_async", _never)
    result = cli("run", "no-such-profile", "--sim", "--log", str(tmp_path / "s.jsonl"))
    assert result.exit_code == 2
    assert "no-such-profile" in result.stderr
    assert not (tmp_path / "s.jsonl").exists()
