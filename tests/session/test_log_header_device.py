"""The session log's header answers a maintainer's first questions about the treadmill:
the capability notes (what retrorun assumed), the mph mode and the saved settings in force;
the Training Status stream follows as ``status`` lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.session.logcheck import check_log

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult


def test_the_header_names_the_notes_and_the_mph_mode_in_force(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    log = tmp_path / "mph.jsonl"
    result = cli(
        "run", "one-minute-alternation", "--sim", "--sim-preset", "mph", "--mph-in-kmh-fields",
        "--fast", "--log", str(log),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    lines = check_log(log)
    device = lines[0]["device"]
    assert device["capability_notes"] == ["speed fields are read as mph (per-device setting)"]
    assert device["mph_mode"] == "mph"
    assert "saved_settings" not in device  # never checked
    statuses = [
        line["training_status"] for line in lines if line.get("status") == "training_status"
    ]
    assert statuses[:2] == ["pre_workout", "manual_mode"]
    assert statuses[-1] == "post_workout"


def test_the_header_carries_the_saved_settings_applied(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    assert cli("check", "--sim", "--sim-preset", "mph-commands", "--yes").exit_code == 0
    log = tmp_path / "saved.jsonl"
    result = cli(
        "run", "one-minute-alternation", "--sim", "--sim-preset", "mph-commands", "--fast",
        "--log", str(log),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    device = check_log(log)[0]["device"]
    assert device["mph_mode"] == "mph_commands"  # from the saved settings
    saved = device["saved_settings"]
    assert (saved["address"], saved["mph_mode"], saved["verdict"]) == (
        "sim:mph-commands",
        "mph_commands",
        "ok",
    )
    assert device["capability_notes"] == []
