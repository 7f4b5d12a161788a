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

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from retrorun.cli.mqtt_options import session_mqtt_options

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from retrorun.audio import AudioSettings
    from retrorun.clock import Clock
    from retrorun.config import Config
    from retrorun.device import Treadmill
    from retrorun.mqtt.settings import MqttSettings
    from retrorun.profiles.plan import Plan
    from retrorun.recording.session_log import SessionLogWriter
    from retrorun.session.api import SessionEnded
    from retrorun.session.inputs import EngineOptions
    from retrorun_sim import SimulatedTreadmill


@click.command("run")
@click.argument("profile", required=False)
@click.option("--device", metavar="ADDR|NAME", help="The treadmill's Bluetooth address or name.")
@click.option(
    "--mph-in-kmh-fields",
    "mph",
    is_flag=True,
    help="The treadmill puts mph in its km/h fields (some US firmware): convert both ways.",
)
@click.option("--sim", is_flag=True, help="Run against the built-in treadmill simulator.")
@click.option("--sim-preset", default="strict", show_default=True, help="Simulator quirk preset.")
@click.option(
    "--sim-fault",
    "sim_faults",
    multiple=True,
    metavar="KIND@SECONDS[:VALUE]",
    help="Schedule a simulator fault (repeatable), e.g. safety-key@300.",
)
@click.option("--headless", is_flag=True, help="Print cues and progress as lines (no TUI).")
@click.option(
    "--fast", is_flag=True, help="Simulator only: virtual time, as fast as the CPU allows."
)
@click.option(
    "--speedup",
    type=click.FloatRange(min=0, min_open=True),
    metavar="N",
    help="Simulator only: run N times faster than real time.",
)
@click.option(
    "--log",
    "log_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Session log file (default: the user data folder).",
)
@click.option("--trace", is_flag=True, help="Print every byte crossing GATT (simulator).")
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
    sim: bool,  # noqa: FBT001 - click passes flags by name
    sim_preset: str,
    sim_faults: tuple[str, ...],
    headless: bool,  # noqa: FBT001
    fast: bool,  # noqa: FBT001
    speedup: float | None,
    log_path: Path | None,
    trace: bool,  # noqa: FBT001
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
) -> None:
    """Run PROFILE on a treadmill, turning you around safely between directions.

    PROFILE is a file, or the name of one of your profiles or a bundled one (see
    `retrorun profiles`). Without --device or --sim the simulator is offered.

    On a terminal the session shows in the TUI; without PROFILE the TUI opens on its start
    screen to pick a profile and a treadmill. --headless (and --fast, and output that is not
    a terminal) show cues and progress as lines instead (keys p r s e + - [ ] u d q on a
    terminal).

    With --mqtt the session is published to a broker (state, telemetry, cues, Home
    Assistant discovery) and takes remote commands; see docs/mqtt.md.

    Exit codes: 0 finished, 3 stopped or interrupted (safety key, connection lost),
    2 bad input, 1 failure.
    """
    from retrorun.cli.mqtt_options import resolve_mqtt  # noqa: PLC0415
    from retrorun.errors import InputError  # noqa: PLC0415 - heavy imports stay out of --help

    mqtt = resolve_mqtt(
        config_path,
        mqtt_url=mqtt_url,
        mqtt_ca=mqtt_ca,
        mqtt_cert=mqtt_cert,
        mqtt_key=mqtt_key,
        mqtt_id=mqtt_id,
        mqtt_commands=mqtt_commands,
        mqtt_log=mqtt_log,
    )

    if device and sim:
        raise InputError("--device and --sim exclude each other", location="--sim")
    if mph and not device:
        raise InputError(
            "--mph-in-kmh-fields describes a real treadmill: use it with --device "
            "(the simulator's mph preset is --sim-preset mph)",
            location="--mph-in-kmh-fields",
        )
    if device and (sim_faults or sim_preset != "strict"):
        raise InputError(
            "--sim-preset and --sim-fault only apply to the simulator", location="--device"
        )
    if fast and speedup:
        raise InputError("--fast and --speedup exclude each other", location="--speedup")
    if device and (fast or speedup):
        raise InputError(
            "--fast and --speedup only run the simulator, never a real treadmill",
            location="--fast" if fast else "--speedup",
        )
    if not headless and not fast and _terminal():
        from retrorun.cli.tui_session import TuiOptions, run_tui  # noqa: PLC0415

        if profile is not None and not device and not sim:
            _offer_simulator()
        options = TuiOptions(
            device,
            (sim_preset, sim_faults),
            log_path,
            trace,
            config_path,
            voice,
            mqtt,
            export_formats,
            mph=mph,
        )
        run_tui(profile, options, speedup)
        return
    if profile is None:
        from retrorun.profiles.library import bundled_dir, profile_files  # noqa: PLC0415

        names = ", ".join(p.stem for p in profile_files(bundled_dir()))
        raise InputError(
            f"name a profile to run; bundled profiles are: {names}", location="PROFILE"
        )
    if not device and not sim:
        sim = _offer_simulator()
    _run_session(
        profile,
        device=device,
        mph=mph,
        sim_options=(sim_preset, sim_faults) if sim else None,
        fast=fast,
        speedup=speedup,
        log_path=log_path,
        trace=trace,
        config_path=config_path,
        headless=headless,
        voice=voice,
        mqtt=mqtt,
        export_formats=export_formats,
    )


def export_after(log: Path, asked: tuple[str, ...], configured: tuple[str, ...]) -> None:
    """Write the activity files asked for (``--export``, else the config file's) for a
    session log that exists; a failure to export is reported, never fatal: the log stays."""
    from retrorun.cli.export import export_session_log  # noqa: PLC0415
    from retrorun.errors import RetrorunError  # noqa: PLC0415

    if not log.exists():
        return
    for file_format in asked or configured:
        try:
            export_session_log(log, file_format)
        except RetrorunError as exc:
            click.echo(f"retrorun: could not export {file_format.upper()}: {exc}", err=True)


def compile_profile(profile: str, config: Config) -> Plan:
    """The plan for a PROFILE argument under the config file's personal limits."""
    from retrorun.profiles.library import resolve  # noqa: PLC0415
    from retrorun.profiles.loader import load_profile  # noqa: PLC0415
    from retrorun.profiles.plan import compile_plan  # noqa: PLC0415

    document = load_profile(resolve(profile))
    return compile_plan(document.profile, config.limits, where=document)


def profile_info(plan: Plan, source: str) -> dict[str, Any]:
    """What the session log's header says about the profile."""
    return {
        "name": plan.name,
        "source": source,
        "total_duration_s": round(plan.total_duration_s, 3),
        "total_distance_m": round(plan.total_distance_m, 3),
        "segments": len(plan.segments),
    }


def check_simulator_options(sim_options: tuple[str, tuple[str, ...]]) -> None:
    """Bad ``--sim-preset`` or ``--sim-fault``: one line, before anything starts."""
    from retrorun_sim import parse_faults, resolve_quirks  # noqa: PLC0415

    resolve_quirks(sim_options[0], ())
    parse_faults(sim_options[1])


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
        raise click.exceptions.Exit(2)
    click.echo("retrorun: no --device given: running against the simulator", err=True)
    return True


def _run_session(  # noqa: PLR0913
    profile: str,
    *,
    device: str | None,
    mph: bool,
    sim_options: tuple[str, tuple[str, ...]] | None,
    fast: bool,
    speedup: float | None,
    log_path: Path | None,
    trace: bool,
    config_path: Path | None,
    headless: bool,
    voice: bool | None,
    mqtt: MqttSettings | None,
    export_formats: tuple[str, ...],
) -> None:
    import sys  # noqa: PLC0415

    from retrorun.cli.companions import audio_settings  # noqa: PLC0415
    from retrorun.clock import LoopClock, run_scaled, run_virtual  # noqa: PLC0415
    from retrorun.config import load_config  # noqa: PLC0415
    from retrorun.recording.session_log import SessionLogWriter, default_log_path  # noqa: PLC0415
    from retrorun.session.inputs import EngineOptions  # noqa: PLC0415

    config = load_config(config_path)
    plan = compile_profile(profile, config)
    if sim_options:
        check_simulator_options(sim_options)
    writer = SessionLogWriter(log_path or default_log_path(plan.name))
    writer.open()
    interactive = sys.stdin.isatty()
    # This path shows the line view (asked for, --fast, or no terminal), so it follows the
    # headless rules after a reconnect.
    options = EngineOptions(interactive=interactive, headless=True, heart_rate=config.heart_rate)
    del headless
    clock = LoopClock()
    # Spoken cues on virtual time would be nonsense: --fast runs silent.
    audio = None if fast else audio_settings(config, voice)
    companions = (audio, mqtt)
    main = _main(
        plan,
        sim_options=sim_options,
        trace=trace,
        device=(device, mph),
        clock=clock,
        options=options,
        profile_info=profile_info(plan, profile),
        writer=writer,
        companions=companions,
    )
    if fast:
        ended = run_virtual(main)
    elif speedup:
        ended = run_scaled(main, speedup=speedup)
    else:
        import asyncio  # noqa: PLC0415

        ended = asyncio.run(main)
    from retrorun.headless import final_line  # noqa: PLC0415

    click.echo(f"retrorun: {final_line(ended)} (log: {writer.path})")
    export_after(writer.path, export_formats, config.export_formats)
    raise click.exceptions.Exit(ended.exit_code)


def _simulator(
    options: tuple[str, tuple[str, ...]],
    trace: bool,  # noqa: FBT001
    clock: Clock,
) -> SimulatedTreadmill:
    from retrorun_sim import SimulatedTreadmill  # noqa: PLC0415

    preset, faults = options
    sink = (lambda event: click.echo(f"  trace {event}", err=True)) if trace else None
    return SimulatedTreadmill(preset=preset, faults=faults, trace=sink, clock=clock)


async def _main(  # noqa: PLR0913 - one parameter per piece the session is composed of
    plan: Plan,
    *,
    sim_options: tuple[str, tuple[str, ...]] | None,
    trace: bool,
    device: tuple[str | None, bool],
    clock: Clock,
    options: EngineOptions,
    profile_info: dict[str, Any],
    writer: SessionLogWriter,
    companions: tuple[AudioSettings | None, MqttSettings | None],
) -> SessionEnded:
    import asyncio  # noqa: PLC0415
    import signal  # noqa: PLC0415

    from retrorun.cli.companions import Companions  # noqa: PLC0415
    from retrorun.headless import read_keys, show  # noqa: PLC0415
    from retrorun.session.runner import SessionRunner  # noqa: PLC0415

    simulator = _simulator(sim_options, trace, clock) if sim_options else None
    if simulator is not None:
        await simulator.start()
    connect, device_info = _connector(simulator, device[0], clock, mph=device[1])
    runner = SessionRunner(
        plan,
        connect,
        clock=clock,
        options=options,
        profile_info=profile_info,
        device_info=device_info,
        snapshot_interval_s=None if simulator is not None and _virtual() else 1.0,
    )
    log_task = asyncio.ensure_future(writer.follow(runner.events()))
    view_task = asyncio.ensure_future(show(runner, click.echo))
    keys_task = asyncio.ensure_future(read_keys(runner, click.echo))
    audio, mqtt = companions
    beside = await Companions.start(
        runner,
        clock=clock,
        audio=audio,
        mqtt=mqtt,
        simulator=simulator,
        device_name=simulator.name if simulator is not None else device[0],
        device_address=device_info.get("address"),
    )
    if beside.notice:
        click.echo(f"retrorun: {beside.notice}", err=True)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, runner.request_stop)
    try:
        return await runner.run()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await asyncio.gather(log_task, view_task, return_exceptions=True)
        if writer.lines == 0:  # never connected: no session, no log
            writer.path.unlink(missing_ok=True)
        keys_task.cancel()
        await beside.stop()
        if simulator is not None:
            await simulator.stop()


def _virtual() -> bool:
    import asyncio  # noqa: PLC0415

    from retrorun.clock import VirtualTimeLoop  # noqa: PLC0415

    return isinstance(asyncio.get_running_loop(), VirtualTimeLoop)


def _connector(
    simulator: SimulatedTreadmill | None,
    device: str | None,
    clock: Clock,
    *,
    mph: bool = False,
) -> tuple[Callable[[], Awaitable[Treadmill]], dict[str, Any]]:
    from retrorun.device import Backends, open_treadmill  # noqa: PLC0415

    if simulator is None:
        address = device or ""

        async def connect_real() -> Treadmill:
            return await open_treadmill(address, clock=clock, mph_in_kmh_fields=mph)

        return connect_real, {"address": address, "simulated": False}
    from retrorun_sim import SimulatorClient, SimulatorScanner  # noqa: PLC0415

    backends = Backends(client=SimulatorClient, scanner=SimulatorScanner)

    async def connect_sim() -> Treadmill:
        return await open_treadmill(
            simulator.address,
            clock=clock,
            backends=backends,
            mph_in_kmh_fields=simulator.quirks.speed_in_mph,
        )

    info = {"address": simulator.address, "simulated": True, "preset": simulator.preset}
    return connect_sim, info
