"""Session and workout file commands: ``export``, ``summary`` and ``workout``.

Heavy modules load inside the command bodies so ``retrorun --help`` stays instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from retrorun.profiles.words import Units
    from retrorun.recording.log_reader import SessionLog

FORMATS = ("fit", "tcx")
WORKOUT_FORMATS = ("fit", "zwo")


def _write(output: Path, data: bytes) -> None:
    from retrorun.errors import InputError  # noqa: PLC0415

    try:
        output.write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", location=str(output)) from exc
    click.echo(f"wrote {output}")


def read_session_log(log: Path) -> SessionLog:
    """Read `log` (`LogError`, exit 2, when it is no session log); broken lines in its middle
    are skipped and named in one note on stderr, and the command goes on (exit 0)."""
    from retrorun.recording.log_reader import read_log  # noqa: PLC0415

    session = read_log(log)
    if session.skipped_note is not None:
        click.echo(f"note: {session.skipped_note}", err=True)
    return session


units_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Config file whose [display] units (km/h or mph) the output uses (default: "
    "$RETRORUN_CONFIG or the user config folder).",
)


@click.command()
@click.argument("log", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "-f", "file_format", type=click.Choice(FORMATS), default="fit", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write (default: next to the log, with the format's suffix).",
)
@units_option
def export(log: Path, file_format: str, output: Path | None, config_path: Path | None) -> None:
    """Export a session LOG as a FIT or TCX activity for Strava or Garmin Connect."""
    from retrorun.config import load_config  # noqa: PLC0415

    export_session_log(log, file_format, output, units=load_config(config_path).units)


def export_session_log(
    log: Path,
    file_format: str,
    output: Path | None = None,
    fit_device: tuple[int, int, int | None] | None = None,
    units: Units = "metric",
) -> Path:
    """Write ``log`` as ``file_format`` (default: next to the log); return where it went.

    `fit_device` is the config file's ``[export] fit_device`` (manufacturer, product,
    serial number) a FIT file names as its creator; None: retrorun itself. `units` are the
    config file's ``[display] units``, for the laps' names and notes."""
    session = read_session_log(log)
    if file_format == "fit":
        from retrorun.recording.fit_activity import (  # noqa: PLC0415
            RETRORUN_DEVICE,
            DeviceIdentity,
            export_fit,
        )

        identity = RETRORUN_DEVICE if fit_device is None else DeviceIdentity(*fit_device)
        offset = session.started_at.astimezone().utcoffset()
        local = round(offset.total_seconds()) if offset else 0
        data = export_fit(session, local, identity, units)
    else:
        from retrorun.recording.tcx import export_tcx  # noqa: PLC0415

        data = export_tcx(session, units).encode("utf-8")
    if not session.complete:
        click.echo(
            f"note: {log} ends without a summary (interrupted session); "
            "exported everything up to its last complete line",
            err=True,
        )
    target = output or log.with_suffix(f".{file_format}")
    _write(target, data)
    return target


@click.command()
@click.argument("log", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--width",
    type=click.IntRange(20, 1000),
    default=60,
    show_default=True,
    help="Chart width in columns (20 to 1000).",
)
@units_option
def summary(log: Path, width: int, config_path: Path | None) -> None:
    """Print a session LOG: per direction time, distance, speed, HR; pauses, overrides, faults."""
    from retrorun.config import load_config  # noqa: PLC0415
    from retrorun.recording.summary import render_summary, summarize  # noqa: PLC0415

    units = load_config(config_path).units
    for line in render_summary(summarize(read_session_log(log)), width, units):
        click.echo(line.rstrip())


@click.command()
@click.argument("profile")
@click.option(
    "--format",
    "-f",
    "file_format",
    type=click.Choice(WORKOUT_FORMATS),
    default="fit",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write (default: PROFILE's file name with the format's suffix, here).",
)
def workout(profile: str, file_format: str, output: Path | None) -> None:
    """Export PROFILE (a file or a bundled name) as a FIT workout or a Zwift run workout."""
    from retrorun.profiles import library  # noqa: PLC0415
    from retrorun.profiles.loader import load_profile  # noqa: PLC0415
    from retrorun.profiles.plan import compile_plan  # noqa: PLC0415

    path = library.resolve(profile)
    document = load_profile(path)
    plan = compile_plan(document.profile, where=document)  # only safe profiles leave retrorun
    if file_format == "fit":
        from retrorun.profiles.exporters.fit_workout import export_fit_workout  # noqa: PLC0415

        data = export_fit_workout(document.profile, plan)
    else:
        from retrorun.profiles.exporters.zwo import export_zwo  # noqa: PLC0415

        data = export_zwo(document.profile, plan).encode("utf-8")
    _write(output or Path(f"{path.stem}.{file_format}"), data)
