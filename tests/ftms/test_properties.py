"""Properties: every record survives encode -> decode, and no bytes crash a decoder."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from hypothesis import given
from hypothesis import strategies as st

from retrorun.errors import DecodeError
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
    ServiceData,
    SpeedRange,
    TargetSettingFeature,
    TrainingStatus,
    TreadmillData,
    TreadmillDataAssembler,
    decode,
    decode_service_data,
    encode,
    split_treadmill_data,
)
from retrorun.ftms.control_point import request_parameter_spec
from retrorun.ftms.machine_status import status_parameter_spec
from retrorun.ftms.treadmill_data import _GROUPS, TreadmillDataFlags

if TYPE_CHECKING:
    from retrorun.ftms._params import ParamSpec
    from retrorun.ftms._wire import WireField


def wire_values(field: WireField) -> st.SearchStrategy[float | int]:
    """Every value the field can carry (all on its resolution grid)."""
    return st.integers(field.raw_min, field.raw_max).map(field.scale)


@st.composite
def treadmill_records(draw: st.DrawFn, *, with_speed: bool | None = None) -> TreadmillData:
    values: dict[str, object] = {}
    not_available: set[str] = set()
    for flag, fields in _GROUPS:
        if flag is TreadmillDataFlags.MORE_DATA and with_speed is not None:
            present = with_speed
        else:
            present = draw(st.booleans())
        if not present:
            continue
        for field in fields:
            if field.not_available is not None and draw(st.booleans()):
                not_available.add(field.name)
            else:
                values[field.name] = draw(wire_values(field))
    return TreadmillData(**values, not_available=frozenset(not_available))  # type: ignore[arg-type]


@given(treadmill_records())
def test_treadmill_data_round_trip(record: TreadmillData) -> None:
    data = encode(record)
    assert decode(Characteristic.TREADMILL_DATA, data) == record
    assert encode(decode(Characteristic.TREADMILL_DATA, data)) == data


@given(treadmill_records(with_speed=True), st.integers(7, 40))
def test_split_then_assemble_gives_the_record_back(record: TreadmillData, size: int) -> None:
    assembler = TreadmillDataAssembler()
    fragments = split_treadmill_data(record, size)
    assert all(len(fragment) <= size for fragment in fragments)
    results = [assembler.feed(fragment) for fragment in fragments]
    assert results[-1] == record
    assert all(result is None for result in results[:-1])


def op_parameters(spec: ParamSpec) -> st.SearchStrategy[dict[str, object]]:
    if spec.field is not None:
        return wire_values(spec.field).map(lambda value: {"value": value})
    if spec.zones:
        zones = st.lists(st.integers(0, 0xFFFF), min_size=spec.zones, max_size=spec.zones)
        return zones.map(lambda z: {"zones_s": tuple(z)})
    if spec.raw:
        return st.binary(max_size=6).map(lambda raw: {"parameter": raw})
    return st.just({})


@st.composite
def requests(draw: st.DrawFn) -> ControlPointRequest:
    op = draw(st.integers(0, 0x7F) | st.integers(0x81, 0xFF))
    fields = draw(op_parameters(request_parameter_spec(op)))
    spec = request_parameter_spec(op)
    if spec.name is None:
        fields["extra_bytes"] = draw(st.binary(max_size=3))
    return ControlPointRequest(op, **fields)  # type: ignore[arg-type]


@st.composite
def statuses(draw: st.DrawFn) -> MachineStatus:
    op = draw(st.integers(0, 0xFF))
    fields = draw(op_parameters(status_parameter_spec(op)))
    return MachineStatus(op, **fields)  # type: ignore[arg-type]


@st.composite
def responses(draw: st.DrawFn) -> ControlPointResponse:
    op = draw(st.integers(0, 0xFF))
    spin_down = op == OpCode.SPIN_DOWN_CONTROL
    tail = draw(st.binary(max_size=4))
    return ControlPointResponse(
        op,
        draw(st.integers(0, 0xFF)),
        response_parameter=tail if spin_down else b"",
        extra_bytes=b"" if spin_down else tail,
    )


@st.composite
def heart_rates(draw: st.DrawFn) -> HeartRateMeasurement:
    wide = draw(st.booleans())
    rr = draw(st.lists(st.integers(0, 0xFFFF).map(lambda raw: raw / 1024), max_size=8))
    has_rr = bool(rr) or draw(st.booleans())
    return HeartRateMeasurement(
        draw(st.integers(0, 0xFFFF if wide else 0xFF)),
        sensor_contact=draw(st.none() | st.booleans()),
        energy_expended_kj=draw(st.none() | st.integers(0, 0xFFFF)),
        rr_intervals_s=tuple(rr),
        uint16_heart_rate=wide,
        rr_intervals_present=has_rr,
        rfu_flags=draw(st.sampled_from([0, 0x20, 0xE0])),
        extra_bytes=b"" if has_rr else draw(st.binary(max_size=3)),
    )


def range_values(signed: bool) -> st.SearchStrategy[int]:
    return st.integers(-0x8000, 0x7FFF) if signed else st.integers(0, 0xFFFF)


RECORDS = st.one_of(
    treadmill_records(),
    requests(),
    responses(),
    statuses(),
    heart_rates(),
    st.builds(
        FitnessMachineFeature,
        st.integers(0, 0xFFFFFFFF).map(MachineFeature),
        st.integers(0, 0xFFFFFFFF).map(TargetSettingFeature),
        extra_bytes=st.binary(max_size=3),
    ),
    st.builds(
        TrainingStatus,
        st.integers(0, 0xFF),
        st.none() | st.text(max_size=12),
        extended_string=st.booleans(),
        rfu_flags=st.integers(0, 0x3F).map(lambda bits: bits << 2),
    ),
    st.builds(
        SpeedRange,
        range_values(signed=False).map(lambda raw: raw / 100),
        range_values(signed=False).map(lambda raw: raw / 100),
        range_values(signed=False).map(lambda raw: raw / 100),
        st.binary(max_size=3),
    ),
    st.builds(
        InclinationRange,
        range_values(signed=True).map(lambda raw: raw / 10),
        range_values(signed=True).map(lambda raw: raw / 10),
        range_values(signed=False).map(lambda raw: raw / 10),
        st.binary(max_size=3),
    ),
)

CHARACTERISTIC_OF = {
    TreadmillData: Characteristic.TREADMILL_DATA,
    ControlPointRequest: Characteristic.CONTROL_POINT,
    ControlPointResponse: Characteristic.CONTROL_POINT,
    MachineStatus: Characteristic.MACHINE_STATUS,
    HeartRateMeasurement: Characteristic.HEART_RATE_MEASUREMENT,
    FitnessMachineFeature: Characteristic.FEATURE,
    TrainingStatus: Characteristic.TRAINING_STATUS,
    SpeedRange: Characteristic.SPEED_RANGE,
    InclinationRange: Characteristic.INCLINATION_RANGE,
}


@given(RECORDS)
def test_every_record_round_trips(record: object) -> None:
    data = encode(record)  # type: ignore[arg-type]
    decoded = decode(CHARACTERISTIC_OF[type(record)], data)
    assert decoded == record
    assert encode(decoded) == data
    json.dumps(decoded.to_json())


@given(
    st.builds(
        ServiceData,
        st.booleans(),
        st.integers(0, 0xFFFF).map(MachineType),
        rfu_flags=st.integers(0, 0x7F).map(lambda bits: bits << 1),
        extra_bytes=st.binary(max_size=3),
    )
)
def test_service_data_round_trips(record: ServiceData) -> None:
    assert decode_service_data(encode(record)) == record


@given(st.sampled_from(list(Characteristic)), st.binary(max_size=48))
def test_any_bytes_decode_or_raise_decode_error(
    characteristic: Characteristic, data: bytes
) -> None:
    error: DecodeError | None = None
    try:
        json.dumps(decode(characteristic, data).to_json())
    except DecodeError as exc:
        error = exc
    if error is not None:
        assert error.characteristic == characteristic.cli_name
        assert 0 <= error.offset <= len(data)


@given(st.lists(st.binary(min_size=2, max_size=24), max_size=6))
def test_assembler_never_raises_on_whole_flag_words(notifications: list[bytes]) -> None:
    assembler = TreadmillDataAssembler()
    for data in notifications:
        record = assembler.feed(data)
        assert record is None or not record.more_data


@given(st.binary(max_size=8))
def test_service_data_bytes_decode_or_raise_decode_error(data: bytes) -> None:
    try:
        decode_service_data(data)
    except DecodeError:
        assert data == b""
