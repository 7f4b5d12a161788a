"""The ``--mqtt ...`` options shared by ``retrorun run`` and ``retrorun watch``.

`mqtt_options` adds the broker options (URL and TLS files) to a click command;
`session_mqtt_options` adds what only a publishing session needs (``--mqtt-id``,
``--mqtt-commands/--no-mqtt-commands``, ``--mqtt-log``). `resolve_mqtt` merges them with the
environment and the config file's ``[mqtt]`` table (options win, then environment, then the
file) into `MqttSettings`, or None when no broker is named anywhere.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from collections.abc import Callable

    from retrorun.config import Config
    from retrorun.mqtt.settings import MqttSettings

_F = TypeVar("_F", bound="Callable[..., object]")

_FILE = click.Path(dir_okay=False, path_type=Path)
_OPTIONS = (
    click.option(
        "--mqtt",
        "mqtt_url",
        metavar="URL",
        default=None,
        help="Broker: mqtt://[user:pass@]host[:port] or mqtts://... ($RETRORUN_MQTT_URL).",
    ),
    click.option("--mqtt-ca", type=_FILE, default=None, help="CA file for mqtts:// brokers."),
    click.option("--mqtt-cert", type=_FILE, default=None, help="Client certificate (mqtts://)."),
    click.option("--mqtt-key", type=_FILE, default=None, help="Client key (mqtts://)."),
)

_SESSION_OPTIONS = (
    click.option(
        "--mqtt-id",
        metavar="ID",
        default=None,
        help="Topic id: retrorun/ID/... (default: from the treadmill's name or address).",
    ),
    click.option(
        "--mqtt-commands/--no-mqtt-commands",
        default=None,
        help="Accept remote commands on retrorun/ID/command (default: on).",
    ),
    click.option(
        "--mqtt-log",
        is_flag=True,
        default=None,
        help="Also publish the session log lines on retrorun/ID/log.",
    ),
)


def mqtt_options(command: _F) -> _F:
    """Add ``--mqtt``, ``--mqtt-ca``, ``--mqtt-cert`` and ``--mqtt-key`` to `command`."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


def session_mqtt_options(command: _F) -> _F:
    """`mqtt_options` plus ``--mqtt-id``, ``--mqtt-commands/--no-...`` and ``--mqtt-log``."""
    for option in reversed(_SESSION_OPTIONS):
        command = option(command)
    return mqtt_options(command)


def resolve_mqtt(
    config: Config,
    *,
    mqtt_url: str | None,
    mqtt_ca: Path | None = None,
    mqtt_cert: Path | None = None,
    mqtt_key: Path | None = None,
    mqtt_id: str | None = None,
    mqtt_commands: bool | None = None,
    mqtt_log: bool | None = None,
) -> MqttSettings | None:
    """Settings from options, environment and the config file read for this run
    (`ConfigError` naming the place)."""
    from retrorun.mqtt.settings import resolve_settings  # noqa: PLC0415 - heavy imports stay lazy

    options: dict[str, object | None] = {
        "url": mqtt_url,
        "ca": mqtt_ca,
        "cert": mqtt_cert,
        "key": mqtt_key,
        "id": mqtt_id,
        "commands": mqtt_commands,
        "log": mqtt_log,
    }
    return resolve_settings(options, os.environ, config.mqtt, config.mqtt_where)
