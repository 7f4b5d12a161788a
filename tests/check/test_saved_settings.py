"""Per-treadmill settings: what ``retrorun check`` saves and ``retrorun run`` applies."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from retrorun.cli.launch import LaunchOptions
from retrorun.cli.saved_settings import apply_saved_settings
from retrorun.config import Config
from retrorun.device import RampRates
from retrorun.errors import ConfigError
from retrorun.treadmill_settings import (
    SavedTreadmill,
    dumps,
    find_saved,
    load_saved,
    save_treadmill,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import CliResult

URBAN = SavedTreadmill(
    name="URBAN-2",
    mph_mode="mph_commands",
    console_start=True,
    min_speed_kmh=3.2,
    accel_kmh_per_s=0.5,
    verdict="ok",
    checked_at=date(2026, 12, 1),
)


def test_saved_settings_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "treadmills.toml"
    save_treadmill(path, "C4:5A:11:02:9E:31", URBAN)
    odd = URBAN.model_copy(update={"name": 'Café "2"', "verdict": "unsafe", "problems": ["x"]})
    save_treadmill(path, "sim:strict", odd)
    assert load_saved(path) == {"C4:5A:11:02:9E:31": URBAN, "sim:strict": odd}
    assert not list(path.parent.glob("*.tmp"))
    assert URBAN.summary() == "mph commands, console start, min 3.2 km/h"


def test_found_by_address_or_name_whatever_the_case() -> None:
    saved = {"C4:5A:11:02:9E:31": URBAN}
    assert find_saved(saved, "c4:5a:11:02:9e:31") == ("C4:5A:11:02:9E:31", URBAN)
    assert find_saved(saved, "urban-2") == ("C4:5A:11:02:9E:31", URBAN)
    assert find_saved(saved, "Kitchen") is None


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("mph_mode", '"kph"', "AA:BB.mph_mode must be one of kmh, mph, mph_commands, not 'kph'"),
        ("min_speed_kmh", "-1.0", "AA:BB.min_speed_kmh must be a number more than 0"),
        ("console_start", '"yes"', "AA:BB.console_start must be true or false, not 'yes'"),
        ("colour", '"red"', "unknown key AA:BB.colour; known: name, mph_mode"),
        ("speed_factor", "1.6", "AA:BB.speed_factor must be a number from 0.8 to 1.2"),
        ("verdict", None, "AA:BB.verdict must be ok or unsafe; add it"),
        ("checked_at", "= =", "not valid TOML"),
    ],
)
def test_a_bad_entry_is_one_line_and_nothing_is_saved(
    tmp_path: Path, key: str, value: str | None, message: str
) -> None:
    lines = [line for line in dumps({"AA:BB": URBAN}).splitlines() if not line.startswith(key)]
    if value is not None:
        lines.append(f"{key} = {value}")
    path = tmp_path / "treadmills.toml"
    text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    # The line of the key, or of the table's header for a key that is missing.
    line = len(lines) if value is not None else lines.index('["AA:BB"]') + 1
    with pytest.raises(ConfigError) as raised:
        load_saved(path)
    assert str(raised.value).startswith(f"{path}:{line}: {message}")
    assert "\n" not in str(raised.value)
    with pytest.raises(ConfigError):
        save_treadmill(path, "CC:DD", URBAN)
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    ("preset", "verdict", "mph_mode", "console_start", "min_speed_kmh"),
    [
        ("strict", "ok", "kmh", False, 1.0),
        ("laggy", "ok", "kmh", False, 1.0),
        ("mph", "ok", "mph", False, 1.0),
        ("mph-commands", "ok", "mph_commands", False, 1.0),
        ("console-start", "ok", "kmh", True, 1.0),
        ("floor-2mph", "ok", "kmh", False, 3.2),
        ("ignores-speed", "unsafe", "kmh", False, 1.0),
        ("ignores-stop", "unsafe", "kmh", False, 1.0),
    ],
)
def test_check_saves_the_right_settings_per_preset(
    cli: Callable[..., CliResult],
    treadmill_settings: Path,
    preset: str,
    verdict: str,
    mph_mode: str,
    console_start: bool,
    min_speed_kmh: float,
) -> None:
    result = cli("check", "--sim", "--sim-preset", preset, "--yes")
    assert result.exit_code == (0 if verdict == "ok" else 1), result.stderr
    entry = load_saved(treadmill_settings)[f"sim:{preset}"]
    assert (entry.verdict, entry.mph_mode, entry.console_start) == (
        verdict,
        mph_mode,
        console_start,
    )
    assert entry.min_speed_kmh == pytest.approx(min_speed_kmh, abs=0.02)
    assert entry.checked_at == date.today()  # noqa: DTZ011 - the check's own UTC date, near enough
    assert bool(entry.problems) is (verdict == "unsafe")


def test_a_following_run_uses_the_saved_mph_setting(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    profile = ("run", "one-minute-alternation", "--sim", "--sim-preset", "mph-commands", "--fast")
    before = cli(*profile, "--log", str(tmp_path / "before.jsonl"))
    assert "it reads commands as mph" in before.stdout  # found out mid-session, and paused
    assert cli("check", "--sim", "--sim-preset", "mph-commands", "--yes").exit_code == 0
    after = cli(*profile, "--log", str(tmp_path / "after.jsonl"))
    assert after.exit_code == 0, after.stderr
    assert (
        "retrorun: using saved settings for the simulator (mph-commands): mph commands, "
        "min 1 km/h" in after.stderr
    )
    assert "finished after" in after.stdout


def test_backward_segments_are_refused_after_an_unsafe_check(
    cli: Callable[..., CliResult],
) -> None:
    assert cli("check", "--sim", "--sim-preset", "ignores-stop", "--yes").exit_code == 1
    result = cli("run", "one-minute-alternation", "--sim", "--sim-preset", "ignores-stop", "--fast")
    assert result.exit_code == 2
    refusal = result.stderr.strip().splitlines()[-1]
    assert "backward segments refused" in refusal
    assert "it acknowledges Stop and keeps the belt running" in refusal
    assert "retrorun check --sim --sim-preset ignores-stop" in refusal


def test_run_applies_saved_settings_unless_told_otherwise(
    treadmill_settings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = LaunchOptions(profile=None, config=Config(), device="URBAN-2")
    unchecked = apply_saved_settings(options, explicit_mph=False)
    assert unchecked == options
    assert "URBAN-2 has never been checked: run 'retrorun check --device URBAN-2'" in (
        capsys.readouterr().err
    )
    save_treadmill(treadmill_settings, "C4:5A:11:02:9E:31", URBAN)
    applied = apply_saved_settings(options, explicit_mph=False)
    assert (applied.mph, applied.mph_commands) == (False, True)
    assert applied.ramp_rates == RampRates(0.5, 0.5, 0.3, 1.0)  # the rest are the defaults
    err = capsys.readouterr().err
    assert "using saved settings for URBAN-2: mph commands, console start, min 3.2 km/h" in err
    told = dataclasses.replace(options, mph=True)
    kept = apply_saved_settings(told, explicit_mph=True)
    assert (kept.mph, kept.mph_commands) == (True, False)


def test_a_measured_speed_factor_is_applied_and_survives_a_new_check(
    treadmill_settings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The runner measured the belt (docs/devices.md) and entered the factor; checking the
    # treadmill again must not throw the measurement away.
    save_treadmill(
        treadmill_settings, "C4:5A:11:02:9E:31", URBAN.model_copy(update={"speed_factor": 0.95})
    )
    save_treadmill(treadmill_settings, "C4:5A:11:02:9E:31", URBAN)
    options = LaunchOptions(profile=None, config=Config(), device="URBAN-2")
    assert apply_saved_settings(options, explicit_mph=False).speed_factor == 0.95
    err = capsys.readouterr().err
    assert (
        "using saved settings for URBAN-2: mph commands, console start, min 3.2 km/h, belt x 0.95"
        in err
    )
    told = dataclasses.replace(options, speed_factor=1.05)
    kept = apply_saved_settings(told, explicit_mph=False, explicit_speed_factor=True)
    assert kept.speed_factor == 1.05


def test_the_documented_example_is_a_valid_file(tmp_path: Path) -> None:
    docs = Path(__file__).parents[2] / "docs" / "devices.md"
    section = docs.read_text(encoding="utf-8").split("## Saved per-treadmill settings")[1]
    example = section.split("```toml\n")[1].split("```")[0]
    path = tmp_path / "treadmills.toml"
    path.write_text(example, encoding="utf-8")
    entry = load_saved(path)["C4:5A:11:02:9E:31"]
    assert entry.summary() == "mph commands, console start, min 3.2 km/h"
