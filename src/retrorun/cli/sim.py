"""``retrorun sim``: run a simulated treadmill and show its dialogue with a bleak client.

The command starts a `retrorun_sim.SimulatedTreadmill`, connects to it with bleak's own
``BleakClient`` through the simulator backend, takes control, starts the belt, sets a speed and
prints each Treadmill Data record as a line. ``--trace`` adds every byte that crosses GATT.
By default time is virtual (a ManualClock jumps from event to event, so a ten-minute run
prints at once); ``--realtime`` runs on the wall clock.

``--ble TRANSPORT`` puts the same treadmill on the air instead, as a BLE FTMS peripheral
served by Bumble (the ``ble-sim`` extra) on wall-clock time, for any app to connect to; it
runs until Ctrl-C (or ``--duration``); SIGUSR1 drops the link as a radio would.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from retrorun.cli.numbers import FiniteRange

if TYPE_CHECKING:
    from collections.abc import Callable

    from retrorun.clock import Clock
    from retrorun_sim import SimulatedTreadmill

DEMO_DURATION_S = 30.0
"""How long the built-in client's dialogue runs unless told."""
DROP_COMES_BACK_S = 3.0
"""On the air, SIGUSR1 drops the link; the treadmill advertises again this much later."""
MAX_DURATION_S = 10 * 3600.0
"""The longest plan (docs/safety.md ``session_length_max``): enough to watch any session."""
MAX_SPEED_KMH = 30.0
"""Faster than any consumer treadmill (the profile models' physical bound)."""


@click.command("sim")
@click.option("--preset", default="strict", show_default=True, help="Quirk preset (machine).")
@click.option(
    "--quirk", "quirks", multiple=True, metavar="NAME=VALUE", help="Override one quirk switch."
)
@click.option(
    "--fault", "faults", multiple=True, metavar="KIND@SECONDS[:VALUE]", help="Schedule a fault."
)
@click.option("--trace", is_flag=True, help="Print every byte crossing GATT, decoded.")
@click.option(
    "--duration",
    type=FiniteRange(min=0, max=MAX_DURATION_S),
    default=None,
    help=f"Seconds to run (default {DEMO_DURATION_S:g}; with --ble until Ctrl-C; at most 10 h).",
)
@click.option(
    "--speed",
    type=FiniteRange(min=0, max=MAX_SPEED_KMH),
    default=8.0,
    show_default=True,
    help="Target speed to set, km/h.",
)
@click.option(
    "--replay",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Play captured notifications from this file instead of the belt's telemetry.",
)
@click.option("--realtime", is_flag=True, help="Run on the wall clock instead of virtual time.")
@click.option(
    "--ble",
    "transport",
    metavar="TRANSPORT",
    help="Put the treadmill on the air through Bumble: usb:0, serial:PORT[,BAUD], vhci, ... "
    "(needs retrorun[ble-sim]; an app drives the belt, --speed is not used).",
)
def sim(  # noqa: PLR0913, PLR0917 - one parameter per click option
    preset: str,
    quirks: tuple[str, ...],
    faults: tuple[str, ...],
    trace: bool,  # noqa: FBT001 - click passes flags positionally by name
    duration: float | None,
    speed: float,
    replay: Path | None,
    realtime: bool,  # noqa: FBT001
    transport: str | None,
) -> None:
    """Run a simulated FTMS treadmill and print what a bleak client sees.

    With --ble, serve it over Bluetooth for other apps instead (docs/simulator.md).
    """
    import asyncio  # noqa: PLC0415 - heavy imports stay out of `retrorun --help`

    from retrorun.clock import ManualClock, MonotonicClock  # noqa: PLC0415
    from retrorun_sim import SimulatedTreadmill, parse_replay  # noqa: PLC0415

    clock: Clock = MonotonicClock() if realtime or transport is not None else ManualClock()
    entries = parse_replay(_replay_lines(replay), source=str(replay)) if replay is not None else ()
    treadmill = SimulatedTreadmill(
        preset=preset,
        quirks=quirks,
        faults=faults,
        clock=clock,
        trace=(lambda event: click.echo(f"  trace {event}")) if trace else None,
        replay=entries,
    )
    if transport is not None:
        asyncio.run(_run_on_air(treadmill, transport, duration))
        return
    asyncio.run(_run(treadmill, clock, speed, DEMO_DURATION_S if duration is None else duration))


async def _run_on_air(
    treadmill: SimulatedTreadmill, transport: str, duration: float | None
) -> None:
    """Serve ``treadmill`` on ``transport`` until Ctrl-C, SIGTERM or ``duration`` seconds."""
    import asyncio  # noqa: PLC0415
    import contextlib  # noqa: PLC0415

    from retrorun.cli.signals import on_stop_signals  # noqa: PLC0415
    from retrorun.errors import InputError  # noqa: PLC0415

    try:
        from retrorun_sim.air import open_air  # noqa: PLC0415 - the optional extra
    except ImportError as exc:
        raise InputError(
            f"--ble needs Bumble ({exc.name} is not installed): pip install 'retrorun[ble-sim]'",
            location="--ble",
        ) from exc

    stop = asyncio.Event()
    undo = on_stop_signals(stop.set)
    undo_drop = _drop_link_on_sigusr1(treadmill)
    try:
        async with open_air(treadmill, transport, on_event=_echo_event) as air:
            click.echo(
                f"advertising '{treadmill.name}' (FTMS treadmill, {treadmill.preset} preset) as "
                f"{air.address} on {transport}; Ctrl-C stops",
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), duration)
    finally:
        undo_drop()
        undo()
    click.echo("stopped")


def _drop_link_on_sigusr1(treadmill: SimulatedTreadmill) -> Callable[[], None]:
    """On SIGUSR1 (POSIX), drop the link as a radio would; back after `DROP_COMES_BACK_S`."""
    import asyncio  # noqa: PLC0415
    import signal  # noqa: PLC0415

    from retrorun import platforms  # noqa: PLC0415

    if not platforms.posix():
        return lambda: None
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(
        signal.SIGUSR1, lambda: treadmill.disconnect(come_back_after_s=DROP_COMES_BACK_S)
    )

    def undo() -> None:
        loop.remove_signal_handler(signal.SIGUSR1)

    return undo


def _echo_event(line: str) -> None:
    import time  # noqa: PLC0415

    click.echo(f"{time.strftime('%H:%M:%S')}  {line}")


MAX_REPLAY_BYTES = 16 * 1024 * 1024
"""A capture of a long session is a few megabytes of hex lines."""


def _replay_lines(path: Path) -> list[str]:
    """The lines of a capture file: a regular UTF-8 file of at most `MAX_REPLAY_BYTES`."""
    from retrorun.errors import InputError  # noqa: PLC0415
    from retrorun.userfiles import UnreadableFile, read_bounded  # noqa: PLC0415

    try:
        return read_bounded(path, MAX_REPLAY_BYTES).decode("utf-8").splitlines()
    except UnreadableFile as exc:
        raise InputError(str(exc), location=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", location=str(path)) from exc


async def _run(treadmill: SimulatedTreadmill, clock: Clock, speed: float, duration: float) -> None:
    import asyncio  # noqa: PLC0415

    from retrorun.clock import ManualClock  # noqa: PLC0415
    from retrorun_sim.demo import run_demo  # noqa: PLC0415

    async with treadmill:
        task = asyncio.ensure_future(run_demo(treadmill, speed, duration, click.echo))
        if isinstance(clock, ManualClock):
            await clock.run_until(task, limit=duration + 60.0)
        await task
