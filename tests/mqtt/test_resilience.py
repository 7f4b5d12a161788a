"""The broker killed, restarted, slow or absent: the session never notices, the dashboard
catches up, and the last will tells everyone when a bridge vanished."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from retrorun.clock import ManualClock
from retrorun.mqtt.bridge import BridgeTuning, MqttBridge
from retrorun.mqtt.outbox import Lane, Outbox
from retrorun.mqtt.settings import Backoff, Broker, MqttSettings
from retrorun.mqtt.topics import Topics
from tests.mqtt.conftest import IO_TIMEOUT_S, observe
from tests.mqtt.fake_session import FakeSession

if TYPE_CHECKING:
    from retrorun.session.api import SessionEvent
    from tests.mqtt.conftest import Mosquitto

TOPICS = Topics("tm1")
ROOT = Path(__file__).resolve().parents[2]
BACKOFF = Backoff(first_s=1.0, factor=2.0, max_s=8.0)
# Reconnect as soon as the clock's backoff allows: the test moves the clock, not wall time.
TUNING = BridgeTuning(backoff=BACKOFF, retry_gap_s=0)


async def _reference_history() -> list[SessionEvent]:
    """What the same session publishes with no bridge at all."""
    clock = ManualClock()
    session = FakeSession(clock)
    runner = asyncio.create_task(session.run())
    await clock.run_until(runner, limit=session.plan.total_duration_s + 10)
    return session.history


async def test_last_will_says_offline_when_the_bridge_dies(mosquitto: Mosquitto) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.mqtt.bridge_process",
        str(mosquitto.port),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 20)
        assert line == b"connected\n"
        async with observe(mosquitto, TOPICS.status) as seen:
            await seen.wait_for(lambda: seen.on(TOPICS.status) == [b"online"])
            process.kill()  # no DISCONNECT packet: the broker must publish the will
            await seen.wait_for(lambda: seen.on(TOPICS.status) == [b"online", b"offline"])
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
    async with observe(mosquitto, TOPICS.status) as late:
        await late.wait_for(lambda: late.on(TOPICS.status) == [b"offline"])
        assert late.messages[0][2]  # retained


async def test_broker_killed_and_restarted_mid_session(mosquitto: Mosquitto) -> None:
    reference = await _reference_history()
    clock = ManualClock()
    session = FakeSession(clock)
    outbox = Outbox(events_limit=16, telemetry_limit=4)
    async with MqttBridge(
        session, mosquitto.settings(), clock=clock, outbox=outbox, tuning=TUNING
    ) as bridge:
        await asyncio.wait_for(bridge.wait_connected(), IO_TIMEOUT_S)
        runner = asyncio.create_task(session.run())
        await clock.advance(30)

        mosquitto.kill()
        # The session goes on for two minutes with the broker gone: bounded in real time,
        # so a bridge that blocked the session would fail here rather than hang.
        await asyncio.wait_for(clock.advance(120), IO_TIMEOUT_S)
        assert not bridge.stats.connected
        assert bridge.stats.last_error is not None
        assert bridge.stats.queued <= 16 + 4 + 3  # events + telemetry + one per latest topic
        assert bridge.stats.dropped[Lane.TELEMETRY] > 0

        mosquitto.start()
        await clock.advance(BACKOFF.max_s + 1)
        await asyncio.wait_for(bridge.wait_connected(), IO_TIMEOUT_S)
        async with observe(mosquitto, f"{TOPICS.root}/#") as seen:
            # The fresh broker (no persistence) learns everything again from the bridge.
            await seen.wait_for(lambda: seen.on(TOPICS.status) == [b"online"])
            await seen.wait_for(
                lambda: any(json.loads(p)["t"] >= 150 for p in seen.on(TOPICS.state))
            )
            await clock.run_until(runner, limit=session.plan.total_duration_s + 10)
            await clock.advance(1)  # the bridge takes events in on its next tick
            await seen.wait_for(
                lambda: json.loads(seen.on(TOPICS.state)[-1])["state"] == "finished"
            )
            assert seen.on(TOPICS.cue)  # cues after the restart arrive
        assert bridge.stats.connections == 2
    assert session.history == reference


async def test_no_broker_at_all_changes_nothing_for_the_session(mosquitto: Mosquitto) -> None:
    reference = await _reference_history()
    mosquitto.kill()
    clock = ManualClock()
    session = FakeSession(clock)
    async with MqttBridge(session, mosquitto.settings(), clock=clock, tuning=TUNING) as bridge:
        runner = asyncio.create_task(session.run())
        limit = session.plan.total_duration_s + 10
        await asyncio.wait_for(clock.run_until(runner, limit=limit), IO_TIMEOUT_S)
        assert bridge.stats.connections == 0
        assert bridge.stats.published == 0
    assert session.history == reference


async def test_a_broker_that_never_answers_changes_nothing_for_the_session() -> None:
    # Accepts the TCP connection and then stays silent: the bridge's CONNECT waits for a
    # CONNACK that never comes, on its own task.
    silent: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        silent.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reference = await _reference_history()
    clock = ManualClock()
    session = FakeSession(clock)
    settings = MqttSettings(Broker("127.0.0.1", port), treadmill_id="tm1")
    try:
        async with MqttBridge(
            session, settings, clock=clock, tuning=BridgeTuning(io_timeout_s=60)
        ) as bridge:
            runner = asyncio.create_task(session.run())
            limit = session.plan.total_duration_s + 10
            await asyncio.wait_for(clock.run_until(runner, limit=limit), IO_TIMEOUT_S)
            assert bridge.stats.published == 0
    finally:
        for writer in silent:
            writer.close()
        server.close()
        await server.wait_closed()
    assert session.history == reference
