"""A real Mosquitto broker per test, and an independent MQTT observer (aiomqtt directly).

The broker is Debian's ``mosquitto`` started on a free loopback port from a temporary config
(anonymous, TCP_NODELAY, no persistence). When it is not installed the tests that need it
skip with the install hint, except in CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import aiomqtt
import pytest

from retrorun.mqtt.settings import Broker, MqttSettings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

INSTALL_HINT = (
    "install it with scripts/ensure-system-deps (apt-get install mosquitto mosquitto-clients)"
)
START_TIMEOUT_S = 10.0
IO_TIMEOUT_S = 5.0


def mosquitto_path() -> str | None:
    found = shutil.which("mosquitto")
    if found:
        return found
    return "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _accepts(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Mosquitto:
    """A broker process we own: start, kill (abruptly), start again on the same port."""

    executable: str
    folder: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    listener_options: str = "allow_anonymous true\n"
    """What follows ``listener`` in the config: TLS files, authentication."""

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def settings(self, treadmill_id: str | None = "tm1", **changes: object) -> MqttSettings:
        return MqttSettings(Broker("127.0.0.1", self.port), treadmill_id=treadmill_id, **changes)  # type: ignore[arg-type]

    def start(self) -> None:
        config = self.folder / "mosquitto.conf"
        config.write_text(
            f"listener {self.port} 127.0.0.1\n"
            f"{self.listener_options}"
            "set_tcp_nodelay true\n"
            "persistence false\n"
            "log_dest stderr\n"
            # Started as root (containers, CI), mosquitto drops to the `mosquitto` user, who
            # cannot read files in pytest's private temporary folders; a non-root start
            # ignores this line.
            "user root\n"
        )
        with (self.folder / "mosquitto.log").open("ab") as log:
            self.process = subprocess.Popen(
                [self.executable, "-c", str(config)], stdout=log, stderr=log
            )
        # Waiting for another process to open its port: poll, bounded, never a fixed sleep.
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _accepts(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                log_text = (self.folder / "mosquitto.log").read_text(errors="replace")
                pytest.fail(f"mosquitto did not start on port {self.port}:\n{log_text}")
            time.sleep(0.01)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=START_TIMEOUT_S)
        self.process = None


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    executable = mosquitto_path()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail(f"mosquitto is not installed; {INSTALL_HINT}")
        pytest.skip(f"mosquitto is not installed; {INSTALL_HINT}")
    broker = Mosquitto(executable, tmp_path)
    broker.start()
    try:
        yield broker
    finally:
        broker.kill()


class Observer:
    """An independent MQTT client that records every message on its filters."""

    def __init__(self, client: aiomqtt.Client) -> None:
        self.client = client
        self.messages: list[tuple[str, bytes, bool]] = []
        self._arrived = asyncio.Condition()

    async def _collect(self) -> None:
        async for message in self.client.messages:
            payload = message.payload
            assert isinstance(payload, bytes)
            async with self._arrived:
                self.messages.append((message.topic.value, payload, message.retain))
                self._arrived.notify_all()

    def on(self, topic: str) -> list[bytes]:
        return [payload for name, payload, _ in self.messages if name == topic]

    async def wait_for(
        self, predicate: Callable[[], bool], timeout_s: float = IO_TIMEOUT_S
    ) -> None:
        """Wait (bounded) until `predicate()` holds over the messages received."""

        async def waiting() -> None:
            async with self._arrived:
                await self._arrived.wait_for(predicate)

        await asyncio.wait_for(waiting(), timeout_s)

    async def nth_on(self, topic: str, index: int, timeout_s: float = IO_TIMEOUT_S) -> bytes:
        """Message number `index` (from 0) on `topic`, once it has arrived."""
        await self.wait_for(lambda: len(self.on(topic)) > index, timeout_s)
        return self.on(topic)[index]

    async def publish(self, topic: str, payload: bytes | str) -> None:
        await self.client.publish(topic, payload, qos=1)


@contextlib.asynccontextmanager
async def observe(broker: Mosquitto, *filters: str) -> AsyncIterator[Observer]:
    """An `Observer` subscribed to `filters` (retained messages arrive first)."""
    async with aiomqtt.Client("127.0.0.1", broker.port, timeout=IO_TIMEOUT_S) as client:
        observer = Observer(client)
        for topic_filter in filters:
            await client.subscribe(topic_filter, qos=1)
        task = asyncio.create_task(observer._collect())
        try:
            yield observer
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
                await task
