"""``retrorun upload``: send a session to intervals.icu or Strava, once.

Heavy modules (httpx) load inside the command body so ``retrorun --help`` stays instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

if TYPE_CHECKING:
    from retrorun.config import Config
    from retrorun.upload.settings import Target, UploadSettings

TARGETS = ("intervals", "strava")


@click.command()
@click.argument("session", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--to", "target", type=click.Choice(TARGETS), required=True, help="Where to upload.")
@click.option("--force", is_flag=True, help="Upload a session run on the simulator too.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Config file (default: $RETRORUN_CONFIG, else config.toml in the config folder).",
)
@click.option(
    "--authorize",
    is_flag=True,
    help="Strava: authorize retrorun in the browser (once), then upload SESSION if given.",
)
def upload(
    session: Path | None,
    target: str,
    force: bool,  # noqa: FBT001 - a click flag
    config_file: Path | None,
    authorize: bool,  # noqa: FBT001 - a click flag
) -> None:
    """Upload SESSION (a session log or its FIT file) to intervals.icu or Strava.

    Credentials come from the config file or the environment, never from the command line.
    A session already uploaded there says where it went instead of uploading again.
    """
    import asyncio  # noqa: PLC0415

    from retrorun.config import load_config  # noqa: PLC0415
    from retrorun.errors import InputError  # noqa: PLC0415
    from retrorun.upload.service import authorize_strava, upload_session  # noqa: PLC0415
    from retrorun.upload.transport import Pacing  # noqa: PLC0415

    settings = upload_settings(load_config(config_file))
    pacing = Pacing(progress=lambda line: click.echo(line, err=True))
    if authorize:
        if target != "strava":
            raise InputError("--authorize is for Strava; intervals.icu uses an API key")
        store = asyncio.run(authorize_strava(settings.require_strava(), pacing, _show))
        click.echo(f"authorized; tokens saved in {store} (readable by you only)", err=True)
    if session is None:
        if authorize:
            return
        raise click.UsageError("SESSION is missing (a session log or a FIT file)")
    chosen = cast("Target", target)
    outcome = asyncio.run(upload_session(session, chosen, settings, force=force, pacing=pacing))
    click.echo(outcome.line())


def upload_settings(config: Config) -> UploadSettings:
    """The upload settings of a config file (``export.upload``, ``[intervals]``,
    ``[strava]``) and the environment; `ConfigError` naming the place when one is bad."""
    import os  # noqa: PLC0415

    from retrorun.upload.settings import parse_upload_settings  # noqa: PLC0415

    return parse_upload_settings(config.document, os.environ, config.where)


def _show(url: str) -> None:
    import webbrowser  # noqa: PLC0415

    click.echo(f"Open this page to let retrorun upload to Strava:\n  {url}", err=True)
    webbrowser.open(url)
