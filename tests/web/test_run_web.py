"""``retrorun run --web``: the browser view starts beside the session the command runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult


def test_run_with_web_serves_the_session_and_says_where(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    log = tmp_path / "web.jsonl"
    result = cli(
        "run", "first-backward-walk", "--sim", "--fast", "--headless",
        "--web", "127.0.0.1:0", "--web-pin", "4821", "--log", str(log),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Web view: http://127.0.0.1:" in result.stderr
    assert "PIN 4821" in result.stderr


def test_a_bad_web_address_is_one_line_and_exit_2(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    log = tmp_path / "never.jsonl"
    result = cli(
        "run", "first-backward-walk", "--sim", "--fast", "--web", "nowhere:http", "--log", str(log)
    )
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--web" in result.stderr
    assert not log.exists()
