"""``retrorun check``: the first-connection check, with nobody on the belt.

Composition: the treadmill (``--device``, or the simulator with ``--sim``), a
`retrorun.check.procedure.TreadmillCheck` over it, and the runner at the terminal as its
`Prompter`. On the simulator the check runs on virtual time (it takes a minute or two of
belt time, printed at once) and the simulated runner presses the console's buttons.

Exit codes: 0 the treadmill passed, 1 it failed (unsafe) or the check could not finish,
2 bad input, 3 interrupted (the belt was stopped first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeVar

import click

from retrorun.cli.treadmill_options import device_option, one_treadmill, sim_preset_option

_T = TypeVar("_T")

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from retrorun.check.report import Findings
    from retrorun.clock import Clock
    from retrorun.device import Backends
    from retrorun_sim import SimulatedTreadmill

EXIT_INTERRUPTED = 3


class TerminalRunner:
    """The runner at the terminal (a `retrorun.check.procedure.Prompter`).

    ``yes`` answers the questions for scripts (nobody on the belt, units not asked).
    ``blocking`` asks on the event loop's own thread: right for the simulator's virtual
    time (which then waits for the answer), wrong for a real treadmill, whose
    notifications must keep flowing while the runner reads the console.
    ``err`` says it on standard error (where ``retrorun doctor`` shows its progress).
    """

    def __init__(
        self,
        *,
        yes: bool,
        blocking: bool,
        simulator: SimulatedTreadmill | None = None,
        err: bool = False,
    ) -> None:
        self._yes = yes
        self._blocking = blocking
        self._simulator = simulator
        self._err = err

    def say(self, text: str) -> None:
        click.echo(f"  {text}", err=self._err)

    async def confirm_empty_belt(self) -> bool:
        if self._yes:
            self.say("nobody on the belt (--yes)")
            return True
        return await self._ask(
            lambda: click.confirm(
                "The belt will start and change speed. Is the belt empty, with nobody on it?",
                default=False,
            )
        )

    async def press_console_start(self) -> None:
        self.say("press Start on the treadmill's console now")
        if self._simulator is not None:
            self.say("(simulator: Start pressed on its console)")
            self._simulator.console_start()

    async def press_console_stop(self) -> None:
        if self._simulator is not None:
            self.say("(simulator: Stop pressed on its console)")
            self._simulator.console_stop()

    async def console_units(self) -> Literal["kmh", "mph"] | None:
        if self._yes:
            return None
        answer = await self._ask(
            lambda: click.prompt(
                "What unit does the console show the speed in?",
                type=click.Choice(["kmh", "mph", "unsure"]),
                default="unsure",
            )
        )
        if answer == "kmh":
            return "kmh"
        return "mph" if answer == "mph" else None

    async def _ask(self, question: Callable[[], _T]) -> _T:
        import asyncio  # noqa: PLC0415

        if self._blocking:
            return question()
        return await asyncio.to_thread(question)


@click.command("check")
@device_option
@click.option("--sim", is_flag=True, help="Check the built-in treadmill simulator.")
@sim_preset_option
@click.option(
    "--yes",
    "-y",
    is_flag=True,
    help="Do not ask: nobody is on the belt, and the console's unit is not asked (scripts).",
)
@click.option(
    "--no-save", is_flag=True, help="Do not save what the check learned (the settings file)."
)
@click.option(
    "--pair",
    is_flag=True,
    help="Pair (bond) with the treadmill when connecting: some refuse control otherwise.",
)
def check(
    device: str | None,
    sim: bool,  # noqa: FBT001 - click passes flags by name
    sim_preset: str,
    yes: bool,  # noqa: FBT001
    no_save: bool,  # noqa: FBT001
    pair: bool,  # noqa: FBT001
) -> None:
    """Meet a treadmill: what it says about itself, and whether its belt does what it is told.

    With nobody on the belt, the check starts it, asks for a few low speeds and an incline
    step, pauses, resumes and stops it, and measures what the belt really does (ramps,
    reaction delay, mph firmware, console Start). The belt is stopped and measured at rest
    whatever ends the check, Ctrl-C included. What it learned is saved per treadmill
    (treadmills.toml beside the config file) and `retrorun run` applies it. See
    docs/devices.md.

    Exit codes: 0 passed, 1 failed or not finished, 2 bad input, 3 interrupted.
    """
    from retrorun.check.report import (  # noqa: PLC0415
        Verdict,
        result_lines,
        settings_summary,
        verdict_of,
    )

    one_treadmill(device, sim=sim, sim_preset=sim_preset)
    from retrorun.config import treadmills_path  # noqa: PLC0415
    from retrorun.treadmill_settings import load_saved  # noqa: PLC0415

    path = treadmills_path()
    if not no_save:
        load_saved(path)  # a bad settings file: one line, before the belt moves
    findings = (
        _check_simulator(sim_preset, yes=yes)
        if sim
        else _check_device(device or "", yes=yes, pair=pair)
    )
    verdict = verdict_of(findings)
    for line in result_lines(findings):
        click.echo(f"  {line}")
    learned = settings_summary(
        findings.mph_mode,
        console_start=bool(findings.console_start),
        min_speed_kmh=findings.min_speed_kmh,
    )
    click.echo(f"verdict: {verdict.value} ({learned})")
    if findings.belt_at_rest is False:
        click.echo(
            "retrorun: the belt was not measured at rest: press stop on the treadmill "
            "or pull the safety key",
            err=True,
        )
    if not no_save:
        _save(findings, path)
    if findings.interrupted == "interrupted":
        raise click.exceptions.Exit(EXIT_INTERRUPTED)
    raise click.exceptions.Exit(0 if verdict is Verdict.OK else 1)


def _save(findings: Findings, path: Path) -> None:
    from datetime import UTC, datetime  # noqa: PLC0415

    from retrorun.treadmill_settings import from_findings, save_treadmill  # noqa: PLC0415

    entry = from_findings(findings, datetime.now(UTC).date())
    if entry is None:
        click.echo("nothing saved: the check did not finish")
        return
    save_treadmill(path, findings.address, entry)
    click.echo(f"saved settings for {entry.name} ({findings.address}) in {path}")


def _check_simulator(preset: str, *, yes: bool) -> Findings:
    from retrorun.clock import LoopClock, run_virtual  # noqa: PLC0415
    from retrorun.device import Backends  # noqa: PLC0415
    from retrorun_sim import (  # noqa: PLC0415
        SimulatedTreadmill,
        SimulatorClient,
        SimulatorScanner,
        resolve_quirks,
    )

    resolve_quirks(preset, ())  # bad preset: one line naming the valid ones

    async def main() -> Findings:
        clock = LoopClock()
        simulator = SimulatedTreadmill(preset=preset, clock=clock)
        await simulator.start()
        try:
            runner = TerminalRunner(yes=yes, blocking=True, simulator=simulator)
            backends = Backends(client=SimulatorClient, scanner=SimulatorScanner)
            return await _check(simulator.address, clock, backends, runner, key=f"sim:{preset}")
        finally:
            await simulator.stop()

    return run_virtual(main())


def _check_device(device: str, *, yes: bool, pair: bool) -> Findings:
    import asyncio  # noqa: PLC0415

    from retrorun.clock import MonotonicClock  # noqa: PLC0415

    runner = TerminalRunner(yes=yes, blocking=False)
    return asyncio.run(_check(device, MonotonicClock(), None, runner, key=None, pair=pair))


async def _check(
    target: str,
    clock: Clock,
    backends: Backends | None,
    runner: TerminalRunner,
    *,
    key: str | None,
    pair: bool = False,
) -> Findings:
    """Open the treadmill, run the check in a task that Ctrl-C cancels, close it."""
    import asyncio  # noqa: PLC0415

    from retrorun.check.procedure import TreadmillCheck  # noqa: PLC0415
    from retrorun.cli.signals import on_stop_signals  # noqa: PLC0415
    from retrorun.device import find_treadmill, open_treadmill  # noqa: PLC0415

    found = await find_treadmill(target, within_s=10.0, backends=backends)
    treadmill = await open_treadmill(found, clock=clock, backends=backends, pair=pair)
    try:
        check = TreadmillCheck(
            treadmill,
            clock=clock,
            prompter=runner,
            address=key or found.address,
            name=f"the simulator ({key[4:]})" if key else None,
        )
        task = asyncio.ensure_future(check.run())
        undo = on_stop_signals(task.cancel)
        try:
            return await task
        finally:
            undo()
    finally:
        await treadmill.close()
