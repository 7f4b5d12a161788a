"""A running session on the broker: publish what it does, pass remote commands to it.

```python
settings = settings.for_device(device_name, device_address)
async with MqttBridge(handle, settings, clock=clock):
    await session_finished            # the bridge runs alongside, on its own tasks
```

Theory of operation. Small tasks, none of which the session ever waits for:

* the *ticker* wakes every `TICK_S` on the injected clock, takes the session's events that
  arrived since (a hub subscription, which drops the oldest events rather than block the
  session), turns them into outgoing messages in the `Outbox`, and every other tick samples
  the latest snapshot as ``telemetry`` (1 Hz). Waking on the clock rather than per event
  keeps the bridge's share of the event loop small in a fast-forward session; in real time
  a dashboard sees a change at most half a second late;
* the *connection* loop connects (last will: ``offline``, retained), announces ``online``,
  publishes the Home Assistant discovery config itself, in order (the first time with the
  hand-over of earlier versions' configs, `discovery.discovery_sequence`: the outbox keeps
  only the newest message per topic and takes lanes in turn, so it could not keep that
  order), queues the current state, subscribes to ``command``,
  then sends from the outbox and answers commands until the link drops; it then waits
  `Backoff` on the clock and connects again, forever;
* commands are validated (`payloads.parse_command`) and handed to ``handle.command``, the
  session's single command path and safety layer; every one is answered on
  ``command/result``, and the events the command caused go out at once.

With the broker down, slow or gone, only the outbox fills, and it is bounded by lane.

Two limits are kept in *wall* time, not on the clock, because they are about CPU, which a
fast-forward session (``--fast``, virtual time) needs for itself: the sender sends at most
`send_rate_hz` messages a wall second (`SendPace`; the newest state is sent, skipped ones are
never even encoded), and connection attempts are at least `retry_gap_s` wall seconds apart
on top of the clock's `Backoff`. A real-time session publishes a few messages a second and
never meets either limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from retrorun.clock import LoopClock, wall_bounded
from retrorun.errors import BrokerError, RetrorunError
from retrorun.mqtt import payloads
from retrorun.mqtt.discovery import discovery_sequence
from retrorun.mqtt.link import LOGGER, connect, tls_context
from retrorun.mqtt.outbox import Lane, Outbox, Outgoing, SendPace
from retrorun.mqtt.settings import DEFAULT_BACKOFF, Backoff
from retrorun.mqtt.topics import OFFLINE, ONLINE, Topics
from retrorun.session.api import (
    CommandResult,
    Cue,
    LogEntry,
    SessionEnded,
    SessionStarted,
    Snapshot,
)

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable
    from types import TracebackType

    from retrorun.clock import Clock
    from retrorun.hub import Subscription
    from retrorun.mqtt.discovery import Publish
    from retrorun.mqtt.link import Link
    from retrorun.mqtt.settings import MqttSettings
    from retrorun.session.api import SessionEvent, SessionHandle

TICK_S = 0.5
TELEMETRY_EVERY_TICKS = 2
# Wall-time waits run in a worker thread in slices this long, so closing the bridge (and the
# event loop, which waits for its worker threads) never waits long for one to end.
_WALL_SLICE_S = 0.005


# How often the goodbye looks at the clock on the wall while the last messages go out.
_GOODBYE_POLL_S = 0.01


@dataclass(frozen=True)
class BridgeTuning:
    """Timeouts and limits of the bridge (the defaults suit real sessions and ``--fast``)."""

    backoff: Backoff = DEFAULT_BACKOFF
    """Reconnect delays, on the bridge's clock."""
    io_timeout_s: float = 10.0
    """Bound of each broker operation (connect handshake, publish, subscribe)."""
    close_timeout_s: float = 2.0  # wall seconds, whatever the session's clock
    """Bound of the final flush (and ``offline``) when the bridge closes."""
    send_rate_hz: float | None = 20.0
    """Most messages sent per wall second, on average (None: unpaced)."""
    retry_gap_s: float = 1.0
    """Least wall time between two connection attempts."""


DEFAULT_TUNING = BridgeTuning()


@dataclass(frozen=True)
class BridgeStats:
    """What the bridge has done, for status lines, tests and benchmarks."""

    connected: bool
    connections: int
    published: int
    dropped: dict[Lane, int]
    queued: int
    last_error: str | None


class MqttBridge:
    """Publishes one session to MQTT and passes remote commands to it (see module docstring).

    `settings.treadmill_id` must be set (`MqttSettings.for_device`). `clock` drives the
    telemetry rate and reconnect backoff (default: the event loop's clock, so ``--fast``
    runs publish telemetry at 1 Hz of virtual time). `tuning` holds the timeouts and limits.
    """

    def __init__(
        self,
        handle: SessionHandle,
        settings: MqttSettings,
        *,
        clock: Clock | None = None,
        device_name: str | None = None,
        outbox: Outbox | None = None,
        tuning: BridgeTuning = DEFAULT_TUNING,
    ) -> None:
        if settings.treadmill_id is None:
            raise ValueError("MqttBridge needs settings.for_device(...) to name the treadmill")
        self._handle = handle
        self._settings = settings
        self._clock: Clock = clock if clock is not None else LoopClock()
        self._device_name = device_name
        self._outbox = outbox if outbox is not None else Outbox()
        self._tuning = tuning
        rate = tuning.send_rate_hz
        self._pace = SendPace(rate) if rate is not None else None
        self.topics = Topics(settings.treadmill_id, settings.topic_prefix)
        self._wakeup = asyncio.Event()
        self._connected = asyncio.Event()
        self._closing = False
        self._connections = 0
        self._published = 0
        self._last_error: str | None = None
        self._subscription: Subscription[SessionEvent] | None = None
        self._latest: Snapshot | None = None
        self._state_pending = False
        self._tasks: list[asyncio.Task[None]] = []
        self._link: Link | None = None
        self._legacy_cleared = False

    # ------------------------------------------------------------------ lifecycle
    async def __aenter__(self) -> Self:
        tls = tls_context(self._settings)  # bad TLS files: ConfigError now, not a retry loop
        self._subscription = self._handle.events()
        self._latest = self._handle.snapshot()
        self._state_pending = True
        self._queue_state()
        self._tasks = [
            asyncio.create_task(self._ticker(), name="mqtt-ticker"),
            asyncio.create_task(self._connection(tls), name="mqtt-connection"),
        ]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        ticker, connection = self._tasks
        ticker.cancel()
        failures: list[BaseException | None] = [
            *await asyncio.gather(ticker, return_exceptions=True)
        ]
        self._take_events()
        if self._subscription is not None:
            self._subscription.cancel()
        # A clean goodbye: what is still queued, the final state and ``offline``, sent while
        # the link is up, unpaced (the session is over: nothing needs the CPU any more).
        self._closing = True
        self._pace = None
        self._put(self.topics.status, OFFLINE, Lane.LATEST, retain=True)
        # A session shorter than the first connection (a --fast one on a busy machine) still
        # says goodbye: the connection still being opened is waited for too. A broker that
        # refused or failed is not (the session never waits for a broker that is down).
        first_pending = self._connections == 0 and self._last_error is None
        try:
            if self._connected.is_set() or (first_pending and not connection.done()):
                # The goodbye talks to a real broker, so its bound is wall time even on a
                # fast-forward loop; how the connection ended is gathered just below.
                with contextlib.suppress(TimeoutError):
                    await wall_bounded(
                        asyncio.wait({connection}),
                        self._tuning.close_timeout_s,
                        poll_s=_GOODBYE_POLL_S,
                    )
        finally:  # also when the caller is cancelled while waiting: no task is left behind
            connection.cancel()
            failures += await asyncio.gather(connection, return_exceptions=True)
        # Broker trouble never leaves a task; anything else that ended one is a bug, and is
        # raised here rather than lost with the task.
        for failure in failures:
            if isinstance(failure, Exception):
                raise failure

    @property
    def stats(self) -> BridgeStats:
        return BridgeStats(
            connected=self._connected.is_set(),
            connections=self._connections,
            published=self._published,
            dropped=dict(self._outbox.dropped),
            queued=len(self._outbox),
            last_error=self._last_error,
        )

    def socket_nodelay(self) -> bool | None:
        """Whether the broker connection has TCP_NODELAY set (None while disconnected)."""
        return None if self._link is None else self._link.nodelay()

    async def wait_connected(self) -> None:
        """Return once the bridge is connected and subscribed (at once when it is)."""
        await self._connected.wait()

    # ------------------------------------------------------------------ session -> outbox
    def _offer(self, event: SessionEvent) -> None:
        """Turn one session event into outgoing messages; never blocks, never raises."""
        if isinstance(event, Snapshot):
            # Only the newest snapshot of a batch is queued (by `_queue_state`).
            self._latest = event
            self._state_pending = True
        elif isinstance(event, Cue):
            self._put(self.topics.cue, payloads.cue_payload(event), Lane.EVENTS)
        elif isinstance(event, LogEntry):
            if self._settings.publish_log:
                self._put(self.topics.log, payloads.log_payload(event), Lane.EVENTS)
        elif isinstance(event, SessionStarted):
            name = event.device.get("name")
            if self._device_name is None and isinstance(name, str):
                self._device_name = name
                self._announce_discovery()
        elif isinstance(event, SessionEnded):
            self._latest = self._handle.snapshot()
            self._state_pending = True

    def _take_events(self) -> None:
        """Take in every event that arrived since the last time, then queue the state."""
        if self._subscription is not None:
            for event in self._subscription.drain():
                self._offer(event)
        self._queue_state()

    def _queue_state(self) -> None:
        if self._state_pending and self._latest is not None:
            state = functools.partial(payloads.state_payload, self._latest)
            self._put(self.topics.state, state, Lane.LATEST, retain=True)
            self._state_pending = False

    async def _ticker(self) -> None:
        deadline = self._clock.now()
        for tick in itertools.count(1):
            deadline += TICK_S
            await self._clock.sleep_until(deadline)
            self._take_events()
            snapshot = self._latest
            if tick % TELEMETRY_EVERY_TICKS == 0 and snapshot and not snapshot.state.ended:
                sample = functools.partial(payloads.telemetry_payload, snapshot)
                self._put(self.topics.telemetry, sample, Lane.TELEMETRY)

    def _put(
        self, topic: str, payload: bytes | Callable[[], bytes], lane: Lane, *, retain: bool = False
    ) -> None:
        self._outbox.put(Outgoing(topic, payload, lane, retain))
        self._wakeup.set()

    def _discovery(self, *, migrate: bool) -> list[Publish]:
        return discovery_sequence(
            self.topics,
            device_name=self._device_name,
            discovery_prefix=self._settings.discovery_prefix,
            buttons=self._settings.remote_commands,
            migrate=migrate,
        )

    def _announce_discovery(self) -> None:
        """Queue the device config again (the device's name became known)."""
        if self._settings.discovery:
            # One retained message on one topic: the newest is all that matters, so the
            # outbox's latest lane suits it.
            (config,) = self._discovery(migrate=False)
            self._put(config.topic, config.payload, Lane.LATEST, retain=True)

    async def _publish_discovery(self, link: Link) -> None:
        """Send the discovery messages straight away, each after the one before it.

        The hand-over of earlier versions' per-entity configs goes out once per bridge
        (the first connection that gets it all through); later connections send the
        device config alone.
        """
        if not self._settings.discovery:
            return
        for message in self._discovery(migrate=not self._legacy_cleared):
            await link.publish(message.topic, message.payload, retain=message.retain)
            self._published += 1
        self._legacy_cleared = True

    # ------------------------------------------------------------------ outbox -> broker
    async def _connection(self, tls: ssl.SSLContext | None) -> None:
        attempt = 0
        while True:
            attempted_at = time.monotonic()
            try:
                async with connect(
                    self._settings,
                    will=(self.topics.status, OFFLINE),
                    tls=tls,
                    timeout_s=self._tuning.io_timeout_s,
                ) as link:
                    attempt = 0
                    self._connections += 1
                    # Opened after the session ended: straight to the goodbye.
                    status = OFFLINE if self._closing else ONLINE
                    self._put(self.topics.status, status, Lane.LATEST, retain=True)
                    await self._publish_discovery(link)
                    if self._latest is not None:
                        state = payloads.state_payload(self._latest)
                        self._put(self.topics.state, state, Lane.LATEST, retain=True)
                    await link.subscribe(self.topics.command)
                    self._link = link
                    self._connected.set()
                    await self._serve(link)
                    return
            except BrokerError as exc:
                self._last_error = str(exc)
            finally:
                self._connected.clear()
                self._link = None
            if self._closing:
                return
            # The backoff is on the clock; the gap in wall time is checked, not slept for, so
            # no worker thread is left sleeping when the bridge closes.
            await self._clock.sleep(self._tuning.backoff.delay_s(attempt))
            attempt += 1
            while time.monotonic() - attempted_at < self._tuning.retry_gap_s:
                await self._clock.sleep(self._tuning.backoff.delay_s(attempt))
                attempt += 1

    async def _serve(self, link: Link) -> None:
        """Send and receive until the link fails (`BrokerError`) or the bridge has closed."""
        send = asyncio.create_task(self._send(link), name="mqtt-send")
        receive = asyncio.create_task(self._receive(link), name="mqtt-receive")
        try:
            done, _ = await asyncio.wait({send, receive}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (send, receive):
                task.cancel()
            await asyncio.gather(send, receive, return_exceptions=True)
        for task in done:
            task.result()

    async def _send(self, link: Link) -> None:
        while True:
            message = self._outbox.pop()
            if message is None:
                if self._closing:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            await link.publish(message.topic, message.body(), retain=message.retain)
            self._published += 1
            if self._pace is not None:
                self._pace.sent(time.monotonic())
                await _wall_sleep(self._pace.delay_s(time.monotonic()))

    async def _receive(self, link: Link) -> None:
        async for inbound in link.messages():
            if inbound.topic == self.topics.command and not inbound.retain:
                await self._command(inbound.payload)

    async def _command(self, payload: bytes) -> None:
        if not self._settings.remote_commands:
            answer = payloads.rejection_payload(
                payloads.Rejection("remote commands are turned off on this treadmill")
            )
        else:
            parsed = payloads.parse_command(payload)
            if isinstance(parsed, payloads.Rejection):
                LOGGER.warning("%s: refused: %s", self.topics.command, parsed.reason)
                answer = payloads.rejection_payload(parsed)
            else:
                try:
                    result = await self._handle.command(parsed.command)
                except RetrorunError as exc:  # the session could not act: say why, carry on
                    result = CommandResult(parsed.command, accepted=False, reason=str(exc))
                answer = payloads.result_payload(result, parsed.request_id)
                self._take_events()  # the remote sees the effect (paused, ...) at once
        self._put(self.topics.command_result, answer, Lane.EVENTS)


async def _wall_sleep(seconds: float) -> None:
    """Wait `seconds` of wall time without a loop timer (on a virtual-time loop a timer
    would fire at once): a worker thread sleeps, in short slices, while the loop runs on."""
    loop = asyncio.get_running_loop()
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        await loop.run_in_executor(None, time.sleep, min(left, _WALL_SLICE_S))
