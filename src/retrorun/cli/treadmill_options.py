"""The options that pick a treadmill, shared by the commands that drive one."""

from __future__ import annotations

import click

device_option = click.option(
    "--device", metavar="ADDR|NAME", help="The treadmill's Bluetooth address or name."
)
sim_preset_option = click.option(
    "--sim-preset", default="strict", show_default=True, help="Simulator quirk preset."
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
