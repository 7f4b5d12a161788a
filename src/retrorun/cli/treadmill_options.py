"""The options that pick a treadmill, shared by the commands that drive one."""

from __future__ import annotations

import click

device_option = click.option(
    "--device", metavar="ADDR|NAME", help="The treadmill's Bluetooth address or name."
)
sim_preset_option = click.option(
    "--sim-preset", default="strict", show_default=True, help="Simulator quirk preset."
)
