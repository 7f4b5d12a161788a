"""``retrorun scan``: list FTMS treadmills in range (or simulated ones)."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import click

from retrorun.cli.numbers import FiniteRange

if TYPE_CHECKING:
    from retrorun.device import FoundTreadmill


@click.command(
    epilog="""\b
Examples:
  retrorun scan
  retrorun scan --timeout 20 --json
  retrorun scan --all
  retrorun scan --sim --all
"""
)
@click.option(
    "--timeout",
    "duration_s",
    type=FiniteRange(0.5, 300.0),
    default=10.0,
    show_default=True,
    help="How many seconds to listen.",
)
@click.option("--sim", is_flag=True, help="Scan simulated treadmills instead of the radio.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="List every device heard, marking which speak FTMS (the Fitness Machine Service).",
)
def scan(duration_s: float, sim: bool, as_json: bool, show_all: bool) -> None:  # noqa: FBT001
    """Find FTMS treadmills: name, address, signal strength and machine type.

    Devices that advertise the Fitness Machine Service without its service data (some Sole
    treadmills) are listed with the type "unknown". With --all every device heard is
    listed, with a column saying whether it speaks FTMS.
    """
    heard = _scan_simulated(duration_s) if sim else asyncio.run(_scan_radio(duration_s))
    found = heard if show_all else [device for device in heard if device.ftms]
    if as_json:
        click.echo(json.dumps([t.to_json() for t in found], indent=2))
    elif found:
        click.echo(_table(found, show_all=show_all))
    if not any(device.ftms for device in heard):
        click.echo(f"retrorun: {nothing_found(heard, duration_s)}", err=True)


def nothing_found(heard: list[FoundTreadmill], duration_s: float) -> str:
    """What to say when no FTMS treadmill was heard among `heard`."""
    if not heard:
        return (
            f"no Bluetooth device heard in {duration_s:g} s: is the treadmill switched on "
            "and near, and is another app (a phone, a watch) connected to it? close it"
        )
    count = f"{len(heard)} device{'' if len(heard) == 1 else 's'}"
    return (
        f"no FTMS treadmill among the {count} heard in {duration_s:g} s: the treadmill may "
        "use a proprietary protocol (not FTMS), or be connected to another app (a phone, a "
        "watch: close it; a connected treadmill does not advertise); 'retrorun scan --all' "
        "lists what was heard"
    )


async def _scan_radio(duration_s: float) -> list[FoundTreadmill]:
    from retrorun.device import scan_devices  # noqa: PLC0415 - keeps --help instant

    return await scan_devices(duration_s=duration_s)


def _scan_simulated(duration_s: float) -> list[FoundTreadmill]:
    """The simulated treadmill heard among its simulated neighbours (a proprietary walking
    pad, a heart-rate strap, a phone)."""
    # Lazy imports keep --help instant; only the composition root may import the simulator.
    import contextlib  # noqa: PLC0415

    from retrorun.clock import LoopClock, run_virtual  # noqa: PLC0415
    from retrorun.device import Backends, scan_devices  # noqa: PLC0415
    from retrorun_sim import (  # noqa: PLC0415
        NEIGHBOURHOOD,
        SimulatedNeighbour,
        SimulatedTreadmill,
        SimulatorClient,
        SimulatorScanner,
    )

    async def main() -> list[FoundTreadmill]:
        with contextlib.ExitStack() as around:
            for advertised in NEIGHBOURHOOD:
                around.enter_context(SimulatedNeighbour(advertised))
            async with SimulatedTreadmill(clock=LoopClock()):
                backends = Backends(client=SimulatorClient, scanner=SimulatorScanner)
                return await scan_devices(duration_s=duration_s, backends=backends)

    # Nothing real is waited for, so the scan runs on virtual time and returns at once.
    return run_virtual(main())


def _table(found: list[FoundTreadmill], *, show_all: bool) -> str:
    rows = [("NAME", "ADDRESS", "RSSI", "TYPE", *(("FTMS",) if show_all else ()))]
    rows += [
        (
            t.name or "(no name)",
            t.address,
            "" if t.rssi is None else str(t.rssi),
            t.machine_type,
            *((("yes" if t.ftms else "no"),) if show_all else ()),
        )
        for t in found
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
