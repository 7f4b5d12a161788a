"""A running session on the broker: publish what it does, pass remote commands to it.

```python
settings = settings.for_device(device_name, device_address)
async with MqttBridge(handle, settings, clock=clock):
    await session_finished            # the bridge runs alongside, on its own tasks
```

Theory of operation. Four small tasks, none of which the session ever waits for:

* the *pump* reads the session's events (a hub subscription, which drops the oldest events
  rather than block the session) and turns each into outgoing messages in the `Outbox`;
* the *telemetry* task samples the latest snapshot once a second on the injected clock;
* the *connection* loop connects (last will: ``offline``, retained), announces ``online``,
  the Home Assistant discovery configs and the current state, subscribes to ``command``,
  then sends from the outbox and answers commands until the link drops; it then waits
  `Backoff` on the clock and connects again, forever;
* commands are validated (`payloads.parse_command`) and handed to ``handle.command``, the
  session's single command path and safety layer; every one is answered on
  ``command/result``.

With the broker down, slow or gone, only the outbox fills, and it is bounded by lane.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from retrorun.clock import LoopClock
from retrorun.errors import BrokerError
from retrorun.mqtt import payloads
from retrorun.mqtt.discovery import discovery_messages
from retrorun.mqtt.link import connect, tls_context
from retrorun.mqtt.outbox import Lane, Outbox, Outgoing
from retrorun.mqtt.settings import DEFAULT_BACKOFF, Backoff
from retrorun.mqtt.topics import OFFLINE, ONLINE, Topics
from retrorun.session.api import Cue, LogEntry, SessionEnded, SessionStarted, Snapshot

if TYPE_CHECKING:
    import ssl
    from types import TracebackType

    from retrorun.clock import Clock
    from retrorun.hub import Subscription
    from retrorun.mqtt.link import Link
    from retrorun.mqtt.settings import MqttSettings
    from retrorun.session.api import SessionEvent, SessionHandle

TELEMETRY_PERIOD_S = 1.0


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
    runs publish telemetry at 1 Hz of virtual time). `io_timeout_s` bounds each broker
    operation; `close_timeout_s` bounds the flush (and ``offline``) on exit.
    """

    def __init__(
        self,
        handle: SessionHandle,
        settings: MqttSettings,
        *,
        clock: Clock | None = None,
        device_name: str | None = None,
        backoff: Backoff = DEFAULT_BACKOFF,
        outbox: Outbox | None = None,
        io_timeout_s: float = 10.0,
        close_timeout_s: float = 2.0,
    ) -> None:
        if settings.treadmill_id is None:
            raise ValueError("MqttBridge needs settings.for_device(...) to name the treadmill")
        self._handle = handle
        self._settings = settings
        self._clock: Clock = clock if clock is not None else LoopClock()
        self._device_name = device_name
        self._backoff = backoff
        self._outbox = outbox if outbox is not None else Outbox()
        self._io_timeout_s = io_timeout_s
        self._close_timeout_s = close_timeout_s
        self.topics = Topics(settings.treadmill_id, settings.topic_prefix)
        self._wakeup = asyncio.Event()
        self._connected = asyncio.Event()
        self._closing = False
        self._connections = 0
        self._published = 0
        self._last_error: str | None = None
        self._subscription: Subscription[SessionEvent] | None = None
        self._latest: Snapshot | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._link: Link | None = None

    # ------------------------------------------------------------------ lifecycle
    async def __aenter__(self) -> Self:
        tls = tls_context(self._settings)  # bad TLS files: ConfigError now, not a retry loop
        self._subscription = self._handle.events()
        self._latest = self._handle.snapshot()
        self._put(self.topics.state, payloads.state_payload(self._latest), Lane.LATEST, retain=True)
        self._tasks = [
            asyncio.create_task(self._pump(self._subscription), name="mqtt-pump"),
            asyncio.create_task(self._telemetry(), name="mqtt-telemetry"),
            asyncio.create_task(self._connection(tls), name="mqtt-connection"),
        ]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pump, telemetry, connection = self._tasks
        for task in (pump, telemetry):
            task.cancel()
        await asyncio.gather(pump, telemetry, return_exceptions=True)
        if self._subscription is not None:
            self._subscription.cancel()
            for event in self._subscription.drain():
                self.offer(event)
        # A clean goodbye: the final state and ``offline``, sent while the link is up.
        self._closing = True
        self._put(self.topics.status, OFFLINE, Lane.LATEST, retain=True)
        if self._connected.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(connection), self._close_timeout_s)
        connection.cancel()
        await asyncio.gather(connection, return_exceptions=True)

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
    def offer(self, event: SessionEvent) -> None:
        """Turn one session event into outgoing messages; never blocks, never raises."""
        if isinstance(event, Snapshot):
            self._latest = event
            self._put(self.topics.state, payloads.state_payload(event), Lane.LATEST, retain=True)
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
            state = payloads.state_payload(self._latest)
            self._put(self.topics.state, state, Lane.LATEST, retain=True)

    async def _pump(self, subscription: Subscription[SessionEvent]) -> None:
        async for event in subscription:
            self.offer(event)

    async def _telemetry(self) -> None:
        deadline = self._clock.now()
        while True:
            deadline += TELEMETRY_PERIOD_S
            await self._clock.sleep_until(deadline)
            snapshot = self._latest
            if snapshot is not None and not snapshot.state.ended:
                payload = payloads.telemetry_payload(snapshot)
                self._put(self.topics.telemetry, payload, Lane.TELEMETRY)

    def _put(self, topic: str, payload: bytes, lane: Lane, *, retain: bool = False) -> None:
        self._outbox.put(Outgoing(topic, payload, lane, retain))
        self._wakeup.set()

    def _announce_discovery(self) -> None:
        if not self._settings.discovery:
            return
        for topic, payload in discovery_messages(
            self.topics,
            device_name=self._device_name,
            discovery_prefix=self._settings.discovery_prefix,
            buttons=self._settings.remote_commands,
        ):
            self._put(topic, payload, Lane.LATEST, retain=True)

    # ------------------------------------------------------------------ outbox -> broker
    async def _connection(self, tls: ssl.SSLContext | None) -> None:
        attempt = 0
        while True:
            try:
                async with connect(
                    self._settings,
                    will=(self.topics.status, OFFLINE),
                    tls=tls,
                    timeout_s=self._io_timeout_s,
                ) as link:
                    attempt = 0
                    self._connections += 1
                    self._put(self.topics.status, ONLINE, Lane.LATEST, retain=True)
                    self._announce_discovery()
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
            await self._clock.sleep(self._backoff.delay_s(attempt))
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
            await link.publish(message.topic, message.payload, retain=message.retain)
            self._published += 1

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
                answer = payloads.rejection_payload(parsed)
            else:
                result = await self._handle.command(parsed.command)
                answer = payloads.result_payload(result, parsed.request_id)
        self._put(self.topics.command_result, answer, Lane.EVENTS)
