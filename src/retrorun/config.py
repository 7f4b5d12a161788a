"""The runner's config file (TOML): personal limits now, more sections later.

Where it is, first match wins: the ``--config PATH`` option, the ``RETRORUN_CONFIG``
environment variable, then ``config.toml`` in the user config folder
(``platformdirs.user_config_dir("retrorun")``). A missing default file means "no settings";
a missing file that was named explicitly is an error.

```toml
[limits]
backward_speed_max_kmh = 6.0   # my own cap, below the 8 km/h hard limit
turn_window_s = 15             # I like more time to turn

[mqtt]
url = "mqtt://broker.local"    # see docs/mqtt.md for every key

[heart_rate]
ceiling_bpm = 165              # above this during a backward bout, slow down...
action = "step-down"           # ...0.5 km/h every 10 s ("end-bout": end the bout)

[audio]
voice = true                   # speak cues (needs espeak-ng); false: tones only
voice_name = "en-us"           # espeak-ng --voices lists them
volume = 0.8                   # 0 to 1
words_per_minute = 165
tones = true                   # countdown and turn tones

[export]
formats = ["fit"]              # written next to the session log when a session ends
```

Every value in ``[limits]`` can only make a session safer (see `PersonalLimits`). Problems
raise `ConfigError` naming the file, the line and the key.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from retrorun.errors import ConfigError
from retrorun.profiles.safety import PersonalLimits
from retrorun.session.inputs import HeartRateGuard

ENV_VAR = "RETRORUN_CONFIG"
SECTIONS = frozenset({"limits", "mqtt", "heart_rate", "audio", "export"})
EXPORT_FORMATS = ("fit", "tcx")
HR_ACTIONS = ("step-down", "end-bout")
# A ceiling outside these is a typo (resting or impossible heart rates), not a setting.
HR_CEILING_RANGE_BPM = (60, 230)
# Sections later layers will own; accepted (and ignored here) so an older retrorun does not
# refuse a newer config file.
FUTURE_SECTIONS = frozenset({"device", "session"})
LIMIT_KEYS = tuple(f.name for f in fields(PersonalLimits))
WORDS_PER_MINUTE_RANGE = (80, 450)


@dataclass(frozen=True)
class AudioConfig:
    """``[audio]``: how cues sound (the audio layer's `AudioSettings` takes these fields)."""

    voice: bool = True
    voice_name: str = "en-us"
    volume: float = 1.0
    words_per_minute: int = 165
    tones: bool = True


@dataclass(frozen=True)
class Config:
    """What the config file says; `path` is None when no file was read."""

    limits: PersonalLimits = field(default_factory=PersonalLimits)
    path: Path | None = None
    heart_rate: HeartRateGuard | None = None
    """The heart-rate guard for backward bouts; None when not configured."""
    audio: AudioConfig = field(default_factory=AudioConfig)
    export_formats: tuple[str, ...] = ()
    """``[export] formats``: activity files written next to the log when a session ends."""
    mqtt: dict[str, Any] = field(default_factory=dict)
    """The raw ``[mqtt]`` table; `retrorun.mqtt.settings` validates it."""
    mqtt_locations: dict[str, str] = field(default_factory=dict)
    """``file:line`` of each ``[mqtt]`` key, for messages about its value."""

    def mqtt_where(self, key: str) -> str:
        """Where ``mqtt.<key>`` is written, for error messages."""
        return self.mqtt_locations.get(key, f"{self.path or 'config'} mqtt.{key}")


def default_path() -> Path:
    """``config.toml`` in the user's config folder for retrorun."""
    import platformdirs  # noqa: PLC0415 - only needed when no path is given

    return Path(platformdirs.user_config_dir("retrorun")) / "config.toml"


def config_path(option: Path | None = None) -> tuple[Path, bool]:
    """The config file to read and whether it was named explicitly (option or env var)."""
    if option is not None:
        return option, True
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env), True
    return default_path(), False


def load_config(option: Path | None = None) -> Config:
    """Read the config file chosen by `config_path`; raise `ConfigError` when it is bad."""
    path, explicit = config_path(option)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        if not explicit:
            return Config()
        raise ConfigError("config file not found", location=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file: {exc}", location=str(path)) from exc
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> Config:
    """Validate config text read from `path` (used in messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        where = f"{path}:{line.group(1)}" if line else str(path)
        raise ConfigError(f"not valid TOML: {exc}", location=where) from exc
    for section in data:
        if section not in SECTIONS | FUTURE_SECTIONS:
            raise ConfigError(
                f"unknown section [{section}]; known: {', '.join(sorted(SECTIONS))}",
                location=_where(path, text, section, None),
            )
    limits = data.get("limits", {})
    if not isinstance(limits, dict):
        raise ConfigError("[limits] must be a table", location=_where(path, text, "limits", None))
    mqtt = data.get("mqtt", {})
    if not isinstance(mqtt, dict):
        raise ConfigError("[mqtt] must be a table", location=_where(path, text, "mqtt", None))
    locations = {key: f"{_where(path, text, 'mqtt', key)} mqtt.{key}" for key in mqtt}
    guard = data.get("heart_rate")
    if guard is not None and not isinstance(guard, dict):
        raise ConfigError(
            "[heart_rate] must be a table", location=_where(path, text, "heart_rate", None)
        )
    audio = data.get("audio", {})
    if not isinstance(audio, dict):
        raise ConfigError("[audio] must be a table", location=_where(path, text, "audio", None))
    return Config(
        limits=_limits(limits, path, text),
        path=path,
        heart_rate=_heart_rate(guard, path, text) if guard else None,
        audio=_audio(audio, path, text),
        export_formats=_export_formats(data.get("export", {}), path, text),
        mqtt=mqtt,
        mqtt_locations=locations,
    )


def _audio(table: dict[str, Any], path: Path, text: str) -> AudioConfig:
    known = tuple(f.name for f in fields(AudioConfig))
    for key, value in table.items():
        where = _where(path, text, "audio", key)
        if key not in known:
            raise ConfigError(f"unknown key audio.{key}; known: {', '.join(known)}", location=where)
        if key in ("voice", "tones") and not isinstance(value, bool):
            raise ConfigError(f"audio.{key} must be true or false, not {value!r}", location=where)
        if key == "voice_name" and (not isinstance(value, str) or not value.strip()):
            raise ConfigError(
                f"audio.voice_name must be a voice name, not {value!r}", location=where
            )
        if key == "volume" and (
            isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1
        ):
            raise ConfigError(f"audio.volume must be from 0 to 1, not {value!r}", location=where)
        low, high = WORDS_PER_MINUTE_RANGE
        if key == "words_per_minute" and (
            isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
        ):
            raise ConfigError(
                f"audio.words_per_minute must be a whole number from {low} to {high}, "
                f"not {value!r}",
                location=where,
            )
    values = dict(table)
    if "volume" in values:
        values["volume"] = float(values["volume"])
    return AudioConfig(**values)


def _heart_rate(table: dict[str, Any], path: Path, text: str) -> HeartRateGuard:
    for key in table:
        if key not in ("ceiling_bpm", "action"):
            raise ConfigError(
                f"unknown key heart_rate.{key}; known: ceiling_bpm, action",
                location=_where(path, text, "heart_rate", key),
            )
    ceiling = table.get("ceiling_bpm")
    where = _where(path, text, "heart_rate", "ceiling_bpm")
    if (
        isinstance(ceiling, bool)
        or not isinstance(ceiling, int)
        or not HR_CEILING_RANGE_BPM[0] <= ceiling <= HR_CEILING_RANGE_BPM[1]
    ):
        raise ConfigError(
            f"heart_rate.ceiling_bpm must be a whole number from 60 to 230, not {ceiling!r}",
            location=where if ceiling is not None else _where(path, text, "heart_rate", None),
        )
    action = table.get("action", "step-down")
    if action not in HR_ACTIONS:
        raise ConfigError(
            f"heart_rate.action must be one of {', '.join(HR_ACTIONS)}, not {action!r}",
            location=_where(path, text, "heart_rate", "action"),
        )
    return HeartRateGuard(ceiling, action)


def _limits(table: dict[str, Any], path: Path, text: str) -> PersonalLimits:
    values: dict[str, float] = {}
    for key, value in table.items():
        where = _where(path, text, "limits", key)
        if key not in LIMIT_KEYS:
            raise ConfigError(
                f"unknown key limits.{key}; known: {', '.join(LIMIT_KEYS)}", location=where
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"limits.{key} must be a number, not {value!r}", location=where)
        if not math.isfinite(value) or value <= 0:
            raise ConfigError(f"limits.{key} must be more than 0, not {value!r}", location=where)
        values[key] = float(value)
    return PersonalLimits(**values)


def _where(path: Path, text: str, section: str, key: str | None) -> str:
    """``file:line`` of `key` in `[section]` (or of the section header), or just ``file``."""
    in_section = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_section = stripped.strip("[] ") == section
            if in_section and key is None:
                return f"{path}:{number}"
        elif in_section and key is not None and re.match(rf"{re.escape(key)}\s*=", stripped):
            return f"{path}:{number}"
    return str(path)


def _export_formats(table: object, path: Path, text: str) -> tuple[str, ...]:
    if not isinstance(table, dict):
        raise ConfigError("[export] must be a table", location=_where(path, text, "export", None))
    for key in table:
        if key != "formats":
            raise ConfigError(
                f"unknown key export.{key}; known: formats",
                location=_where(path, text, "export", key),
            )
    formats = table.get("formats", [])
    where = _where(path, text, "export", "formats")
    if not isinstance(formats, list) or any(f not in EXPORT_FORMATS for f in formats):
        raise ConfigError(
            f"export.formats must be a list of {', '.join(EXPORT_FORMATS)}, not {formats!r}",
            location=where,
        )
    return tuple(dict.fromkeys(formats))
