"""The one module that imports aiomqtt: a connection to the broker, as a small typed seam.

`connect(settings, will=...)` is an async context manager yielding a `Link` (publish,
subscribe, ``async for`` over inbound messages). Every aiomqtt/paho failure leaves this
module as `BrokerError` (``raise ... from``), so the bridge and the watcher handle one error
type. The client socket gets TCP_NODELAY: MQTT messages are small and latency-sensitive,
and Nagle's algorithm would hold each one back waiting for the broker's delayed ACK.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiomqtt

from retrorun.clock import wall_bounded
from retrorun.errors import BrokerError, ConfigError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from retrorun.mqtt.settings import MqttSettings

# aiomqtt and paho log through this logger. Without a handler of its own, Python's last-resort
# handler would print their warnings ("message queue is full") on stderr, across the TUI;
# whoever wants them attaches a handler to "retrorun.mqtt".
LOGGER = logging.getLogger("retrorun.mqtt")
LOGGER.addHandler(logging.NullHandler())

# Applied by aiomqtt to the connected socket (aiomqtt `Client(socket_options=...)`).
SOCKET_OPTIONS = ((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),)


@dataclass(frozen=True)
class Inbound:
    """One message received from the broker."""

    topic: str
    payload: bytes
    retain: bool


def tls_context(settings: MqttSettings) -> ssl.SSLContext | None:
    """The TLS context for an ``mqtts://`` broker (None for ``mqtt://``).

    Built once, before connecting, so a missing or bad CA/cert/key file is reported at start
    as a `ConfigError` naming where the path came from (option, environment variable or
    config file line), not as an endless reconnect loop.
    """
    if not settings.broker.tls:
        return None
    for name in ("ca", "cert", "key"):
        _regular_file(getattr(settings, f"{name}_path"), settings.where(name))
    try:
        context = ssl.create_default_context(cafile=settings.ca_path)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            f"cannot load CA file: {exc}", location=f"{settings.where('ca')} {settings.ca_path}"
        ) from exc
    if settings.cert_path is not None:
        try:
            context.load_cert_chain(settings.cert_path, settings.key_path)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"cannot load client certificate/key: {exc}",
                location=f"{settings.where('cert')} {settings.cert_path}",
            ) from exc
    return context


def _regular_file(path: Path | None, where: str) -> None:
    """Refuse a TLS file that is not a regular file: OpenSSL would block on a FIFO forever."""
    if path is None:
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # OpenSSL reports a missing or unreadable file itself
    if not stat.S_ISREG(mode):
        raise ConfigError("not a regular file", location=f"{where} {path}")


LOOP_TIMEOUT_S = 24 * 3600.0
"""aiomqtt's own, loop-time bound: out of the way of the wall-time ones."""


class Link:
    """A connected MQTT client."""

    def __init__(self, client: aiomqtt.Client, broker: str, timeout_s: float) -> None:
        self._client = client
        self._broker = broker
        self._timeout_s = timeout_s

    async def publish(
        self, topic: str, payload: bytes, *, retain: bool = False, qos: int = 0
    ) -> None:
        """Send one message; `BrokerError` when the connection fails or times out."""
        try:
            await self._client.publish(topic, payload, qos=qos, retain=retain)
        except aiomqtt.MqttError as exc:
            raise BrokerError(f"publish failed: {exc}", broker=self._broker) from exc

    async def subscribe(self, *filters: str) -> None:
        try:
            for topic_filter in filters:
                await wall_bounded(self._client.subscribe(topic_filter, qos=0), self._timeout_s)
        except aiomqtt.MqttError as exc:
            raise BrokerError(f"subscribe failed: {exc}", broker=self._broker) from exc
        except TimeoutError as exc:
            raise BrokerError("subscribe failed: no answer", broker=self._broker) from exc

    async def messages(self) -> AsyncIterator[Inbound]:
        """Inbound messages until the connection drops (then `BrokerError`)."""
        try:
            async for message in self._client.messages:
                payload = message.payload
                data = payload if isinstance(payload, bytes) else str(payload).encode()
                yield Inbound(message.topic.value, data, message.retain)
        except aiomqtt.MqttError as exc:
            raise BrokerError(f"connection lost: {exc}", broker=self._broker) from exc

    def nodelay(self) -> bool:
        """Whether TCP_NODELAY is set on the connected socket (what the tests check)."""
        sock = self._client._client.socket()  # noqa: SLF001 - aiomqtt exposes no socket accessor
        if not isinstance(sock, socket.socket):
            return False
        return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


@contextlib.asynccontextmanager
async def connect(
    settings: MqttSettings,
    *,
    will: tuple[str, bytes] | None = None,
    tls: ssl.SSLContext | None = None,
    timeout_s: float = 10.0,
    inbound_limit: int = 256,
) -> AsyncIterator[Link]:
    """Connect to the broker of `settings`; `will` is published (retained) if we vanish.

    `timeout_s` bounds the connect handshake and each later operation; at most
    `inbound_limit` received messages wait unread (more are discarded, never buffered).
    """
    broker = settings.broker
    client = aiomqtt.Client(
        broker.host,
        broker.port,
        username=broker.username,
        password=broker.password,
        identifier=settings.client_id,
        logger=LOGGER,
        will=aiomqtt.Will(will[0], will[1], qos=1, retain=True) if will else None,
        keepalive=settings.keepalive_s,
        # Bounded here in wall time instead (`wall_bounded`): aiomqtt's own bound is loop time,
        # which a --fast session's loop jumps over in an instant.
        timeout=LOOP_TIMEOUT_S,
        tls_context=tls,
        socket_options=SOCKET_OPTIONS,
        max_queued_incoming_messages=inbound_limit,
    )
    try:
        await wall_bounded(client.__aenter__(), timeout_s)
    except aiomqtt.MqttError as exc:
        raise BrokerError(f"cannot connect: {exc}", broker=str(broker)) from exc
    except TimeoutError as exc:
        raise BrokerError("cannot connect: no answer", broker=str(broker)) from exc
    try:
        yield Link(client, str(broker), timeout_s)
    finally:
        # A failed graceful disconnect (the broker is already gone) is not worth reporting:
        # the connection is over either way.
        with contextlib.suppress(aiomqtt.MqttError, TimeoutError):
            await wall_bounded(client.__aexit__(None, None, None), timeout_s)
