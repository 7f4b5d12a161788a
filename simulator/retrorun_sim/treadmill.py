"""`SimulatedTreadmill`: the async shell that runs an `FtmsServer` on a Clock.

It owns time: it sends Treadmill Data every notification period, delivers each response and
status notification when it is due, wakes the server when a command lands or a countdown
ends, and plays the fault schedule. Clients reach it through `retrorun_sim.SimulatorClient`
(bleak's ``backend=``), which calls the ``attach`` / ``read`` / ``write`` / ``subscribe``
methods here; people and tests act on it with the console and fault methods.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from typing import TYPE_CHECKING, Self

from bleak.backends.scanner import AdvertisementData

from retrorun.clock import Clock, MonotonicClock
from retrorun.ftms import (
    FTMS_SERVICE_UUID,
    Characteristic,
    MachineType,
    ServiceData,
    encode_service_data,
)
from retrorun_sim import registry
from retrorun_sim.faults import Fault, FaultKind, parse_faults
from retrorun_sim.gatt import CCCD_INDICATE, CCCD_NOTIFY, build_services, properties
from retrorun_sim.peripheral import (
    SIMULATED_RSSI_DBM,
    ClientLink,
    PeripheralBusyError,
    PeripheralUnreachableError,
)
from retrorun_sim.quirks import Quirks, QuirkValue, preset, resolve_quirks
from retrorun_sim.runner import RunnerDirection, RunnerSpec
from retrorun_sim.server import AttError, AttErrorCode, Delivery, Emission, FtmsServer
from retrorun_sim.trace import TraceEvent, TraceKind, TraceSink

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterable, Mapping
    from types import TracebackType

    from bleak.backends.service import BleakGATTServiceCollection

    from retrorun_sim.physics import BeltReadings, PhysicalBelt
    from retrorun_sim.replay import ReplayNotification

_addresses = itertools.count(1)


def _next_address() -> str:
    number = next(_addresses)
    return f"5E:1A:7E:00:{number >> 8 & 0xFF:02X}:{number & 0xFF:02X}"


class SimulatedTreadmill:
    """A simulated FTMS treadmill reachable through bleak while started.

    ``preset`` names a quirk preset (`retrorun_sim.quirks.PRESETS`); ``quirks`` overrides
    single switches on top of it (a mapping or ``NAME=VALUE`` strings) or, as a `Quirks`
    value, replaces the preset. ``faults`` is a schedule (``KIND@SECONDS[:VALUE]`` strings
    or `Fault` values, seconds from `start`). ``replay`` plays captured notifications
    instead of the belt's telemetry. ``trace`` receives every byte that crosses GATT.
    Unknown presets, quirks and faults raise `retrorun.errors.InputError`.
    """

    def __init__(  # noqa: PLR0913 - the public constructor is all keywords
        self,
        *,
        preset: str = "strict",
        quirks: Quirks | Mapping[str, QuirkValue] | Iterable[str] = (),
        faults: Iterable[str | Fault] = (),
        clock: Clock | None = None,
        name: str = "RetroRun Treadmill",
        address: str | None = None,
        runner: RunnerSpec | None = None,
        trace: TraceSink | None = None,
        replay: Iterable[ReplayNotification] = (),
    ) -> None:
        self.quirks = quirks if isinstance(quirks, Quirks) else resolve_quirks(preset, quirks)
        self.preset = _preset_name(preset)
        self.faults = parse_faults(faults)
        self.clock: Clock = clock or MonotonicClock()
        self.name = name
        self.address = address or _next_address()
        self.trace = trace
        self.replay = tuple(replay)
        self._runner = runner
        self.server = FtmsServer(self.quirks, runner=runner, now=self.clock.now())
        self._link: ClientLink | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._sends_waiting = 0  # batches of notifications scheduled and not sent yet
        self._poll_times: set[float] = set()
        self._started_at_s: float | None = None
        self._reachable_from_s = -math.inf
        self._drop_until_s = -math.inf
        self.strap_silent_until_s = -math.inf
        """A strap on this runner (`SimulatedHeartRateStrap`) sends nothing until then."""

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Power on: reachable at `address`, telemetry and the fault schedule running."""
        if self._started_at_s is not None:
            return
        registry.register(self)
        self._started_at_s = self.clock.now()
        self._reachable_from_s = -math.inf
        self._drop_until_s = -math.inf
        if not self.replay:
            self._spawn(self._telemetry_loop())
        if self.faults:
            self._spawn(self._fault_schedule())
        registry.announce(self)

    async def stop(self) -> None:
        """Power off: the client sees a disconnect, the address stops answering."""
        if self._started_at_s is None:
            return
        self._drop_link()
        registry.unregister(self)
        self._started_at_s = None
        tasks, self._tasks = self._tasks, set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._poll_times.clear()
        # Power off: the belt, its counters and any pending command are gone.
        self.server = FtmsServer(self.quirks, runner=self._runner, now=self.clock.now())

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def running(self) -> bool:
        return self._started_at_s is not None

    @property
    def connected(self) -> bool:
        return self._link is not None

    @property
    def advertising(self) -> bool:
        """Started, reachable and free: what a scan would hear."""
        return self.running and self._link is None and self.clock.now() >= self._reachable_from_s

    # ------------------------------------------------------------------ observing

    def readings(self) -> BeltReadings:
        """The belt now: speed, incline, distance, time, energy."""
        return self.server.readings(self.clock.now())

    def physical(self) -> PhysicalBelt:
        """What the runner's feet feel now: the belt's real speed and incline.

        The truth, independent of what Treadmill Data reports (a machine may report its set
        point, or nothing) and of what the control point acknowledged.
        """
        return self.server.physical(self.clock.now())

    @property
    def heart_rate_bpm(self) -> float:
        return self.server.heart_rate_bpm(self.clock.now())

    # ------------------------------------------------------------------ on demand

    def set_runner_direction(self, direction: RunnerDirection | str) -> None:
        """Which way the runner faces (``"forward"`` / ``"backward"``): moves the heart rate."""
        self.server.set_runner_direction(RunnerDirection(direction), self.clock.now())

    def set_runner_on_belt(self, on_belt: bool) -> None:  # noqa: FBT001
        self.server.set_runner_on_belt(on_belt, self.clock.now())

    def console_speed(self, speed_kmh: float) -> None:
        """Someone presses the speed buttons (status 0x05 Target Speed Changed)."""
        self._emit(self.server.console_speed(speed_kmh, self.clock.now()))

    def console_incline(self, inclination_pct: float) -> None:
        """Someone presses the incline buttons (status 0x06 Target Incline Changed)."""
        self._emit(self.server.console_incline(inclination_pct, self.clock.now()))

    def console_start(self) -> None:
        """Someone presses Start on the console (status 0x04 Started by the User).

        The belt counts down and runs at its set point (at least its minimum); a machine
        with `Quirks.data_after_console_start` sends Treadmill Data from now on.
        """
        self._emit(self.server.console_start(self.clock.now()))

    def console_stop(self) -> None:
        """Someone presses Stop on the console (status 0x02 Stopped by the User)."""
        self._emit(self.server.console_stop(self.clock.now()))

    def pull_safety_key(self) -> None:
        """The safety key comes out (status 0x03): the belt coasts to a stop fast."""
        self._emit(self.server.safety_key(self.clock.now()))

    def revoke_control(self) -> None:
        """The machine takes control back (status 0xFF Control Permission Lost)."""
        self._emit(self.server.revoke_control(self.clock.now()))

    def reject_next_command(self) -> None:
        """The next command after Request Control answers 0x04 Operation Failed."""
        self.server.reject_next_command()

    def delay_next_command(self, seconds: float) -> None:
        """The next command's response arrives ``seconds`` later than usual."""
        self.server.delay_next_command(seconds)

    def drop_notifications(self, seconds: float) -> None:
        """Send no notifications for ``seconds`` (indications still arrive)."""
        self._drop_until_s = max(self._drop_until_s, self.clock.now() + seconds)

    def silence_strap(self, seconds: float) -> None:
        """The runner's chest strap sends nothing for ``seconds`` (its link stays up)."""
        self.strap_silent_until_s = max(self.strap_silent_until_s, self.clock.now() + seconds)

    def disconnect(self, come_back_after_s: float | None = None) -> None:
        """Drop the link as a radio would; reachable again after ``come_back_after_s``.

        None means the treadmill stays unreachable until it is stopped and started.
        """
        now = self.clock.now()
        self._drop_link()
        if come_back_after_s is None:
            self._reachable_from_s = math.inf
            return
        self._reachable_from_s = now + come_back_after_s
        self._spawn(self._come_back(self._reachable_from_s))

    def apply(self, fault: Fault) -> None:
        """Make ``fault`` happen now (the schedule calls this at its time)."""
        value = fault.value or 0.0
        actions: dict[FaultKind, Callable[[], None]] = {
            FaultKind.DISCONNECT: lambda: self.disconnect(fault.value),
            FaultKind.DROP_NOTIFICATIONS: lambda: self.drop_notifications(value),
            FaultKind.DELAY_COMMAND: lambda: self.delay_next_command(value),
            FaultKind.REJECT_COMMAND: self.reject_next_command,
            FaultKind.CONSOLE_SPEED: lambda: self.console_speed(value),
            FaultKind.CONSOLE_INCLINE: lambda: self.console_incline(value),
            FaultKind.CONSOLE_START: self.console_start,
            FaultKind.CONSOLE_STOP: self.console_stop,
            FaultKind.SAFETY_KEY: self.pull_safety_key,
            FaultKind.STRAP_SILENT: lambda: self.silence_strap(value),
        }
        actions[fault.kind]()

    # ------------------------------------------------------------------ client side

    @property
    def mtu(self) -> int:
        return self.quirks.mtu

    def advertisement(self) -> AdvertisementData:
        """What the treadmill advertises: its name and FTMS service data (FTMS §3.1)."""
        service_data = encode_service_data(
            ServiceData(available=True, machine_types=MachineType.TREADMILL)
        )
        return AdvertisementData(
            local_name=self.name,
            manufacturer_data={},
            service_data={FTMS_SERVICE_UUID: service_data},
            service_uuids=[FTMS_SERVICE_UUID],
            tx_power=None,
            rssi=SIMULATED_RSSI_DBM,
            platform_data=(),
        )

    def services(self) -> BleakGATTServiceCollection:
        return build_services(self.quirks)

    def cccd(self, characteristic: Characteristic) -> int:
        if not self.server.is_subscribed(characteristic):
            return 0
        return (
            CCCD_INDICATE if "indicate" in properties(characteristic, self.quirks) else CCCD_NOTIFY
        )

    def attach(self, link: ClientLink) -> None:
        """A client connects (used by `SimulatorClient`)."""
        if not self.running or self.clock.now() < self._reachable_from_s:
            raise PeripheralUnreachableError("no simulated treadmill answers", device=self.address)
        if self._link is not None:
            raise PeripheralBusyError("already connected to another client", device=self.address)
        self.server.connect()
        self._link = link
        self._trace(TraceKind.CONNECT)
        if self.replay:
            self._spawn(self._play(link, self.clock.now()))

    def detach(self, link: ClientLink) -> None:
        """The client disconnects on purpose (no disconnect callback for it)."""
        if link is self._link:
            self._link = None
            self.server.disconnect()
            self._trace(TraceKind.DISCONNECT, note="by the client")
            registry.announce(self)

    def read(self, characteristic: Characteristic) -> bytes:
        try:
            data = self.server.read(characteristic, self.clock.now())
        except AttError as exc:
            self._trace(TraceKind.READ, characteristic, note=str(exc.code.name))
            raise
        self._trace(TraceKind.READ, characteristic, data)
        return data

    def write(self, characteristic: Characteristic, data: bytes, *, with_response: bool) -> None:
        kind = TraceKind.WRITE if with_response else TraceKind.WRITE_COMMAND
        try:
            self._check_pairing(characteristic)
            emissions = self.server.write(
                characteristic, data, self.clock.now(), with_response=with_response
            )
        except AttError as exc:
            self._trace(kind, characteristic, data, note=f"ATT error {exc.code.name}")
            raise
        self._trace(kind, characteristic, data, note="" if emissions else "ignored")
        self._emit(emissions)

    def _check_pairing(self, characteristic: Characteristic) -> None:
        """ATT 0x0F for a control-point write over a link that did not pair, on a
        ``requires_pairing`` treadmill."""
        if (
            self.quirks.requires_pairing
            and characteristic is Characteristic.CONTROL_POINT
            and not (self._link is not None and self._link.paired)
        ):
            raise AttError(AttErrorCode.INSUFFICIENT_ENCRYPTION, characteristic)

    def subscribe(self, characteristic: Characteristic, *, enabled: bool) -> None:
        self.server.set_subscription(characteristic, enabled)
        self._trace(TraceKind.SUBSCRIBE, characteristic, note="on" if enabled else "off")

    # ------------------------------------------------------------------ internals

    def _drop_link(self) -> None:
        link, self._link = self._link, None
        if link is not None:
            self.server.disconnect()
            self._trace(TraceKind.DISCONNECT, note="link lost")
            link.lost()

    def _emit(self, emissions: list[Emission], *, now_if_due: bool = False) -> None:
        """Send each emission at its time, in order; then watch for the next event.

        With ``now_if_due`` (from a task of the simulator's own, never inside a client's
        call), emissions due now go out at once when nothing sent earlier is still waiting,
        which keeps their order and spares a task per telemetry record."""
        link = self._link
        batch: list[Emission] = []
        for emission in emissions:
            if batch and emission.at_s != batch[0].at_s:
                self._schedule(batch, link, now_if_due=now_if_due)
                batch = []
            batch.append(emission)
        if batch:
            self._schedule(batch, link, now_if_due=now_if_due)
        self._watch_events()

    def _schedule(
        self, batch: list[Emission], link: ClientLink | None, *, now_if_due: bool
    ) -> None:
        if now_if_due and not self._sends_waiting and batch[0].at_s <= self.clock.now():
            for emission in batch:
                self._send(emission, link)
            return
        self._sends_waiting += 1
        self._spawn(self._send_at(batch, link))

    async def _send_at(self, batch: list[Emission], link: ClientLink | None) -> None:
        try:
            await self.clock.sleep_until(batch[0].at_s)
            for emission in batch:
                self._send(emission, link)
        finally:
            self._sends_waiting -= 1

    def _send(self, emission: Emission, link: ClientLink | None) -> None:
        if link is None or link is not self._link:
            return  # the link it was meant for is gone (FTMS §4.18: not buffered)
        if emission.completes_procedure:
            self.server.procedure_complete()
        if emission.delivery is Delivery.NOTIFY and self.clock.now() < self._drop_until_s:
            self._trace(TraceKind.DROPPED, emission.characteristic, emission.data)
            return
        kind = TraceKind.NOTIFY if emission.delivery is Delivery.NOTIFY else TraceKind.INDICATE
        self._trace(kind, emission.characteristic, emission.data)
        link.deliver(emission.characteristic, emission.data)

    def _watch_events(self) -> None:
        at_s = self.server.next_event_s()
        if at_s is not None and at_s not in self._poll_times:
            self._poll_times.add(at_s)
            self._spawn(self._poll_at(at_s))

    async def _poll_at(self, at_s: float) -> None:
        await self.clock.sleep_until(at_s)
        self._poll_times.discard(at_s)
        self._emit(self.server.poll(self.clock.now()))

    async def _telemetry_loop(self) -> None:
        interval = self.quirks.notify_interval_s
        for tick in itertools.count(1):
            await self.clock.sleep_until((self._started_at_s or 0.0) + tick * interval)
            if self.trace is not None:
                belt = self.server.physical(self.clock.now())
                self.trace(TraceEvent(self.clock.now(), TraceKind.BELT, belt=belt))
            self._emit(self.server.telemetry(self.clock.now()), now_if_due=True)

    async def _fault_schedule(self) -> None:
        for fault in self.faults:
            await self.clock.sleep_until((self._started_at_s or 0.0) + fault.at_s)
            self.apply(fault)

    async def _come_back(self, at_s: float) -> None:
        await self.clock.sleep_until(at_s)
        registry.announce(self)

    async def _play(self, link: ClientLink, connected_at_s: float) -> None:
        for entry in self.replay:
            await self.clock.sleep_until(connected_at_s + entry.t_s)
            if self.server.is_subscribed(entry.characteristic):
                self._send(Emission(entry.characteristic, entry.data, self.clock.now()), link)

    def _spawn(self, coroutine: Coroutine[object, object, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # A failure inside the simulator is a bug: make it loud, not a lost task.
            asyncio.get_running_loop().call_exception_handler(
                {"message": "simulated treadmill task failed", "exception": task.exception()}
            )

    def _trace(
        self,
        kind: TraceKind,
        characteristic: Characteristic | None = None,
        data: bytes = b"",
        note: str = "",
    ) -> None:
        if self.trace is not None:
            self.trace(TraceEvent(self.clock.now(), kind, characteristic, bytes(data), note))


def _preset_name(name: str) -> str:
    return preset(name).name
