"""``retrorun doctor``: a bug-report bundle a runner can send about their treadmill.

Composition: the treadmill (``--device``, or the simulator with ``--sim``), heard by a scan
and opened through the device layer with a `retrorun.device.trace.GattTrace` recording
every byte; `retrorun.cli.doctor_bundle` collects what it says (scan record, GATT table,
Device Information, capabilities and their notes), listens with the belt idle (no command
is sent), with ``--check`` runs the treadmill check on the same connection, and writes the
zip whole or not at all.

Exit codes: 0 written, 1 the treadmill could not be reached or the doctor was interrupted
(nothing written), 2 bad input (an existing output file, a device that is not a treadmill).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from retrorun.cli.numbers import FiniteRange
from retrorun.cli.treadmill_options import device_option, one_treadmill, sim_preset_option

if TYPE_CHECKING:
    from retrorun.check.procedure import Prompter
    from retrorun.cli.doctor_bundle import Bundle
    from retrorun.clock import Clock
    from retrorun.device import Backends

DEFAULT_SECONDS = 60.0


@click.command(
    "doctor",
    epilog="""\b
Examples:
  retrorun doctor --device URBAN-2
  retrorun doctor --device C4:5A:11:02:9E:31 -o urban.zip --seconds 120 --mask-address
  retrorun doctor --device URBAN-2 --check        # and a short check of the belt
  retrorun doctor --sim --sim-preset urevo -o urevo.zip
""",
)
@device_option
@click.option("--sim", is_flag=True, help="Examine the built-in treadmill simulator.")
@sim_preset_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The bundle to write, a new .zip (default: retrorun-doctor-DATE-TIME.zip here).",
)
@click.option(
    "--seconds",
    type=FiniteRange(1.0, 3600.0),
    default=DEFAULT_SECONDS,
    show_default=True,
    help="How long to record the treadmill's notifications with the belt idle.",
)
@click.option(
    "--mask-address/--keep-address",
    default=None,
    help="Replace the treadmill's Bluetooth address in the bundle (asked on a terminal; "
    "masked otherwise).",
)
@click.option(
    "--check",
    "with_check",
    is_flag=True,
    help="After the idle recording, run `retrorun check` on the treadmill (the belt moves: "
    "nobody on it) and put what it measured in the bundle. Nothing is saved.",
)
@click.option(
    "--yes",
    "-y",
    is_flag=True,
    help="With --check: do not ask (nobody is on the belt; the console's unit is not asked).",
)
def doctor(
    device: str | None,
    sim: bool,  # noqa: FBT001 - click passes flags by name
    sim_preset: str,
    output: Path | None,
    seconds: float,
    mask_address: bool | None,  # noqa: FBT001
    with_check: bool,  # noqa: FBT001
    yes: bool,  # noqa: FBT001
) -> None:
    """Write a bug-report bundle (a zip) about a treadmill, to send with a bug report.

    It holds what the treadmill advertises, its GATT table with properties, its Device
    Information, the capabilities retrorun reads from it (with every fallback it applied),
    SECONDS of its raw notifications with the belt idle (no command is sent: the belt does
    not move), the settings `retrorun check` saved for it, and the versions of the OS,
    Python, bleak and BlueZ. No personal data beyond the treadmill's address, which it
    offers to mask. The notifications replay through the simulator (docs/devices.md).
    With --check, the treadmill check follows (see `retrorun check`): the belt starts, runs
    a few low speeds and an incline step, pauses and stops, and the bundle gets what it
    measured; the settings file is left as it is.

    Exit codes: 0 written, 1 not reached or interrupted (nothing written), 2 bad input.
    """
    from retrorun.cli.doctor_bundle import default_output, write_bundle  # noqa: PLC0415
    from retrorun.errors import InputError  # noqa: PLC0415

    one_treadmill(device, sim=sim, sim_preset=sim_preset)
    if sim:
        from retrorun_sim import resolve_quirks  # noqa: PLC0415

        resolve_quirks(sim_preset, ())  # bad preset: one line naming the valid ones
    output = output or default_output()
    if output.exists():
        raise InputError("the file exists: name a new one", location=f"--output {output}")
    if not output.parent.is_dir():
        raise InputError("no such folder", location=f"--output {output}")
    if yes and not with_check:
        raise InputError("it answers the check's questions: add --check", location="--yes")
    if mask_address is None:
        mask_address = _ask_to_mask()
    bundle = (
        _collect_simulated(sim_preset, seconds, check=with_check, yes=yes)
        if sim
        else _collect(device or "", seconds, check=with_check, yes=yes)
    )
    if bundle is None:
        click.echo("retrorun: doctor interrupted: no bundle written", err=True)
        raise click.exceptions.Exit(1)
    write_bundle(bundle, output, mask=mask_address)
    masked = " (address masked)" if mask_address else ""
    click.echo(f"retrorun: wrote {output}{masked}: attach it to your bug report")


def _ask_to_mask() -> bool:
    import sys  # noqa: PLC0415

    if not sys.stdin.isatty():
        return True
    return click.confirm(
        "Mask the treadmill's Bluetooth address in the bundle?", default=True, err=True
    )


def _say(line: str) -> None:
    click.echo(f"  {line}", err=True)


def _collect(target: str, seconds: float, *, check: bool, yes: bool) -> Bundle | None:
    import asyncio  # noqa: PLC0415

    from retrorun.cli.check import TerminalRunner  # noqa: PLC0415
    from retrorun.clock import MonotonicClock  # noqa: PLC0415

    # A real treadmill's notifications keep flowing while the runner reads the console.
    runner = TerminalRunner(yes=yes, blocking=False, err=True) if check else None
    return asyncio.run(_interruptible(target, seconds, MonotonicClock(), None, check=runner))


def _collect_simulated(preset: str, seconds: float, *, check: bool, yes: bool) -> Bundle | None:
    from retrorun.cli.check import TerminalRunner  # noqa: PLC0415
    from retrorun.clock import LoopClock, run_virtual  # noqa: PLC0415
    from retrorun.device import Backends  # noqa: PLC0415
    from retrorun_sim import SimulatedTreadmill, SimulatorClient, SimulatorScanner  # noqa: PLC0415

    async def main() -> Bundle | None:
        clock = LoopClock()
        backends = Backends(client=SimulatorClient, scanner=SimulatorScanner)
        async with SimulatedTreadmill(preset=preset, clock=clock) as simulator:
            # On virtual time the simulator waits for each answer; its runner presses the
            # console's buttons.
            runner = (
                TerminalRunner(yes=yes, blocking=True, simulator=simulator, err=True)
                if check
                else None
            )
            return await _interruptible(
                simulator.address, seconds, clock, backends, key=f"sim:{preset}", check=runner
            )

    # The simulated treadmill runs on virtual time: the idle minute passes at once.
    return run_virtual(main())


async def _interruptible(
    target: str,
    seconds: float,
    clock: Clock,
    backends: Backends | None,
    *,
    key: str | None = None,
    check: Prompter | None = None,
) -> Bundle | None:
    """`collect` in a task that Ctrl-C or SIGTERM cancels; None when they did (during the
    check, the check stops the belt first, and the bundle keeps what it measured)."""
    import asyncio  # noqa: PLC0415

    from retrorun.cli.doctor_bundle import collect  # noqa: PLC0415
    from retrorun.cli.signals import on_stop_signals  # noqa: PLC0415

    task = asyncio.ensure_future(
        collect(
            target,
            seconds=seconds,
            clock=clock,
            backends=backends,
            say=_say,
            key=key,
            check=check,
        )
    )
    undo = on_stop_signals(task.cancel)
    try:
        return await task
    except asyncio.CancelledError:
        if task.cancelled():
            return None
        raise
    finally:
        undo()
