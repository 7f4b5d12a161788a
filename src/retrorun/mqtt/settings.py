"""Where the broker is and what to publish there: `MqttSettings` and how it is resolved.

Every setting comes from, first match wins: a command-line option, an environment variable
(``RETRORUN_MQTT_URL``, ...; see `ENV`), then the ``[mqtt]`` table of the config file:

```toml
[mqtt]
url = "mqtts://coach:secret@broker.example:8883"
ca = "/etc/ssl/broker-ca.pem"
id = "gym-treadmill-3"     # topic root retrorun/gym-treadmill-3/ (default: from the device)
commands = false           # ignore remote commands (they are answered "turned off")
log = true                 # also publish the session log lines on .../log
```

A bad value raises `ConfigError` naming where it came from (``--mqtt``,
``$RETRORUN_MQTT_URL`` or ``config.toml:3``), which the command line reports with exit 2.
Pure: no I/O (file paths are checked where they are opened).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrorun.errors import ConfigError, shown_name

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

DEFAULT_PORT = 1883
DEFAULT_TLS_PORT = 8883
TOPIC_PREFIX = "retrorun"
DISCOVERY_PREFIX = "homeassistant"
ID_MAX_CHARS = 64

# setting name -> (environment variable, config key, kind)
ENV = {
    "url": "RETRORUN_MQTT_URL",
    "ca": "RETRORUN_MQTT_CA",
    "cert": "RETRORUN_MQTT_CERT",
    "key": "RETRORUN_MQTT_KEY",
    "id": "RETRORUN_MQTT_ID",
    "commands": "RETRORUN_MQTT_COMMANDS",
    "log": "RETRORUN_MQTT_LOG",
    "discovery": "RETRORUN_MQTT_DISCOVERY",
}
CONFIG_KEYS = frozenset(ENV)
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True)
class Broker:
    """A parsed broker URL: ``mqtt://[user:pass@]host[:port]`` or ``mqtts://...``."""

    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = None

    def __str__(self) -> str:
        """The URL without the password (safe to print and log)."""
        user = f"{self.username}@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{host}:{self.port}"


@dataclass(frozen=True)
class MqttSettings:
    """Everything the bridge and the watcher need to know about the broker and topics."""

    broker: Broker
    ca_path: Path | None = None
    cert_path: Path | None = None
    key_path: Path | None = None
    treadmill_id: str | None = None
    """Topic root id; None until `for_device` fills it from the treadmill's name/address."""
    remote_commands: bool = True
    publish_log: bool = False
    discovery: bool = True
    """Publish Home Assistant discovery configs under `discovery_prefix`."""
    topic_prefix: str = TOPIC_PREFIX
    discovery_prefix: str = DISCOVERY_PREFIX
    keepalive_s: int = 30
    client_id: str | None = None
    """MQTT client identifier; None lets the client library choose a random one."""
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    """Where each setting came from (``--mqtt-ca``, ``$RETRORUN_MQTT_CA``,
    ``config.toml:4 mqtt.ca``), for messages about its value; see `where`."""

    def where(self, name: str) -> str:
        """Where setting `name` (``ca``, ``cert``, ...) came from; its option if unknown."""
        return self.sources.get(name, f"--mqtt-{name}")

    def for_device(self, name: str | None, address: str | None) -> MqttSettings:
        """These settings with `treadmill_id` set from the device, unless configured."""
        if self.treadmill_id is not None:
            return self
        return replace(self, treadmill_id=treadmill_id(name, address))


@dataclass(frozen=True)
class Backoff:
    """Reconnect delays: `first_s`, doubling up to `max_s` (the count resets on success)."""

    first_s: float = 0.5
    factor: float = 2.0
    max_s: float = 30.0

    def delay_s(self, attempt: int) -> float:
        return min(self.max_s, self.first_s * self.factor ** min(attempt, 32))


DEFAULT_BACKOFF = Backoff()


def slug(text: str) -> str:
    """A topic-safe id: lowercase letters, digits and single hyphens ("FS-3A2B C1" -> "fs-3a2b-c1").

    MQTT reserves ``/``, ``+`` and ``#`` in topics; a slug has none of them.
    """
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)[:ID_MAX_CHARS].strip("-")


def treadmill_id(name: str | None, address: str | None) -> str:
    """The default topic id of a treadmill: its advertised name, else its address."""
    for candidate in (name, address):
        if candidate and (found := slug(candidate)):
            return found
    return "treadmill"


def parse_broker_url(url: str, *, where: str) -> Broker:
    """Parse a broker URL; `ConfigError` at `where` when it is not one."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"not a broker URL {url!r}: {exc}", location=where) from exc
    if parts.scheme not in {"mqtt", "mqtts"}:
        raise ConfigError(
            f"broker URL must start with mqtt:// or mqtts://, not {url!r}", location=where
        )
    if not parts.hostname:
        raise ConfigError(f"broker URL {url!r} names no host", location=where)
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise ConfigError(
            f"broker URL {url!r} has a path or query; topics are set with the id option",
            location=where,
        )
    tls = parts.scheme == "mqtts"
    username = urllib.parse.unquote(parts.username) if parts.username else None
    password = urllib.parse.unquote(parts.password) if parts.password is not None else None
    default = DEFAULT_TLS_PORT if tls else DEFAULT_PORT
    return Broker(parts.hostname, port or default, tls, username, password)


def parse_flag(value: object, *, where: str) -> bool:
    """A switch from TOML (true/false) or text ("on", "off", "1", "0", "yes", "no")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ConfigError(f"must be true or false (on/off), not {value!r}", location=where)


def parse_id(value: object, *, where: str) -> str:
    """A configured treadmill id: used as given when topic-safe, refused otherwise."""
    if not isinstance(value, str) or not value:
        raise ConfigError(f"treadmill id must be text, not {value!r}", location=where)
    if slug(value) != value:
        raise ConfigError(
            f"treadmill id {value!r} must be lowercase letters, digits and hyphens "
            f"(for example {slug(value) or 'treadmill-1'!r})",
            location=where,
        )
    return value


@dataclass(frozen=True)
class _Source:
    """One setting's raw value and a human name for where it came from."""

    value: object
    where: str


def resolve_settings(
    options: Mapping[str, object | None],
    env: Mapping[str, str],
    table: Mapping[str, Any],
    where_in_file: Callable[[str], str],
) -> MqttSettings | None:
    """Settings from options, then environment, then the config file's ``[mqtt]`` table.

    `options` uses the setting names of `ENV` (``url``, ``ca``, ...; None = not given);
    `where_in_file(key)` names the file and line of a config key for messages. Returns None
    when no broker URL is given anywhere (MQTT is off).
    """
    for key in table:
        if key not in CONFIG_KEYS:
            raise ConfigError(
                f"unknown key mqtt.{shown_name(key)}; known: {', '.join(sorted(CONFIG_KEYS))}",
                location=where_in_file(key),
            )
    chosen = _choose(options, env, table, where_in_file)
    if "url" not in chosen:
        return None
    url = chosen["url"]
    if not isinstance(url.value, str):
        raise ConfigError(f"broker URL must be text, not {url.value!r}", location=url.where)
    broker = parse_broker_url(url.value, where=url.where)
    files = [name for name in ("ca", "cert", "key") if name in chosen]
    if files and not broker.tls:
        raise ConfigError("TLS files need an mqtts:// broker URL", location=chosen[files[0]].where)
    if ("cert" in chosen) != ("key" in chosen):
        name = "cert" if "cert" in chosen else "key"
        raise ConfigError(
            "a client certificate needs both cert and key", location=chosen[name].where
        )

    def flag(name: str) -> bool | None:
        source = chosen.get(name)
        return None if source is None else parse_flag(source.value, where=source.where)

    def path(name: str) -> Path | None:
        source = chosen.get(name)
        return None if source is None else _path(source)

    ident = chosen.get("id")
    return MqttSettings(
        broker,
        ca_path=path("ca"),
        cert_path=path("cert"),
        key_path=path("key"),
        treadmill_id=None if ident is None else parse_id(ident.value, where=ident.where),
        remote_commands=flag("commands") is not False,
        publish_log=flag("log") is True,
        discovery=flag("discovery") is not False,
        sources={name: source.where for name, source in chosen.items()},
    )


def _choose(
    options: Mapping[str, object | None],
    env: Mapping[str, str],
    table: Mapping[str, Any],
    where_in_file: Callable[[str], str],
) -> dict[str, _Source]:
    """Each given setting's value from its first source: option, environment, file."""
    chosen: dict[str, _Source] = {}
    for name, variable in ENV.items():
        if options.get(name) is not None:
            option = "--mqtt" if name == "url" else f"--mqtt-{name}"
            chosen[name] = _Source(options[name], option)
        elif env.get(variable):
            chosen[name] = _Source(env[variable], f"${variable}")
        elif name in table:
            chosen[name] = _Source(table[name], where_in_file(name))
    return chosen


def _path(source: _Source) -> Path:
    if isinstance(source.value, Path):
        return source.value
    if not isinstance(source.value, str) or not source.value:
        raise ConfigError(f"must be a file path, not {source.value!r}", location=source.where)
    return Path(source.value).expanduser()
