"""Windows has no termios and no event-loop signal handlers: the command line still starts,
runs headless and stops on Ctrl-C there. No Windows machine runs these tests, so Windows'
absences are made here: ``platforms.posix`` says no, ``termios`` cannot be imported and the
loop refuses signal handlers the way Windows' loops do."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import TYPE_CHECKING

import pytest

from retrorun import platforms
from retrorun.cli.signals import on_stop_signals
from retrorun.headless import NO_KEYS

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult


class _Terminal:
    """stdin as a terminal whose descriptor must not be touched."""

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        raise AssertionError("the terminal was read on a system without termios")


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_args: object) -> None:
        raise NotImplementedError  # what Windows' event loops answer

    monkeypatch.setattr(platforms, "posix", lambda: False)
    monkeypatch.setitem(sys.modules, "termios", None)  # importing it raises ImportError
    monkeypatch.setitem(sys.modules, "tty", None)
    monkeypatch.setattr(asyncio.SelectorEventLoop, "add_signal_handler", refused)
    monkeypatch.setattr(asyncio.SelectorEventLoop, "remove_signal_handler", refused)
    monkeypatch.setattr(sys, "stdin", _Terminal())


@pytest.mark.usefixtures("windows")
def test_run_starts_and_finishes_headless(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    log = tmp_path / "session.jsonl"
    result = cli("run", "one-minute-alternation", "--sim", "--fast", "--log", str(log))
    assert result.exit_code == 0, result.stderr
    assert NO_KEYS in result.stdout
    assert "finished after" in result.stdout


@pytest.mark.usefixtures("windows")
def test_check_runs(cli: Callable[..., CliResult]) -> None:
    result = cli("check", "--sim", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "verdict: ok" in result.stdout


@pytest.mark.parametrize("system", ["windows", "unix"])
async def test_ctrl_c_reaches_the_loop(system: str, request: pytest.FixtureRequest) -> None:
    if system == "windows":
        request.getfixturevalue("windows")  # through signal.signal, handed to the loop
    before = signal.getsignal(signal.SIGINT)
    stopped = asyncio.Event()
    undo = on_stop_signals(stopped.set)
    try:
        signal.raise_signal(signal.SIGINT)
        await asyncio.wait_for(stopped.wait(), timeout=5)
    finally:
        undo()
    if system == "windows":
        assert signal.getsignal(signal.SIGINT) is before


@pytest.mark.parametrize(
    ("system", "version", "needed"),
    [
        ("darwin", "12.0", True),
        ("darwin", "12.2.1", True),
        ("darwin", "12.3", False),
        ("darwin", "11.6", False),
        ("darwin", "14.5", False),
        ("linux", "", False),
        ("win32", "", False),
    ],
)
def test_scans_filter_on_the_service_only_where_macos_needs_it(
    system: str, version: str, *, needed: bool
) -> None:
    # bleak #635: macOS 12.0-12.2 hears nothing in a scan without a service filter.
    assert platforms.scan_needs_service_filter(system, version) is needed


def test_the_filter_asks_for_the_service_sought(monkeypatch: pytest.MonkeyPatch) -> None:
    from retrorun.device import link  # noqa: PLC0415

    assert link._platform_filter(None) == []
    monkeypatch.setattr(platforms, "scan_needs_service_filter", lambda: True)
    assert link._platform_filter(None) == ["00001826-0000-1000-8000-00805f9b34fb"]
    assert link._platform_filter(0x180D) == ["0000180d-0000-1000-8000-00805f9b34fb"]
