"""Inbound command validation, and the shape of what each outbound topic carries."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrorun.clock import ManualClock
from retrorun.mqtt.payloads import (
    AMOUNT_RANGES,
    MAX_COMMAND_BYTES,
    Rejection,
    Request,
    cue_payload,
    encode,
    parse_command,
    rejection_payload,
    result_payload,
    state_payload,
    telemetry_payload,
)
from retrorun.session.api import (
    CommandKind,
    CommandResult,
    Cue,
    CueKind,
    UserCommand,
)
from tests.mqtt.fake_session import FakeSession


@pytest.mark.parametrize(
    ("payload", "command", "request_id"),
    [
        (b"pause", UserCommand(CommandKind.PAUSE, None, "mqtt"), None),
        (b" Resume\n", UserCommand(CommandKind.RESUME, None, "mqtt"), None),
        (b'{"command": "stop", "id": 7}', UserCommand(CommandKind.STOP, None, "mqtt"), 7),
        (b'{"command": "extend"}', UserCommand(CommandKind.EXTEND, None, "mqtt"), None),
        (b'{"command":"extend","amount":90}', UserCommand(CommandKind.EXTEND, 90.0, "mqtt"), None),
        (
            b'{"command":"speed","amount":-0.5,"id":"a"}',
            UserCommand(CommandKind.SPEED, -0.5, "mqtt"),
            "a",
        ),
        (b'{"command":"incline","amount":5}', UserCommand(CommandKind.INCLINE, 5.0, "mqtt"), None),
    ],
)
def test_valid_commands(payload: bytes, command: UserCommand, request_id: object) -> None:
    assert parse_command(payload) == Request(command, request_id)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (b"", "not JSON"),
        (b"null", "unknown command 'null'"),
        (b"42", "JSON object"),
        (b'{"command": 5}', "command must be text"),
        (b'{"command": "speed", "amount": true}', "must be a number"),
        (b'{"command": "speed", "amount": 0}', "(and not 0)"),
        (b'{"command": "extend", "amount": 0.5}', "outside 1 to 600 s"),
        (b'{"command": "incline", "amount": -5.5}', "outside -5 to 5 %"),
        (b'{"command": "speed", "amount": NaN}', "not JSON: NaN is not a JSON value"),
        (b'{"command": "stop", "id": true}', "id must be"),
        (b'{"command": "stop", "id": "' + b"i" * 65 + b'"}', "id must be"),
        (b"x" * (MAX_COMMAND_BYTES + 1), "too large"),
    ],
)
def test_rejections_say_why(payload: bytes, words: str) -> None:
    parsed = parse_command(payload)
    assert isinstance(parsed, Rejection)
    assert words in parsed.reason


@given(st.binary(max_size=MAX_COMMAND_BYTES + 64))
def test_any_bytes_are_answered_never_raised(payload: bytes) -> None:
    parsed = parse_command(payload)
    assert isinstance(parsed, Request | Rejection)
    if isinstance(parsed, Rejection):
        assert parsed.reason
        assert json.loads(rejection_payload(parsed))["accepted"] is False


@given(
    st.sampled_from(sorted(AMOUNT_RANGES)),
    st.floats(allow_nan=True, allow_infinity=True),
)
def test_an_accepted_amount_is_always_inside_its_range(kind: CommandKind, amount: float) -> None:
    # json.dumps writes NaN/Infinity, which are not JSON: the bridge refuses them.
    parsed = parse_command(json.dumps({"command": kind.value, "amount": amount}).encode())
    if isinstance(parsed, Request):
        low, high, _ = AMOUNT_RANGES[kind]
        assert parsed.command.amount is not None
        assert low <= parsed.command.amount <= high
        assert math.isfinite(parsed.command.amount)


def test_result_payload_echoes_the_request_id() -> None:
    result = CommandResult(UserCommand(CommandKind.SPEED, 0.5, "mqtt"), True, "speed 8.5 km/h")
    assert json.loads(result_payload(result, "r1")) == {
        "command": "speed",
        "amount": 0.5,
        "accepted": True,
        "reason": "speed 8.5 km/h",
        "id": "r1",
    }


def test_state_and_telemetry_payloads() -> None:
    snapshot = FakeSession(ManualClock()).snapshot()
    state = json.loads(state_payload(snapshot))
    assert state == json.loads(json.dumps(snapshot.to_json()))
    assert state["state"] == "connecting"
    telemetry = json.loads(telemetry_payload(snapshot))
    assert set(telemetry) == {
        "t",
        "state",
        "direction",
        "segment_index",
        "speed_kmh",
        "incline_pct",
        "heart_rate_bpm",
        "distance_m",
        "energy_kcal",
        "elapsed_s",
        "remaining_s",
    }
    # The energy spent so far rides along each second, for a dashboard's calorie counter.
    spent = replace(snapshot, totals=replace(snapshot.totals, energy_kcal=41.26))
    assert json.loads(telemetry_payload(spent))["energy_kcal"] == 41.3


def test_cue_payload() -> None:
    cue = Cue(12.5, CueKind.COUNTDOWN, "Three.", beeps=1)
    assert json.loads(cue_payload(cue)) == {
        "t": 12.5,
        "kind": "countdown",
        "text": "Three.",
        "beeps": 1,
    }


def test_not_finite_numbers_become_null() -> None:
    assert json.loads(encode({"a": math.inf, "b": [math.nan, 1.0]})) == {
        "a": None,
        "b": [None, 1.0],
    }
