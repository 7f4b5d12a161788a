"""``retrorun run`` with the TUI: the app, and the session it shows.

`run_tui` is what ``retrorun run`` does without ``--headless``. With a profile the session
is launched (`retrorun.cli.launch.launch_session`) before the app opens (bad input fails
with one line, before the screen changes); without one the app opens on its start screen
and launches what is chosen. Whatever closes the app, a session that still runs is stopped
(the runner stops the belt) before this returns, and the simulator is shut down.

Heavy modules are imported inside functions: this module is imported by ``retrorun run``
only once the command runs.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import click

from retrorun.cli.signals import on_stop_signals

if TYPE_CHECKING:
    from collections.abc import Callable

    from retrorun.cli.launch import LaunchedSession, LaunchOptions
    from retrorun.session.api import SessionEnded
    from retrorun.tui import FoundDevice, Launched, NextInPlan

SCAN_S = 5.0
NO_LOG = "--no-log: nothing of this session is written"


@dataclass
class TuiSession:
    """The one session the app shows: launched from `options` with the chosen profile."""

    options: LaunchOptions
    session: LaunchedSession | None = None
    safety_key_refused: bool = False
    """The runner left at the safety-key confirmation: nothing was started."""
    on_failure: Callable[[], object] | None = None
    """Called when the session fails before it could end (the app closes on it)."""

    def watch(self, task: asyncio.Task[SessionEnded]) -> None:
        # A session that fails before it could end (no treadmill found) publishes no
        # SessionEnded to show: close the app; `finish` then raises the failure.
        if not task.cancelled() and task.exception() is not None and self.on_failure:
            self.on_failure()

    async def launch(self, profile: str, device: str | None) -> Launched:
        """Start `profile` on `device` (None: the simulator) and hand the app its handle."""
        from retrorun.cli.launch import launch_session  # noqa: PLC0415
        from retrorun.errors import InputError  # noqa: PLC0415

        if self.session is not None:
            raise InputError("a session is already running", location="PROFILE")
        session = await launch_session(replace(self.options, profile=profile, device=device))
        self.session = session
        session.task.add_done_callback(self.watch)
        return for_the_app(session)

    async def finish(self) -> SessionEnded | None:
        """Close the session (None when none was launched, or it was stopped while still
        connecting). Raises what made the session fail, if it failed."""
        return None if self.session is None else await self.session.close("tui")


def for_the_app(session: LaunchedSession, notice: str | None = None) -> Launched:
    """`session` as the app receives it: its handle, its log's report and its notice."""
    from retrorun.recording.report import LogReport  # noqa: PLC0415
    from retrorun.tui import Launched  # noqa: PLC0415

    log = session.log_path
    units = session.options.config.units
    report = LogReport(log, session.writer_task, units) if log is not None else None
    notice = notice or session.notice
    if log is None:  # said on the screen too: the line before the TUI opened is hidden
        notice = "; ".join(filter(None, (NO_LOG, notice)))
    return Launched(session.runner, report, notice, units)


async def scan() -> list[FoundDevice]:
    """Treadmills in range, for the start screen."""
    from retrorun.device import scan_treadmills  # noqa: PLC0415
    from retrorun.tui import FoundDevice  # noqa: PLC0415

    found = await scan_treadmills(duration_s=SCAN_S)
    return [FoundDevice(f"{t.name or 'unnamed'} ({t.address})", t.address) for t in found]


def next_in_plan() -> NextInPlan | None:
    """The next profile of the plan run most recently, from the runner's own sessions (None
    when no plan was started, or the plan is done)."""
    from retrorun.cli.history import past_sessions, plans_next  # noqa: PLC0415
    from retrorun.recording.session_log import sessions_dir  # noqa: PLC0415
    from retrorun.tui import NextInPlan  # noqa: PLC0415

    sessions, _ = past_sessions(sessions_dir(), simulated=False)
    started = [step for step in plans_next(sessions) if step.last_run is not None]
    if not started or started[0].stem is None:
        return None
    return NextInPlan(started[0].stem, started[0].describe())


async def _main(shown: TuiSession) -> SessionEnded | None:
    from retrorun.tui import SIMULATOR, Choice, RetrorunApp  # noqa: PLC0415

    async def starter(choice: Choice) -> Launched:
        device = None if choice.device == SIMULATOR else choice.device
        return await shown.launch(choice.profile, device)

    async def speaker(text: str) -> None:
        from retrorun.cli.safety_key import say  # noqa: PLC0415

        await say(shown.options.audio, text)

    profile, device = shown.options.profile, shown.options.device
    if profile is not None and device is not None:
        # A real treadmill named on the command line: the safety key goes on before the
        # screen changes, the session is launched and anything moves.
        from retrorun.cli.safety_key import confirm_safety_key  # noqa: PLC0415

        if not await confirm_safety_key(shown.options.audio, click.echo):
            shown.safety_key_refused = True
            return None
    try:
        if profile is not None:
            app = RetrorunApp(await shown.launch(profile, device))
        else:
            app = RetrorunApp(
                starter=starter, scanner=scan, speaker=speaker, next_up=next_in_plan()
            )

        shown.on_failure = app.exit
        # A terminal in raw mode turns Ctrl-C into a key (the app stops the session on it),
        # but a SIGTERM (or a kill -INT) still arrives: close the app, and `finish` stops
        # the session and the belt.
        undo_signals = on_stop_signals(app.exit)
        try:
            await app.run_async()
        finally:
            undo_signals()
            shown.safety_key_refused = app.safety_key_refused
    finally:
        ended = await shown.finish()
    return ended


def run_tui(options: LaunchOptions, speedup: float | None) -> None:
    """Run the TUI session; exit with the session's exit code."""
    from retrorun.cli.launch import check, check_simulator, exit_with  # noqa: PLC0415
    from retrorun.clock import run_scaled  # noqa: PLC0415

    if options.profile is not None:
        check(options)  # bad input: one line, before the screen changes
    check_simulator(options)
    shown = TuiSession(options)
    main = _main(shown)
    ended = run_scaled(main, speedup=speedup) if speedup else asyncio.run(main)
    if shown.safety_key_refused:
        from retrorun.cli.safety_key import NOT_CONFIRMED, NOT_CONFIRMED_EXIT  # noqa: PLC0415

        click.echo(f"retrorun: {NOT_CONFIRMED}", err=True)
        raise click.exceptions.Exit(NOT_CONFIRMED_EXIT)
    if shown.session is None:  # left the start screen without starting anything
        raise click.exceptions.Exit(0)
    exit_with(ended, shown.session)
