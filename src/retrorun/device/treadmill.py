"""A connected FTMS treadmill: commands that are verified, telemetry and status as iterators.

`Treadmill` sits on a `Link` (one GATT connection). What it promises the session, after
the field notes (§3, §4, §6.4):

* procedures go through one `ControlChannel`: one at a time, answered or timed out on the
  injected clock, control requested when needed (and again after a reconnect, a reset or
  status 0xFF), "Control Not Permitted" retried with backoff;
* a set-point sent while the belt is stopped is kept and replayed once the belt runs
  (QZ PR #4621; some treadmills refuse a speed until then), and an unchanged target is
  never resent (some treadmills beep on every command);
* nothing is trusted: `confirm_speed` waits for Treadmill Data to show the speed, and a
  `RampEstimator` learns the real ramp rates and reaction delay;
* console changes, stops, the safety key and lost control arrive as typed events; a
  dropped or silent link is reported and, given a reconnect function, reconnected in the
  background with backoff until the treadmill is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
from typing import TYPE_CHECKING, Self

from retrorun.device.capabilities import KMH_PER_MPH, Capabilities, build_capabilities
from retrorun.device.control import CommandRejectedError, ControlChannel
from retrorun.device.events import (
    BeltStarted,
    BeltStopped,
    ConnectionLost,
    ConsoleInclineChanged,
    ConsoleSpeedChanged,
    ControlLost,
    DeviceEvent,
    Reconnected,
    StatusEvent,
    Telemetry,
    TrainingStatusChanged,
)
from retrorun.device.link import Link, LinkLost, Notification
from retrorun.device.ramp import DEFAULT_RATES, RampEstimator
from retrorun.device.telemetry import TelemetryMerger
from retrorun.device.timing import backoff, first_of
from retrorun.errors import DecodeError, DeviceError
from retrorun.ftms import (
    Characteristic,
    ControlPointRequest,
    ResultCode,
    StatusOpCode,
    StopPause,
    TreadmillDataAssembler,
    decode_machine_status,
    decode_training_status,
    set_target_inclination,
    set_target_speed,
    start_or_resume,
    stop_or_pause,
)
from retrorun.hub import Hub, Subscription

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine

    from retrorun.clock import Clock
    from retrorun.device.ramp import RampRates
    from retrorun.ftms.machine_status import MachineStatus

# A belt reporting less than this is stopped.
_STOPPED_KMH = 0.05
# Two targets closer than this are the same target.
_SAME = 1e-6
# A "target changed" status within this of a value on our own ramp is our own echo.
_ECHO_TOLERANCE = 0.05
# Device Information (0x180A) characteristics, by what they name (GATT assigned numbers).
DEVICE_INFORMATION = {
    "manufacturer": 0x2A29,
    "model": 0x2A24,
    "serial_number": 0x2A25,
    "hardware_revision": 0x2A27,
    "firmware_revision": 0x2A26,
    "software_revision": 0x2A28,
}
_SUBSCRIBED = (
    Characteristic.TREADMILL_DATA,
    Characteristic.MACHINE_STATUS,
    Characteristic.CONTROL_POINT,
    Characteristic.TRAINING_STATUS,
)


class Outcome(enum.Enum):
    """What became of a set-point."""

    SENT = "sent"
    """Written and acknowledged with Success."""
    UNCHANGED = "unchanged"
    """Equal to the target already in force: not resent."""
    CACHED = "cached"
    """The belt is not running: kept, and sent once it runs."""


class Treadmill:
    """Drive and watch one FTMS treadmill; see the module docstring for the promises."""

    def __init__(  # noqa: PLR0913 - one keyword per device setting and timeout
        self,
        link: Link,
        *,
        clock: Clock,
        reconnect: Callable[[], Awaitable[Link]] | None = None,
        mph_in_kmh_fields: bool = False,
        mph_commands: bool = False,
        speed_factor: float = 1.0,
        ramp_rates: RampRates | None = None,
        response_timeout_s: float = 4.0,
        silence_timeout_s: float = 5.0,
        not_permitted_retries: int = 4,
    ) -> None:
        self._link = link
        self._clock = clock
        self._reconnect = reconnect
        self._mph = mph_in_kmh_fields
        self._mph_commands = mph_commands or mph_in_kmh_fields
        """Speed commands go out in mph (some firmware reads Set Target Speed as mph while
        reporting km/h; the both-ways kind converts everything)."""
        self._speed_factor = speed_factor
        """The belt's real speed over the speed the treadmill shows and reports, as the
        runner measured it: every speed here is the real one, so the backward caps hold
        for the runner's feet."""
        self._silence_timeout_s = silence_timeout_s
        self._replay_timeout_s = 2 * response_timeout_s + 5.0

        self.capabilities: Capabilities | None = None
        # Rates measured by `retrorun check` beat the cautious defaults from the first
        # sample; the estimator goes on learning from there.
        self.ramp = RampEstimator(ramp_rates or DEFAULT_RATES)
        self._control = ControlChannel(
            clock=clock,
            response_timeout_s=response_timeout_s,
            not_permitted_retries=not_permitted_retries,
        )
        self._assembler = TreadmillDataAssembler()
        self._merger = TelemetryMerger(
            mph_in_kmh_fields=mph_in_kmh_fields, speed_factor=speed_factor
        )
        self._hub: Hub[DeviceEvent] = Hub()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self._connected = False
        self._wants_control = False
        self._last_data_at = clock.now()

        self._target_speed: float | None = None
        self._target_incline: float | None = None
        self._ramp_from: float | None = None
        self._cached_speed: float | None = None
        self._cached_incline: float | None = None
        self._started = False

    # ------------------------------------------------------------------ lifecycle

    async def open(self) -> Capabilities:
        """Read the capabilities, subscribe to everything, start listening."""
        capabilities = await self._attach(self._link)
        self._connected = True
        self._spawn(self._watch_silence())
        return capabilities

    async def close(self) -> None:
        """Stop listening and disconnect (the belt is left as it is: stop it first)."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._link.disconnect()
        self._hub.close()

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def name(self) -> str:
        return self._link.name

    @property
    def connected(self) -> bool:
        return self._connected and self._link.is_connected

    @property
    def has_control(self) -> bool:
        return self._control.has_control

    @property
    def latest(self) -> Telemetry | None:
        """The most recent telemetry sample."""
        return self._merger.latest

    @property
    def target_speed_kmh(self) -> float | None:
        """The speed target in force on the treadmill, as far as we know."""
        return self._target_speed

    @property
    def target_incline_pct(self) -> float | None:
        return self._target_incline

    # ------------------------------------------------------------------ iterators

    def events(self) -> Subscription[DeviceEvent]:
        """Every telemetry sample and status event from now on, in order.

        The subscription starts when this returns; ``cancel()`` it when done reading.
        """
        return self._hub.subscribe()

    async def telemetry(self) -> AsyncIterator[Telemetry]:
        """Telemetry samples only, from the first iteration on."""
        subscription = self._hub.subscribe()
        try:
            async for event in subscription:
                if isinstance(event, Telemetry):
                    yield event
        finally:
            subscription.cancel()

    async def status(self) -> AsyncIterator[StatusEvent]:
        """Status events only (console changes, stops, safety key, control, connection)."""
        subscription = self._hub.subscribe()
        try:
            async for event in subscription:
                if not isinstance(event, Telemetry):
                    yield event
        finally:
            subscription.cancel()

    # ------------------------------------------------------------------ commands

    async def request_control(self) -> None:
        """Ask for control permission (retried with backoff while it is refused)."""
        self._wants_control = True
        self._require_control_point()
        await self._control.request_control()
        self._publish_lost_control()

    async def start(self) -> None:
        """Start or resume the belt; set-points cached meanwhile are sent once it runs."""
        try:
            await self._run(start_or_resume())
        except CommandRejectedError as exc:
            # "Operation failed" to a Start means it is running already (FTMS §4.16.2.9).
            if exc.result_code != ResultCode.OPERATION_FAILED or not self._belt_moving():
                raise
        self._started = True
        self._spawn(self._replay_cached())

    async def stop(self) -> None:
        """Stop the belt (FTMS Stop). Targets are forgotten: the next start begins afresh."""
        await self._run(stop_or_pause(StopPause.STOP))
        self._belt_halted()
        self._target_incline = None

    def assume_running(self) -> None:
        """The belt was started on the console (some treadmills take Start from nowhere
        else): targets go out from now on, and those kept meanwhile are sent once it runs."""
        self._started = True
        self._spawn(self._replay_cached())

    def gatt_table(self) -> list[dict[str, object]]:
        """The treadmill's GATT table: services, characteristics with their properties,
        descriptors (for a bug report)."""
        return self._link.gatt_table()

    async def device_information(self) -> dict[str, str]:
        """What the Device Information service (0x180A) says: manufacturer, model, serial,
        hardware, firmware and software revisions; empty when the treadmill offers none."""
        found: dict[str, str] = {}
        for name, uuid in DEVICE_INFORMATION.items():
            data = await self._read_optional(uuid)
            if data:
                found[name] = data.decode("utf-8", errors="replace").strip("\x00 ")
        return found

    async def pause(self) -> None:
        """Pause the belt (FTMS Pause); `start` resumes."""
        await self._run(stop_or_pause(StopPause.PAUSE))
        self._started = False

    async def set_speed(self, speed_kmh: float) -> Outcome:
        """Set the target speed, fitted to the treadmill's range and increments."""
        speed = self.fit_speed(speed_kmh)
        if self._target_speed is not None and abs(speed - self._target_speed) < _SAME:
            return Outcome.UNCHANGED
        if not self._started:
            self._cached_speed = speed
            return Outcome.CACHED
        current = self._current_speed()
        try:
            await self._run(set_target_speed(self._to_wire_speed(speed)))
        except CommandRejectedError as exc:
            if exc.result_code == ResultCode.OPERATION_FAILED and not self._belt_moving():
                # Start-before-speed treadmills refuse a speed until the belt runs.
                self._cached_speed = speed
                self._spawn(self._replay_cached())
                return Outcome.CACHED
            raise
        self._ramp_from = current
        self._target_speed = speed
        self._cached_speed = None
        self.ramp.speed_commanded(speed, current, self._clock.now())
        return Outcome.SENT

    async def set_incline(self, inclination_pct: float) -> Outcome:
        """Set the target incline, fitted to the treadmill's range and increments."""
        incline = self.fit_incline(inclination_pct)
        if self._target_incline is not None and abs(incline - self._target_incline) < _SAME:
            return Outcome.UNCHANGED
        if not self._started:
            self._cached_incline = incline
            return Outcome.CACHED
        current = self._current_incline()
        await self._run(set_target_inclination(incline))
        self._target_incline = incline
        self._cached_incline = None
        self.ramp.incline_commanded(incline, current, self._clock.now())
        return Outcome.SENT

    async def probe_incline(self) -> bool:
        """Try an incline target on a treadmill that does not advertise one.

        Sends the current incline (so nothing moves); on Success the capabilities gain a
        conservative incline range. Returns whether incline control works.
        """
        caps = self._require_capabilities()
        if caps.controls_incline:
            return True
        try:
            await self._run(set_target_inclination(round(self._current_incline())))
        except CommandRejectedError:
            return False
        self.capabilities = caps.with_probed_incline()
        return True

    async def confirm_speed(
        self, speed_kmh: float, *, tolerance_kmh: float = 0.2, timeout_s: float | None = None
    ) -> bool:
        """Wait until Treadmill Data shows ``speed_kmh`` (± tolerance); False on timeout.

        ``0`` waits for a stopped belt. The default timeout is what the measured ramp says
        the change takes, doubled, plus five seconds.
        """
        target = self.fit_speed(speed_kmh) if speed_kmh > 0 else 0.0
        if target == 0.0:
            tolerance_kmh = _STOPPED_KMH
        if timeout_s is None:
            change = self.ramp.rates.time_to_change_speed(self._current_speed(), target)
            timeout_s = 2 * change + 5.0
        return await self._wait_for(
            lambda s: s.speed_kmh is not None and abs(s.speed_kmh - target) <= tolerance_kmh,
            timeout_s,
        )

    async def confirm_incline(
        self, inclination_pct: float, *, tolerance_pct: float = 0.3, timeout_s: float | None = None
    ) -> bool:
        """Wait until Treadmill Data shows the incline (± tolerance); False on timeout."""
        target = self.fit_incline(inclination_pct)
        if timeout_s is None:
            change = self.ramp.rates.time_to_change_incline(self._current_incline(), target)
            timeout_s = 2 * change + 5.0
        return await self._wait_for(
            lambda s: (
                s.inclination_pct is not None and abs(s.inclination_pct - target) <= tolerance_pct
            ),
            timeout_s,
        )

    def fit_speed(self, speed_kmh: float) -> float:
        """``speed_kmh`` clamped to the treadmill's range and rounded to its increment."""
        rng = self._require_capabilities().speed_range
        step = rng.min_increment_kmh or 0.1
        return _fit(speed_kmh, rng.min_speed_kmh, rng.max_speed_kmh, step)

    def fit_incline(self, inclination_pct: float) -> float:
        """``inclination_pct`` clamped to the treadmill's range and rounded to its step."""
        rng = self._require_capabilities().inclination_range
        if rng is None:
            raise DeviceError("this treadmill takes no incline targets", device=self.name)
        step = rng.min_increment_pct or 1.0
        return _fit(inclination_pct, rng.min_inclination_pct, rng.max_inclination_pct, step)

    async def _run(self, request: ControlPointRequest) -> None:
        self._require_control_point()
        if not self.connected:
            raise DeviceError("not connected", device=self.name)
        self._wants_control = True
        try:
            await self._control.run(request)
        except DeviceError as exc:
            exc.device = exc.device or self.name
            raise
        finally:
            self._publish_lost_control()

    async def _replay_cached(self) -> None:
        """Send set-points kept while the belt was stopped, once it runs."""
        if self._cached_speed is None and self._cached_incline is None:
            return
        await self._wait_for(lambda s: (s.speed_kmh or 0.0) > 0.0, self._replay_timeout_s)
        with contextlib.suppress(DeviceError):
            if self._cached_speed is not None:
                await self.set_speed(self._cached_speed)
            if self._cached_incline is not None:
                await self.set_incline(self._cached_incline)

    # ------------------------------------------------------------------ incoming

    async def _attach(self, link: Link) -> Capabilities:
        self._link = link
        self._control.use(link)
        self._assembler.reset()
        self.capabilities = build_capabilities(
            feature=await self._read_optional(Characteristic.FEATURE),
            speed_range=await self._read_optional(Characteristic.SPEED_RANGE),
            inclination_range=await self._read_optional(Characteristic.INCLINATION_RANGE),
            has_control_point=link.has(Characteristic.CONTROL_POINT),
            mph_in_kmh_fields=self._mph,
            speed_factor=self._speed_factor,
        )
        self._spawn(self._listen(link))
        for characteristic in _SUBSCRIBED:
            if {"notify", "indicate"} & link.properties(characteristic):
                await link.subscribe(characteristic)
        self._last_data_at = self._clock.now()
        return self.capabilities

    async def _read_optional(self, characteristic: int) -> bytes | None:
        if "read" not in self._link.properties(characteristic):
            return None
        try:
            return await self._link.read(characteristic)
        except DeviceError:
            return None

    async def _listen(self, link: Link) -> None:
        async for event in link.events():
            if isinstance(event, LinkLost):
                # Only the loss of the link in use counts; a reconnect attempt that failed
                # cleans up after itself.
                if link is self._link and self._connected:
                    self._on_link_lost(event)
                return
            try:
                self._on_notification(event)
            except DecodeError:
                # Bytes that cannot be a record at all: one bad notification is not worth
                # a session; the next record follows within a second.
                continue

    def _on_notification(self, note: Notification) -> None:
        if note.uuid == Characteristic.TREADMILL_DATA:
            record = self._assembler.feed(note.data)
            if record is not None:
                self._last_data_at = note.received_at
                sample = self._merger.feed(record, note.received_at)
                self.ramp.observe(sample.at, sample.speed_kmh, sample.inclination_pct)
                self._hub.publish(sample)
        elif note.uuid == Characteristic.CONTROL_POINT:
            self._control.feed_response(note.data)
        elif note.uuid == Characteristic.MACHINE_STATUS:
            self._on_status(decode_machine_status(note.data), note.received_at)
        elif note.uuid == Characteristic.TRAINING_STATUS:
            status = decode_training_status(note.data)
            event = TrainingStatusChanged(note.received_at, status.status, status.status_code)
            self._hub.publish(event)

    def _on_status(self, status: MachineStatus, at: float) -> None:
        self._control.feed_status(status)
        self._publish_lost_control(at)
        op = status.op_code
        if op in (StatusOpCode.STOPPED_BY_SAFETY_KEY, StatusOpCode.STOPPED_OR_PAUSED_BY_USER):
            key = op == StatusOpCode.STOPPED_BY_SAFETY_KEY
            paused = not key and status.value == StopPause.PAUSE
            self._belt_halted()
            self._hub.publish(BeltStopped(at, by_safety_key=key, paused=paused))
        elif op == StatusOpCode.STARTED_OR_RESUMED_BY_USER:
            self._hub.publish(BeltStarted(at))
        elif op == StatusOpCode.TARGET_SPEED_CHANGED and status.new_target_speed_kmh is not None:
            speed = status.new_target_speed_kmh * (KMH_PER_MPH if self._mph else 1.0)
            speed *= self._speed_factor
            if not self._on_our_speed_path(speed):
                self._target_speed = speed
                self._hub.publish(ConsoleSpeedChanged(at, speed))
        elif op == StatusOpCode.TARGET_INCLINE_CHANGED:
            incline = status.new_target_inclination_pct
            ours = self._target_incline
            if incline is not None and (ours is None or abs(incline - ours) > _ECHO_TOLERANCE):
                self._target_incline = incline
                self._hub.publish(ConsoleInclineChanged(at, incline))

    def _on_our_speed_path(self, speed: float) -> bool:
        """Whether a "target speed changed" status echoes our own command.

        FTMS notifies *other* clients of our changes, but some treadmills notify us too, and
        Urevo even streams the intermediate speeds of its ramp (field notes §3.9): any
        value between where the belt was and our target is ours.
        """
        target = self._target_speed
        if target is None:
            return False
        start = self._ramp_from if self._ramp_from is not None else target
        low, high = sorted((start, target))
        return low - _ECHO_TOLERANCE <= speed <= high + _ECHO_TOLERANCE

    def _belt_halted(self) -> None:
        self._started = False
        self._target_speed = None
        self._cached_speed = None
        self._cached_incline = None

    def _publish_lost_control(self, at: float | None = None) -> None:
        when = self._clock.now() if at is None else at
        while self._control.lost:
            lost = self._control.lost.pop(0)
            self._hub.publish(ControlLost(when, lost.reason, link_lost=lost.link_lost))

    def _on_link_lost(self, lost: LinkLost) -> None:
        self._connected = False
        self._control.connection_lost()
        self._publish_lost_control(lost.received_at)
        self._assembler.reset()
        if self._closed:
            return
        self._hub.publish(ConnectionLost(lost.received_at, lost.reason))
        if self._reconnect is not None:
            self._spawn(self._reconnect_loop(self._reconnect))

    async def _reconnect_loop(self, reconnect: Callable[[], Awaitable[Link]]) -> None:
        attempt = 0
        while not self._closed:
            await self._clock.sleep(backoff(attempt, cap=10.0))
            attempt += 1
            try:
                link = await reconnect()
            except DeviceError:
                continue
            try:
                capabilities = await self._attach(link)
                if self._wants_control and capabilities.has_control_point:
                    await self._control.request_control()
            except DeviceError:
                # Free the treadmill (it takes one client) so the next attempt finds it.
                self._control.connection_lost()
                await link.disconnect()
                continue
            self._connected = True
            self._last_data_at = self._clock.now()
            self._started = self._belt_moving()
            self._hub.publish(Reconnected(self._clock.now(), attempt))
            return

    async def _watch_silence(self) -> None:
        """Report the link as lost when a running belt stops sending data."""
        while not self._closed:
            deadline = self._last_data_at + self._silence_timeout_s
            await self._clock.sleep_until(deadline)
            # Data that arrived meanwhile moved the deadline. (The comparison is with the
            # deadline slept until, never a recomputed difference that rounding could put
            # a hair short of the timeout: that would spin here.)
            if self._last_data_at + self._silence_timeout_s > deadline:
                continue
            quiet_for = self._clock.now() - self._last_data_at
            if self.connected and self._belt_moving():
                await self._link.drop(f"no data from the treadmill for {quiet_for:.0f} s")
            self._last_data_at = self._clock.now()

    # ------------------------------------------------------------------ helpers

    async def _wait_for(self, reached: Callable[[Telemetry], bool], timeout_s: float) -> bool:
        """Whether a telemetry sample satisfying ``reached`` arrives within the timeout."""
        if self.latest is not None and reached(self.latest):
            return True
        subscription = self._hub.subscribe()

        async def watch() -> bool:
            async for event in subscription:
                if isinstance(event, Telemetry) and reached(event):
                    return True
            return False

        try:
            return await first_of(asyncio.ensure_future(watch()), self._clock.sleep(timeout_s))
        except TimeoutError:
            return False
        finally:
            subscription.cancel()

    def _current_speed(self) -> float:
        latest = self.latest
        return latest.speed_kmh if latest is not None and latest.speed_kmh is not None else 0.0

    def _current_incline(self) -> float:
        latest = self.latest
        value = latest.inclination_pct if latest is not None else None
        return value if value is not None else 0.0

    def _belt_moving(self) -> bool:
        return self._current_speed() > 0.0

    def _to_wire_speed(self, speed_kmh: float) -> float:
        shown = speed_kmh / self._speed_factor
        return round(shown / KMH_PER_MPH if self._mph_commands else shown, 2)

    def _require_capabilities(self) -> Capabilities:
        if self.capabilities is None:
            raise DeviceError("the treadmill is not open yet", device=self.name)
        return self.capabilities

    def _require_control_point(self) -> None:
        if not self._require_capabilities().has_control_point:
            raise DeviceError("this treadmill has no control point", device=self.name)

    def _spawn(self, coroutine: Coroutine[object, object, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _fit(value: float, low: float, high: float, step: float) -> float:
    clamped = min(max(value, low), high)
    steps = round((clamped - low) / step)
    return round(min(low + steps * step, high), 2)
