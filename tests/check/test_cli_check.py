"""``retrorun check`` on the simulator, as a runner types it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import CliResult


@pytest.mark.parametrize(
    ("preset", "code", "verdict"),
    [
        ("console-start", 0, "verdict: ok (console start, min 1 km/h)"),
        ("mph-commands", 0, "verdict: ok (mph commands, min 1 km/h)"),
        ("ignores-speed", 1, "verdict: unsafe"),
    ],
)
def test_check_on_the_simulator(
    cli: Callable[..., CliResult], preset: str, code: int, verdict: str
) -> None:
    result = cli("check", "--sim", "--sim-preset", preset, "--yes")
    assert result.exit_code == code, result.stderr
    assert verdict in result.stdout
    assert "Stop: the belt is at rest" in result.stdout or "stopping the belt" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--sim", "--device", "AA"), "--device and --sim exclude each other"),
        ((), "name the treadmill with --device"),
        (("--sim", "--sim-preset", "nope"), "unknown simulator preset 'nope'"),
        (("--device", "AA", "--sim-preset", "mph"), "--sim-preset only applies"),
    ],
)
def test_bad_input_is_one_line(
    cli: Callable[..., CliResult], args: tuple[str, ...], message: str
) -> None:
    result = cli("check", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
