"""The options that pick a treadmill, shared by the commands that drive one."""

from __future__ import annotations

import click

from retrorun.belt import SPEED_FACTOR_MAX, SPEED_FACTOR_MIN

device_option = click.option(
    "--device", metavar="ADDR|NAME", help="The treadmill's Bluetooth address or name."
)
sim_preset_option = click.option(
    "--sim-preset", default="strict", show_default=True, help="Simulator quirk preset."
)
sim_quirk_option = click.option(
    "--sim-quirk",
    "sim_quirks",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override one simulator quirk switch (repeatable; docs/simulator.md), e.g. "
    "true_speed_factor=1.08.",
)
speed_factor_option = click.option(
    "--speed-factor",
    type=click.FloatRange(min=SPEED_FACTOR_MIN, max=SPEED_FACTOR_MAX),
    metavar="F",
    help="The belt's real speed over the speed it shows, as measured (docs/devices.md; "
    f"{SPEED_FACTOR_MIN:g} to {SPEED_FACTOR_MAX:g}; default: the saved settings', else 1).",
)


def one_treadmill(device: str | None, *, sim: bool, sim_preset: str) -> None:
    """Exactly one of ``--device`` and ``--sim``, and ``--sim-preset`` only with ``--sim``:
    one `InputError` naming the option otherwise."""
    from retrorun.errors import InputError  # noqa: PLC0415

    if device and sim:
        raise InputError("--device and --sim exclude each other", location="--sim")
    if not device and not sim:
        raise InputError(
            "name the treadmill with --device ADDR|NAME, or use --sim", location="--device"
        )
    if device and sim_preset != "strict":
        raise InputError("--sim-preset only applies to the simulator", location="--sim-preset")
