"""Each quirk preset shows the behaviour of the machine it stands for (field notes §3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from bleak.exc import BleakGATTProtocolError, BleakGATTProtocolErrorCode

from retrorun.errors import InputError
from retrorun.ftms import (
    MachineFeature,
    TargetSettingFeature,
    TreadmillDataFlags,
    decode_feature,
    decode_speed_range,
    decode_treadmill_data,
)
from retrorun_sim import (
    COOPERATIVE_PRESETS,
    PRESETS,
    SimulatedTreadmill,
    TraceEvent,
    TraceKind,
    resolve_quirks,
)
from tests.sim.conftest import CP, DATA, STATUS

if TYPE_CHECKING:
    from retrorun.clock import ManualClock
    from tests.sim.conftest import Connect


def last_speed(data: list[bytes]) -> float | None:
    speeds = [decode_treadmill_data(d).speed_kmh for d in data]
    return [s for s in speeds if s is not None][-1]


async def test_strict_enforces_control_permission(connect: Connect) -> None:
    _, peer = await connect(preset="strict")
    assert await peer.request(b"\x07") == bytes([0x80, 0x07, 0x05])


async def test_urevo_control_point_takes_write_commands_and_answers_with_notifications(
    connect: Connect,
) -> None:
    trace: list[TraceEvent] = []
    _, peer = await connect(preset="urevo", trace=trace.append)
    cp = peer.client.services.get_characteristic(CP.uuid)
    assert cp is not None
    assert cp.properties == ["write-without-response", "indicate"]
    with pytest.raises(BleakGATTProtocolError) as raised:
        await peer.client.write_gatt_char(CP.uuid, b"\x00", response=True)
    assert raised.value.code is BleakGATTProtocolErrorCode.WRITE_NOT_PERMITTED
    assert await peer.request(b"\x00", response=False) == bytes([0x80, 0x00, 0x01])
    sent = [e for e in trace if e.characteristic is CP and e.kind is not TraceKind.SUBSCRIBE]
    assert sent[-1].kind is TraceKind.NOTIFY


async def test_urevo_loses_a_write_command_sent_before_the_last_answer(
    connect: Connect, clock: ManualClock
) -> None:
    _, peer = await connect(preset="urevo")
    await peer.client.write_gatt_char(CP.uuid, b"\x00", response=False)
    # A Write Command cannot carry an ATT error back: the second one is just lost.
    await peer.client.write_gatt_char(CP.uuid, b"\x07", response=False)
    await clock.advance(1.0)
    assert peer.heard[CP] == [bytes([0x80, 0x00, 0x01])]


async def test_urevo_pads_machine_status(connect: Connect, clock: ManualClock) -> None:
    treadmill, peer = await connect(preset="urevo")
    treadmill.console_stop()
    treadmill.pull_safety_key()
    await clock.advance(0.1)
    assert peer.heard[STATUS] == [bytes([0x02, 0x01, 0x00]), bytes([0x03, 0x00, 0x00])]


async def test_urevo_sends_steps_behind_bit_13(connect: Connect, clock: ManualClock) -> None:
    treadmill, peer = await connect(preset="urevo")
    assert await peer.request(b"\x00", response=False) == bytes([0x80, 0x00, 0x01])
    assert await peer.request(b"\x07", response=False) == bytes([0x80, 0x07, 0x01])
    await clock.advance(60.0)
    record = decode_treadmill_data(peer.heard[DATA][-1])
    assert TreadmillDataFlags.STEP_COUNT in record.flags
    assert record.step_count == int(treadmill.readings().step_count) > 0
    # Zeros where the spec says "not available" (field notes §3.3).
    assert record.energy_per_hour_kcal == 0


async def test_urevo_feature_bits_lie_but_incline_is_accepted(connect: Connect) -> None:
    _, peer = await connect(preset="urevo")
    feature = decode_feature(bytes(await peer.client.read_gatt_char("2acc")))
    assert TargetSettingFeature.INCLINATION not in feature.target_settings
    assert TargetSettingFeature.RESISTANCE in feature.target_settings
    assert MachineFeature.POWER_MEASUREMENT in feature.machine_features
    assert await peer.request(b"\x00", response=False) == bytes([0x80, 0x00, 0x01])
    # 7.0 % (`03 46 00`), as in the capture.
    assert await peer.request(bytes([0x03, 0x46, 0x00]), response=False) == bytes(
        [0x80, 0x03, 0x01]
    )


async def test_citysports_accepts_start_without_control(connect: Connect) -> None:
    _, peer = await connect(preset="citysports")
    assert await peer.request(b"\x07") == bytes([0x80, 0x07, 0x01])


async def test_citysports_reports_the_set_point_at_once(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="citysports")
    assert await peer.request(b"\x07") == bytes([0x80, 0x07, 0x01])
    await clock.advance(10.0)
    assert await peer.request(bytes([0x02, 0xF4, 0x01])) == bytes([0x80, 0x02, 0x01])  # 5.0
    await clock.advance(1.5)
    assert treadmill.readings().speed_kmh < 5.0
    assert last_speed(peer.heard[DATA]) == 5.0


async def test_citysports_coasts_down_slowly_after_stop(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="citysports")
    assert await peer.request(b"\x07") == bytes([0x80, 0x07, 0x01])
    assert await peer.request(bytes([0x02, 0xF4, 0x01])) == bytes([0x80, 0x02, 0x01])
    await clock.advance(20.0)
    stopped_at = clock.now()
    assert await peer.request(b"\x08\x01") == bytes([0x80, 0x08, 0x01])
    await clock.advance_to(stopped_at + 0.3 + 3.0)
    # 0.1 km/h every 0.3 s: about 1 km/h in 3 s, not the 2.4 of a 0.8 km/h/s belt.
    assert treadmill.readings().speed_kmh == pytest.approx(4.01, abs=0.01)


async def test_citysports_counts_distance_only_with_a_runner(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="citysports")
    treadmill.set_runner_on_belt(False)
    assert await peer.request(b"\x07") == bytes([0x80, 0x07, 0x01])
    await clock.advance(60.0)
    assert treadmill.readings().speed_kmh == pytest.approx(1.0)
    record = decode_treadmill_data(peer.heard[DATA][-1])
    assert (record.total_distance_m, record.elapsed_time_s, record.step_count) == (0, 0, 0)


async def test_matrix_records_are_cut_at_20_bytes_without_more_data(
    connect: Connect, clock: ManualClock
) -> None:
    _, peer = await connect(preset="matrix", quirks={"mtu": 247})
    await clock.advance(3.0)
    assert len(peer.heard[DATA]) == 3
    for data in peer.heard[DATA]:
        assert len(data) == 20
        record = decode_treadmill_data(data)
        assert not record.more_data
        assert record.truncated


async def test_start_before_speed_refuses_targets_until_the_belt_runs(
    connect: Connect, clock: ManualClock
) -> None:
    _, peer = await connect(preset="start-before-speed")
    await peer.take_control_and_start()
    assert await peer.request(bytes([0x02, 0x20, 0x03])) == bytes([0x80, 0x02, 0x05])
    await clock.advance(3.5)
    assert await peer.request(bytes([0x02, 0x20, 0x03])) == bytes([0x80, 0x02, 0x01])


async def test_mph_puts_mph_in_the_kmh_fields(connect: Connect, clock: ManualClock) -> None:
    treadmill, peer = await connect(preset="mph")
    speed_range = decode_speed_range(bytes(await peer.client.read_gatt_char("2ad4")))
    assert speed_range.max_speed_kmh == pytest.approx(16.0 / 1.609344, abs=0.01)
    await peer.take_control_and_start()
    # 0x0190 = "4.00": four mph, 6.44 km/h on the belt.
    assert await peer.request(bytes([0x02, 0x90, 0x01])) == bytes([0x80, 0x02, 0x01])
    await clock.advance(30.0)
    assert treadmill.readings().speed_kmh == pytest.approx(6.4, abs=0.05)
    assert last_speed(peer.heard[DATA]) == pytest.approx(4.0, abs=0.05)


async def test_laggy_reacts_after_2_s_and_ramps_at_0_3(
    connect: Connect, clock: ManualClock
) -> None:
    treadmill, peer = await connect(preset="laggy")
    assert await peer.request(b"\x00") == bytes([0x80, 0x00, 0x01])
    started_at = clock.now()
    assert await peer.request(b"\x07") == bytes([0x80, 0x07, 0x01])
    await clock.advance_to(started_at + 1.9)
    assert treadmill.readings().mode == "idle"
    # 2 s reaction, 3 s countdown, then 0.3 km/h per s.
    await clock.advance_to(started_at + 5.0 + 2.0)
    assert treadmill.readings().speed_kmh == pytest.approx(0.6)


def test_every_preset_is_a_set_of_switches_users_can_override() -> None:
    # Sessions run to their end on these today; the rest lie about what the belt does
    # (mph both ways runs the runner 1.6 times faster than asked until it is set up).
    assert COOPERATIVE_PRESETS == (
        "strict",
        "urevo",
        "citysports",
        "matrix",
        "start-before-speed",
        "laggy",
    )
    assert set(PRESETS) - set(COOPERATIVE_PRESETS) == {
        "mph",
        "ignores-speed",
        "mph-commands",
        "ignores-stop",
        "slow-stop",
        "silent-stop",
        "pause-creeps",
        "resume-at-minimum",
        "no-data",
        "console-start",
        "start-toggles",
        "floor-2mph",
        "slow-incline",
        "rejects-incline",
    }
    combined = resolve_quirks("urevo", ["speed_in_mph=true", "reaction_delay_s=2"])
    assert combined.speed_in_mph
    assert combined.padded_machine_status
    assert combined.belt.reaction_delay_s == 2.0
    assert resolve_quirks("laggy", {"acceleration_kmh_per_s": 1.0}).belt.reaction_delay_s == 2.0
    assert resolve_quirks("strict", "mtu=247").mtu == 247


@pytest.mark.parametrize(
    ("preset", "quirks", "message"),
    [
        ("fast", (), "unknown simulator preset 'fast'; valid presets: strict, urevo"),
        ("strict", ("warp=1",), "unknown quirk 'warp'; valid quirks: "),
        ("strict", ("mtu",), "quirk 'mtu' is not NAME=VALUE"),
        ("strict", ("heart_rate=maybe",), "quirk heart_rate takes true or false"),
        ("strict", ("mtu=big",), "quirk mtu takes a number"),
    ],
)
def test_bad_presets_and_quirks_are_input_errors(
    preset: str, quirks: tuple[str, ...], message: str
) -> None:
    with pytest.raises(InputError) as raised:
        SimulatedTreadmill(preset=preset, quirks=quirks)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_elapsed_time_wraps_like_a_uint16_counter_past_18_hours(preset: str) -> None:
    """Encoding 65,536 s failed and ended the notifications; a real console's counter wraps."""
    from retrorun.ftms import encode_treadmill_data  # noqa: PLC0415
    from retrorun_sim import BeltMode, BeltReadings  # noqa: PLC0415
    from retrorun_sim.records import treadmill_record  # noqa: PLC0415

    readings = BeltReadings(
        time_s=70_000.0,
        mode=BeltMode.RUNNING,
        speed_kmh=5.0,
        target_speed_kmh=5.0,
        inclination_pct=0.0,
        target_inclination_pct=0.0,
        distance_m=97_000.0,
        elapsed_time_s=70_000.5,
        energy_kcal=5000.0,
        elevation_gain_m=0.0,
        step_count=100_000.0,
        runner_on_belt=True,
    )
    record = treadmill_record(readings, resolve_quirks(preset), 120.0)
    assert decode_treadmill_data(encode_treadmill_data(record)).elapsed_time_s in (
        70_000 - 65_536,
        None,  # presets whose records carry no elapsed time
    )
