"""Treadmill Data 0x2ACD against real captures, the spec layout, and its own encoder."""

from __future__ import annotations

import pytest

from retrorun.errors import DecodeError, EncodeError
from retrorun.ftms import (
    TreadmillData,
    TreadmillDataAssembler,
    TreadmillDataFlags,
    decode_treadmill_data,
    encode_treadmill_data,
    split_treadmill_data,
)

# A record with every field of bits 0-13 set, laid out by FTMS v1.0 §4.4 (values invented).
FULL = TreadmillData(
    speed_kmh=8.0,
    average_speed_kmh=7.5,
    total_distance_m=1000,
    inclination_pct=2.5,
    ramp_angle_deg=1.4,
    positive_elevation_gain_m=10.0,
    negative_elevation_gain_m=2.0,
    instantaneous_pace_kmpmin=0.1,
    average_pace_kmpmin=0.1,
    total_energy_kcal=100,
    energy_per_hour_kcal=600,
    energy_per_minute_kcal=10,
    heart_rate_bpm=140,
    metabolic_equivalent=8.5,
    elapsed_time_s=600,
    remaining_time_s=60,
    force_on_belt_n=100,
    power_output_w=200,
    step_count=1000,
)


def test_the_issue_example_decodes_to_8_kmh() -> None:
    # FTMS v1.0 §4.4: flags 0x0000 (speed only), speed 0x0320 = 800 x 0.01 km/h.
    record = decode_treadmill_data(bytes.fromhex("00002003"))
    assert record.speed_kmh == 8.0
    assert record.to_json() == {"flags": 0, "speed_kmh": 8.0}


def test_citysports_bit13_step_count_matches_the_console() -> None:
    # hughesjs/FitnessMachine protocol/notes, second capture: console showed 0.03 km,
    # 1 kcal, 1:00 and ~65 steps; flags 0x2484 (field notes §3.1).
    record = decode_treadmill_data(bytes.fromhex("8424aa002100000100ffffff3c00420000"))
    assert record.flags == 0x2484
    assert record.speed_kmh == 1.7
    assert record.total_distance_m == 33
    assert record.total_energy_kcal == 1
    assert record.energy_per_hour_kcal is None
    assert record.energy_per_minute_kcal is None
    assert record.elapsed_time_s == 60
    assert record.step_count == 66
    assert not record.truncated
    assert record.extra_bytes == b""
    assert record.to_json()["energy_per_hour_kcal"] is None


@pytest.mark.parametrize(
    ("data", "speed_kmh", "distance_m", "energy_kcal"),
    [
        # TrackMyIndoorWorkout test/matrix_treadmill_test.dart: flags 0x1B9E/0x1F9E promise
        # ~30 bytes, the treadmill sends 20 (field notes §3.2).
        ([158, 27, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 127, 0, 0, 255, 255, 0, 0, 0], 0.0, 0, 0),
        (
            [158, 31, 81, 0, 178, 0, 88, 0, 0, 0, 0, 255, 127, 0, 0, 255, 255, 12, 0, 151],
            0.81,
            88,
            12,
        ),
        (
            [158, 31, 81, 0, 113, 0, 213, 0, 0, 0, 0, 255, 127, 30, 0, 255, 255, 38, 0, 151],
            0.81,
            213,
            38,
        ),
        (
            [158, 31, 198, 3, 148, 2, 62, 1, 0, 90, 0, 255, 127, 50, 0, 255, 255, 37, 0, 244],
            9.66,
            318,
            37,
        ),
        (
            [158, 31, 198, 3, 118, 3, 184, 5, 0, 0, 0, 255, 127, 60, 0, 255, 255, 169, 0, 92],
            9.66,
            1464,
            169,
        ),
    ],
)
def test_matrix_truncated_records_keep_every_whole_field(
    data: list[int], speed_kmh: float, distance_m: int, energy_kcal: int
) -> None:
    record = decode_treadmill_data(bytes(data))
    assert record.truncated
    assert record.speed_kmh == speed_kmh
    assert record.total_distance_m == distance_m
    assert record.total_energy_kcal == energy_kcal
    # The half-present Energy per Hour and everything after it are missing, not guessed.
    assert record.missing[0] == "energy_per_hour_kcal"
    assert record.heart_rate_bpm is None
    # Matrix puts 0xFFFF in the unsigned Negative Elevation field.
    assert record.negative_elevation_gain_m is None
    assert any("negative_elevation_gain_m" in quirk for quirk in record.quirks)
    as_json = record.to_json()
    assert as_json["truncated"] is True
    assert as_json["flags"] == data[0] | data[1] << 8
    assert "energy_per_hour_kcal" not in as_json
    assert as_json["negative_elevation_gain_m"] is None


@pytest.mark.parametrize(
    ("data", "speed_kmh", "distance_m", "energy_kcal", "elapsed_s", "heart_rate_bpm"),
    [
        # TrackMyIndoorWorkout test/life_fitness_treadmill_test.dart (flags 0x049E/0x059E/
        # 0x0C9E): Life Fitness sends 0x7FFF in Negative Elevation and Ramp Angle.
        (
            [
                158,
                4,
                115,
                2,
                51,
                2,
                37,
                0,
                0,
                60,
                0,
                255,
                127,
                0,
                0,
                255,
                127,
                2,
                0,
                255,
                255,
                255,
                31,
                0,
            ],
            6.27,
            37,
            2,
            31,
            None,
        ),
        (
            [
                158,
                4,
                146,
                1,
                77,
                2,
                122,
                0,
                0,
                130,
                0,
                255,
                127,
                171,
                0,
                255,
                127,
                16,
                0,
                255,
                255,
                255,
                77,
                0,
            ],
            4.02,
            122,
            16,
            77,
            None,
        ),
        (
            [
                158,
                5,
                23,
                5,
                146,
                2,
                251,
                0,
                0,
                0,
                0,
                255,
                127,
                124,
                0,
                255,
                127,
                27,
                0,
                255,
                255,
                255,
                105,
                138,
                0,
            ],
            13.03,
            251,
            27,
            138,
            105,
        ),
        (
            [
                158,
                12,
                80,
                0,
                189,
                2,
                83,
                1,
                0,
                0,
                0,
                255,
                127,
                124,
                0,
                255,
                127,
                35,
                0,
                255,
                255,
                255,
                173,
                0,
                59,
                0,
            ],
            0.8,
            339,
            35,
            173,
            None,
        ),
    ],
)
def test_life_fitness_sentinel_misuse_is_flagged(
    data: list[int],
    speed_kmh: float,
    distance_m: int,
    energy_kcal: int,
    elapsed_s: int,
    heart_rate_bpm: int | None,
) -> None:
    record = decode_treadmill_data(bytes(data))
    assert not record.truncated
    assert record.extra_bytes == b""
    assert record.speed_kmh == speed_kmh
    assert record.total_distance_m == distance_m
    assert record.total_energy_kcal == energy_kcal
    assert record.elapsed_time_s == elapsed_s
    assert record.heart_rate_bpm == heart_rate_bpm
    assert record.ramp_angle_deg is None
    assert "ramp_angle_deg" in record.not_available
    assert record.negative_elevation_gain_m is None
    assert record.quirks == ("negative_elevation_gain_m=0x7FFF used as 'not available'",)


def test_horizon_all_zero_record() -> None:
    # cagnulein/qdomyos-zwift #175 (Horizon treadmill, iOS log): flags 0x0484, all zeros.
    record = decode_treadmill_data(bytes.fromhex("8404000000000000000000000000"))
    assert record.to_json() == {
        "flags": 0x0484,
        "speed_kmh": 0.0,
        "total_distance_m": 0,
        "total_energy_kcal": 0,
        "energy_per_hour_kcal": 0,
        "energy_per_minute_kcal": 0,
        "elapsed_time_s": 0,
    }


def test_trailing_bytes_are_kept() -> None:
    # A strict v1.0 reader of a bit-13 record with bit 13 clear sees 3 stray bytes.
    record = decode_treadmill_data(bytes.fromhex("0000e803414243"))
    assert record.speed_kmh == 10.0
    assert record.extra_bytes == b"ABC"
    assert record.to_json()["extra_bytes"] == "414243"
    assert encode_treadmill_data(record) == bytes.fromhex("0000e803414243")


def test_full_record_is_34_bytes_plus_steps_and_round_trips() -> None:
    data = encode_treadmill_data(FULL)
    assert len(data) == 34 + 3
    assert decode_treadmill_data(data) == FULL
    assert FULL.flags == 0x3FFE


def test_split_fragments_fit_and_reassemble() -> None:
    fragments = split_treadmill_data(FULL)
    assert len(fragments) > 1
    assert all(len(fragment) <= 20 for fragment in fragments)
    for fragment in fragments[:-1]:
        assert decode_treadmill_data(fragment).more_data
    last = decode_treadmill_data(fragments[-1])
    assert not last.more_data
    assert last.speed_kmh == 8.0
    assembler = TreadmillDataAssembler()
    results = [assembler.feed(fragment) for fragment in fragments]
    assert results[:-1] == [None] * (len(fragments) - 1)
    assert results[-1] == FULL


def test_a_short_record_is_not_split() -> None:
    record = TreadmillData(speed_kmh=5.0, total_distance_m=12)
    assert split_treadmill_data(record) == [encode_treadmill_data(record)]


def test_matrix_touch_xl_split_record_merges() -> None:
    # Field notes §3.2: Matrix Touch XL splits correctly, 0x009F then 0x1F00 (values ours).
    first = bytes.fromhex("9f00") + bytes.fromhex("2c01e803001400ff7f0a000000")
    first += bytes.fromhex("0500ffffff")
    second = bytes.fromhex("001fe8038c553c000000ff7fff7f")
    assembler = TreadmillDataAssembler()
    assert assembler.feed(first) is None
    record = assembler.feed(second)
    assert record is not None
    assert record.flags == 0x1F9E
    assert record.speed_kmh == 10.0
    assert record.average_speed_kmh == 3.0
    assert record.heart_rate_bpm == 140
    assert record.force_on_belt_n is None
    assert assembler.pending is None


def test_assembler_drops_a_partial_record_on_reset() -> None:
    first, second = split_treadmill_data(FULL)[:2]
    assembler = TreadmillDataAssembler()
    assert assembler.feed(first) is None
    assembler.reset()
    last = split_treadmill_data(TreadmillData(speed_kmh=3.0))[0]
    assert assembler.feed(last) == TreadmillData(speed_kmh=3.0)
    assert second  # two fragments existed


@pytest.mark.parametrize("data", [b"", b"\x00"])
def test_bytes_without_flags_raise_decode_error(data: bytes) -> None:
    with pytest.raises(DecodeError) as raised:
        decode_treadmill_data(data)
    assert raised.value.characteristic == "treadmill-data"
    assert raised.value.offset == 0


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (TreadmillData(speed_kmh=-0.01), "speed_kmh"),
        (TreadmillData(speed_kmh=655.36), "speed_kmh"),
        (TreadmillData(speed_kmh=float("nan")), "speed_kmh"),
        (TreadmillData(speed_kmh=1.0, inclination_pct=3276.7), "inclination_pct"),
        (TreadmillData(speed_kmh=1.0, inclination_pct=-3276.9), "inclination_pct"),
        (TreadmillData(speed_kmh=1.0, total_distance_m=1 << 24), "total_distance_m"),
        (TreadmillData(speed_kmh=1.0, heart_rate_bpm=256), "heart_rate_bpm"),
        (TreadmillData(speed_kmh=1.0, step_count=-1), "step_count"),
        (TreadmillData(speed_kmh=1.0, total_energy_kcal=0xFFFF), "total_energy_kcal"),
        # Elevation has no "not available" value, so a lone partner cannot be filled in.
        (TreadmillData(speed_kmh=1.0, positive_elevation_gain_m=1.0), "negative_elevation_gain_m"),
        (TreadmillData(speed_kmh=1.0, not_available=frozenset({"nope"})), "not_available"),
    ],
)
def test_encoder_refuses_values_off_the_wire(record: TreadmillData, field: str) -> None:
    with pytest.raises(EncodeError) as raised:
        encode_treadmill_data(record)
    assert raised.value.field == field


def test_lone_inclination_gets_ramp_angle_not_available() -> None:
    data = encode_treadmill_data(TreadmillData(speed_kmh=1.0, inclination_pct=-2.0))
    assert data == bytes.fromhex("08006400ecffff7f")
    assert decode_treadmill_data(data).to_json()["ramp_angle_deg"] is None


def test_flags_follow_the_fields() -> None:
    assert TreadmillData().flags == TreadmillDataFlags.MORE_DATA
    assert TreadmillData(speed_kmh=1.0, heart_rate_bpm=90).flags == TreadmillDataFlags.HEART_RATE


def test_technogym_myrun_more_data_pair_merges() -> None:
    # TrackMyIndoorWorkout test/technogym_myrun_test.dart: 0x001F (More Data) then 0x0680.
    first = bytes([31, 0, 132, 1, 42, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0])
    second = bytes([128, 6, 78, 2, 2, 0, 255, 255, 255, 55, 39, 0])
    fragment = decode_treadmill_data(first)
    assert fragment.more_data
    assert "speed_kmh" not in fragment.to_json()
    assert fragment.average_speed_kmh == 3.88
    assert fragment.total_distance_m == 42
    assembler = TreadmillDataAssembler()
    assert assembler.feed(first) is None
    record = assembler.feed(second)
    assert record is not None
    assert record.flags == 0x069E
    assert record.speed_kmh == 5.9
    assert record.total_distance_m == 42
    assert record.positive_elevation_gain_m == 0.1
    assert record.total_energy_kcal == 2
    assert record.energy_per_hour_kcal is None
    assert record.metabolic_equivalent == 5.5
    assert record.elapsed_time_s == 39
    assert not record.truncated
