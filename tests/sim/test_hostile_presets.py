"""The hostile presets: what the belt physically does against what was acknowledged.

Every row of notes/real-treadmills-misbehave.md's first table is a preset here. Each test
drives the treadmill through the real `BleakClient` and judges the *physical* belt
(`SimulatedTreadmill.physical()`, what the runner's feet feel) against the control point's
answers and the Treadmill Data the client heard.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from retrorun.ftms import (
    TargetSettingFeature,
    decode_feature,
    decode_speed_range,
    decode_training_status,
    decode_treadmill_data,
)
from retrorun_sim import PRESETS, PhysicalBelt, TraceEvent, TraceKind
from tests.sim.conftest import CP, DATA, STATUS, TRAINING

if TYPE_CHECKING:
    from retrorun.clock import ManualClock
    from tests.sim.conftest import Connect, Peer

START = b"\x07"
STOP = b"\x08\x01"
PAUSE = b"\x08\x02"


def ok(op: int) -> bytes:
    return bytes([0x80, op, 0x01])


def speed(kmh: float) -> bytes:
    return b"\x02" + round(kmh * 100).to_bytes(2, "little")


def incline(pct: float) -> bytes:
    return b"\x03" + round(pct * 10).to_bytes(2, "little", signed=True)


def reported_kmh(peer: Peer) -> float:
    """The last speed the client heard in Treadmill Data."""
    speeds = [decode_treadmill_data(d).speed_kmh for d in peer.heard[DATA]]
    return [s for s in speeds if s is not None][-1]


async def running_at(peer: Peer, clock: ManualClock, kmh: float) -> None:
    await peer.take_control_and_start()
    assert await peer.request(speed(kmh)) == ok(0x02)
    await clock.advance(30.0)


async def test_the_physical_belt_is_the_truth_when_telemetry_reports_the_set_point(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="citysports")
    await running_at(peer, clock, 2.0)
    assert await peer.request(speed(6.0)) == ok(0x02)
    await clock.advance(2.0)
    belt = treadmill.physical()
    # CITYSPORTS reports the set point at once; the feet feel the ramp.
    assert reported_kmh(peer) == 6.0
    # 2 s after the write: 0.15 s answer, 0.3 s reaction, then 0.5 km/h per s for 1.85 s.
    assert isinstance(belt, PhysicalBelt)
    assert (belt.time_s, belt.inclination_pct) == (clock.now(), 0.0)
    assert belt.speed_kmh == pytest.approx(2.925)
    assert belt.moving
    assert treadmill.physical().speed_kmh < 6.0


async def test_trace_has_a_belt_line_every_period_that_parses(
    connect: Connect, clock: ManualClock
) -> None:
    trace: list[TraceEvent] = []
    treadmill, peer = await connect(preset="citysports", trace=trace.append)
    await running_at(peer, clock, 2.0)
    await peer.request(incline(1.0))
    await peer.request(speed(6.0))
    await clock.advance(2.0)
    belts = [event for event in trace if event.kind is TraceKind.BELT]
    assert [event.time_s for event in belts] == [float(t) for t in range(1, len(belts) + 1)]
    last = belts[-1]
    time_s, kind, kmh, unit, pct, percent, motion = str(last).split()
    assert (kind, unit, percent, motion) == ("belt", "km/h", "%", "moving")
    assert float(time_s.removesuffix("s")) == last.time_s
    assert last.belt is not None
    assert float(kmh) == pytest.approx(last.belt.speed_kmh, abs=0.005)
    assert float(pct) == pytest.approx(last.belt.inclination_pct, abs=0.05)
    assert float(kmh) < reported_kmh(peer)  # the truth, not the set point CITYSPORTS reports
    record = json.loads(json.dumps(last.to_json()))
    assert record["kind"] == "belt"
    assert set(record) == {"t", "kind", "speed_kmh", "inclination_pct", "moving"}
    assert treadmill.physical().time_s == clock.now()


async def test_ignores_speed_acknowledges_and_keeps_the_belt_at_its_minimum(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="ignores-speed")
    await running_at(peer, clock, 8.0)
    assert treadmill.physical().speed_kmh == 1.0
    assert reported_kmh(peer) == 1.0


async def test_mph_commands_reads_the_command_as_mph_and_reports_kmh(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="mph-commands")
    range_ = decode_speed_range(bytes(await peer.client.read_gatt_char("2ad4")))
    assert (range_.min_speed_kmh, range_.max_speed_kmh) == (1.0, 16.0)  # honest km/h
    await peer.take_control_and_start()
    assert await peer.request(bytes([0x02, 0x90, 0x01])) == ok(0x02)  # "4.00"
    await clock.advance(30.0)
    assert treadmill.physical().speed_kmh == pytest.approx(6.44, abs=0.005)
    assert reported_kmh(peer) == pytest.approx(6.44)
    # 12 km/h is inside the range as a number, and 19.3 km/h to the motor: its maximum.
    assert await peer.request(speed(12.0)) == ok(0x02)
    await clock.advance(30.0)
    assert treadmill.physical().speed_kmh == 16.0


async def test_ignores_stop_acknowledges_and_the_belt_runs_on(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="ignores-stop")
    await running_at(peer, clock, 4.5)
    assert await peer.request(STOP) == ok(0x08)
    assert await peer.request(STOP) == ok(0x08)  # and again: still "stopping"
    await clock.advance(60.0)
    assert treadmill.physical().speed_kmh == 4.5
    assert reported_kmh(peer) == 4.5
    assert treadmill.readings().mode == "running"


async def test_slow_stop_coasts_to_rest_over_twenty_seconds(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="slow-stop")
    await running_at(peer, clock, 8.0)
    stopped_at = clock.now()
    assert await peer.request(STOP) == ok(0x08)
    await clock.advance_to(stopped_at + 0.3 + 10.0)  # reaction delay, then half the coast
    assert treadmill.physical().speed_kmh == pytest.approx(4.0)
    await clock.advance_to(stopped_at + 0.3 + 19.5)
    assert treadmill.physical().moving
    await clock.advance_to(stopped_at + 0.3 + 20.0)
    assert not treadmill.physical().moving


async def test_silent_stop_stops_the_belt_without_any_status(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="silent-stop")
    await running_at(peer, clock, 6.0)
    training_before = list(peer.heard[TRAINING])
    treadmill.console_speed(4.0)
    treadmill.console_stop()
    await clock.advance(30.0)
    assert not treadmill.physical().moving
    assert reported_kmh(peer) == 0.0  # only Treadmill Data shows it
    assert peer.heard[STATUS] == []
    assert peer.heard[TRAINING] == training_before
    # A read still tells the truth: post-workout.
    status = decode_training_status(bytes(await peer.client.read_gatt_char("2ad3")))
    assert status.status == "post_workout"


async def test_silent_stop_takes_the_safety_key_and_scheduled_console_faults_silently(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(
        preset="silent-stop", faults=["console-speed@40:3", "safety-key@50"]
    )
    await running_at(peer, clock, 6.0)  # until t = 30.x
    await clock.advance_to(45.0)  # 0.8 km/h per s down from 6 since t = 40
    assert treadmill.physical().speed_kmh == pytest.approx(3.0)
    await clock.advance_to(52.0)
    assert not treadmill.physical().moving
    assert peer.heard[STATUS] == []


async def test_pause_creeps_leaves_the_belt_at_one_mph(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="pause-creeps")
    await running_at(peer, clock, 5.0)
    assert await peer.request(PAUSE) == ok(0x08)
    await clock.advance(30.0)
    assert treadmill.readings().mode == "paused"
    assert treadmill.physical().speed_kmh == 1.6
    assert reported_kmh(peer) == 1.6
    # Stop really stops it.
    assert await peer.request(STOP) == ok(0x08)
    await clock.advance(10.0)
    assert not treadmill.physical().moving


async def test_resume_at_minimum_forgets_the_set_point_after_pause(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="resume-at-minimum")
    await running_at(peer, clock, 5.0)
    assert await peer.request(PAUSE) == ok(0x08)
    await clock.advance(30.0)
    assert await peer.request(START) == ok(0x07)
    await clock.advance(30.0)
    assert treadmill.physical().speed_kmh == 1.0
    assert treadmill.readings().target_speed_kmh == 1.0


async def test_no_data_runs_blind_until_the_console_start(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="no-data")
    await running_at(peer, clock, 4.0)
    assert treadmill.physical().speed_kmh == 4.0  # the app's Start works, blind
    assert peer.heard[DATA] == []
    treadmill.console_start()
    await clock.advance(2.0)
    assert reported_kmh(peer) == 4.0
    assert peer.heard[STATUS] == [bytes([0x04])]  # Started or Resumed by the User


async def test_no_data_telemetry_starts_with_a_scheduled_console_start(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="no-data", faults=["console-start@10"])
    await clock.advance(9.5)
    assert peer.heard[DATA] == []
    await clock.advance(10.0)
    assert treadmill.physical().speed_kmh == 1.0  # started at its minimum, by the console
    assert reported_kmh(peer) == 1.0


async def test_console_start_refuses_the_apps_start(connect: Connect, clock: ManualClock) -> None:
    treadmill, peer = await connect(preset="console-start")
    assert await peer.request(b"\x00") == ok(0x00)
    assert await peer.request(START) == bytes([0x80, 0x07, 0x04])  # Operation Failed
    assert await peer.request(speed(4.0)) == ok(0x02)
    await clock.advance(30.0)
    assert not treadmill.physical().moving
    treadmill.console_start()
    await clock.advance(30.0)
    assert treadmill.physical().speed_kmh == 4.0
    # Once running, the app's commands work; Start after Pause is the app's again: refused.
    assert await peer.request(PAUSE) == ok(0x08)
    assert await peer.request(START) == bytes([0x80, 0x07, 0x04])


async def test_start_toggles_stops_a_running_belt(connect: Connect, clock: ManualClock) -> None:
    treadmill, peer = await connect(preset="start-toggles")
    await running_at(peer, clock, 4.0)
    assert await peer.request(START) == ok(0x07)
    await clock.advance(30.0)
    assert not treadmill.physical().moving
    assert treadmill.readings().mode == "stopped"


async def test_floor_2mph_holds_the_belt_at_three_point_two(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="floor-2mph")
    range_ = decode_speed_range(bytes(await peer.client.read_gatt_char("2ad4")))
    assert range_.min_speed_kmh == 3.2
    await peer.take_control_and_start()
    assert await peer.request(speed(2.5)) == bytes([0x80, 0x02, 0x03])  # Invalid Parameter
    await clock.advance(30.0)
    assert treadmill.physical().speed_kmh == 3.2
    treadmill.console_speed(2.0)
    await clock.advance(10.0)
    assert treadmill.physical().speed_kmh == 3.2


async def test_slow_incline_climbs_at_point_three_percent_a_second(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="slow-incline")
    await peer.take_control_and_start()
    sent_at = clock.now()
    assert await peer.request(incline(8.0)) == ok(0x03)
    await clock.advance_to(sent_at + 0.3 + 16.0)
    assert treadmill.physical().inclination_pct == pytest.approx(4.8)
    await clock.advance_to(sent_at + 0.3 + 8.0 / 0.3)
    assert treadmill.physical().inclination_pct == pytest.approx(8.0)


async def test_rejects_incline_fails_every_incline_it_offers(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="rejects-incline")
    feature = decode_feature(bytes(await peer.client.read_gatt_char("2acc")))
    assert TargetSettingFeature.INCLINATION in feature.target_settings
    await peer.take_control_and_start()
    assert await peer.request(incline(4.0)) == bytes([0x80, 0x03, 0x04])  # Operation Failed
    await clock.advance(30.0)
    assert treadmill.physical().inclination_pct == 0.0
    assert await peer.request(speed(4.0)) == ok(0x02)  # speed still works


@pytest.mark.parametrize("preset", list(PRESETS))
async def test_every_preset_answers_the_plain_handshake(
    connect: Connect, clock: ManualClock, preset: str
) -> None:
    treadmill, peer = await connect(preset=preset)
    response = not treadmill.quirks.control_point_write_without_response
    assert await peer.request(b"\x00", response=response) == ok(0x00)
    await peer.request(START, response=response)
    await clock.advance(5.0)
    assert treadmill.physical().time_s == clock.now()
    assert CP in peer.heard
