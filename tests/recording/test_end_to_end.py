"""A simulated session run from the command line, its activity decoded by Garmin's SDK."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.recording.garmin import decode

if TYPE_CHECKING:
    from pathlib import Path

RUN_TIMEOUT_S = 120


def _run(log: Path, *extra: str, profile: str = "first-backward-walk") -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "retrorun",
            "run",
            profile,
            "--sim",
            "--fast",
            "--headless",
            "--log",
            str(log),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _summary(log: Path) -> dict[str, object]:
    last = json.loads(log.read_text().splitlines()[-1])
    assert last["type"] == "summary"
    return dict(last)


@pytest.mark.parametrize("profile", ["first-backward-walk", "four-hundred-forward-backward"])
def test_a_simulated_session_exports_a_fit_file_garmin_reads(tmp_path: Path, profile: str) -> None:
    log = tmp_path / "session.jsonl"
    out = _run(log, "--export", "fit", profile=profile)
    assert f"wrote {log.with_suffix('.fit')}" in out
    messages = decode(log.with_suffix(".fit").read_bytes())
    summary = _summary(log)
    segments = [json.loads(line) for line in log.read_text().splitlines()]
    segments = [e for e in segments if e.get("type") == "segment"]
    (session,) = messages["session_mesgs"]
    assert session["sport"] == "running"
    assert session["sub_sport"] == "treadmill"
    # One lap per segment, the distance and the active time of the session.
    assert len(messages["lap_mesgs"]) == len(segments)
    assert session["total_distance"] == pytest.approx(summary["distance_m"], abs=5.0)
    assert session["total_timer_time"] == pytest.approx(summary["duration_s"], abs=2.0)


def test_the_config_file_asks_for_exports_after_every_session(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[export]\nformats = ["tcx", "fit"]\n')
    log = tmp_path / "session.jsonl"
    out = _run(log, "--config", str(config))
    assert log.with_suffix(".tcx").exists()
    assert log.with_suffix(".fit").exists()
    assert out.index(".tcx") < out.index(".fit")


def test_a_bad_export_setting_names_its_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[export]\nformats = ["gpx"]\n')
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "retrorun",
            "run",
            "first-backward-walk",
            "--sim",
            "--fast",
            "--headless",
            "--config",
            str(config),
            "--log",
            str(tmp_path / "s.jsonl"),
        ],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 2
    assert f"{config}:2" in done.stderr
    assert "export.formats" in done.stderr


def test_the_config_file_names_the_device_the_fit_file_says_recorded_it(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[export]\nformats = ["fit"]\n'
        "fit_device = { manufacturer = 1, product = 3113, serial_number = 3391234567 }\n"
    )
    log = tmp_path / "session.jsonl"
    _run(log, "--config", str(config))
    messages = decode(log.with_suffix(".fit").read_bytes())
    file_id = messages["file_id_mesgs"][0]
    assert file_id["manufacturer"] == "garmin"
    assert file_id["garmin_product"] == 3113 or file_id["product"] == 3113
    assert file_id["serial_number"] == 3391234567
