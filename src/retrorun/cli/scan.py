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
  retrorun scan --sim
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
def scan(duration_s: float, sim: bool, as_json: bool) -> None:  # noqa: FBT001 - click flags
    """Find FTMS treadmills: name, address, signal strength and machine type.

    Devices that advertise the Fitness Machine Service without its service data (some Sole
    treadmills) are listed with the type "unknown".
    """
    found = _scan_simulated(duration_s) if sim else asyncio.run(_scan_radio(duration_s))
    if as_json:
        click.echo(json.dumps([t.to_json() for t in found], indent=2))
        return
    if not found:
        click.echo(f"no FTMS treadmill found in {duration_s:g} s", err=True)
        return
    click.echo(_table(found))


async def _scan_radio(duration_s: float) -> list[FoundTreadmill]:
    from retrorun.device import scan_treadmills  # noqa: PLC0415 - keeps --help instant

    return await scan_treadmills(duration_s=duration_s)


def _scan_simulated(duration_s: float) -> list[FoundTreadmill]:
    # Lazy imports keep --help instant; only the composition root may import the simulator.
    from retrorun.clock import LoopClock, run_virtual  # noqa: PLC0415
    from retrorun.device import Backends, scan_treadmills  # noqa: PLC0415
    from retrorun_sim import SimulatedTreadmill, SimulatorClient, SimulatorScanner  # noqa: PLC0415

    async def main() -> list[FoundTreadmill]:
        async with SimulatedTreadmill(clock=LoopClock()):
            backends = Backends(client=SimulatorClient, scanner=SimulatorScanner)
            return await scan_treadmills(duration_s=duration_s, backends=backends)

    # Nothing real is waited for, so the scan runs on virtual time and returns at once.
    return run_virtual(main())


def _table(found: list[FoundTreadmill]) -> str:
    rows = [("NAME", "ADDRESS", "RSSI", "TYPE")]
    rows += [
        (t.name or "(no name)", t.address, "" if t.rssi is None else str(t.rssi), t.machine_type)
        for t in found
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
