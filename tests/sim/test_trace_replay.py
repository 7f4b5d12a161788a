"""The trace of every GATT crossing, replayed captures, and the runner's direction."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from bleak.exc import BleakGATTProtocolError

from retrorun.errors import InputError
from retrorun.ftms import Characteristic, decode_treadmill_data
from retrorun_sim import ReplayNotification, TraceEvent, TraceKind, parse_replay
from tests.sim.conftest import DATA, STATUS

if TYPE_CHECKING:
    from retrorun.clock import ManualClock
    from tests.sim.conftest import Connect


async def test_trace_sees_every_byte_both_ways_decoded(
    clock: ManualClock, connect: Connect
) -> None:
    trace: list[TraceEvent] = []
    _, peer = await connect(trace=trace.append, quirks={"mtu": 247})
    await peer.request(b"\x00")
    await peer.client.read_gatt_char("2ad4")
    await clock.advance(1.0)
    kinds = [(event.kind, event.characteristic) for event in trace]
    assert (TraceKind.WRITE, Characteristic.CONTROL_POINT) in kinds
    assert (TraceKind.INDICATE, Characteristic.CONTROL_POINT) in kinds
    assert (TraceKind.READ, Characteristic.SPEED_RANGE) in kinds
    assert (TraceKind.NOTIFY, Characteristic.TREADMILL_DATA) in kinds
    write = next(e for e in trace if e.kind is TraceKind.WRITE)
    assert write.data == b"\x00"
    assert "request_control" in str(write)
    indication = next(e for e in trace if e.kind is TraceKind.INDICATE)
    assert indication.to_json()["decoded"] == {
        "op_code": 0x80,
        "op_code_name": "response_code",
        "request_op_code": 0,
        "request_op_code_name": "request_control",
        "result_code": 1,
        "result_code_name": "success",
    }
    line = str(indication)
    assert line.split()[:4] == ["0.150s", "indicate", "control-point", "80"]
    json.dumps([event.to_json() for event in trace])


async def test_trace_names_att_errors(connect: Connect) -> None:
    trace: list[TraceEvent] = []
    _, peer = await connect(trace=trace.append, subscribe=False)
    with pytest.raises(BleakGATTProtocolError):
        await peer.client.write_gatt_char("2ad9", b"\x00", response=True)
    assert trace[-1].note == "ATT error CCCD_IMPROPERLY_CONFIGURED"


REPLAY_TEXT = """
# speed and distance records, 2.25 km/h then 1.00 km/h, and one padded pause status
{"t": 1.0, "characteristic": "treadmill-data", "hex": "0400e1000a0000"}
2.0 2acd 04 00 64 00 14 00 00
2.5 machine-status 02 02 00
"""


def test_a_json_trace_replays_what_the_treadmill_sent() -> None:
    # Not the control point's answers: they answered the captured session's commands, and
    # played unasked they would answer the replaying client's commands wrongly ("procedure
    # already in progress" for its first Set Target Speed).
    lines = [
        '{"t": 0.0, "kind": "write", "characteristic": "control-point", "hex": "00"}',
        '{"t": 0.15, "kind": "indicate", "characteristic": "control-point", "hex": "800001"}',
        '{"t": 1.0, "kind": "belt", "speed_kmh": 4.5, "inclination_pct": 2.0, "moving": true}',
        '{"t": 1.0, "kind": "notify", "characteristic": "treadmill-data", "hex": "0400c2010a00"}',
    ]
    assert [(entry.t_s, entry.characteristic) for entry in parse_replay(lines)] == [
        (1.0, Characteristic.TREADMILL_DATA),
    ]


def test_replay_text_parses_both_line_formats() -> None:
    entries = parse_replay(REPLAY_TEXT.splitlines())
    assert entries == (
        ReplayNotification(1.0, Characteristic.TREADMILL_DATA, bytes.fromhex("0400e1000a0000")),
        ReplayNotification(2.0, Characteristic.TREADMILL_DATA, bytes.fromhex("04006400140000")),
        ReplayNotification(2.5, Characteristic.MACHINE_STATUS, bytes.fromhex("020200")),
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("1.0 2acd", "replay:1: expected TIME CHARACTERISTIC HEX"),
        ("x 2acd 00", "replay:1: t 'x' is not a number"),
        ("1 wheel 00", "replay:1: unknown characteristic 'wheel'"),
        ("1 2acd zz", "replay:1: 'zz' is not hex"),
        ('{"t": 1', "replay:1: invalid JSON"),
        ('{"t": -1, "characteristic": "2acd", "hex": "00"}', "replay:1: t must not be negative"),
    ],
)
def test_bad_replay_lines_are_input_errors(line: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_replay([line])
    assert str(raised.value).startswith(message)


async def test_replay_plays_captured_notifications_at_their_times(
    clock: ManualClock, connect: Connect
) -> None:
    _, peer = await connect(replay=parse_replay(REPLAY_TEXT.splitlines()))
    await clock.advance(1.5)
    assert [decode_treadmill_data(d).speed_kmh for d in peer.heard[DATA]] == [2.25]
    await clock.advance(1.0)
    assert [decode_treadmill_data(d).speed_kmh for d in peer.heard[DATA]] == [2.25, 1.0]
    assert peer.heard[STATUS] == [bytes.fromhex("020200")]
    # Control-point requests are still answered by the rules.
    assert await peer.request(b"\x07") == bytes([0x80, 0x07, 0x05])


async def test_running_backward_shows_in_the_heart_rate(
    clock: ManualClock, connect: Connect
) -> None:
    forward_tm, forward = await connect(quirks={"mtu": 247})
    backward_tm, backward = await connect(quirks={"mtu": 247})
    backward_tm.set_runner_direction("backward")
    for peer in (forward, backward):
        await peer.take_control_and_start()
        assert await peer.request(bytes([0x02, 0x58, 0x02])) == bytes([0x80, 0x02, 0x01])
    await clock.advance(600.0)
    hr_forward = decode_treadmill_data(forward.heard[DATA][-1]).heart_rate_bpm
    hr_backward = decode_treadmill_data(backward.heard[DATA][-1]).heart_rate_bpm
    assert hr_forward is not None
    assert hr_backward is not None
    assert 1.17 <= hr_backward / hr_forward <= 1.20
    assert forward_tm.heart_rate_bpm == pytest.approx(hr_forward, abs=0.5)
