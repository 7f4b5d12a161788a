"""Remote commands over a real broker: each reaches the session's own command path or is
refused with a reason, and every one is answered on ``command/result``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
from typing import TYPE_CHECKING, Any

import pytest

from retrorun.clock import ManualClock
from retrorun.errors import DeviceError
from retrorun.mqtt.bridge import MqttBridge
from retrorun.mqtt.payloads import MAX_COMMAND_BYTES
from retrorun.mqtt.topics import Topics
from retrorun.session.api import CommandKind, CommandResult, SessionState, UserCommand
from tests.mqtt.conftest import IO_TIMEOUT_S, Observer, observe
from tests.mqtt.fake_session import FakeSession

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from retrorun.mqtt.settings import MqttSettings
    from tests.mqtt.conftest import Mosquitto

TOPICS = Topics("tm1")


class Remote:
    """A running fake session behind a bridge, and a client that sends it commands."""

    def __init__(self, session: FakeSession, clock: ManualClock, observer: Observer) -> None:
        self.session = session
        self.clock = clock
        self.observer = observer

    async def send(self, payload: bytes | str) -> dict[str, Any]:
        """Publish one command and return the answer from ``command/result``."""
        seen = len(self.observer.on(TOPICS.command_result))
        await self.observer.publish(TOPICS.command, payload)
        await self.observer.wait_for(lambda: len(self.observer.on(TOPICS.command_result)) > seen)
        answer = json.loads(self.observer.on(TOPICS.command_result)[seen])
        assert isinstance(answer, dict)
        return answer


@pytest.fixture
async def remote(mosquitto: Mosquitto) -> AsyncIterator[Remote]:
    async with _running(mosquitto, mosquitto.settings()) as running:
        yield running


@contextlib.asynccontextmanager
async def _running(mosquitto: Mosquitto, settings: MqttSettings) -> AsyncIterator[Remote]:
    clock = ManualClock()
    session = FakeSession(clock)
    runner = asyncio.create_task(session.run())
    async with (
        observe(mosquitto, f"{TOPICS.root}/#") as observer,
        MqttBridge(session, settings, clock=clock) as bridge,
    ):
        await asyncio.wait_for(bridge.wait_connected(), IO_TIMEOUT_S)
        await clock.advance(5)
        yield Remote(session, clock, observer)
    runner.cancel()


async def test_pause_then_resume_reach_the_session(remote: Remote) -> None:
    answer = await remote.send('{"command": "pause", "id": "p1"}')
    assert answer == {
        "command": "pause",
        "amount": None,
        "accepted": True,
        "reason": "paused",
        "id": "p1",
    }
    assert remote.session.snapshot().state is SessionState.PAUSED
    await remote.observer.wait_for(
        lambda: json.loads(remote.observer.on(TOPICS.state)[-1])["state"] == "paused"
    )
    answer = await remote.send("resume")
    assert answer["accepted"] is True
    assert remote.session.snapshot().state is SessionState.RUNNING
    assert remote.session.received == [
        UserCommand(CommandKind.PAUSE, None, "mqtt"),
        UserCommand(CommandKind.RESUME, None, "mqtt"),
    ]


async def test_the_session_refusal_is_passed_back(remote: Remote) -> None:
    answer = await remote.send('{"command": "resume"}')
    assert answer["accepted"] is False
    assert answer["reason"] == "not paused"
    assert remote.session.received == [UserCommand(CommandKind.RESUME, None, "mqtt")]


@pytest.mark.parametrize(
    ("payload", "kind", "amount", "reason"),
    [
        ('{"command": "skip"}', CommandKind.SKIP, None, "skipped to segment 2"),
        ('{"command": "extend"}', CommandKind.EXTEND, None, "extended by 30 s"),
        ('{"command": "extend", "amount": 60}', CommandKind.EXTEND, 60.0, "extended by 60 s"),
        ('{"command": "speed", "amount": 0.5}', CommandKind.SPEED, 0.5, "speed"),
        ('{"command": "speed", "amount": -3}', CommandKind.SPEED, -3.0, "speed"),
        ('{"command": "incline", "amount": -0.5}', CommandKind.INCLINE, -0.5, "incline"),
        ('{"command": "stop"}', CommandKind.STOP, None, "stopped"),
    ],
)
async def test_every_command_goes_through_the_session(
    remote: Remote, payload: str, kind: CommandKind, amount: float | None, reason: str
) -> None:
    answer = await remote.send(payload)
    assert answer["accepted"] is True
    assert answer["command"] == kind.value
    assert answer["reason"].startswith(reason)
    assert remote.session.received == [UserCommand(kind, amount, "mqtt")]


async def test_a_nudge_past_the_safety_limit_is_clamped_by_the_session(remote: Remote) -> None:
    while remote.session.snapshot().direction != "backward":
        assert (await remote.send("skip"))["accepted"] is True
    limit = remote.session.plan.limits.backward_speed_max_kmh
    for _ in range(4):
        answer = await remote.send('{"command": "speed", "amount": 3}')
    assert answer["accepted"] is True
    assert answer["reason"] == f"clamped to {limit:.1f} km/h"
    assert remote.session.snapshot().target_speed_kmh == limit


BAD = [
    (b"{not json", "not JSON"),
    (b"\xff\xfe", "not UTF-8"),
    (b"[1, 2]", "JSON object"),
    (b'{"command": "sprint"}', "unknown command 'sprint'"),
    (b"garbage", "unknown command 'garbage'"),
    (b'{"command": "speed"}', "needs an amount"),
    (b'{"command": "speed", "amount": 25}', "outside -3 to 3 km/h"),
    (b'{"command": "speed", "amount": "fast"}', "must be a number"),
    (b'{"command": "incline", "amount": 1e309}', "beyond the range of a float"),
    # Each of these was obeyed or raised (RecursionError, OverflowError) in the bridge.
    (b'"pause"', "a bare word like pause or a JSON object"),
    (b"[" * 1000, "nested more than 32 levels deep"),
    (b'{"command": "speed", "amount": 1' + b"0" * 900 + b"}", "more than 20 digits"),
    (b'{"command": "pause", "amount": 1}', "takes no amount"),
    (b'{"command": "pause", "force": true}', "unknown field 'force'"),
    (b'{"amount": 1}', "missing field 'command'"),
    (b'{"command": "pause", "id": [1]}', "id must be"),
    (b'{"command": "' + b"x" * MAX_COMMAND_BYTES + b'"}', "payload too large"),
]


async def test_bad_payloads_are_refused_and_the_session_never_sees_them(
    remote: Remote, caplog: pytest.LogCaptureFixture
) -> None:
    before = remote.session.snapshot().state
    for payload, reason in BAD:
        with caplog.at_level(logging.WARNING, logger="retrorun.mqtt"):
            answer = await remote.send(payload)
        assert answer["accepted"] is False, payload
        assert reason in answer["reason"], (payload, answer["reason"])
        # The refusal is also logged, as one line naming the topic.
        assert caplog.messages[-1] == f"{TOPICS.command}: refused: {answer['reason']}"
    assert remote.session.received == []
    assert remote.session.snapshot().state is before
    # The session carried on: the bridge still passes on a good command afterwards.
    assert (await remote.send("pause"))["accepted"] is True


async def test_remote_commands_can_be_turned_off(mosquitto: Mosquitto) -> None:
    settings = mosquitto.settings(remote_commands=False)
    async with _running(mosquitto, settings) as off:
        answer = await off.send('{"command": "stop"}')
        assert answer["accepted"] is False
        assert "turned off" in answer["reason"]
        assert off.session.received == []
        assert off.session.snapshot().state is SessionState.RUNNING


async def test_a_retained_command_is_never_obeyed(mosquitto: Mosquitto) -> None:
    # A command left retained on the broker (by mistake, or by an old dashboard) must not
    # stop the next session that connects.
    async with observe(mosquitto) as publisher:
        await publisher.client.publish(TOPICS.command, b'{"command": "stop"}', qos=1, retain=True)
    async with _running(mosquitto, mosquitto.settings()) as fresh:
        answer = await fresh.send("pause")
        assert answer["accepted"] is True
        assert fresh.session.received == [UserCommand(CommandKind.PAUSE, None, "mqtt")]


class UnreachableTreadmill(FakeSession):
    """A session whose treadmill refuses to act: its command path raises a DeviceError."""

    async def command(self, command: UserCommand) -> CommandResult:
        self.received.append(command)
        raise DeviceError("control point timed out", device="FS-T1")


async def test_a_session_error_is_answered_and_the_bridge_carries_on(
    mosquitto: Mosquitto,
) -> None:
    clock = ManualClock()
    session = UnreachableTreadmill(clock)
    async with (
        observe(mosquitto, f"{TOPICS.root}/#") as observer,
        MqttBridge(session, mosquitto.settings(), clock=clock) as bridge,
    ):
        await asyncio.wait_for(bridge.wait_connected(), IO_TIMEOUT_S)
        remote = Remote(session, clock, observer)
        for _ in range(2):
            answer = await remote.send("pause")
            assert answer["accepted"] is False
            assert answer["reason"] == "FS-T1: control point timed out"
        assert bridge.stats.connected


async def test_mosquitto_pub_pauses_and_resumes(remote: Remote, mosquitto: Mosquitto) -> None:
    client = shutil.which("mosquitto_pub")
    if client is None:
        pytest.skip("mosquitto_pub is not installed (apt-get install mosquitto-clients)")
    command = [client, "-h", "127.0.0.1", "-p", str(mosquitto.port), "-t", TOPICS.command]
    for word, state in (("pause", SessionState.PAUSED), ("resume", SessionState.RUNNING)):
        answers = len(remote.observer.on(TOPICS.command_result))
        process = await asyncio.create_subprocess_exec(*command, "-m", word)
        assert await asyncio.wait_for(process.wait(), IO_TIMEOUT_S) == 0
        answer = await remote.observer.nth_on(TOPICS.command_result, answers)
        assert json.loads(answer)["accepted"] is True
        assert remote.session.snapshot().state is state
