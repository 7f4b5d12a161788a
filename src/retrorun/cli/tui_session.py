"""``retrorun run`` with the TUI: compose a session, its log, its audio and the app.

`run_tui` is what ``retrorun run`` does without ``--headless``. With a PROFILE the session
is launched before the app opens (bad input fails with one line, before the screen
changes); without one the app opens on its start screen and launches what is chosen.
Whatever closes the app, a session that still runs is stopped (the runner stops the belt)
before this returns, and the simulator is shut down.

Heavy modules are imported inside functions: this module is imported by ``retrorun run``
only once the command runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from retrorun.cli.companions import Companions
    from retrorun.config import Config
    from retrorun.mqtt.settings import MqttSettings
    from retrorun.session.api import SessionEnded
    from retrorun.session.runner import SessionRunner
    from retrorun.tui import FoundDevice, Launched
    from retrorun_sim import SimulatedTreadmill

SCAN_S = 5.0
# Snapshots about 4 times a second: what the screen's countdowns are drawn from.
SNAPSHOT_INTERVAL_S = 0.25


@dataclass
class TuiOptions:
    """``retrorun run``'s options that shape a TUI session."""

    device: str | None
    sim_options: tuple[str, tuple[str, ...]]
    log_path: Path | None
    trace: bool
    config_path: Path | None
    voice: bool | None
    """``--voice/--no-voice``; None: as the config file says."""
    mqtt: MqttSettings | None = None
    """The broker to publish the session to (``--mqtt``), or None."""
    export_formats: tuple[str, ...] = ()
    """``--export``: activity files to write when the session ends (else the config's)."""
    mph: bool = False
    """``--mph-in-kmh-fields``: the real treadmill puts mph in its km/h fields."""


@dataclass
class Composition:
    """The one session the app shows, and everything running beside it."""

    options: TuiOptions
    config: Config
    runner: SessionRunner | None = None
    run_task: asyncio.Task[SessionEnded] | None = None
    simulator: SimulatedTreadmill | None = None
    log_path: Path | None = None
    companions: Companions | None = None
    writer_task: asyncio.Task[None] | None = None
    on_failure: Callable[[], object] | None = None
    """Called when the session fails before it could end (the app closes on it)."""

    def watch(self, task: asyncio.Task[SessionEnded]) -> None:
        # A session that fails before it could end (no treadmill found) publishes no
        # SessionEnded to show: close the app; `finish` then raises the failure.
        if not task.cancelled() and task.exception() is not None and self.on_failure:
            self.on_failure()

    async def launch(self, profile: str, device: str | None) -> Launched:
        """Start `profile` on `device` (None: the simulator) and hand back its handle."""
        from retrorun.cli.companions import Companions, audio_settings  # noqa: PLC0415
        from retrorun.cli.run import (  # noqa: PLC0415
            _connector,
            _simulator,
            compile_profile,
            profile_info,
        )
        from retrorun.clock import LoopClock  # noqa: PLC0415
        from retrorun.errors import InputError  # noqa: PLC0415
        from retrorun.recording.report import LogReport  # noqa: PLC0415
        from retrorun.recording.session_log import (  # noqa: PLC0415
            SessionLogWriter,
            default_log_path,
        )
        from retrorun.session.inputs import EngineOptions  # noqa: PLC0415
        from retrorun.session.runner import SessionRunner  # noqa: PLC0415
        from retrorun.tui import Launched  # noqa: PLC0415

        if self.runner is not None:
            raise InputError("a session is already running", location="PROFILE")
        plan = compile_profile(profile, self.config)
        writer = SessionLogWriter(self.options.log_path or default_log_path(plan.name))
        writer.open()
        clock = LoopClock()
        if device is None:
            self.simulator = _simulator(self.options.sim_options, self.options.trace, clock)
            await self.simulator.start()
        connect, device_info = _connector(self.simulator, device, clock, mph=self.options.mph)
        runner = SessionRunner(
            plan,
            connect,
            clock=clock,
            options=EngineOptions(
                interactive=True, headless=False, heart_rate=self.config.heart_rate
            ),
            profile_info=profile_info(plan, profile),
            device_info=device_info,
            snapshot_interval_s=SNAPSHOT_INTERVAL_S,
        )
        self.runner = runner
        self.log_path = writer.path
        self.writer_task = asyncio.ensure_future(writer.follow(runner.events()))
        self.companions = await Companions.start(
            runner,
            clock=clock,
            audio=audio_settings(self.config, self.options.voice),
            mqtt=self.options.mqtt,
            simulator=self.simulator,
            device_name=self.simulator.name if self.simulator is not None else device,
            device_address=device_info.get("address"),
        )
        self.run_task = asyncio.ensure_future(runner.run())
        self.run_task.add_done_callback(self.watch)
        notice = self.companions.notice
        return Launched(runner, LogReport(writer.path, self.writer_task), notice)

    async def finish(self) -> SessionEnded | None:
        """Stop what still runs; how the session ended (None when none was launched, or it
        was stopped while still connecting, before it could start). Raises what made the
        session fail, if it failed."""
        ended: SessionEnded | None = None
        try:
            if self.run_task is None or self.runner is None:
                return None
            if not self.run_task.done():
                try:
                    self.runner.request_stop("tui")
                except asyncio.CancelledError:
                    # Still connecting: there is no belt to stop yet, only the connecting.
                    self.run_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                ended = await self.run_task
            return ended
        finally:
            if self.writer_task is not None:
                if ended is None:  # no summary is coming for the log writer to wait for
                    self.writer_task.cancel()
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await self.writer_task
            if self.companions is not None:
                await self.companions.stop()
            if self.simulator is not None:
                await self.simulator.stop()


async def scan() -> list[FoundDevice]:
    """Treadmills in range, for the start screen."""
    from retrorun.device import scan_treadmills  # noqa: PLC0415
    from retrorun.tui import FoundDevice  # noqa: PLC0415

    found = await scan_treadmills(duration_s=SCAN_S)
    return [FoundDevice(f"{t.name or 'unnamed'} ({t.address})", t.address) for t in found]


async def _main(profile: str | None, composition: Composition) -> SessionEnded | None:
    from retrorun.tui import SIMULATOR, Choice, RetrorunApp  # noqa: PLC0415

    async def starter(choice: Choice) -> Launched:
        device = None if choice.device == SIMULATOR else choice.device
        return await composition.launch(choice.profile, device)

    try:
        if profile is not None:
            launched = await composition.launch(profile, composition.options.device)
            app = RetrorunApp(launched)
        else:
            app = RetrorunApp(starter=starter, scanner=scan)

        composition.on_failure = app.exit
        # A terminal in raw mode turns Ctrl-C into a key, but a SIGTERM (or a kill -INT)
        # still arrives: close the app, and `finish` stops the session and the belt.
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, app.exit)
        try:
            await app.run_async()
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
    finally:
        ended = await composition.finish()
    return ended


def run_tui(profile: str | None, options: TuiOptions, speedup: float | None) -> None:
    """Run the TUI session; exit with the session's exit code."""
    from retrorun.cli.run import check_simulator_options, compile_profile  # noqa: PLC0415
    from retrorun.clock import run_scaled  # noqa: PLC0415
    from retrorun.config import load_config  # noqa: PLC0415
    from retrorun.headless import final_line  # noqa: PLC0415

    config = load_config(options.config_path)
    if profile is not None:
        compile_profile(profile, config)  # bad input: one line, before the screen changes
    if options.sim_options:
        check_simulator_options(options.sim_options)
    composition = Composition(options, config)
    main = _main(profile, composition)
    ended = run_scaled(main, speedup=speedup) if speedup else asyncio.run(main)
    if ended is None:
        if composition.runner is None:  # left the start screen without starting anything
            raise click.exceptions.Exit(0)
        click.echo("retrorun: stopped before the session started", err=True)
        raise click.exceptions.Exit(3)
    click.echo(f"retrorun: {final_line(ended)} (log: {composition.log_path})")
    if composition.log_path is not None:
        from retrorun.cli.run import export_after  # noqa: PLC0415

        export_after(composition.log_path, options.export_formats, config.export_formats)
    raise click.exceptions.Exit(ended.exit_code)
