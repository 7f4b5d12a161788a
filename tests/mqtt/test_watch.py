"""``retrorun watch``: the coach's table, from what a real broker holds."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest

from retrorun.clock import ManualClock
from retrorun.mqtt.bridge import MqttBridge
from retrorun.mqtt.payloads import state_payload
from retrorun.mqtt.settings import Backoff
from retrorun.mqtt.watch import watch_board
from tests.mqtt.conftest import IO_TIMEOUT_S
from tests.mqtt.fake_session import FakeSession

if TYPE_CHECKING:
    from collections.abc import Callable

    from retrorun.errors import BrokerError
    from retrorun.mqtt.board import Board
    from tests.conftest import CliResult
    from tests.mqtt.conftest import Mosquitto


def _publish_retained(mosquitto: Mosquitto, topic: str, payload: bytes) -> None:
    client = shutil.which("mosquitto_pub")
    if client is None:
        pytest.skip("mosquitto_pub is not installed (apt-get install mosquitto-clients)")
    subprocess.run(
        [client, "-p", str(mosquitto.port), "-h", "127.0.0.1", "-r", "-q", "1", "-t", topic, "-s"],
        input=payload,
        check=True,
        timeout=10,
    )


def test_watch_once_lists_every_treadmill(
    mosquitto: Mosquitto, cli: Callable[..., CliResult]
) -> None:
    snapshot = FakeSession(ManualClock()).snapshot()
    _publish_retained(mosquitto, "retrorun/gym-1/status", b"online")
    _publish_retained(mosquitto, "retrorun/gym-1/state", state_payload(snapshot))
    _publish_retained(mosquitto, "retrorun/gym-2/status", b"offline")
    result = cli("watch", "--once", "--mqtt", mosquitto.url)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["TREADMILL", "LINK", "STATE"]
    assert lines[1].split()[:5] == [
        "gym-1",
        "online",
        "connecting",
        f"1/{snapshot.segment_count}",
        snapshot.segment_label.split()[0],
    ]
    assert lines[2].split()[:3] == ["gym-2", "offline", "-"]
    assert len(lines) == 3


def test_watch_once_with_no_broker_exits_1(
    mosquitto: Mosquitto, cli: Callable[..., CliResult]
) -> None:
    mosquitto.kill()
    result = cli("watch", "--once", "--mqtt", mosquitto.url)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"retrorun: mqtt://127.0.0.1:{mosquitto.port}: cannot connect")


async def test_live_watch_follows_a_running_session(mosquitto: Mosquitto) -> None:
    clock = ManualClock()
    session = FakeSession(clock)
    running = asyncio.Event()
    lost = asyncio.Event()
    errors: list[BrokerError] = []

    def show(board: Board) -> None:
        if any(row.treadmill_id == "tm1" and row.state == "running" for row in board.rows()):
            running.set()

    def on_error(error: BrokerError) -> None:
        errors.append(error)
        lost.set()

    settings = mosquitto.settings()
    async with MqttBridge(session, settings, clock=clock) as bridge:
        await asyncio.wait_for(bridge.wait_connected(), IO_TIMEOUT_S)
        watcher = asyncio.create_task(
            watch_board(
                settings,
                show,
                backoff=Backoff(1, 2, 4),
                clock=clock,
                refresh_s=0,
                on_error=on_error,
            )
        )
        runner = asyncio.create_task(session.run())
        try:
            await clock.advance(5)
            await asyncio.wait_for(running.wait(), IO_TIMEOUT_S)
            mosquitto.kill()
            await asyncio.wait_for(lost.wait(), IO_TIMEOUT_S)
            assert "connection lost" in str(errors[0])
        finally:
            runner.cancel()
            watcher.cancel()
            await asyncio.gather(watcher, runner, return_exceptions=True)
