"""The config file: personal limits, where it is looked for, and errors naming file:line."""

from __future__ import annotations

import os
from dataclasses import asdict, fields
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from retrorun.audio import AudioSettings
from retrorun.config import ENV_VAR, MAX_CONFIG_BYTES, AudioConfig, load_config
from retrorun.errors import ConfigError
from retrorun.profiles.safety import PersonalLimits
from retrorun.profiles.words import CueGroup, CueSettings, Verbosity
from retrorun.session.inputs import HeartRateGuard

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import CliResult


def test_limits_section_becomes_personal_limits(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[limits]\nbackward_speed_max_kmh = 6\nturn_window_s = 15.5\n\n[mqtt]\n")
    config = load_config(path)
    assert config.limits == PersonalLimits(backward_speed_max_kmh=6.0, turn_window_s=15.5)
    assert config.path == path


def test_heart_rate_section_becomes_the_guard(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[heart_rate]\nceiling_bpm = 165\naction = "end-bout"\n')
    assert load_config(path).heart_rate == HeartRateGuard(165, "end-bout")
    path.write_text("[heart_rate]\nceiling_bpm = 150\n")
    assert load_config(path).heart_rate == HeartRateGuard(150, "step-down")
    path.write_text("[limits]\n")
    assert load_config(path).heart_rate is None


def test_heart_rate_zones_are_garmins_from_max_or_the_runners_own(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[heart_rate]\nmax_bpm = 190\n")
    config = load_config(path)
    zones = config.heart_rate_zones
    assert zones is not None
    # Garmin: zones start at 50, 60, 70, 80 and 90 % of the maximum.
    assert zones.floors_bpm == (95, 114, 133, 152, 171)
    assert zones.zone_bpm(2) == (114, 133)
    assert zones.zone_bpm(5) == (171, 190)
    assert config.heart_rate is None  # zones without a ceiling: no guard
    path.write_text("[heart_rate]\nmax_bpm = 185\nzones = [100, 120, 140, 155, 170]\n")
    zones = load_config(path).heart_rate_zones
    assert zones is not None
    assert zones.zone_bpm(3) == (140, 155)
    assert zones.percent_bpm(60, 70) == (111, 130)
    path.write_text('[heart_rate]\ndevice = "Polar H10"\n')
    config = load_config(path)
    assert (config.heart_rate_device, config.heart_rate_zones) == ("Polar H10", None)


def test_environment_variable_and_default_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "env.toml"
    path.write_text("[limits]\nincline_max_pct = 4\n")
    monkeypatch.setenv(ENV_VAR, str(path))
    assert load_config().limits.incline_max_pct == 4.0
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "empty"))
    assert load_config().path is None  # no default file: no settings, no error


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("[limits]\nbackward_speed_max_kmh = 6\nspeed = 3\n", ":3", "unknown key limits.speed"),
        ("[limits]\n\nturn_window_s = 'long'\n", ":3", "must be a number"),
        ("[limits]\nsettle_s = -1\n", ":2", "more than 0"),
        ("[limits]\nturn_window_s = 3\n", ":2", "a number of at least 5"),
        ("[limts]\n", ":1", "unknown section [limts]"),
        ("[limits]\nturn_window_s = \n", ":2", "not valid TOML"),
        ("[heart_rate]\nceiling_bpm = 400\n", ":2", "from 60 to 230"),
        ("[heart_rate]\nceiling_bpm = 160\naction = 'sprint'\n", ":3", "must be one of"),
        ("[heart_rate]\nceiling = 160\n", ":2", "unknown key heart_rate.ceiling"),
        ("[heart_rate]\naction = 'end-bout'\n", ":1", "ceiling_bpm must be"),
        ("[audio]\nvolume = 1.5\n", ":2", "audio.volume must be from 0 to 1"),
        ("[audio]\n\nvoice = 'yes'\n", ":3", "audio.voice must be true or false"),
        ("[audio]\nwords_per_minute = 20\n", ":2", "from 80 to 450"),
        ("[audio]\nvoice_name = ''\n", ":2", "audio.voice_name must be a voice name"),
        ("[audio]\nloud = true\n", ":2", "unknown key audio.loud"),
        ("audio = 3\n", "", "[audio] must be a table"),
        ("[export]\nfit_device = { manufacturer = 0, product = 1 }\n", ":2", "export.fit_device"),
        ("[audio]\nvoice_name = '  '\n", ":2", "audio.voice_name must be a voice name"),
        ("[audio]\nwords_per_minute = 140.5\n", ":2", "whole number from 80 to 450"),
        ("[limits]\nturn_window_s = true\n", ":2", "must be a number"),
        ("[limits]\nsettle_s = inf\n", ":2", "must be a number"),
        ("[export]\nformats = ['gpx']\n", ":2", "export.formats must be a list of fit, tcx"),
        ("[export]\nformat = ['fit']\n", ":2", "unknown key export.format; known: formats"),
        ("[heart_rate]\nceiling_bpm = 150.0\n", ":2", "whole number from 60 to 230"),
        ("[heart_rate]\nmax_bpm = 300\n", ":2", "heart_rate.max_bpm must be a whole number"),
        ("[heart_rate]\nmax_bpm = 190\nzones = [100, 120, 110, 150, 170]\n", ":3", "rising"),
        ("[heart_rate]\nmax_bpm = 190\nzones = [100, 120, 140]\n", ":3", "5 whole numbers"),
        ("[heart_rate]\nmax_bpm = 160\nzones = [100, 120, 140, 150, 170]\n", ":3", "below"),
        ("[heart_rate]\nzones = [100, 120, 140, 150, 170]\n", ":2", "max_bpm set"),
        ("[heart_rate]\ndevice = ' '\n", ":2", "heart_rate.device must be a heart-rate strap"),
        ("[device]\nname = 'x'\n\n[limts]\n", ":4", "unknown section [limts]"),
        ("[cues]\nverbosity = 'loud'\n", ":2", "cues.verbosity must be one of quiet, normal"),
        ("[cues]\noff = ['turns']\n", ":2", "cues.off must be a list of segments, profile"),
        ("[cues]\noff = 'halfway'\n", ":2", "cues.off must be a list of"),
        ("[display]\nunits = 'mph'\n", ":2", "display.units must be one of metric, imperial"),
    ],
)
def test_bad_config_names_file_line_and_key(
    tmp_path: Path, text: str, where: str, words: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.location == f"{path}{where}"
    assert words in str(caught.value)


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_audio_section_sets_how_cues_sound(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "[audio]\nvoice = false\nvoice_name = 'en-gb'\nvolume = 0\n"
        "words_per_minute = 140\ntones = false\n"
    )
    assert load_config(path).audio == AudioConfig(
        voice=False, voice_name="en-gb", volume=0.0, words_per_minute=140, tones=False
    )


def test_cues_section_sets_how_much_is_said(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[cues]\nverbosity = 'quiet'\noff = ['halfway', 'changes']\n")
    assert load_config(path).cues == CueSettings(
        Verbosity.QUIET, frozenset({CueGroup.HALFWAY, CueGroup.CHANGES})
    )


def test_audio_defaults_match_the_audio_layer() -> None:
    assert asdict(AudioConfig()) == asdict(AudioSettings())


def test_future_sections_are_accepted_and_ignored(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[device]\naddress = 'AA'\n\n[session]\nanything = 1\n")
    assert load_config(path).limits == PersonalLimits()


def test_every_personal_limit_can_be_set_in_the_file(tmp_path: Path) -> None:
    names = [f.name for f in fields(PersonalLimits)]
    path = tmp_path / "config.toml"
    path.write_text("[limits]\n" + "".join(f"{name} = 6\n" for name in names))
    assert load_config(path).limits == PersonalLimits(**dict.fromkeys(names, 6.0))


HOSTILE_CONFIGS = [
    ("deep-array", "[limits]\nx = " + "[" * 5000 + "]" * 5000 + "\n", ":2: not valid TOML: nested"),
    ("deep-table", "[web]\nx = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n", ":2: not valid TOML"),
    ("long-number", "[limits]\nturn_window_s = 1" + "0" * 5000 + "\n", ":2: not valid TOML: a num"),
    ("nul", '[limits]\nturn_window_s = "\x00"\n', ":2: not valid TOML: Illegal character"),
    ("key", '[limits]\n"a\\nb\\u001b" = 1\n', ": unknown key limits.'a\\nb\\x1b'; known: "),
]


@pytest.mark.parametrize(
    ("name", "text", "message"), HOSTILE_CONFIGS, ids=[h[0] for h in HOSTILE_CONFIGS]
)
def test_a_hostile_config_gets_one_line_and_exit_2(
    tmp_path: Path, cli: Callable[..., CliResult], name: str, text: str, message: str
) -> None:
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    result = cli("validate", "one-minute-alternation", "--config", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"retrorun: {path}{message}"), result.stderr
    assert result.stderr.count("\n") == 1


def test_a_safety_cue_cannot_be_turned_off_in_the_config(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[cues]\noff = ['halfway', 'alarms']\n")
    result = cli("validate", "one-minute-alternation", "--config", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"retrorun: {path}:2: cues.off must be a list of segments")
    assert "always said" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_long_value_is_shown_shortened(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[limits]\nsettle_s = 1" + "0" * 4000 + "\n")
    result = cli("validate", "one-minute-alternation", "--config", str(path))
    assert result.exit_code == 2
    assert "limits.settle_s must be a number more than 0, not 1000" in result.stderr
    assert len(result.stderr) < 200


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "directory"])
def test_a_config_that_is_not_a_regular_file_is_refused_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., CliResult], kind: str
) -> None:
    """``/dev/zero`` was read forever and a FIFO blocked `open` until someone wrote to it."""
    path = {"fifo": tmp_path / "fifo.toml", "directory": tmp_path}.get(kind, Path(kind))
    if kind == "fifo":
        os.mkfifo(path)
    what = {"fifo": "a pipe", "directory": "a directory"}.get(kind, "a character device")
    monkeypatch.setenv(ENV_VAR, str(path))  # the environment variable reads the same way
    result = cli("validate", "one-minute-alternation")
    assert result.exit_code == 2
    assert result.stderr == f"retrorun: {path}: config file: not a regular file ({what})\n"
    result = cli("validate", "one-minute-alternation", "--config", str(path))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1  # click itself refuses a directory for --config
    assert "not a regular file" in result.stderr or "is a directory" in result.stderr


def test_a_config_larger_than_the_limit_is_refused(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[web]\na = [" + "1," * 200_000 + "1]\n")
    result = cli("validate", "one-minute-alternation", "--config", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"retrorun: {path}: config file: larger than {MAX_CONFIG_BYTES} bytes\n"
    )
