"""``retrorun export``: where files go, what it says about interrupted logs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from tests.recording.fixtures import TINY
from tests.recording.garmin import decode
from tests.recording.logs import bundled_plan, cut, play

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult


def test_export_writes_fit_next_to_the_log_by_default(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    log = tmp_path / "2026-11-21T06-00-00-tiny.jsonl"
    log.write_text(TINY, encoding="utf-8")
    result = cli("export", str(log))
    assert result.exit_code == 0
    target = tmp_path / "2026-11-21T06-00-00-tiny.fit"
    assert result.stdout == f"wrote {target}\n"
    assert result.stderr == ""
    assert decode(target.read_bytes())["session_mesgs"][0]["num_laps"] == 3


def test_export_tcx_to_a_chosen_file(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    log = tmp_path / "tiny.jsonl"
    log.write_text(TINY, encoding="utf-8")
    target = tmp_path / "out" / "run.tcx"
    target.parent.mkdir()
    result = cli("export", str(log), "--format", "tcx", "-o", str(target))
    assert result.exit_code == 0
    assert ET.parse(target).getroot().tag.endswith("TrainingCenterDatabase")  # noqa: S314 - our own output


def test_an_interrupted_log_exports_with_a_note(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    log = tmp_path / "killed.jsonl"
    log.write_text(cut(play(bundled_plan("six-week-1")).text, 300.0), encoding="utf-8")
    result = cli("export", str(log))
    assert result.exit_code == 0
    assert "ends without a summary (interrupted session)" in result.stderr
    assert decode((tmp_path / "killed.fit").read_bytes())["lap_mesgs"]


def test_an_unwritable_output_is_bad_input(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    log = tmp_path / "tiny.jsonl"
    log.write_text(TINY, encoding="utf-8")
    result = cli("export", str(log), "-o", str(tmp_path / "missing" / "x.fit"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"retrorun: {tmp_path / 'missing' / 'x.fit'}: cannot write")
    assert result.stderr.count("\n") == 1
