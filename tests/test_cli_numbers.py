"""Hostile numbers and files on the command line: click's one line and exit 2, at once.

NaN passed `click.FloatRange` (every comparison with it is false) and reached code that
raised or hung: ``--speedup nan`` ended in "no treadmill found" (exit 1), ``sim --speed nan``
in an encoder error, ``sim --duration inf`` never ended, ``summary --width 100000000`` built
a chart of a hundred million columns, and ``sim --replay`` on a FIFO blocked forever.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from tests.recording.fixtures import EVENTS, HEADER, jsonl

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sim", "--duration", "nan"], "'--duration': 'nan' is not a finite number"),
        (["sim", "--duration", "inf"], "'--duration': inf is not in the range 0<=x<=36000"),
        (["sim", "--speed", "nan"], "'--speed': 'nan' is not a finite number"),
        (["sim", "--speed", "1e9"], "'--speed': 1000000000.0 is not in the range 0<=x<=30"),
        (["scan", "--timeout", "nan"], "'--timeout': 'nan' is not a finite number"),
        (["summary", "LOG", "--width", "100000000"], "'--width': 100000000 is not in the range"),
    ],
)
def test_a_hostile_number_is_one_line_and_exit_2(
    cli: Callable[..., CliResult], tmp_path: Path, args: list[str], message: str
) -> None:
    log = tmp_path / "x.jsonl"
    log.write_text(jsonl(HEADER, *EVENTS))
    result = cli(*(str(log) if arg == "LOG" else arg for arg in args))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert message in result.stderr, result.stderr


def test_a_replay_that_is_a_pipe_is_refused(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    fifo = tmp_path / "capture.txt"
    os.mkfifo(fifo)
    result = cli("sim", "--replay", str(fifo))
    assert result.exit_code == 2
    assert result.stderr == f"retrorun: {fifo}: not a regular file (a pipe)\n"
