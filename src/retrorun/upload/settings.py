"""Where sessions are uploaded and with which credentials: `UploadSettings`, parsed purely.

Sources, first match wins: an environment variable, then the config file:

```toml
[export]
upload = ["intervals", "strava"]   # upload automatically when a session ends

[intervals]
athlete_id = "i123456"             # or $RETRORUN_INTERVALS_ATHLETE_ID
api_key = "..."                    # or $RETRORUN_INTERVALS_API_KEY (better: keep it out of files)

[strava]
client_id = "12345"                # your own API application (strava.com/settings/api)
client_secret = "..."              # or $RETRORUN_STRAVA_CLIENT_SECRET
```

Secrets are read from the environment or the config file, never from the command line
(where ``ps`` shows them), and never appear in a ``repr`` or a message. A bad value raises
`ConfigError` naming where it came from (``$RETRORUN_INTERVALS_ATHLETE_ID`` or
``config.toml:7 intervals.athlete_id``); the command line reports it with exit 2.
Pure: no I/O.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from retrorun.errors import ConfigError, shown_name

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

Target = Literal["intervals", "strava"]
TARGETS: tuple[Target, ...] = ("intervals", "strava")
TARGET_NAMES: dict[Target, str] = {"intervals": "intervals.icu", "strava": "Strava"}
INTERVALS_URL = "https://intervals.icu"
STRAVA_API_URL = "https://www.strava.com/api/v3"
STRAVA_OAUTH_URL = "https://www.strava.com/oauth"
STRAVA_WEB_URL = "https://www.strava.com"
DEFAULT_CALLBACK_PORT = 8723
DEFAULT_MAX_WAIT_S = 900.0
"""How long an upload waits for a rate-limit window to reopen before giving up (15 min)."""

# table -> key -> environment variable
ENV: dict[str, dict[str, str]] = {
    "intervals": {
        "athlete_id": "RETRORUN_INTERVALS_ATHLETE_ID",
        "api_key": "RETRORUN_INTERVALS_API_KEY",
        "url": "RETRORUN_INTERVALS_URL",
    },
    "strava": {
        "client_id": "RETRORUN_STRAVA_CLIENT_ID",
        "client_secret": "RETRORUN_STRAVA_CLIENT_SECRET",
        "token_file": "RETRORUN_STRAVA_TOKEN_FILE",
        "callback_port": "RETRORUN_STRAVA_CALLBACK_PORT",
        "api_url": "RETRORUN_STRAVA_API_URL",
        "oauth_url": "RETRORUN_STRAVA_OAUTH_URL",
        "web_url": "RETRORUN_STRAVA_WEB_URL",
        "max_wait_s": "RETRORUN_STRAVA_MAX_WAIT_S",
    },
}
_ATHLETE_ID = re.compile(r"i?\d{1,12}")


@dataclass(frozen=True)
class IntervalsSettings:
    """An intervals.icu account: athlete id and personal API key (Settings → Developer)."""

    athlete_id: str
    api_key: str = field(repr=False)
    url: str = INTERVALS_URL
    """Base URL of the site; the API is under ``/api/v1`` and activities under ``/activities``."""


@dataclass(frozen=True)
class StravaSettings:
    """A personal Strava API application and where its tokens are kept."""

    client_id: str
    client_secret: str = field(repr=False)
    token_file: Path | None = None
    """None: ``strava-token.json`` in retrorun's config folder (chosen by the command line)."""
    callback_port: int = DEFAULT_CALLBACK_PORT
    api_url: str = STRAVA_API_URL
    oauth_url: str = STRAVA_OAUTH_URL
    web_url: str = STRAVA_WEB_URL
    max_wait_s: float = DEFAULT_MAX_WAIT_S


@dataclass(frozen=True)
class UploadSettings:
    """Everything uploads need: the automatic targets and each service's account."""

    auto: tuple[Target, ...] = ()
    """``[export] upload``: where every finished session goes."""
    intervals: IntervalsSettings | None = None
    strava: StravaSettings | None = None
    missing: Mapping[Target, str] = field(default_factory=dict)
    """For a service that is not set up, what to set (the message `require` raises)."""

    def require_intervals(self) -> IntervalsSettings:
        if self.intervals is None:
            raise ConfigError(self.missing.get("intervals", "intervals.icu is not set up"))
        return self.intervals

    def require_strava(self) -> StravaSettings:
        if self.strava is None:
            raise ConfigError(self.missing.get("strava", "Strava is not set up"))
        return self.strava


@dataclass(frozen=True)
class _Source:
    value: object
    where: str


def parse_upload_settings(
    document: Mapping[str, Any],
    env: Mapping[str, str],
    where_in_file: Callable[[str, str | None], str],
) -> UploadSettings:
    """Upload settings from the environment and the config file's tables.

    `document` is the parsed config file (only ``export.upload``, ``[intervals]`` and
    ``[strava]`` are read; ``export.formats`` belongs to the export settings);
    `where_in_file(table, key)` names the file and line of a key for messages
    (``config.toml:7 intervals.api_key``). Raises `ConfigError` for a bad value; a service
    with nothing configured is None with a hint in `missing`.
    """
    export = _table(document, "export", where_in_file)
    auto = _auto(export, where_in_file)
    chosen = {
        name: _choose(name, _table(document, name, where_in_file), env, where_in_file)
        for name in ENV
    }
    missing: dict[Target, str] = {}
    intervals = _intervals(chosen["intervals"], missing)
    strava = _strava(chosen["strava"], missing)
    for target in auto:
        if target not in missing:
            continue
        raise ConfigError(
            f"sessions are to be uploaded to {TARGET_NAMES[target]}, but {missing[target]}",
            location=where_in_file("export", "upload"),
        )
    return UploadSettings(auto, intervals, strava, missing)


def _table(
    document: Mapping[str, Any], name: str, where_in_file: Callable[[str, str | None], str]
) -> Mapping[str, Any]:
    table = document.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"[{name}] must be a table", location=where_in_file(name, None))
    return table


def _auto(
    export: Mapping[str, Any], where_in_file: Callable[[str, str | None], str]
) -> tuple[Target, ...]:
    value = export.get("upload", [])
    if not isinstance(value, list) or any(item not in TARGETS for item in value):
        raise ConfigError(
            f"export.upload must be a list of {', '.join(map(repr, TARGETS))}, not {value!r}",
            location=where_in_file("export", "upload"),
        )
    return tuple(dict.fromkeys(value))


def _choose(
    name: str,
    table: Mapping[str, Any],
    env: Mapping[str, str],
    where_in_file: Callable[[str, str | None], str],
) -> dict[str, _Source]:
    known = ENV[name]
    for key in table:
        if key not in known:
            raise ConfigError(
                f"unknown key {name}.{shown_name(key)}; known: {', '.join(sorted(known))}",
                location=where_in_file(name, key),
            )
    chosen: dict[str, _Source] = {}
    for key, variable in known.items():
        if env.get(variable):
            chosen[key] = _Source(env[variable], f"${variable}")
        elif key in table:
            chosen[key] = _Source(table[key], where_in_file(name, key))
    return chosen


def _text(source: _Source, what: str) -> str:
    value = source.value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        shown = "a secret" if "secret" in what or "key" in what else repr(source.value)
        raise ConfigError(f"{what} must be text, not {shown}", location=source.where)
    return value.strip()


def _url(source: _Source) -> str:
    url = _text(source, "URL").rstrip("/")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"must be an http:// or https:// URL, not {url!r}", location=source.where)
    return url


def _absent(
    chosen: dict[str, _Source], target: Target, required: tuple[str, str], where_to_find: str
) -> str | None:
    """What to set when a required setting is given nowhere (None: all are given)."""
    absent = [key for key in required if key not in chosen]
    if not absent:
        return None
    return (
        f"{TARGET_NAMES[target]} needs {' and '.join(absent)}: set [{target}] "
        f"{', '.join(absent)} in the config file or "
        f"{', '.join('$' + ENV[target][key] for key in absent)} ({where_to_find})"
    )


def _intervals(chosen: dict[str, _Source], missing: dict[Target, str]) -> IntervalsSettings | None:
    hint = "both are on intervals.icu under Settings, Developer Settings"
    if absent := _absent(chosen, "intervals", ("athlete_id", "api_key"), hint):
        missing["intervals"] = absent
        return None
    athlete = chosen["athlete_id"]
    athlete_id = _text(athlete, "athlete id")
    if not _ATHLETE_ID.fullmatch(athlete_id):
        raise ConfigError(
            f"intervals.icu athlete id looks like 'i123456', not {athlete_id!r}",
            location=athlete.where,
        )
    url = chosen.get("url")
    return IntervalsSettings(
        athlete_id,
        _text(chosen["api_key"], "API key"),
        _url(url) if url else INTERVALS_URL,
    )


def _strava(chosen: dict[str, _Source], missing: dict[Target, str]) -> StravaSettings | None:
    hint = "from your API application: strava.com, Settings, My API Application"
    if absent := _absent(chosen, "strava", ("client_id", "client_secret"), hint):
        missing["strava"] = absent
        return None
    client = chosen["client_id"]
    client_id = _text(client, "client id")
    if not client_id.isdigit():
        raise ConfigError(f"Strava client id is a number, not {client_id!r}", location=client.where)
    port = chosen.get("callback_port")
    wait = chosen.get("max_wait_s")
    token = chosen.get("token_file")
    urls = {key: _url(chosen[key]) for key in ("api_url", "oauth_url", "web_url") if key in chosen}
    return StravaSettings(
        client_id,
        _text(chosen["client_secret"], "client secret"),
        token_file=Path(_text(token, "token file")).expanduser() if token else None,
        callback_port=_number(port, 1, 65535, integer=True) if port else DEFAULT_CALLBACK_PORT,
        max_wait_s=_number(wait, 0, 86400) if wait else DEFAULT_MAX_WAIT_S,
        **urls,
    )


def _number(source: _Source, low: float, high: float, *, integer: bool = False) -> Any:  # noqa: ANN401
    value = source.value
    if isinstance(value, str):
        try:
            value = int(value) if integer else float(value)
        except ValueError:
            value = source.value
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if not ok or isinstance(value, bool) or not low <= value <= high:  # type: ignore[operator]
        kind = "a whole number" if integer else "a number"
        raise ConfigError(
            f"must be {kind} from {low:g} to {high:g}, not {source.value!r}", location=source.where
        )
    return value
