"""``retrorun run`` with the TUI: how the command launches a session for the app.

The session runs on the simulator in virtual time (`run_virtual`), so half a minute of
running passes at once.
"""

from __future__ import annotations

import asyncio
import importlib
import io
from typing import TYPE_CHECKING, Any

import pytest

from retrorun.cli.launch import LaunchOptions
from retrorun.cli.tui_session import TuiSession
from retrorun.clock import run_virtual
from retrorun.config import Config
from retrorun.recording.log_reader import read_log
from retrorun.session.api import SessionState
from retrorun.tui import RetrorunApp

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult


def _options(tmp_path: Path) -> LaunchOptions:
    return LaunchOptions(profile=None, config=Config(), log_path=tmp_path / "session.jsonl")


def test_closing_the_app_stops_a_running_session_and_completes_its_log(tmp_path: Path) -> None:
    shown = TuiSession(_options(tmp_path))

    async def main() -> tuple[SessionState, list[str], object]:
        launched = await shown.launch("one-minute-alternation", None)
        assert launched.notice is None  # silent: nothing to apologise for
        await asyncio.sleep(30)
        state = launched.handle.snapshot().state
        ended = await shown.finish()
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
    shown = TuiSession(_options(tmp_path))

    async def main() -> str:
        await shown.launch("one-minute-alternation", None)
        try:
            await shown.launch("one-minute-alternation", None)
        except Exception as exc:  # noqa: BLE001 - the message is what is checked
            return str(exc)
        finally:
            await shown.finish()
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


FAST_FORWARD = """\
name: Fast forward
description: One brisk forward minute.
steps:
  - {duration: 60s, speed: 9, label: forward run}
"""


def test_an_mph_treadmill_on_the_tui_path_runs_at_the_commanded_speed(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A treadmill with mph in its km/h fields, reached as a real device (`--device`): the
    # simulator's mph preset behind bleak's backend, the radio being the one part a test
    # cannot reach. The belt itself says whether the mph conversion reached the treadmill.
    from retrorun import device  # noqa: PLC0415
    from retrorun.clock import LoopClock  # noqa: PLC0415
    from retrorun_sim import SimulatedTreadmill, registry  # noqa: PLC0415
    from tests.tui.rig import SIM_BACKENDS  # noqa: PLC0415

    profile = tmp_path / "fast-forward.yaml"
    profile.write_text(FAST_FORWARD, encoding="utf-8")
    treadmills: list[SimulatedTreadmill] = []
    measured: list[tuple[float | None, float]] = []
    real_open = device.open_treadmill

    async def open_over_the_simulator(target: str, **options: Any) -> device.Treadmill:  # noqa: ANN401
        if not treadmills:
            treadmills.append(SimulatedTreadmill(preset="mph", clock=LoopClock()))
            await treadmills[0].start()
        options["backends"] = SIM_BACKENDS
        return await real_open(treadmills[0].address if target else target, **options)

    async def run_for_a_while(app: RetrorunApp) -> None:
        assert app.launched is not None
        await asyncio.sleep(45)  # virtual time: the belt has long reached its speed
        target = app.launched.handle.snapshot().target_speed_kmh
        measured.append((target, treadmills[0].readings().speed_kmh))

    monkeypatch.setattr(importlib.import_module("retrorun.cli.run"), "_terminal", lambda: True)
    monkeypatch.setattr(device, "open_treadmill", open_over_the_simulator)
    monkeypatch.setattr(RetrorunApp, "run_async", run_for_a_while)
    monkeypatch.setattr(asyncio, "run", run_virtual)
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))  # the safety key is clipped on
    try:
        result = cli(
            "run", str(profile), "--device", "Garage Treadmill", "--mph-in-kmh-fields",
            "--no-voice", "--log", str(tmp_path / "s.jsonl"),
        )  # fmt: skip
    finally:
        for treadmill in treadmills:  # its loop is gone: take it off the air by hand
            registry.unregister(treadmill)
    assert result.exit_code == 3, result.stderr  # stopped when the app closed
    [(target, belt)] = measured
    assert target == pytest.approx(9.0, abs=0.1)  # to the treadmill's 0.01 mph steps
    assert belt == pytest.approx(9.0, abs=0.3), f"the belt runs {belt:.1f} km/h"


async def _close_at_once(app: RetrorunApp) -> None:
    del app


@pytest.mark.parametrize("view", ["headless", "tui"])
def test_the_config_file_is_read_once_per_run(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, view: str
) -> None:
    from retrorun import config  # noqa: PLC0415

    path = tmp_path / "config.toml"
    path.write_text("[limits]\nturn_window_s = 12\n\n[audio]\nvoice = false\ntones = false\n")
    reads: list[Path] = []
    parse = config.parse_config

    def counting(text: str, where: Path) -> config.Config:
        reads.append(where)
        return parse(text, where)

    monkeypatch.setattr(config, "parse_config", counting)
    monkeypatch.setattr(importlib.import_module("retrorun.cli.run"), "_terminal", lambda: True)
    monkeypatch.setattr(RetrorunApp, "run_async", _close_at_once)
    monkeypatch.setattr(asyncio, "run", run_virtual)
    args = ["--headless", "--fast"] if view == "headless" else []
    result = cli(
        "run", "first-backward-walk", "--sim", *args, "--config", str(path),
        "--log", str(tmp_path / "s.jsonl"),
    )  # fmt: skip
    assert result.exit_code in {0, 3}, result.stderr
    assert reads == [path]
