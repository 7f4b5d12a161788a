"""The command line's own contract: help, version, exit codes."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import retrorun

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import CliResult


def test_help_lists_the_program(cli: Callable[..., CliResult]) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    assert "Usage: retrorun" in result.stdout
    assert "treadmill" in result.stdout


def test_version_prints_the_package_version(cli: Callable[..., CliResult]) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert retrorun.__version__ in result.stdout


def test_unknown_command_is_bad_input(cli: Callable[..., CliResult]) -> None:
    result = cli("no-such-command")
    assert result.exit_code == 2
    assert "No such command" in result.stderr


def test_python_dash_m_runs_the_same_program() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "retrorun", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert retrorun.__version__ in done.stdout
