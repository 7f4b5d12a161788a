"""Per-treadmill settings that ``retrorun check`` learned, kept for ``retrorun run``.

One TOML file beside the config file (``treadmills.toml`` in
``platformdirs.user_config_dir("retrorun")``, or the ``RETRORUN_TREADMILLS`` environment
variable), one table per treadmill keyed by its Bluetooth address (``sim:PRESET`` for a
simulated one), with the name shown:

```toml
["C4:5A:11:02:9E:31"]
name = "URBAN-2"
mph_mode = "mph_commands"     # kmh, mph (both ways) or mph_commands (commands only)
console_start = true          # Start must be pressed on the console
min_speed_kmh = 3.2           # the treadmill's minimum speed
accel_kmh_per_s = 0.5         # measured (absent when not measured)
decel_kmh_per_s = 0.8
incline_pct_per_s = 0.5
reaction_delay_s = 0.3
stop_time_s = 3.0
verdict = "ok"                # ok or unsafe
problems = []                 # why it is unsafe, one sentence each
checked_at = 2026-12-01
```

The runner may edit it; it is validated by the pydantic model below like the config file (a
bad entry raises one `ConfigError` naming the file, the line and the field). Saving
rewrites the whole file through a temporary file and a rename, so a crash never leaves it
half-written (comments are not kept).
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from retrorun.belt import SPEED_FACTOR_MAX, SPEED_FACTOR_MIN
from retrorun.check.report import Findings, Verdict, settings_summary, verdict_of
from retrorun.config import (
    MAX_CONFIG_BYTES,
    parse_toml,
    where_in_toml,
)
from retrorun.device.ramp import DEFAULT_RATES, RampRates
from retrorun.errors import ConfigError
from retrorun.userfiles import UnreadableFile, read_bounded

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

_RATE = "a number more than 0 and at most 10"


class SavedTreadmill(BaseModel):
    """What one check learned about one treadmill."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    name: str = Field(description="the treadmill's name")
    mph_mode: Literal["kmh", "mph", "mph_commands"] = Field(
        "kmh", description="one of kmh, mph, mph_commands"
    )
    console_start: bool = Field(default=False, description="true or false")
    min_speed_kmh: float | None = Field(None, gt=0, le=10, allow_inf_nan=False, description=_RATE)
    accel_kmh_per_s: float | None = Field(None, gt=0, le=10, description=_RATE)
    decel_kmh_per_s: float | None = Field(None, gt=0, le=10, description=_RATE)
    incline_pct_per_s: float | None = Field(None, gt=0, le=10, description=_RATE)
    reaction_delay_s: float | None = Field(None, ge=0, le=10, description="a number from 0 to 10")
    stop_time_s: float | None = Field(None, ge=0, le=120, description="a number from 0 to 120")
    speed_factor: float | None = Field(
        None,
        ge=SPEED_FACTOR_MIN,
        le=SPEED_FACTOR_MAX,
        description=f"a number from {SPEED_FACTOR_MIN:g} to {SPEED_FACTOR_MAX:g}: the belt's "
        "real speed over the speed it shows (docs/devices.md)",
    )
    verdict: Literal["ok", "unsafe"] = Field(description="ok or unsafe")
    problems: list[str] = Field([], description="a list of sentences")
    checked_at: date = Field(description="a date such as 2026-12-01")

    def summary(self) -> str:
        """``mph commands, console start, min 3.2 km/h, belt x 0.95``."""
        said = settings_summary(
            None if self.mph_mode == "kmh" else self.mph_mode,
            console_start=self.console_start,
            min_speed_kmh=self.min_speed_kmh,
        )
        if self.speed_factor is None or self.speed_factor == 1.0:
            return said
        factor = f"belt x {self.speed_factor:g}"
        return factor if said == "no special settings" else f"{said}, {factor}"

    def ramp_rates(self) -> RampRates | None:
        """The measured ramps, each unmeasured one the cautious default (None: none was
        measured)."""
        measured = (
            self.accel_kmh_per_s,
            self.decel_kmh_per_s,
            self.incline_pct_per_s,
            self.reaction_delay_s,
        )
        if all(value is None for value in measured):
            return None
        defaults = (
            DEFAULT_RATES.accel_kmh_per_s,
            DEFAULT_RATES.decel_kmh_per_s,
            DEFAULT_RATES.incline_pct_per_s,
            DEFAULT_RATES.reaction_delay_s,
        )
        values = [d if m is None else m for m, d in zip(measured, defaults, strict=True)]
        return RampRates(*values)

    @property
    def unsafe(self) -> bool:
        return self.verdict == "unsafe"


_FILE = TypeAdapter(dict[str, SavedTreadmill])


def load_saved(path: Path) -> dict[str, SavedTreadmill]:
    """Every treadmill in the file (none when it does not exist); `ConfigError` when bad."""
    try:
        text = read_bounded(path, MAX_CONFIG_BYTES).decode("utf-8")
    except UnreadableFile as exc:
        if exc.missing:
            return {}
        raise ConfigError(f"cannot read the treadmill settings: {exc}", location=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"the treadmill settings are not UTF-8 text (byte {exc.start})", location=str(path)
        ) from exc
    data = parse_toml(text, path)
    try:
        return _FILE.validate_python(data)
    except ValidationError as exc:
        raise _first_problem(exc, path, text) from exc


def find_saved(
    saved: Mapping[str, SavedTreadmill], device: str
) -> tuple[str, SavedTreadmill] | None:
    """The entry for ``device`` (an address, or a name; case does not matter), or None."""
    wanted = device.strip().lower()
    for address, entry in saved.items():
        if address.lower() == wanted:
            return address, entry
    for address, entry in saved.items():
        if entry.name.strip().lower() == wanted:
            return address, entry
    return None


def from_findings(findings: Findings, today: date) -> SavedTreadmill | None:
    """The entry a check's findings make (None when the check concluded nothing)."""
    verdict = verdict_of(findings)
    if verdict is Verdict.INCOMPLETE:
        return None
    return SavedTreadmill(
        name=findings.name,
        mph_mode=findings.mph_mode or "kmh",
        console_start=bool(findings.console_start),
        min_speed_kmh=findings.min_speed_kmh,
        accel_kmh_per_s=findings.accel_kmh_per_s,
        decel_kmh_per_s=findings.decel_kmh_per_s,
        incline_pct_per_s=findings.incline_pct_per_s,
        reaction_delay_s=findings.reaction_delay_s,
        stop_time_s=findings.stop_time_s,
        verdict="unsafe" if verdict is Verdict.UNSAFE else "ok",
        problems=findings.problems(),
        checked_at=today,
    )


def save_treadmill(path: Path, address: str, entry: SavedTreadmill) -> None:
    """Add or replace one treadmill's entry; the file is replaced whole, atomically.

    A speed factor the runner measured and entered is kept when a new check replaces the
    entry (a check cannot measure it). A file that is already bad raises `ConfigError` and
    is left as it is.
    """
    saved = load_saved(path)
    old = saved.get(address)
    if old is not None and old.speed_factor is not None and entry.speed_factor is None:
        entry = entry.model_copy(update={"speed_factor": old.speed_factor})
    saved[address] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(dumps(saved), encoding="utf-8")
    temporary.replace(path)


def dumps(saved: Mapping[str, SavedTreadmill]) -> str:
    """The file's text: a comment, then one table per treadmill (absent: not measured)."""
    lines = [
        "# Per-treadmill settings written by `retrorun check` and used by `retrorun run`.",
        "# Editable; see docs/devices.md for every field.",
    ]
    for address, entry in saved.items():
        lines.extend(("", f"[{_string(address)}]"))
        for key, value in entry.model_dump().items():
            if value is not None:
                lines.append(f"{key} = {_value(value)}")
    return "\n".join(lines) + "\n"


def _string(text: str) -> str:
    # A JSON string is a TOML basic string (the same escapes), with non-ASCII kept.
    return json.dumps(text, ensure_ascii=False)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return _string(str(value))


def _first_problem(exc: ValidationError, path: Path, text: str) -> ConfigError:
    """One line for the first problem, naming the treadmill's table and the field."""
    # A misspelt key before a bad value: it is usually the cause of the rest.
    error = min(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    loc = [str(part) for part in error["loc"]]
    address = loc[0]
    if len(loc) == 1:
        return ConfigError(
            f"[{_string(address)}] must be a table",
            location=where_in_toml(path, text, address, None),
        )
    key = loc[1]
    fields = SavedTreadmill.model_fields
    where = where_in_toml(path, text, address, key)
    if error["type"] == "extra_forbidden":
        return ConfigError(
            f"unknown key {address}.{key}; known: {', '.join(fields)}", location=where
        )
    must = fields[key].description if key in fields else "valid"
    if error["type"] == "missing":
        return ConfigError(
            f"{address}.{key} must be {must}; add it",
            location=where_in_toml(path, text, address, None),
        )
    return ConfigError(f"{address}.{key} must be {must}, not {error['input']!r}", location=where)
