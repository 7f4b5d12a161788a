"""One way to launch a session, whichever view shows it.

`launch_session` takes one `LaunchOptions` (what ``retrorun run`` was asked for, the TUI's
start screen chose, or a test wants) and starts everything a session is made of: the
profile compiled under the config file's limits, the simulator or the real treadmill (the
mph conversion included), the `SessionRunner`, the session log writer and the companions
beside it (`retrorun.cli.companions`). It hands back a `LaunchedSession` that owns them all;
`LaunchedSession.close` is the one way to end it: it stops a session that still runs (the
runner stops the belt), waits for the log, then stops the companions and the simulator.

The views (headless lines, the TUI) only watch the runner and send it commands.

Heavy modules are imported inside functions: ``retrorun --help`` imports this module's
command, never the session.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import click

from retrorun.session.inputs import EngineOptions

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable
    from pathlib import Path

    from retrorun.audio import AudioSettings
    from retrorun.cli.companions import Companions
    from retrorun.clock import Clock
    from retrorun.config import Config
    from retrorun.device import Backends, RampRates, Treadmill
    from retrorun.device.heart_rate import StrapEvent
    from retrorun.device.trace import GattTrace
    from retrorun.errors import InputError
    from retrorun.mqtt.settings import MqttSettings
    from retrorun.profiles.plan import Plan
    from retrorun.profiles.words import Units
    from retrorun.session.api import SessionEnded
    from retrorun.session.runner import SessionRunner
    from retrorun.upload.settings import UploadSettings
    from retrorun.web.settings import WebSettings
    from retrorun_sim import SimulatedHeartRateStrap, SimulatedTreadmill


@dataclass(frozen=True, kw_only=True)
class SimulatorOptions:
    """The built-in simulator, used when `LaunchOptions.device` is None."""

    preset: str = "strict"
    """``--sim-preset``: a quirk preset (`retrorun_sim.PRESETS`)."""
    faults: tuple[str, ...] = ()
    """``--sim-fault``: ``KIND@SECONDS[:VALUE]`` schedule."""
    trace: Callable[[str], None] | None = None
    """``--trace``: receives every byte crossing GATT, as a line."""
    quirks: tuple[str, ...] = ()
    """``--sim-quirk``: ``NAME=VALUE`` switches over the preset's."""


@dataclass(frozen=True, kw_only=True)
class LaunchOptions:
    """Everything one session is launched from. Only `profile` and `config` are required."""

    profile: str | None
    """A profile file, or the name of one of the runner's profiles or a bundled one (None:
    not chosen yet; the TUI's start screen chooses, then launches with it)."""
    config: Config
    """The config file, read once per run: limits, heart-rate guard (and audio, export)."""
    device: str | None = None
    """The treadmill's address or name; None runs the simulator."""
    simulator: SimulatorOptions = field(default_factory=SimulatorOptions)
    mph: bool = False
    """``--mph-in-kmh-fields``: the real treadmill puts mph in its km/h fields."""
    mph_commands: bool = False
    """``--mph-commands``: the real treadmill reads speed commands as mph, reports km/h."""
    speed_factor: float = 1.0
    """``--speed-factor`` or the saved settings': the belt's real speed over the speed it
    shows, as the runner measured it (docs/devices.md)."""
    ramp_rates: RampRates | None = None
    """The belt's ramps as ``retrorun check`` measured them (None: cautious defaults)."""
    backends: Backends | None = None
    """bleak backends for the real-treadmill path (None: the platform's; tests plug the
    simulator's in to reach it as if it were a real device)."""
    log_path: Path | None = None
    """The session log (None: the user data folder, named after the profile)."""
    log_buffered: bool = False
    """Write the log in blocks rather than line by line (``--fast``: thousands of lines a
    second, none of them from a runner on a belt)."""
    write_log: bool = True
    """``--no-log`` makes it False: nothing of the session is written (no log, no export)."""
    start_at_s: float | None = None
    """``--start-at``: start this far into the plan (the simulator only; `retrorun.profiles.
    part_way`)."""
    clock: Clock | None = None
    """Session time (None: the running loop's clock, real, scaled or virtual)."""
    engine: EngineOptions = field(default_factory=EngineOptions)
    snapshot_interval_s: float | None = 0.25
    """How often the runner publishes a snapshot (None: only when something changes)."""
    audio: AudioSettings | None = None
    """Spoken cues and tones; None is silence."""
    mqtt: MqttSettings | None = None
    """The broker to publish the session to, or None."""
    export_formats: tuple[str, ...] = ()
    """``--export``: activity files to write when the session ends (else the config's)."""
    upload: UploadSettings | None = None
    """Where ``[export] upload`` sends the session once it has ended (None: nowhere)."""
    web: WebSettings | None = None
    """The browser view of the session (``--web``, ``[web]``), or None."""
    heart_rate_strap: str | None = None
    """``--hr`` or ``[heart_rate] device``: the chest strap's name or address (None: the
    heart rate is what the treadmill relays). With the simulator, a simulated strap of this
    name is put on the simulated runner."""
    saved_settings: dict[str, Any] | None = None
    """The saved per-treadmill settings applied (as in treadmills.toml, with ``address``,
    the key they were found under), for the session log; None: none."""
    trace_to: Path | None = None
    """``--trace FILE``: every byte crossing GATT, recorded at the device layer as JSON lines
    (the simulator's replay reads them); ``-`` prints them as text on stderr instead."""
    pair: bool = False
    """``--pair``: bond with the treadmill when connecting (some want it for control)."""
    rehearse: bool = False
    """``--rehearse``: the same session at walking speeds (`retrorun.profiles.rehearsal`)."""

    @property
    def formats_to_export(self) -> tuple[str, ...]:
        return self.export_formats or self.config.export_formats


@dataclass
class LaunchedSession:
    """A launched session and everything running beside it; `close` ends it."""

    options: LaunchOptions
    runner: SessionRunner
    task: asyncio.Task[SessionEnded]
    """``runner.run()``: done when the session has ended (or failed)."""
    log_path: Path | None
    """None with ``--no-log``."""
    writer_task: asyncio.Task[None] | None
    """The log writer: done once the log has its summary (None: no log)."""
    companions: Companions
    simulator: SimulatedTreadmill | None
    strap_simulator: SimulatedHeartRateStrap | None = None
    trace_file: TextIO | None = None
    """``--trace FILE``, open while the session runs."""
    _closed: bool = False

    @property
    def notice(self) -> str | None:
        """A one-time sentence for the runner (no speech program), or None."""
        return self.companions.notice

    async def close(self, source: str = "launcher") -> SessionEnded | None:
        """End the session: stop it if it still runs (the belt stops; `source` says who
        asked), wait for its log, stop the companions and the simulator.

        How the session ended, or None when its task was cancelled before it could end.
        Raises what made the session fail, if it failed. Closing twice is harmless.
        """
        ended: SessionEnded | None = None
        try:
            if not self.task.done():
                # Still connecting: the runner stops before the belt ever starts.
                self.runner.request_stop(source)
            with contextlib.suppress(asyncio.CancelledError):
                ended = await self.task
            return ended
        finally:
            if not self._closed:
                self._closed = True
                await self._close_beside(ended)

    async def _close_beside(self, ended: SessionEnded | None) -> None:
        if self.writer_task is not None:
            if ended is None:  # no summary is coming for the log writer to wait for
                self.writer_task.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self.writer_task
        await self.companions.stop()
        if self.strap_simulator is not None:
            await self.strap_simulator.stop()
        if self.simulator is not None:
            await self.simulator.stop()
        if self.trace_file is not None:
            self.trace_file.close()
        log = self.log_path
        if log is not None and log.exists() and log.stat().st_size == 0:
            log.unlink()  # never connected: no session, no log


def check(options: LaunchOptions) -> Plan:
    """The plan `options` would run; bad input (profile, simulator options) raises one
    `InputError`/`ProfileError` before anything starts."""
    from retrorun.profiles.library import resolve  # noqa: PLC0415
    from retrorun.profiles.loader import load_profile  # noqa: PLC0415
    from retrorun.profiles.plan import compile_plan  # noqa: PLC0415

    if options.profile is None:
        raise no_profile_error()
    from retrorun.profiles.heart_zones import NO_ZONES, step_needing_zones  # noqa: PLC0415

    document = load_profile(resolve(options.profile))
    zones = options.config.heart_rate_zones
    needs = step_needing_zones(document.profile) if zones is None else None
    if needs is not None:
        raise document.error(NO_ZONES, needs)
    profile = document.profile
    if options.rehearse:
        from retrorun.profiles.rehearsal import rehearsal  # noqa: PLC0415

        profile = rehearsal(profile).profile
    limits = options.config.limits
    plan = compile_plan(profile, limits, where=document, zones=zones)
    if options.start_at_s:
        from retrorun.profiles.part_way import from_point  # noqa: PLC0415

        plan = compile_plan(from_point(profile, plan, options.start_at_s), limits, zones=zones)
    if options.rehearse:
        from retrorun.profiles.rehearsal import announced  # noqa: PLC0415

        plan = announced(plan)
    check_simulator(options)
    return plan


def rehearsal_info(options: LaunchOptions) -> dict[str, float] | None:
    """What the session log's header says about a rehearsal (None: not one)."""
    if not options.rehearse or options.profile is None:
        return None
    from retrorun.profiles.library import resolve  # noqa: PLC0415
    from retrorun.profiles.loader import load_profile  # noqa: PLC0415
    from retrorun.profiles.rehearsal import rehearsal  # noqa: PLC0415

    return rehearsal(load_profile(resolve(options.profile)).profile).to_json()


def check_simulator(options: LaunchOptions) -> None:
    """Bad ``--sim-preset`` or ``--sim-fault``: one `InputError`, before anything starts."""
    if options.device is None:
        from retrorun_sim import parse_faults, resolve_quirks  # noqa: PLC0415

        resolve_quirks(options.simulator.preset, ())
        parse_faults(options.simulator.faults)


async def launch_session(options: LaunchOptions) -> LaunchedSession:
    """Start the session `options` describe; it runs until it ends or is closed."""
    from retrorun.cli.companions import Companions  # noqa: PLC0415
    from retrorun.clock import LoopClock  # noqa: PLC0415
    from retrorun.recording.session_log import (  # noqa: PLC0415
        LOGGED,
        SessionLogWriter,
        default_log_path,
    )
    from retrorun.session.runner import SessionRunner  # noqa: PLC0415

    plan = check(options)
    clock = options.clock or LoopClock()
    simulated = options.device is None
    writer = None
    if options.write_log:
        writer = SessionLogWriter(
            options.log_path or default_log_path(plan.name, simulated=simulated),
            numbered=options.log_path is None,
            buffered=options.log_buffered,
        )
        writer.open()
    simulator = _simulator(options, clock)
    strap_simulator = None
    trace_file, trace = _gatt_trace(options, clock)
    if simulator is not None:
        await simulator.start()
    try:
        connect, device_info = _connector(options, simulator, clock, trace)
        strap, strap_simulator = await _strap(options, simulator, clock)
        runner = SessionRunner(
            plan,
            connect,
            clock=clock,
            options=options.engine,
            profile_info=_profile_info(plan, options.profile or plan.name, options),
            device_info=device_info,
            snapshot_interval_s=options.snapshot_interval_s,
            strap=strap,
        )
        writer_task = (
            asyncio.ensure_future(writer.follow(runner.events(only=LOGGED)))
            if writer is not None
            else None
        )
        companions = await Companions.start(
            runner,
            options,
            clock=clock,
            simulator=simulator,
            device_address=device_info["address"],
        )
    except BaseException:
        if strap_simulator is not None:
            await strap_simulator.stop()
        if simulator is not None:
            await simulator.stop()
        if trace_file is not None:
            trace_file.close()
        raise
    task = asyncio.ensure_future(runner.run())
    log_path = writer.path if writer is not None else None
    return LaunchedSession(
        options,
        runner,
        task,
        log_path,
        writer_task,
        companions,
        simulator,
        strap_simulator,
        trace_file,
    )


def _gatt_trace(options: LaunchOptions, clock: Clock) -> tuple[TextIO | None, GattTrace | None]:
    """The device layer's trace ``--trace`` asked for: a new file of JSON lines, or text on
    stderr (``-``, on a real treadmill; the simulator traces itself there)."""
    if options.trace_to is None:
        return None, None
    from retrorun.device.trace import GattTrace  # noqa: PLC0415

    if str(options.trace_to) == "-":
        if options.device is None:
            return None, None

        def to_stderr(line: str) -> None:
            click.echo(f"  trace {line}", err=True)

        return None, GattTrace(to_stderr, clock=clock, as_json=False)
    file = open_trace_file(options.trace_to)

    def to_file(line: str) -> None:
        file.write(line + "\n")
        file.flush()  # a crash loses at most the line being written

    return file, GattTrace(to_file, clock=clock, as_json=True)


def open_trace_file(path: Path) -> TextIO:
    """A new trace file; an existing one is refused (a capture is never overwritten)."""
    from retrorun.errors import InputError  # noqa: PLC0415

    try:
        return path.open("x", encoding="utf-8")
    except FileExistsError:
        raise InputError("the file exists: name a new one", location=f"--trace {path}") from None
    except OSError as exc:
        raise InputError(
            f"cannot write it ({exc.strerror or exc})", location=f"--trace {path}"
        ) from None


def no_profile_error() -> InputError:
    """What to say when no profile was named (and no start screen can choose one)."""
    from retrorun.errors import InputError  # noqa: PLC0415
    from retrorun.profiles.library import bundled_dir, profile_files  # noqa: PLC0415

    names = ", ".join(p.stem for p in profile_files(bundled_dir()))
    return InputError(f"name a profile to run; bundled profiles are: {names}", location="PROFILE")


def exit_with(ended: SessionEnded | None, session: LaunchedSession) -> NoReturn:
    """The end of ``retrorun run``, whichever view showed it: one line saying how the
    session ended, the activity files asked for, and the session's exit code."""
    from retrorun.headless import final_line  # noqa: PLC0415

    if ended is None:
        click.echo("retrorun: stopped before the session started", err=True)
        raise click.exceptions.Exit(3)
    log = session.log_path
    units = session.options.config.units
    where = f"log: {log}" if log else "no log: --no-log"
    click.echo(f"retrorun: {final_line(ended, units)} ({where})")
    if session.runner.belt_at_rest is False:
        click.echo(
            "retrorun: the belt was not measured at rest: press stop on the treadmill "
            "or pull the safety key",
            err=True,
        )
    if log is None:
        raise click.exceptions.Exit(ended.exit_code)
    config = session.options.config
    _export(log, session.options.formats_to_export, config.fit_device, config.units)
    upload = session.options.upload
    if upload is not None and upload.auto:
        from retrorun.upload.service import upload_after  # noqa: PLC0415 - httpx only when asked

        upload_after(log, upload)
    raise click.exceptions.Exit(ended.exit_code)


def _export(
    log: Path,
    formats: tuple[str, ...],
    fit_device: tuple[int, int, int | None] | None,
    units: Units,
) -> None:
    """Write these activity files for a session log that exists; a failure to export is
    reported, never fatal: the log stays."""
    from retrorun.cli.export import export_session_log  # noqa: PLC0415
    from retrorun.errors import RetrorunError  # noqa: PLC0415

    if not log.exists():
        return
    for file_format in formats:
        try:
            export_session_log(log, file_format, fit_device=fit_device, units=units)
        except RetrorunError as exc:
            click.echo(f"retrorun: could not export {file_format.upper()}: {exc}", err=True)


def _profile_info(plan: Plan, source: str, options: LaunchOptions) -> dict[str, Any]:
    """What the session log's header says about the profile."""
    info: dict[str, Any] = {
        "name": plan.name,
        "source": source,
        "total_duration_s": round(plan.total_duration_s, 3),
        "total_distance_m": round(plan.total_distance_m, 3),
        "segments": len(plan.segments),
        **({"start_at_s": options.start_at_s} if options.start_at_s else {}),
    }
    rehearsing = rehearsal_info(options)
    if rehearsing is not None:
        info["rehearsal"] = rehearsing
    return info


def _settings_in_force(options: LaunchOptions) -> dict[str, Any]:
    """The log header's word on the mph modes in force and the saved settings applied."""
    mph_mode = "mph" if options.mph else "mph_commands" if options.mph_commands else "kmh"
    info: dict[str, Any] = {"mph_mode": mph_mode}
    if options.saved_settings is not None:
        info["saved_settings"] = options.saved_settings
    return info


def _simulator(options: LaunchOptions, clock: Clock) -> SimulatedTreadmill | None:
    if options.device is not None:
        return None
    from retrorun_sim import SimulatedTreadmill  # noqa: PLC0415

    sim = options.simulator
    trace = sim.trace
    sink = (lambda event: trace(f"  trace {event}")) if trace is not None else None
    return SimulatedTreadmill(
        preset=sim.preset, quirks=sim.quirks, faults=sim.faults, trace=sink, clock=clock
    )


async def _strap(
    options: LaunchOptions, simulator: SimulatedTreadmill | None, clock: Clock
) -> tuple[Callable[[], AsyncIterator[StrapEvent]] | None, SimulatedHeartRateStrap | None]:
    """The chest strap's events for the runner (None: no strap asked for), and the simulated
    strap worn by the simulated runner when the session runs on the simulator."""
    target = options.heart_rate_strap
    if target is None:
        return None, None
    backends, worn = options.backends, None
    if simulator is not None:
        from retrorun.device import Backends  # noqa: PLC0415
        from retrorun_sim import (  # noqa: PLC0415
            SimulatedHeartRateStrap,
            SimulatorClient,
            SimulatorScanner,
        )

        worn = SimulatedHeartRateStrap(simulator, name=target)
        await worn.start()
        backends = Backends(client=SimulatorClient, scanner=SimulatorScanner)

    def follow() -> AsyncIterator[StrapEvent]:
        from retrorun.device import follow_heart_rate_strap  # noqa: PLC0415 - bleak when used

        return follow_heart_rate_strap(target, clock=clock, backends=backends)

    return follow, worn


def _connector(
    options: LaunchOptions,
    simulator: SimulatedTreadmill | None,
    clock: Clock,
    trace: GattTrace | None = None,
) -> tuple[Callable[[], Awaitable[Treadmill]], dict[str, Any]]:
    """How the runner opens its treadmill, and what the log's header says about it."""
    if simulator is None:
        address, backends, mph = options.device or "", options.backends, options.mph
        mph_commands = options.mph_commands
        info: dict[str, Any] = {"address": address, "simulated": False}
        info |= _settings_in_force(options)
    else:
        from retrorun.device import Backends  # noqa: PLC0415
        from retrorun_sim import SimulatorClient, SimulatorScanner  # noqa: PLC0415

        address = simulator.address
        backends = Backends(client=SimulatorClient, scanner=SimulatorScanner)
        # An mph simulator stands for a treadmill nobody has set up yet: the session must
        # find it out, unless `retrorun check` found it and saved the setting, or the
        # runner says so (`--mph-in-kmh-fields`, `--mph-commands`), as on a real one.
        mph, mph_commands = options.mph, options.mph_commands
        info = {"address": address, "simulated": True, "preset": simulator.preset}
        info |= _settings_in_force(options)

    async def connect() -> Treadmill:
        from retrorun.device import open_treadmill  # noqa: PLC0415 - bleak only when used

        return await open_treadmill(
            address,
            clock=clock,
            backends=backends,
            mph_in_kmh_fields=mph,
            mph_commands=mph_commands,
            speed_factor=options.speed_factor,
            ramp_rates=options.ramp_rates,
            trace=trace,
            pair=options.pair,
        )

    if options.speed_factor != 1.0:
        info["speed_factor"] = options.speed_factor
    return connect, info
