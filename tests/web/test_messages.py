"""What the page may send (and every refusal's reason), and what it is sent."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrorun.session.api import (
    CommandKind,
    CommandResult,
    Cue,
    CueKind,
    SessionEnded,
    Totals,
    UserCommand,
)
from retrorun.web import messages
from retrorun.web.messages import Hello, Refusal, Request, parse_message
from tests.web.snapshots import snapshot


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ('{"type": "hello"}', Hello(None)),
        ('{"type": "hello", "pin": "4821"}', Hello("4821")),
        (
            '{"type":"command","command":"pause","id":1}',
            Request(UserCommand(CommandKind.PAUSE, None, "web"), 1),
        ),
        (
            '{"type":"command","command":"resume"}',
            Request(UserCommand(CommandKind.RESUME, None, "web")),
        ),
        (
            '{"type":"command","command":"skip","id":"s"}',
            Request(UserCommand(CommandKind.SKIP, None, "web"), "s"),
        ),
        (
            '{"type":"command","command":"stop"}',
            Request(UserCommand(CommandKind.STOP, None, "web")),
        ),
        (
            '{"type":"command","command":"speed","amount":-0.5}',
            Request(UserCommand(CommandKind.SPEED, -0.5, "web")),
        ),
        (
            '{"type":"command","command":"speed","amount":1}',
            Request(UserCommand(CommandKind.SPEED, 1.0, "web")),
        ),
    ],
)
def test_valid_messages(text: str, parsed: object) -> None:
    assert parse_message(text) == parsed


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "not JSON"),
        ("pause", "not JSON"),
        ("[1, 2]", "a message is a JSON object"),
        (b'{"type": "hello"}', "not binary frames"),
        ("x" * 600, "message too long: 600 characters"),
        ('{"command": "pause"}', "unknown message type 'None'"),
        ('{"type": "shout"}', "unknown message type 'shout'"),
        ('{"type": "hello", "pin": 4821}', 'optional "pin" as text'),
        ('{"type": "hello", "user": "me"}', 'optional "pin" as text'),
        (
            '{"type": "command", "command": "fly"}',
            "unknown command 'fly'; known: pause, resume, skip, speed, stop",
        ),
        ('{"type": "command", "command": "incline", "amount": 1}', "unknown command 'incline'"),
        ('{"type": "command", "command": 3}', "unknown command '3'"),
        ('{"type": "command", "command": "pause", "amount": 1}', "pause takes no amount"),
        ('{"type": "command", "command": "speed"}', "speed needs an amount in km/h"),
        ('{"type": "command", "command": "speed", "amount": "fast"}', "speed needs an amount"),
        ('{"type": "command", "command": "speed", "amount": true}', "speed needs an amount"),
        ('{"type": "command", "command": "speed", "amount": 5}', "outside ±1 km/h"),
        ('{"type": "command", "command": "speed", "amount": 0}', "outside ±1 km/h (and not 0)"),
        ('{"type": "command", "command": "speed", "amount": NaN}', "NaN is not a JSON value"),
        ('{"type": "command", "command": "speed", "amount": 1' + "0" * 400 + "}", "20 digits"),
        ("[" * 250 + "]" * 250, "nested more than 32 levels deep"),
        ('{"type": "command", "command": "pause", "id": true}', "id must be text"),
        ('{"type": "command", "command": "pause", "id": "' + "i" * 65 + '"}', "id must be text"),
        ('{"type": "command", "command": "pause", "force": 1}', "unknown field 'force'"),
    ],
)
def test_malformed_messages_are_refused_with_a_reason(text: str | bytes, reason: str) -> None:
    parsed = parse_message(text)
    assert isinstance(parsed, Refusal)
    assert reason in parsed.reason


def test_a_refusal_keeps_the_command_and_id_it_could_read() -> None:
    parsed = parse_message('{"type": "command", "command": "speed", "amount": 9, "id": 4}')
    assert parsed == Refusal("speed amount 9 km/h is outside ±1 km/h (and not 0)", "speed", 4)
    assert json.loads(messages.refusal(parsed)) == {
        "type": "result",
        "id": 4,
        "command": "speed",
        "amount": None,
        "accepted": False,
        "reason": parsed.reason,
    }


@given(st.text(max_size=600) | st.binary(max_size=600))
def test_no_message_makes_the_parser_raise(text: str | bytes) -> None:
    assert isinstance(parse_message(text), Hello | Request | Refusal)


def test_what_the_page_is_sent() -> None:
    assert json.loads(messages.welcome(controls=False, plan="P")) == {
        "type": "welcome",
        "controls": False,
        "plan": "P",
    }
    state = json.loads(messages.state(snapshot(measured_speed_kmh=float("nan"))))
    assert state["type"] == "state"
    assert state["snapshot"]["measured_speed_kmh"] is None  # NaN is not JSON
    assert state["snapshot"]["state"] == "running"
    assert state["view"]["direction"] == "FORWARD"
    cue = Cue(30.0, CueKind.TURN_NOW, "Turn around now.")
    assert json.loads(messages.cue(cue)) == {
        "type": "cue",
        "t": 30.0,
        "kind": "turn_now",
        "text": "Turn around now.",
        "beeps": 0,
    }
    answer = CommandResult(UserCommand(CommandKind.PAUSE, None, "web"), True, "paused")
    assert json.loads(messages.result(answer, 3)) == {
        "type": "result",
        "id": 3,
        "command": "pause",
        "amount": None,
        "accepted": True,
        "reason": "paused",
    }
    end = SessionEnded(90.0, "stopped", "stopped by you", 3, Totals())
    assert json.loads(messages.ended(end)) == {
        "type": "ended",
        "outcome": "stopped",
        "reason": "stopped by you",
    }
    assert json.loads(messages.refused("wrong PIN")) == {"type": "refused", "reason": "wrong PIN"}


def test_the_state_message_keeps_the_snapshot_metric_and_the_words_in_the_runners_units() -> None:
    message = json.loads(messages.state(snapshot(), "imperial"))
    assert message["snapshot"]["target_speed_kmh"] == 6.0
    assert message["view"]["target_speed"] == "3.7 mph"
