"""``retrorun run`` and the settings ``retrorun check`` saved for the treadmill.

A treadmill that was checked gets its settings applied (mph modes, an explicit
``--mph-in-kmh-fields`` or ``--mph-commands`` winning; the measured ramps) and one line
saying so; a real one that
never was gets a suggestion to check it; one whose check found it unsafe runs no backward
segment.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from retrorun.cli.launch import LaunchOptions
    from retrorun.profiles.plan import Plan
    from retrorun.treadmill_settings import SavedTreadmill


def settings_key(options: LaunchOptions) -> str:
    """What the treadmill is saved under: its address or name, or ``sim:PRESET``."""
    return options.device or f"sim:{options.simulator.preset}"


def _saved(options: LaunchOptions) -> tuple[str, SavedTreadmill] | None:
    """The saved settings of `options`' treadmill; the settings' models load only when
    there is a file to read."""
    from retrorun.config import treadmills_path  # noqa: PLC0415

    path = treadmills_path()
    if not path.exists():
        return None
    from retrorun.treadmill_settings import find_saved, load_saved  # noqa: PLC0415

    return find_saved(load_saved(path), settings_key(options))


def apply_saved_settings(
    options: LaunchOptions, *, explicit_mph: bool, explicit_speed_factor: bool = False
) -> LaunchOptions:
    """`options` with the saved settings of its treadmill applied, after saying so (an
    explicit mph mode or speed factor on the command line wins)."""
    found = _saved(options)
    if found is None:
        if options.device is not None:
            click.echo(
                f"retrorun: {options.device} has never been checked: run "
                f"'retrorun check --device {options.device}' once, with nobody on the belt",
                err=True,
            )
        return options
    address, entry = found
    from retrorun.profiles.words import in_units  # noqa: PLC0415

    summary = in_units(entry.summary(), options.config.units)
    click.echo(f"retrorun: using saved settings for {entry.name}: {summary}", err=True)
    in_force = {"address": address, **entry.model_dump(mode="json", exclude_none=True)}
    options = dataclasses.replace(options, saved_settings=in_force)
    if entry.console_start:
        click.echo(
            "retrorun: this treadmill takes Start from its console only: press Start there "
            "before the session starts",
            err=True,
        )
    options = dataclasses.replace(options, ramp_rates=entry.ramp_rates())
    if entry.speed_factor is not None and not explicit_speed_factor:
        options = dataclasses.replace(options, speed_factor=entry.speed_factor)
    if explicit_mph:
        return options
    return dataclasses.replace(
        options, mph=entry.mph_mode == "mph", mph_commands=entry.mph_mode == "mph_commands"
    )


def refuse_unsafe_backward(options: LaunchOptions, plan: Plan) -> None:
    """`InputError` when the plan runs backward on a treadmill whose check found it unsafe."""
    from retrorun.errors import InputError  # noqa: PLC0415

    if not any(segment.direction == "backward" for segment in plan.segments):
        return
    found = _saved(options)
    if found is None or not found[1].unsafe:
        return
    address, entry = found
    raise InputError(_refusal(entry, address), location=options.profile or plan.name)


def _refusal(entry: SavedTreadmill, address: str) -> str:
    reasons = "; ".join(entry.problems) or "its check failed"
    where = address if not address.startswith("sim:") else "--sim --sim-preset " + address[4:]
    device = f"--device {address}" if where == address else where
    return (
        f"backward segments refused on {entry.name}: {reasons} (checked {entry.checked_at}). "
        f"Have the treadmill fixed or its units setting changed, then run "
        f"'retrorun check {device}' again, or run a forward-only profile"
    )
