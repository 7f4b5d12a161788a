"""``retrorun watch``: a coach's live table of every treadmill on an MQTT broker."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from retrorun.cli.mqtt_options import mqtt_options, resolve_mqtt

if TYPE_CHECKING:
    from retrorun.errors import BrokerError
    from retrorun.mqtt.board import Board

CLEAR = "\x1b[H\x1b[2J"


@click.command()
@mqtt_options
@click.option(
    "--once",
    is_flag=True,
    help="Print the table of what the broker holds now and exit (for scripts).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Config file with [mqtt] (default: $RETRORUN_CONFIG or the user config folder).",
)
def watch(
    mqtt_url: str | None,
    mqtt_ca: Path | None,
    mqtt_cert: Path | None,
    mqtt_key: Path | None,
    once: bool,  # noqa: FBT001 - click passes flags positionally by name
    config_path: Path | None,
) -> None:
    """Show every treadmill on the MQTT broker in one live table (Ctrl-C to quit)."""
    import asyncio  # noqa: PLC0415 - heavy imports stay inside the command

    from retrorun.config import load_config  # noqa: PLC0415
    from retrorun.errors import ConfigError  # noqa: PLC0415
    from retrorun.mqtt.settings import DEFAULT_BACKOFF  # noqa: PLC0415
    from retrorun.mqtt.watch import snapshot_board, watch_board  # noqa: PLC0415

    settings = resolve_mqtt(
        load_config(config_path),
        mqtt_url=mqtt_url,
        mqtt_ca=mqtt_ca,
        mqtt_cert=mqtt_cert,
        mqtt_key=mqtt_key,
    )
    if settings is None:
        raise ConfigError("name a broker with --mqtt URL (or $RETRORUN_MQTT_URL, or [mqtt] url)")
    if once:
        board = asyncio.run(snapshot_board(settings))
        click.echo(board.render())
        return
    live = sys.stdout.isatty()

    def show(board: Board) -> None:
        click.echo(f"{CLEAR if live else ''}{board.render()}\n", nl=False)

    def on_error(error: BrokerError) -> None:
        click.echo(f"retrorun watch: {error} (retrying)", err=True)

    try:
        asyncio.run(watch_board(settings, show, backoff=DEFAULT_BACKOFF, on_error=on_error))
    except KeyboardInterrupt:
        return
