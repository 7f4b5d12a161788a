"""Fixtures shared by every test package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


@pytest.fixture(autouse=True)
def _own_cache_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rendered speech goes to a folder of the test run's, never the user's cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@dataclass(frozen=True)
class CliResult:
    """What one run of the command line produced."""

    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture(autouse=True)
def treadmill_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own per-treadmill settings file (never the user's)."""
    path = tmp_path / "treadmills.toml"
    monkeypatch.setenv("RETRORUN_TREADMILLS", str(path))
    return path


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``retrorun ARGS...`` in-process and return its exit code and output."""

    # Imported here: the command line loads click and much of retrorun, which costs seconds
    # in make test-ble's emulated machine, whose tests start it only when they need it.
    from retrorun.cli import run  # noqa: PLC0415

    def invoke(*args: str) -> CliResult:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exited:
            run(list(args))
        captured = capsys.readouterr()
        code = exited.value.code
        return CliResult(code if isinstance(code, int) else 1, captured.out, captured.err)

    return invoke
