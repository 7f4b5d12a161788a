"""The bridge against a real broker: what a dashboard sees of a whole session."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

from retrorun.clock import ManualClock
from retrorun.mqtt.bridge import BridgeTuning, MqttBridge
from retrorun.mqtt.outbox import Outbox
from retrorun.mqtt.topics import Topics
from tests.mqtt.conftest import IO_TIMEOUT_S, observe
from tests.mqtt.fake_session import FakeSession

if TYPE_CHECKING:
    from tests.mqtt.conftest import Mosquitto

TOPICS = Topics("tm1")


async def _connected(bridge: MqttBridge) -> None:
    await asyncio.wait_for(bridge.wait_connected(), IO_TIMEOUT_S)


async def test_a_whole_session_appears_on_the_broker(mosquitto: Mosquitto) -> None:
    clock = ManualClock()
    session = FakeSession(clock)
    settings = mosquitto.settings(publish_log=True)
    async with observe(mosquitto, "retrorun/#") as seen:
        # The test runs a 29-minute session in seconds of wall time; room for every cue and
        # log line, and no pacing, so that what arrives can be compared item by item.
        roomy = Outbox(events_limit=1000, telemetry_limit=1000)
        unpaced = BridgeTuning(send_rate_hz=None)
        async with MqttBridge(
            session, settings, clock=clock, outbox=roomy, tuning=unpaced
        ) as bridge:
            await _connected(bridge)
            await seen.wait_for(lambda: seen.on(TOPICS.status) == [b"online"])
            runner = asyncio.create_task(session.run())
            await clock.advance(10)
            await seen.wait_for(lambda: len(seen.on(TOPICS.telemetry)) >= 1)
            await clock.run_until(runner, limit=session.plan.total_duration_s + 10)
            await clock.advance(1)  # the bridge takes events in on its next tick
            await seen.wait_for(
                lambda: any(json.loads(p)["state"] == "finished" for p in seen.on(TOPICS.state))
            )
            await seen.wait_for(lambda: len(seen.on(TOPICS.log)) == len(session.plan.segments))
            duration = int(session.plan.total_duration_s)
            await seen.wait_for(lambda: len(seen.on(TOPICS.telemetry)) == duration)
        # A clean exit says goodbye: the retained status becomes ``offline``.
        await seen.wait_for(lambda: seen.on(TOPICS.status)[-1] == b"offline")

    segments = len(session.plan.segments)
    cues = [json.loads(p) for p in seen.on(TOPICS.cue)]
    assert [c["kind"] for c in cues] == ["text"] * segments + ["finish"]
    assert cues[-1]["text"] == "Workout complete."
    logs = [json.loads(p) for p in seen.on(TOPICS.log)]
    assert [entry["index"] for entry in logs] == list(range(segments))
    assert all(entry["type"] == "segment" for entry in logs)
    # 1 Hz telemetry: one sample per clock second while the session ran.
    samples = [json.loads(p) for p in seen.on(TOPICS.telemetry)]
    assert len(samples) == int(session.plan.total_duration_s)  # no more, no fewer
    assert {"t", "state", "direction", "speed_kmh", "incline_pct", "heart_rate_bpm"} <= set(
        samples[0]
    )
    first_ten = [s["t"] for s in samples[:10]]
    assert first_ten == sorted(first_ten)
    final = json.loads(seen.on(TOPICS.state)[-1])
    assert final["state"] == "finished"
    assert final["segment_index"] == segments - 1


async def test_state_is_retained_for_late_subscribers(mosquitto: Mosquitto) -> None:
    clock = ManualClock()
    session = FakeSession(clock)
    async with MqttBridge(session, mosquitto.settings(), clock=clock) as bridge:
        await _connected(bridge)
        runner = asyncio.create_task(session.run())
        await clock.advance(30)
        runner.cancel()
        expected = session.snapshot()
        await clock.advance(1)
        async with observe(mosquitto, "retrorun/+/state") as late:
            await late.wait_for(
                lambda: any(json.loads(p)["t"] == expected.t for p in late.on(TOPICS.state))
            )
            first_topic, _, retained = late.messages[0]
        assert first_topic == TOPICS.state
        assert retained
        async with observe(mosquitto, TOPICS.status) as status:
            await status.wait_for(lambda: status.on(TOPICS.status) == [b"online"])
        runner.cancel()


async def test_telemetry_is_sampled_once_a_second_on_the_clock(mosquitto: Mosquitto) -> None:
    mosquitto.kill()  # nothing is sent: everything the bridge produced stays in the outbox
    clock = ManualClock()
    session = FakeSession(clock)
    outbox = Outbox(events_limit=1000, telemetry_limit=1000)
    async with MqttBridge(session, mosquitto.settings(), clock=clock, outbox=outbox):
        runner = asyncio.create_task(session.run())
        await clock.advance(10)
        runner.cancel()
        sent = []
        while (message := outbox.pop()) is not None:
            sent.append(message)
    samples = [json.loads(m.body()) for m in sent if m.topic == TOPICS.telemetry]
    assert len(samples) == 10
    assert [round(s["t"]) for s in samples] == list(range(1, 11))
    assert all(s["state"] == "running" for s in samples)


async def test_the_socket_has_tcp_nodelay(mosquitto: Mosquitto) -> None:
    clock = ManualClock()
    async with MqttBridge(FakeSession(clock), mosquitto.settings(), clock=clock) as bridge:
        await _connected(bridge)
        assert bridge.socket_nodelay() is True
