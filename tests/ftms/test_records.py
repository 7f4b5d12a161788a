"""The small characteristics: vectors from real captures and the spec, plus must-raise tables."""

from __future__ import annotations

import pytest

from retrorun.errors import DecodeError, EncodeError, InputError
from retrorun.ftms import (
    Characteristic,
    ControlPointRequest,
    ControlPointResponse,
    FitnessMachineFeature,
    HeartRateMeasurement,
    InclinationRange,
    MachineFeature,
    MachineStatus,
    MachineType,
    OpCode,
    ResultCode,
    ServiceData,
    SpeedRange,
    StatusOpCode,
    StopPause,
    TargetSettingFeature,
    TrainingStatus,
    TrainingStatusCode,
    decode,
    decode_control_point_response,
    decode_service_data,
    encode,
    resolve_characteristic,
    set_target_speed,
    stop_or_pause,
)


@pytest.mark.parametrize(
    ("characteristic", "hex_bytes", "expected"),
    [
        # Urevo E1L via blak3r/treadspan capture (field notes §3.5, §3.6).
        (
            "machine-status",
            "040000",
            {"op_code": 4, "status": "started_or_resumed_by_user", "extra_bytes": "0000"},
        ),
        (
            "machine-status",
            "020200",
            {
                "op_code": 2,
                "status": "stopped_or_paused_by_user",
                "stop_pause": 2,
                "stop_pause_name": "pause",
                "extra_bytes": "00",
            },
        ),
        (
            "control-point",
            "800301",
            {
                "op_code": 0x80,
                "op_code_name": "response_code",
                "request_op_code": 3,
                "request_op_code_name": "set_target_inclination",
                "result_code": 1,
                "result_code_name": "success",
            },
        ),
        # Urevo accepts incline 7.0 % although it does not announce the target (§3.7).
        (
            "control-point",
            "034600",
            {
                "op_code": 3,
                "op_code_name": "set_target_inclination",
                "target_inclination_pct": 7.0,
            },
        ),
        # hughesjs/FitnessMachine protocol/README.md: CITYSPORTS Stop is `08 01`.
        (
            "control-point",
            "0801",
            {
                "op_code": 8,
                "op_code_name": "stop_or_pause",
                "stop_pause": 1,
                "stop_pause_name": "stop",
            },
        ),
        # Urevo sends reserved training status codes 0x10/0x11 (field notes §3.4).
        (
            "training-status",
            "0011",
            {
                "flags": 0,
                "status_code": 0x11,
                "status": "reserved",
            },
        ),
        # CITYSPORTS / FS-6041F1: string flag with an empty string (field notes §3.4).
        (
            "training-status",
            "0101",
            {
                "flags": 1,
                "status_code": 1,
                "status": "idle",
                "string": "",
            },
        ),
        # CITYSPORTS: increment 0x0032 (field notes §2.4), 1.0 km/h minimum (§3.10), and the
        # 6.0 km/h top of hughesjs/FitnessMachine protocol/notes; bytes laid out per §4.11.
        (
            "speed-range",
            "640058023200",
            {"min_speed_kmh": 1.0, "max_speed_kmh": 6.0, "min_increment_kmh": 0.5},
        ),
        # JTX Sprint 8 reads all zeros (QZ #2523): decodes, the caller must cope.
        (
            "inclination-range",
            "000000000000",
            {"min_inclination_pct": 0.0, "max_inclination_pct": 0.0, "min_increment_pct": 0.0},
        ),
        # adidas T-800 (QZ #5113) reports -6 % to 40 % in 1 % steps; bytes laid out per §4.12.
        (
            "inclination-range",
            "c4ff90010a00",
            {"min_inclination_pct": -6.0, "max_inclination_pct": 40.0, "min_increment_pct": 1.0},
        ),
    ],
)
def test_real_world_vectors(
    characteristic: str, hex_bytes: str, expected: dict[str, object]
) -> None:
    record = decode(characteristic, bytes.fromhex(hex_bytes))
    assert record.to_json() == expected


def test_feature_words() -> None:
    # FTMS v1.0 §4.3: average speed + total distance + inclination; targets speed + incline.
    record = decode("feature", bytes.fromhex("0d00000003000000"))
    assert isinstance(record, FitnessMachineFeature)
    assert MachineFeature.INCLINATION in record.machine_features
    assert record.target_settings == TargetSettingFeature.SPEED | TargetSettingFeature.INCLINATION
    assert record.to_json()["target_setting_names"] == ["speed", "inclination"]
    assert encode(record) == bytes.fromhex("0d00000003000000")


def test_service_data_of_a_treadmill() -> None:
    # FTMS v1.0 §3.1: available, type treadmill.
    record = decode_service_data(bytes.fromhex("010100"))
    assert record == ServiceData(available=True, machine_types=MachineType.TREADMILL)
    assert record.is_treadmill
    assert encode(record) == bytes.fromhex("010100")


def test_heart_rate_with_rr_intervals() -> None:
    # Heart Rate Service §3.1: flags 0x16 (contact supported+detected, RR), 72 bpm, RR 1.0 s.
    record = decode("heart-rate-measurement", bytes.fromhex("16480004"))
    assert record == HeartRateMeasurement(
        72, sensor_contact=True, rr_intervals_s=(1.0,), rr_intervals_present=True
    )
    assert encode(record) == bytes.fromhex("16480004")


def test_response_for_the_wrong_bytes_raises() -> None:
    with pytest.raises(DecodeError):
        decode_control_point_response(bytes.fromhex("0201"))
    with pytest.raises(DecodeError):
        decode_control_point_response(bytes.fromhex("8003"))


@pytest.mark.parametrize(
    "characteristic",
    [c.cli_name for c in Characteristic],
)
def test_empty_bytes_are_not_a_record(characteristic: str) -> None:
    with pytest.raises(DecodeError):
        decode(characteristic, b"")


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (set_target_speed(-1.0), "target_speed_kmh"),
        (set_target_speed(700.0), "target_speed_kmh"),
        (ControlPointRequest(OpCode.SET_TARGET_INCLINATION, 3300.0), "target_inclination_pct"),
        (ControlPointRequest(OpCode.SET_TARGET_SPEED), "target_speed_kmh"),
        (ControlPointRequest(OpCode.SET_TARGETED_DISTANCE, 1 << 24), "targeted_distance_m"),
        (ControlPointRequest(0x100), "op_code"),
        (ControlPointResponse(OpCode.SET_TARGET_SPEED, 0x100), "result_code"),
        (MachineStatus(StatusOpCode.TARGET_SPEED_CHANGED, -0.5), "new_target_speed_kmh"),
        (SpeedRange(1.0, 700.0, 0.1), "max_speed_kmh"),
        (InclinationRange(-3300.0, 15.0, 0.5), "min_inclination_pct"),
        (InclinationRange(0.0, 15.0, -0.5), "min_increment_pct"),
        (TrainingStatus(0x100), "status_code"),
        (HeartRateMeasurement(300), "heart_rate_bpm"),
    ],
)
def test_encoders_refuse_values_off_the_wire(record: object, field: str) -> None:
    with pytest.raises(EncodeError) as raised:
        encode(record)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_builders_encode_what_treadmills_expect() -> None:
    # hughesjs/FitnessMachine protocol/README.md: Set Speed is `02 XX XX`, speed x 100.
    assert encode(set_target_speed(6.0)) == bytes.fromhex("025802")
    assert encode(stop_or_pause(StopPause.PAUSE)) == bytes.fromhex("0802")
    assert encode(ControlPointResponse(OpCode.RESET, ResultCode.SUCCESS)) == bytes.fromhex("800101")
    assert encode(TrainingStatus(TrainingStatusCode.IDLE)) == bytes.fromhex("0001")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("treadmill-data", Characteristic.TREADMILL_DATA),
        ("2acd", Characteristic.TREADMILL_DATA),
        ("0x2ACD", Characteristic.TREADMILL_DATA),
        ("00002ad9-0000-1000-8000-00805f9b34fb", Characteristic.CONTROL_POINT),
        ("00002AD9-0000-1000-8000-00805F9B34FB", Characteristic.CONTROL_POINT),
        ("heart-rate-measurement", Characteristic.HEART_RATE_MEASUREMENT),
        ("2a37", Characteristic.HEART_RATE_MEASUREMENT),
    ],
)
def test_characteristic_names_and_uuids_resolve(text: str, expected: Characteristic) -> None:
    assert resolve_characteristic(text) is expected


@pytest.mark.parametrize("text", ["treadmill", "2a00", "1826", "0000xxxx", ""])
def test_unknown_characteristic_lists_the_names(text: str) -> None:
    with pytest.raises(InputError) as raised:
        resolve_characteristic(text)
    assert "treadmill-data" in str(raised.value)


def test_uuid_strings() -> None:
    assert Characteristic.TREADMILL_DATA.uuid == "00002acd-0000-1000-8000-00805f9b34fb"


def test_bleak_bytearrays_decode_like_bytes() -> None:
    # bleak hands notification values over as bytearray.
    assert decode("treadmill-data", bytearray.fromhex("00002003")) == decode(
        "treadmill-data", bytes.fromhex("00002003")
    )
    assert decode("control-point", bytearray.fromhex("800301")) == ControlPointResponse(3, 1)
