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
device = "Polar H10 1A2B3C4D"  # a chest strap (name or address); --hr overrides
ceiling_bpm = 165              # above this during a backward bout, slow down...
action = "step-down"           # ...0.5 km/h every 10 s ("end-bout": end the bout)
max_bpm = 190                  # zones: Garmin's 50/60/70/80/90 % of this...
zones = [100, 120, 140, 155, 170]  # ...or the lowest heart rate of each of your 5 zones

[audio]
voice = true                   # speak cues (needs espeak-ng); false: tones only
voice_name = "en-us"           # espeak-ng --voices lists them
volume = 0.8                   # 0 to 1
words_per_minute = 165
tones = true                   # countdown and turn tones
# device = "hw:1"              # the player's output: an ALSA device or a PulseAudio sink

[display]
units = "metric"               # or "imperial": mph, miles and min/mi on screen and in speech

[cues]
verbosity = "normal"           # quiet, normal or chatty (safety cues are always said)
off = ["halfway"]              # groups not said: segments, profile, halfway, countdowns, changes

[export]
formats = ["fit"]              # written next to the session log when a session ends

[runner]
paces = { 5k = "5:00/km", 10k = "5:15/km" }   # reference paces for Zwift run workouts
```

Every value in ``[limits]`` can only make a session safer (see `PersonalLimits`). The file
is validated by the pydantic models below (frozen, unknown keys refused, every number
bounded); a problem raises one `ConfigError` naming the file, the line, the key and what
the value must be. ``retrorun run`` reads the file once and hands the `Config` down.
"""

from __future__ import annotations

import itertools
import os
import re
import reprlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from retrorun.errors import ConfigError, shown_name
from retrorun.jsontext import MAX_DEPTH, nests_deeper_than
from retrorun.profiles.heart_zones import ZONE_COUNT, HeartRateZones
from retrorun.profiles.safety import PersonalLimits
from retrorun.profiles.safety.limits import TURN_WINDOW_MIN_S
from retrorun.profiles.words import CueGroup, CueSettings, Units, Verbosity
from retrorun.session.inputs import HeartRateGuard
from retrorun.userfiles import UnreadableFile, read_bounded

if TYPE_CHECKING:
    from collections.abc import Callable

ENV_VAR = "RETRORUN_CONFIG"
MAX_CONFIG_BYTES = 256 * 1024
"""A config file is a few dozen lines; anything this big is not one (and reading it would
take longer than a second)."""
# Sections later layers will own; accepted (and ignored here) so an older retrorun does not
# refuse a newer config file.
FUTURE_SECTIONS = frozenset({"device", "session"})


@dataclass(frozen=True)
class AudioConfig:
    """``[audio]``: how cues sound (the audio layer's `AudioSettings` takes these fields)."""

    voice: bool = True
    voice_name: str = "en-us"
    volume: float = 1.0
    words_per_minute: int = 165
    tones: bool = True
    device: str | None = None


@dataclass(frozen=True)
class Config:
    """What the config file says; `path` is None when no file was read."""

    limits: PersonalLimits = field(default_factory=PersonalLimits)
    path: Path | None = None
    heart_rate: HeartRateGuard | None = None
    """The heart-rate guard for backward bouts; None when not configured."""
    heart_rate_device: str | None = None
    """``[heart_rate] device``: the chest strap's name or address (``--hr`` overrides)."""
    heart_rate_zones: HeartRateZones | None = None
    """``[heart_rate] max_bpm`` and ``zones``: what zone steps hold; None: not configured."""
    audio: AudioConfig = field(default_factory=AudioConfig)
    cues: CueSettings = field(default_factory=CueSettings)
    """``[cues]``: how much is said, and which groups of cues are not."""
    units: Units = "metric"
    """``[display] units``: what the screen, the voice and the summary use (the session log,
    MQTT and the decoded JSON are always metric)."""
    export_formats: tuple[str, ...] = ()
    """``[export] formats``: activity files written next to the log when a session ends."""
    fit_device: tuple[int, int, int | None] | None = None
    """``[export] fit_device``: (manufacturer, product, serial number) the FIT files name as
    their creator; None: retrorun itself (manufacturer ``development``)."""
    paces: tuple[str, ...] = ()
    """``[runner] paces`` as ``"5k=5:00/km"`` strings (the form ``retrorun import --pace``
    takes): the reference paces of Zwift run workouts."""
    mqtt: dict[str, Any] = field(default_factory=dict)
    """The raw ``[mqtt]`` table; `retrorun.mqtt.settings` validates it."""
    mqtt_locations: dict[str, str] = field(default_factory=dict)
    """``file:line`` of each ``[mqtt]`` key, for messages about its value."""
    document: dict[str, Any] = field(default_factory=dict)
    """The whole parsed file, for the tables other layers validate (uploads)."""
    text: str = ""

    def mqtt_where(self, key: str) -> str:
        """Where ``mqtt.<key>`` is written, for error messages."""
        return self.mqtt_locations.get(key, f"{self.path or 'config'} mqtt.{shown_name(key)}")

    def where(self, section: str, key: str | None) -> str:
        """``file:line section.key`` of a key (or of ``[section]``), for error messages."""
        name = f"{section}.{shown_name(key)}" if key else f"[{section}]"
        if self.path is None:
            return f"config {name}"
        return f"{where_in_toml(self.path, self.text, section, key)} {name}"


# ---------------------------------------------------------------------------- the file
# Each field's description is what its value must be: the message for a bad value says it.


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


_LIMIT = "a number more than 0"


class _Limits(_Section):
    forward_speed_max_kmh: float | None = Field(None, gt=0, allow_inf_nan=False, description=_LIMIT)
    backward_speed_max_kmh: float | None = Field(
        None, gt=0, allow_inf_nan=False, description=_LIMIT
    )
    incline_max_pct: float | None = Field(None, gt=0, allow_inf_nan=False, description=_LIMIT)
    backward_incline_max_pct: float | None = Field(
        None, gt=0, allow_inf_nan=False, description=_LIMIT
    )
    turn_speed_kmh: float | None = Field(None, gt=0, allow_inf_nan=False, description=_LIMIT)
    # A personal limit only ever makes turns safer: a window shorter than the minimum
    # would be ignored, so it is refused.
    turn_window_s: float | None = Field(
        None,
        ge=TURN_WINDOW_MIN_S,
        allow_inf_nan=False,
        description=f"a number of at least {TURN_WINDOW_MIN_S:g} (seconds: the shortest window)",
    )
    settle_s: float | None = Field(None, gt=0, allow_inf_nan=False, description=_LIMIT)
    backward_ramp_kmh_per_s: float | None = Field(
        None, gt=0, allow_inf_nan=False, description=_LIMIT
    )


_BPM = "a whole number from 60 to 230"
_ZONES = (
    f"{ZONE_COUNT} whole numbers rising from 60 (the lowest heart rate of zones 1 to "
    f"{ZONE_COUNT}), all below max_bpm, and max_bpm set"
)


class _HeartRate(_Section):
    # A heart rate outside 60-230 is a typo (resting or impossible heart rates), not a setting.
    device: str | None = Field(
        None, min_length=1, pattern=r"\S", description="a heart-rate strap's name or address"
    )
    ceiling_bpm: int | None = Field(None, ge=60, le=230, description=_BPM)
    action: Literal["step-down", "end-bout"] = Field(
        "step-down", description="one of step-down, end-bout"
    )
    max_bpm: int | None = Field(None, ge=100, le=230, description="a whole number from 100 to 230")
    zones: list[int] | None = Field(None, description=_ZONES)

    @field_validator("zones")
    @classmethod
    def _zones_rise_below_max(
        cls, zones: list[int] | None, info: ValidationInfo
    ) -> list[int] | None:
        maximum = info.data.get("max_bpm")
        if zones is None:
            return zones
        rising = all(a < b for a, b in itertools.pairwise(zones))
        if len(zones) != ZONE_COUNT or not rising or zones[0] < 60 or maximum is None:  # noqa: PLR2004
            raise ValueError(_ZONES)
        if zones[-1] >= maximum:
            raise ValueError(_ZONES)
        return zones


_AUDIO = AudioConfig()


class _Audio(_Section):
    voice: bool = Field(default=_AUDIO.voice, description="true or false")
    voice_name: str = Field(
        default=_AUDIO.voice_name,
        min_length=1,
        pattern=r"\S",
        description="a voice name (espeak-ng --voices lists them)",
    )
    volume: float = Field(default=_AUDIO.volume, ge=0, le=1, description="from 0 to 1")
    words_per_minute: int = Field(
        default=_AUDIO.words_per_minute, ge=80, le=450, description="a whole number from 80 to 450"
    )
    tones: bool = Field(default=_AUDIO.tones, description="true or false")
    device: str | None = Field(
        default=_AUDIO.device,
        min_length=1,
        pattern=r"^[^\s-]\S*$",
        description="an ALSA device (aplay -L lists them) or a PulseAudio sink name",
    )


class _Cues(_Section):
    verbosity: Literal["quiet", "normal", "chatty"] = Field(
        "normal", description="one of quiet, normal, chatty"
    )
    off: list[Literal["segments", "profile", "halfway", "countdowns", "changes"]] = Field(
        [],
        description=(
            "a list of segments, profile, halfway, countdowns, changes (turns, hold the rails, "
            "pause, stop and alarms are always said)"
        ),
    )


class _Display(_Section):
    units: Literal["metric", "imperial"] = Field("metric", description="one of metric, imperial")


class _FitDevice(_Section):
    manufacturer: int = Field(ge=1, le=65534, description="a FIT manufacturer id (1: Garmin)")
    product: int = Field(ge=0, le=65534, description="a FIT product id (your watch's)")
    serial_number: int | None = Field(
        None, ge=1, le=4294967294, description="your watch's serial number"
    )


class _Export(_Section):
    formats: list[Literal["fit", "tcx"]] = Field([], description="a list of fit, tcx")
    fit_device: _FitDevice | None = Field(
        None, description="a table: manufacturer, product, serial_number"
    )
    upload: list[Literal["intervals", "strava"]] = Field(
        [], description="a list of intervals, strava"
    )


class _Runner(_Section):
    paces: dict[Literal["mile", "5k", "10k", "half", "marathon"], str] = Field(
        {},
        description="a table of paces by reference (mile, 5k, 10k, half, marathon), like "
        '{ 5k = "5:00/km" }',
    )


class _File(_Section):
    limits: _Limits = _Limits()
    mqtt: dict[str, Any] = Field({}, description="a table")
    heart_rate: _HeartRate | None = None
    audio: _Audio = _Audio()
    cues: _Cues = _Cues()
    display: _Display = _Display()
    export: _Export = _Export()
    runner: _Runner = _Runner()
    # Validated by `retrorun.upload.settings` (with the environment): see docs/upload.md.
    # Validated by `retrorun.web.settings` (with the --web options): see docs/web.md.
    web: dict[str, Any] = Field({}, description="a table")
    intervals: dict[str, Any] = Field({}, description="a table")
    strava: dict[str, Any] = Field({}, description="a table")
    device: dict[str, Any] = Field({}, description="a table")
    session: dict[str, Any] = Field({}, description="a table")


_SECTIONS = tuple(name for name in _File.model_fields if name not in FUTURE_SECTIONS)


def default_path() -> Path:
    """``config.toml`` in the user's config folder for retrorun."""
    import platformdirs  # noqa: PLC0415 - only needed when no path is given

    return Path(platformdirs.user_config_dir("retrorun")) / "config.toml"


TREADMILLS_FILE = "treadmills.toml"
TREADMILLS_ENV = "RETRORUN_TREADMILLS"


def treadmills_path() -> Path:
    """The saved per-treadmill settings (`retrorun.treadmill_settings`):
    ``$RETRORUN_TREADMILLS``, else beside the default config file."""
    env = os.environ.get(TREADMILLS_ENV)
    return Path(env) if env else default_path().with_name(TREADMILLS_FILE)


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
        text = read_bounded(path, MAX_CONFIG_BYTES).decode("utf-8")
    except UnreadableFile as exc:
        if exc.missing and not explicit:
            return Config()
        what = "config file not found" if exc.missing else f"config file: {exc}"
        raise ConfigError(what, location=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config file is not UTF-8 text (byte {exc.start})", location=str(path)
        ) from exc
    return parse_config(text, path)


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    """The tables of TOML text read from `path`; `ConfigError` naming the line when bad,
    nested deeper than `MAX_DEPTH` or holding an integer of thousands of digits."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        where = f"{path}:{line.group(1)}" if line else str(path)
        raise ConfigError(f"not valid TOML: {exc}", location=where) from exc
    except ValueError as exc:  # int() refuses integers of thousands of digits
        raise ConfigError(
            "not valid TOML: a number with thousands of digits",
            location=_line_of(
                path, text, lambda line: re.search(r"[0-9_]{1000}", line) is not None
            ),
        ) from exc
    except RecursionError as exc:  # tomllib recurses once per nested array or inline table
        raise _too_deep(path, text) from exc
    if nests_deeper_than(data, MAX_DEPTH):
        raise _too_deep(path, text)
    return data


def parse_config(text: str, path: Path) -> Config:
    """Validate config text read from `path` (used in messages)."""
    data = parse_toml(text, path)
    try:
        file = _File.model_validate(data)
    except ValidationError as exc:
        raise _first_problem(exc, path, text) from exc
    mqtt = dict(file.mqtt)
    heart = file.heart_rate
    if heart is not None and heart.ceiling_bpm is None and "action" in heart.model_fields_set:
        raise ConfigError(
            f"heart_rate.ceiling_bpm must be {_BPM}; add it (the action needs a ceiling)",
            location=where_in_toml(path, text, "heart_rate", None),
        )
    return Config(
        limits=PersonalLimits(**file.limits.model_dump()),
        path=path,
        heart_rate=(
            HeartRateGuard(heart.ceiling_bpm, heart.action)
            if heart is not None and heart.ceiling_bpm is not None
            else None
        ),
        heart_rate_device=heart.device if heart is not None else None,
        heart_rate_zones=_zones(heart),
        audio=AudioConfig(**file.audio.model_dump()),
        cues=CueSettings(
            Verbosity[file.cues.verbosity.upper()],
            frozenset(CueGroup(name) for name in file.cues.off),
        ),
        units=file.display.units,
        export_formats=tuple(dict.fromkeys(file.export.formats)),
        fit_device=(
            (device.manufacturer, device.product, device.serial_number)
            if (device := file.export.fit_device) is not None
            else None
        ),
        paces=tuple(f"{name}={pace}" for name, pace in file.runner.paces.items()),
        mqtt=mqtt,
        mqtt_locations={
            key: f"{where_in_toml(path, text, 'mqtt', key)} mqtt.{shown_name(key)}" for key in mqtt
        },
        document=data,
        text=text,
    )


def _zones(heart: _HeartRate | None) -> HeartRateZones | None:
    if heart is None or heart.max_bpm is None:
        return None
    if heart.zones is None:
        return HeartRateZones.from_max(heart.max_bpm)
    return HeartRateZones(heart.max_bpm, tuple(heart.zones))


def _too_deep(path: Path, text: str) -> ConfigError:
    return ConfigError(
        f"not valid TOML: nested more than {MAX_DEPTH} levels deep",
        location=_line_of(path, text, lambda line: line.count("[") + line.count("{") > MAX_DEPTH),
    )


def _line_of(path: Path, text: str, matches: Callable[[str], bool]) -> str:
    """``file:line`` of the first line that `matches`, or just ``file``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if matches(line):
            return f"{path}:{number}"
    return str(path)


def _first_problem(exc: ValidationError, path: Path, text: str) -> ConfigError:
    """One line for the first problem: a misspelt key or section before a bad value."""
    errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    error = errors[0]
    loc = [str(part) for part in error["loc"]]
    section = loc[0]
    shown = shown_name(section)
    if len(loc) == 1:
        if error["type"] == "extra_forbidden":
            return ConfigError(
                f"unknown section [{shown}]; known: {', '.join(sorted(_SECTIONS))}",
                location=where_in_toml(path, text, section, None),
            )
        return ConfigError(
            f"[{shown}] must be a table", location=where_in_toml(path, text, section, None)
        )
    key = loc[1]
    model = _section_model(section)
    known = tuple(model.model_fields) if model is not None else ()
    if error["type"] == "extra_forbidden":
        return ConfigError(
            f"unknown key {shown}.{shown_name(key)}; known: {', '.join(known)}",
            location=where_in_toml(path, text, section, key),
        )
    must = model.model_fields[key].description if model is not None else "valid"
    if error["type"] == "missing":
        return ConfigError(
            f"{section}.{key} must be {must}; add it",
            location=where_in_toml(path, text, section, None),
        )
    return ConfigError(
        f"{section}.{key} must be {must}, not {reprlib.repr(error['input'])}",
        location=where_in_toml(path, text, section, key),
    )


def _section_model(section: str) -> type[_Section] | None:
    """The model of ``[section]`` (None for the raw tables)."""
    annotation = _File.model_fields[section].annotation
    for arg in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(arg, type) and issubclass(arg, _Section):
            return arg
    return None


def where_in_toml(path: Path, text: str, section: str, key: str | None) -> str:
    """``file:line`` of `key` in `[section]` (or of the section header), or just ``file``.

    A quoted header (``["C4:5A:11:02:9E:31"]``) names the section inside its quotes.
    """
    in_section = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_section = stripped.strip("[] ").strip("\"'") == section
            if in_section and key is None:
                return f"{path}:{number}"
        elif in_section and key is not None and re.match(rf"{re.escape(key)}\s*=", stripped):
            return f"{path}:{number}"
    return str(path)
