"""``retrorun run``: the main job, a profile on a treadmill (or the simulator).

Composition: resolve and compile the profile (with the config file's personal limits),
pick the treadmill (``--device``, or the simulator), pick time (real, ``--speedup N`` or
``--fast`` virtual time, the last two for the simulator only), then run a
`retrorun.session.runner.SessionRunner` with its watchers: the session log writer and the
headless view. Later watchers (the TUI, ``--mqtt``) attach the same way: they are handed
the runner, which is the session's `SessionHandle`.

Exit codes: 0 finished, 3 stopped or interrupted, 2 bad input, 1 failure.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import click

from retrorun.cli.mqtt_options import session_mqtt_options
from retrorun.cli.numbers import FiniteRange
from retrorun.cli.treadmill_options import (
    device_option,
    sim_preset_option,
    sim_quirk_option,
    speed_factor_option,
)
from retrorun.cli.web_options import web_options

if TYPE_CHECKING:
    from retrorun.cli.launch import LaunchedSession, LaunchOptions
    from retrorun.config import Config
    from retrorun.mqtt.settings import MqttSettings
    from retrorun.session.api import SessionEnded


MIN_SPEEDUP = 0.1
"""Slowest ``--speedup``: ten times slower than real time (every timeout grows as much)."""
MAX_SPEEDUP = 1000.0
"""Fastest ``--speedup``: beyond it a few milliseconds of scheduling are seconds of session
(``--fast`` runs on a virtual clock instead)."""


@click.command("run")
@click.argument("profile", required=False)
@device_option
@click.option(
    "--mph-in-kmh-fields",
    "mph",
    is_flag=True,
    help="The treadmill puts mph in its km/h fields (some US firmware): convert both ways.",
)
@click.option(
    "--mph-commands",
    is_flag=True,
    help="The treadmill reads speed commands as mph but reports km/h (some firmware): "
    "convert commands only.",
)
@click.option(
    "--hr",
    "heart_rate_strap",
    metavar="NAME|ADDRESS",
    help="A Bluetooth heart-rate strap for the heart-rate guard and zone steps (default: the "
    "config file's [heart_rate] device; with --sim, a simulated strap of this name).",
)
@click.option("--sim", is_flag=True, help="Run against the built-in treadmill simulator.")
@speed_factor_option
@sim_preset_option
@sim_quirk_option
@click.option(
    "--sim-fault",
    "sim_faults",
    multiple=True,
    metavar="KIND@SECONDS[:VALUE]",
    help="Schedule a simulator fault (repeatable), e.g. safety-key@300.",
)
@click.option(
    "--rehearse",
    is_flag=True,
    help="The same session at walking speeds (every speed scaled to at most 3 km/h), to "
    "learn its cues and turns on the treadmill.",
)
@click.option(
    "--pair",
    is_flag=True,
    help="Pair (bond) with the treadmill when connecting: some refuse control otherwise.",
)
@click.option("--headless", is_flag=True, help="Print cues and progress as lines (no TUI).")
@click.option(
    "--fast", is_flag=True, help="Simulator only: virtual time, as fast as the CPU allows."
)
@click.option(
    "--speedup",
    type=FiniteRange(min=MIN_SPEEDUP, max=MAX_SPEEDUP),
    metavar="N",
    help=f"Simulator only: run N times faster than real time ({MIN_SPEEDUP:g} to {MAX_SPEEDUP:g}).",
)
@click.option(
    "--log",
    "log_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Session log file (default: the user data folder).",
)
@click.option(
    "--no-log",
    is_flag=True,
    help="Write nothing: no session log, so no export or upload either (for trying things).",
)
@click.option(
    "--start-at",
    metavar="MM:SS",
    help="Simulator only: start this far into the plan (the start column of 'retrorun plan'), "
    "to try the end of a long profile; the belt starts from rest as always.",
)
@click.option(
    "--trace",
    "trace",
    is_flag=False,
    flag_value="-",
    default=None,
    metavar="[FILE]",
    help="Every byte crossing GATT, decoded, with its time: printed (alone), or written to "
    "a new FILE as JSON lines that the simulator's replay reads.",
)
@click.option(
    "--voice/--no-voice", default=None, help="Speak cues (default: the config file's [audio])."
)
@click.option(
    "--export",
    "export_formats",
    multiple=True,
    type=click.Choice(("fit", "tcx")),
    help="Write this activity file next to the log when the session ends (repeatable; "
    "default: the config file's [export] formats).",
)
@session_mqtt_options
@web_options
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (personal limits, heart-rate guard).",
)
def run(  # noqa: PLR0913, PLR0917 - one parameter per documented option
    profile: str | None,
    device: str | None,
    mph: bool,  # noqa: FBT001
    mph_commands: bool,  # noqa: FBT001
    speed_factor: float | None,
    heart_rate_strap: str | None,
    sim: bool,  # noqa: FBT001 - click passes flags by name
    sim_preset: str,
    sim_quirks: tuple[str, ...],
    sim_faults: tuple[str, ...],
    rehearse: bool,  # noqa: FBT001
    pair: bool,  # noqa: FBT001
    headless: bool,  # noqa: FBT001
    fast: bool,  # noqa: FBT001
    speedup: float | None,
    log_path: Path | None,
    no_log: bool,  # noqa: FBT001
    start_at: str | None,
    trace: str | None,
    config_path: Path | None,
    voice: bool | None,  # noqa: FBT001
    export_formats: tuple[str, ...],
    mqtt_url: str | None,
    mqtt_ca: Path | None,
    mqtt_cert: Path | None,
    mqtt_key: Path | None,
    mqtt_id: str | None,
    mqtt_commands: bool | None,  # noqa: FBT001
    mqtt_log: bool | None,  # noqa: FBT001
    web: str | None,
    web_pin: str | None,
    web_view_only: bool | None,  # noqa: FBT001
) -> None:
    """Run PROFILE on a treadmill, turning you around safely between directions.

    PROFILE is a file, or the name of one of your profiles or a bundled one (see
    `retrorun profiles`). Without --device or --sim the simulator is offered.

    On a terminal the session shows in the TUI; without PROFILE the TUI opens on its start
    screen to pick a profile and a treadmill. --headless (and --fast, and output that is not
    a terminal) show cues and progress as lines instead. The keys are the same in both
    (? lists them; docs/session.md).

    With --mqtt the session is published to a broker (state, telemetry, cues, Home
    Assistant discovery) and takes remote commands; see docs/mqtt.md.

    Exit codes: 0 finished, 3 stopped or interrupted (safety key, connection lost),
    2 bad input, 1 failure.
    """
    from retrorun.cli.mqtt_options import resolve_mqtt  # noqa: PLC0415
    from retrorun.cli.upload import upload_settings  # noqa: PLC0415
    from retrorun.cli.web_options import resolve_web  # noqa: PLC0415
    from retrorun.config import load_config  # noqa: PLC0415 - heavy imports stay out of --help

    config = load_config(config_path)  # the one read of the config file in this run
    upload = upload_settings(config)
    web_settings = resolve_web(
        web=web,
        web_pin=web_pin,
        web_view_only=web_view_only,
        table=config.document.get("web"),
        where=str(config.path or "config file"),
    )
    if web_settings is not None:
        web_settings = dataclasses.replace(web_settings, units=config.units)
    mqtt = resolve_mqtt(
        config,
        mqtt_url=mqtt_url,
        mqtt_ca=mqtt_ca,
        mqtt_cert=mqtt_cert,
        mqtt_key=mqtt_key,
        mqtt_id=mqtt_id,
        mqtt_commands=mqtt_commands,
        mqtt_log=mqtt_log,
    )

    _check_choices(
        device=device,
        sim=sim,
        mph=mph,
        mph_commands=mph_commands,
        simulated=bool(sim_faults or sim_quirks) or sim_preset != "strict",
        fast=fast,
        speedup=speedup,
        trace=trace,
    )
    start_at_s = _start_at(start_at, profile=profile, device=device)
    _check_no_log(no_log=no_log, log_path=log_path)
    tui = not headless and not fast and _terminal()
    if profile is None and not tui:
        from retrorun.cli.launch import no_profile_error  # noqa: PLC0415

        raise no_profile_error()
    if profile is not None and not device and not sim:
        _offer_simulator()
    options = _launch_options(
        profile,
        config,
        tui=tui,
        fast=fast,
        device=device,
        mph=mph,
        simulator=(sim_preset, sim_quirks, sim_faults, trace),
        log_path=log_path,
        voice=voice,
        mqtt=mqtt,
        export_formats=export_formats,
    )
    strap = heart_rate_strap or config.heart_rate_device
    options = dataclasses.replace(
        options,
        mph_commands=mph_commands,
        write_log=not no_log,
        start_at_s=start_at_s,
        speed_factor=options.speed_factor if speed_factor is None else speed_factor,
        heart_rate_strap=options.heart_rate_strap if strap is None else strap.strip(),
        pair=pair,
        rehearse=rehearse,
    )
    if profile is not None:
        if rehearse:  # (without a profile the start screen picks one, and it is rehearsed)
            _say_rehearsal(options)
        _say_when_shadowed(profile)
        _say_without_strap(profile, options)
    options = _saved_settings(
        options, explicit_mph=mph or mph_commands, explicit_speed_factor=speed_factor is not None
    )
    if no_log:  # once the profile is known to be good
        from retrorun.cli.tui_session import NO_LOG  # noqa: PLC0415

        click.echo(f"retrorun: {NO_LOG}", err=True)
    if upload.auto:
        options = dataclasses.replace(options, upload=upload)
    if web_settings is not None:
        options = dataclasses.replace(options, web=web_settings)
    if tui:
        from retrorun.cli.tui_session import run_tui  # noqa: PLC0415

        run_tui(options, speedup)
    else:
        _run_headless(options, fast=fast, speedup=speedup)


def _check_no_log(*, no_log: bool, log_path: Path | None) -> None:
    if no_log and log_path is not None:
        from retrorun.errors import InputError  # noqa: PLC0415

        raise InputError("--no-log writes no log: leave out --log", location="--no-log")


def _start_at(text: str | None, *, profile: str | None, device: str | None) -> float | None:
    """``--start-at MM:SS`` in seconds; refused on a real treadmill (one line)."""
    if text is None:
        return None
    from retrorun.errors import InputError  # noqa: PLC0415
    from retrorun.profiles.quantities import parse_duration_s  # noqa: PLC0415

    if device:
        raise InputError(
            "--start-at only runs the simulator, never a real treadmill", location="--start-at"
        )
    if profile is None:
        raise InputError("--start-at needs a PROFILE to start part-way", location="--start-at")
    try:
        seconds = parse_duration_s(text)
    except ValueError as exc:
        raise InputError(str(exc), location="--start-at") from exc
    if not 0 <= seconds < float("inf"):
        raise InputError(f"{text!r} is not a point of the plan", location="--start-at")
    return seconds


def _say_rehearsal(options: LaunchOptions) -> None:
    """One line: how a rehearsal scales the profile, and its totals."""
    from retrorun.cli.launch import check, rehearsal_info  # noqa: PLC0415
    from retrorun.profiles.quantities import format_duration  # noqa: PLC0415

    plan = check(options)
    info = rehearsal_info(options) or {}
    click.echo(
        f"retrorun: rehearsal: every speed x{info.get('scale', 1.0):.2f}, at most "
        f"{info.get('max_speed_kmh', 0.0):g} km/h; {format_duration(plan.total_duration_s)}, "
        f"{plan.total_distance_m / 1000:.2f} km, {plan.turns} turns",
        err=True,
    )


def _say_without_strap(profile: str, options: LaunchOptions) -> None:
    """One line when a step (or a repeat) ends on a heart rate and no strap is named: most
    treadmills relay none, and such a step then runs to its duration (docs/session.md)."""
    if options.heart_rate_strap is not None:
        return
    from retrorun.cli.launch import check  # noqa: PLC0415
    from retrorun.profiles.heart_zones import step_ending_on_heart_rate  # noqa: PLC0415
    from retrorun.profiles.library import resolve  # noqa: PLC0415
    from retrorun.profiles.loader import load_profile  # noqa: PLC0415

    document = load_profile(resolve(profile))
    found = step_ending_on_heart_rate(document.profile)
    if found is not None:
        check(options)  # bad input is its own one line, without this note
        click.echo(f"retrorun: note: {document.error(found[1], found[0])}", err=True)


def _say_when_shadowed(profile: str) -> None:
    """One line when the runner's own profile hides a bundled one of the same name."""
    from retrorun.profiles import library  # noqa: PLC0415

    if library.shadowed(profile) is not None:
        mine = library.resolve(profile)
        click.echo(
            f"retrorun: using your own {profile} ({mine}), not the bundled one of that name",
            err=True,
        )


def _saved_settings(
    options: LaunchOptions, *, explicit_mph: bool, explicit_speed_factor: bool
) -> LaunchOptions:
    """Apply what ``retrorun check`` saved; refuse backward segments it found unsafe."""
    from retrorun.cli.launch import check  # noqa: PLC0415
    from retrorun.cli.saved_settings import (  # noqa: PLC0415
        apply_saved_settings,
        refuse_unsafe_backward,
    )

    options = apply_saved_settings(
        options, explicit_mph=explicit_mph, explicit_speed_factor=explicit_speed_factor
    )
    if options.profile is not None:
        refuse_unsafe_backward(options, check(options))
    return options


def _check_choices(
    *,
    device: str | None,
    sim: bool,
    mph: bool,
    mph_commands: bool,
    simulated: bool,
    fast: bool,
    speedup: float | None,
    trace: str | None = None,
) -> None:
    """Options that exclude each other: one line naming the option, before anything runs."""
    from retrorun.errors import InputError  # noqa: PLC0415

    if device and sim:
        raise InputError("--device and --sim exclude each other", location="--sim")
    if mph and mph_commands:
        raise InputError(
            "--mph-in-kmh-fields already converts commands: use one of the two",
            location="--mph-commands",
        )
    if device and simulated:
        raise InputError(
            "--sim-preset and --sim-fault only apply to the simulator", location="--device"
        )
    if fast and speedup:
        raise InputError("--fast and --speedup exclude each other", location="--speedup")
    if trace not in {None, "-"} and Path(str(trace)).exists():
        raise InputError("the file exists: name a new one", location=f"--trace {trace}")
    if device and (fast or speedup):
        raise InputError(
            "--fast and --speedup only run the simulator, never a real treadmill",
            location="--fast" if fast else "--speedup",
        )


def _launch_options(  # noqa: PLR0913 - one parameter per option that shapes the session
    profile: str | None,
    config: Config,
    *,
    tui: bool,
    fast: bool,
    device: str | None,
    mph: bool,
    simulator: tuple[str, tuple[str, ...], tuple[str, ...], str | None],
    log_path: Path | None,
    voice: bool | None,
    mqtt: MqttSettings | None,
    export_formats: tuple[str, ...],
) -> LaunchOptions:
    """The session ``retrorun run`` was asked for, as the view that shows it wants it."""
    import sys  # noqa: PLC0415

    from retrorun.cli.companions import audio_settings  # noqa: PLC0415
    from retrorun.cli.launch import LaunchOptions, SimulatorOptions  # noqa: PLC0415
    from retrorun.session.inputs import EngineOptions  # noqa: PLC0415

    preset, quirks, faults, trace = simulator  # trace: "-" prints, else a file
    return LaunchOptions(
        profile=profile,
        config=config,
        device=device,
        mph=mph,
        simulator=SimulatorOptions(
            preset=preset,
            quirks=quirks,
            faults=faults,
            trace=(lambda line: click.echo(line, err=True)) if trace == "-" else None,
        ),
        trace_to=None if trace is None else Path(trace),
        log_path=log_path,
        log_buffered=fast,
        # The TUI takes a resume at any time; the line view follows the headless rules after
        # a reconnect, and only takes one when keys come from a terminal.
        engine=EngineOptions(
            interactive=tui or sys.stdin.isatty(),
            headless=not tui,
            heart_rate=config.heart_rate,
            cues=config.cues,
            units=config.units,
        ),
        # The TUI's countdowns are drawn from snapshots about 4 times a second; on virtual
        # time (--fast) snapshots would only cost time.
        snapshot_interval_s=0.25 if tui else (None if fast else 1.0),
        # Spoken cues on virtual time would be nonsense: --fast runs silent.
        audio=None if fast else audio_settings(config, voice),
        mqtt=mqtt,
        export_formats=export_formats,
    )


def _terminal() -> bool:
    """Whether a person is at a terminal: the TUI needs one for keys and drawing; piped
    output gets the headless lines instead."""
    import sys  # noqa: PLC0415

    return sys.stdin.isatty() and sys.stdout.isatty()


def _offer_simulator() -> bool:
    import sys  # noqa: PLC0415

    if sys.stdin.isatty() and not click.confirm(
        "No --device given. Run against the simulator?", default=True
    ):
        from retrorun.errors import InputError  # noqa: PLC0415

        raise InputError(
            "no treadmill chosen: name one with --device NAME|ADDRESS "
            "('retrorun scan' lists them), or run with --sim",
            location="--device",
        )
    click.echo("retrorun: no --device given: running against the simulator", err=True)
    return True


def _run_headless(options: LaunchOptions, *, fast: bool, speedup: float | None) -> None:
    from retrorun.cli.launch import check, exit_with  # noqa: PLC0415
    from retrorun.clock import run_scaled, run_virtual  # noqa: PLC0415

    check(options)  # bad input: one line, before anything starts
    main = _headless(options)
    if fast:
        ended, session = run_virtual(main)
    elif speedup:
        ended, session = run_scaled(main, speedup=speedup)
    else:
        import asyncio  # noqa: PLC0415

        ended, session = asyncio.run(main)
    exit_with(ended, session)


async def _headless(options: LaunchOptions) -> tuple[SessionEnded | None, LaunchedSession]:
    """Launch the session and show it as lines (keys from a terminal) until it ends."""
    import asyncio  # noqa: PLC0415

    from retrorun.cli.launch import launch_session  # noqa: PLC0415
    from retrorun.cli.signals import on_stop_signals  # noqa: PLC0415
    from retrorun.headless import read_keys, show  # noqa: PLC0415

    if options.device is not None:  # a real treadmill: nothing moves before the key is on
        await _confirm_safety_key(options)
    session = await launch_session(options)
    units = options.config.units
    view_task = asyncio.ensure_future(show(session.runner, click.echo, units=units))
    keys_task = asyncio.ensure_future(read_keys(session.runner, click.echo))
    if session.notice:
        click.echo(f"retrorun: {session.notice}", err=True)
    undo_signals = on_stop_signals(session.runner.request_stop)
    try:
        await asyncio.wait([session.task])
    finally:
        undo_signals()
        try:
            ended = await session.close("signal")
        finally:
            keys_task.cancel()
            await asyncio.gather(view_task, keys_task, return_exceptions=True)
    return ended, session


async def _confirm_safety_key(options: LaunchOptions) -> None:
    """Ask for the safety key; leave with exit code 3 (nothing connected) without it."""
    from retrorun.cli.safety_key import (  # noqa: PLC0415
        NOT_CONFIRMED,
        NOT_CONFIRMED_EXIT,
        confirm_safety_key,
    )

    if not await confirm_safety_key(options.audio, lambda line: click.echo(f"retrorun: {line}")):
        click.echo(f"retrorun: {NOT_CONFIRMED}", err=True)
        raise click.exceptions.Exit(NOT_CONFIRMED_EXIT)
