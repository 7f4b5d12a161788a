"""Read the config file's upload tables for ``retrorun upload`` (tomllib, no validation of
the other tables: they belong to the config model of ``retrorun run``).

When the config model reads ``export.upload``, ``[intervals]`` and ``[strava]`` itself, it
calls `retrorun.upload.settings.parse_upload_settings` with the parsed document and its
own locator, and this module is no longer needed by the command line.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

from retrorun.errors import ConfigError
from retrorun.upload.settings import UploadSettings, parse_upload_settings

CONFIG_ENV = "RETRORUN_CONFIG"


def default_config_path() -> Path:
    import platformdirs  # noqa: PLC0415 - only when no path is given

    return Path(platformdirs.user_config_dir("retrorun")) / "config.toml"


def default_token_file() -> Path:
    """Where the Strava tokens live unless ``[strava] token_file`` says otherwise."""
    return default_config_path().parent / "strava-token.json"


def load_upload_settings(option: Path | None = None) -> UploadSettings:
    """The upload settings of the config file (``--config``, ``$RETRORUN_CONFIG`` or the
    default one) and the environment; a missing default file means no file settings."""
    explicit = option or (Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else None)
    path = explicit or default_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        if explicit is not None:
            raise ConfigError("config file not found", location=str(path)) from exc
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file: {exc}", location=str(path)) from exc
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise ConfigError(
            f"not valid TOML: {exc}", location=f"{path}:{line.group(1)}" if line else str(path)
        ) from exc

    def where(section: str, key: str | None) -> str:
        return locate(path, text, section, key)

    return parse_upload_settings(document, os.environ, where)


def locate(path: Path, text: str, section: str, key: str | None) -> str:
    """``file:line section.key`` of a key in a TOML table (or of the table), else the file."""
    in_section = False
    name = f"{section}.{key}" if key else f"[{section}]"
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_section = stripped.strip("[] ") == section
            if in_section and key is None:
                return f"{path}:{number} {name}"
        elif in_section and key is not None and re.match(rf"{re.escape(key)}\s*=", stripped):
            return f"{path}:{number} {name}"
    return f"{path} {name}"
