"""Fitness Machine Control Point 0x2AD9 (FTMS v1.0 §4.16).

The client writes a request: an op code (uint8) and its parameter. The server answers with an
indication ``0x80, request op code, result code [, response parameter]`` (Urevo sends it as a
notification; the bytes are the same). `decode_control_point` reads bytes starting with 0x80
as a response and anything else as a request, which is how the simulator (server side) and
`retrorun ftms decode` use it; the client side reads responses with
`decode_control_point_response`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from retrorun.errors import DecodeError
from retrorun.ftms._params import (
    NO_PARAMETER,
    OpRecord,
    ParamSpec,
    as_member,
    code_name,
)
from retrorun.ftms._params import StopPause as StopPause  # noqa: PLC0414 - public here
from retrorun.ftms._record import tolerance_json
from retrorun.ftms._wire import Reader, Writer, s16, u8, u16, u24

CHARACTERISTIC = "control-point"
_OP = u8("op_code")
_RESULT = u8("result_code")


class OpCode(IntEnum):
    """Control point op codes (FTMS v1.0 §4.16.1, Table 4.15)."""

    REQUEST_CONTROL = 0x00
    RESET = 0x01
    SET_TARGET_SPEED = 0x02
    SET_TARGET_INCLINATION = 0x03
    SET_TARGET_RESISTANCE_LEVEL = 0x04
    SET_TARGET_POWER = 0x05
    SET_TARGET_HEART_RATE = 0x06
    START_OR_RESUME = 0x07
    STOP_OR_PAUSE = 0x08
    SET_TARGETED_EXPENDED_ENERGY = 0x09
    SET_TARGETED_STEPS = 0x0A
    SET_TARGETED_STRIDES = 0x0B
    SET_TARGETED_DISTANCE = 0x0C
    SET_TARGETED_TRAINING_TIME = 0x0D
    SET_TARGETED_TIME_IN_TWO_HR_ZONES = 0x0E
    SET_TARGETED_TIME_IN_THREE_HR_ZONES = 0x0F
    SET_TARGETED_TIME_IN_FIVE_HR_ZONES = 0x10
    SET_INDOOR_BIKE_SIMULATION = 0x11
    SET_WHEEL_CIRCUMFERENCE = 0x12
    SPIN_DOWN_CONTROL = 0x13
    SET_TARGETED_CADENCE = 0x14
    RESPONSE_CODE = 0x80


class ResultCode(IntEnum):
    """Result codes of the response (FTMS v1.0 §4.16.2, Table 4.24)."""

    SUCCESS = 0x01
    OP_CODE_NOT_SUPPORTED = 0x02
    INVALID_PARAMETER = 0x03
    OPERATION_FAILED = 0x04
    CONTROL_NOT_PERMITTED = 0x05


def op_code_name(code: int) -> str:
    """The snake_case name of a control point op code, or ``reserved``."""
    return code_name(OpCode, code)


def result_code_name(code: int) -> str:
    return code_name(ResultCode, code)


_REQUEST_PARAMETERS: dict[int, ParamSpec] = {
    OpCode.SET_TARGET_SPEED: ParamSpec(u16("target_speed_kmh", 100)),
    OpCode.SET_TARGET_INCLINATION: ParamSpec(s16("target_inclination_pct", 10)),
    # uint8 x 0.1 as the v1.0 PDF has it (pyftms encodes sint16; field notes §2.5).
    OpCode.SET_TARGET_RESISTANCE_LEVEL: ParamSpec(u8("target_resistance_level", 10)),
    OpCode.SET_TARGET_POWER: ParamSpec(s16("target_power_w")),
    OpCode.SET_TARGET_HEART_RATE: ParamSpec(u8("target_heart_rate_bpm")),
    OpCode.STOP_OR_PAUSE: ParamSpec(u8("stop_pause")),
    OpCode.SET_TARGETED_EXPENDED_ENERGY: ParamSpec(u16("targeted_energy_kcal")),
    OpCode.SET_TARGETED_STEPS: ParamSpec(u16("targeted_steps")),
    OpCode.SET_TARGETED_STRIDES: ParamSpec(u16("targeted_strides")),
    OpCode.SET_TARGETED_DISTANCE: ParamSpec(u24("targeted_distance_m")),
    OpCode.SET_TARGETED_TRAINING_TIME: ParamSpec(u16("targeted_training_time_s")),
    OpCode.SET_TARGETED_TIME_IN_TWO_HR_ZONES: ParamSpec(zones=2),
    OpCode.SET_TARGETED_TIME_IN_THREE_HR_ZONES: ParamSpec(zones=3),
    OpCode.SET_TARGETED_TIME_IN_FIVE_HR_ZONES: ParamSpec(zones=5),
    OpCode.SET_INDOOR_BIKE_SIMULATION: ParamSpec(raw=True),
    OpCode.SET_WHEEL_CIRCUMFERENCE: ParamSpec(u16("wheel_circumference_mm", 10)),
    OpCode.SPIN_DOWN_CONTROL: ParamSpec(u8("spin_down_control")),
    OpCode.SET_TARGETED_CADENCE: ParamSpec(u16("targeted_cadence_per_min", 2)),
}


def request_parameter_spec(op_code: int) -> ParamSpec:
    """The parameter format of a request op (reserved ops: none; their bytes are extra)."""
    return _REQUEST_PARAMETERS.get(op_code, NO_PARAMETER)


@dataclass(frozen=True, slots=True)
class ControlPointRequest(OpRecord):
    """A request written to the control point (fields: see `OpRecord`)."""

    OPS = OpCode
    STOP_PAUSE_OP = OpCode.STOP_OR_PAUSE
    CHARACTERISTIC = CHARACTERISTIC

    @classmethod
    def spec(cls, op_code: int) -> ParamSpec:
        return request_parameter_spec(op_code)

    @property
    def op_code_name(self) -> str:
        return op_code_name(self.op_code)

    @property
    def target_speed_kmh(self) -> float | None:
        return self._value_if(OpCode.SET_TARGET_SPEED)

    @property
    def target_inclination_pct(self) -> float | None:
        return self._value_if(OpCode.SET_TARGET_INCLINATION)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"op_code": int(self.op_code), "op_code_name": self.op_code_name}
        out.update(self.parameter_json())
        return out


@dataclass(frozen=True, slots=True)
class ControlPointResponse:
    """The server's answer ``0x80, request_op_code, result_code [, response_parameter]``.

    Only Spin Down Control has a response parameter (§4.16.2.20); bytes after the result of
    any other op are `extra_bytes`.
    """

    request_op_code: int
    result_code: int
    response_parameter: bytes = b""
    extra_bytes: bytes = b""

    @property
    def succeeded(self) -> bool:
        return self.result_code == ResultCode.SUCCESS

    @property
    def request_op_code_name(self) -> str:
        return op_code_name(self.request_op_code)

    @property
    def result_code_name(self) -> str:
        return result_code_name(self.result_code)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "op_code": int(OpCode.RESPONSE_CODE),
            "op_code_name": op_code_name(OpCode.RESPONSE_CODE),
            "request_op_code": int(self.request_op_code),
            "request_op_code_name": self.request_op_code_name,
            "result_code": int(self.result_code),
            "result_code_name": self.result_code_name,
        }
        if self.response_parameter:
            out["response_parameter"] = self.response_parameter.hex()
        out.update(tolerance_json(extra_bytes=self.extra_bytes))
        return out


def decode_control_point_request(data: bytes) -> ControlPointRequest:
    """Decode a request. Empty bytes raise `DecodeError`; a short parameter is `truncated`."""
    return ControlPointRequest.decode(data)


def decode_control_point_response(data: bytes) -> ControlPointResponse:
    """Decode a response; anything but ``80 op result ...`` raises `DecodeError`."""
    reader = Reader(data)
    op = reader.raw(_OP)
    if op != OpCode.RESPONSE_CODE:
        found = "nothing" if op is None else f"0x{op:02X}"
        raise DecodeError(CHARACTERISTIC, 0, f"a response starts with 0x80, found {found}")
    request_op, result = reader.raw(_OP), reader.raw(_RESULT)
    if request_op is None or result is None:
        raise DecodeError(CHARACTERISTIC, len(data), "a response needs a request op and a result")
    rest = reader.rest()
    spin_down = request_op == OpCode.SPIN_DOWN_CONTROL
    return ControlPointResponse(
        as_member(OpCode, request_op),
        as_member(ResultCode, result),
        response_parameter=rest if spin_down else b"",
        extra_bytes=b"" if spin_down else rest,
    )


def decode_control_point(data: bytes) -> ControlPointRequest | ControlPointResponse:
    """A response when ``data`` starts with 0x80, else a request."""
    if data[:1] == bytes([OpCode.RESPONSE_CODE]):
        return decode_control_point_response(data)
    return decode_control_point_request(data)


def encode_control_point(record: ControlPointRequest | ControlPointResponse) -> bytes:
    """The bytes of a request or a response; values outside the wire range raise."""
    writer = Writer()
    if isinstance(record, ControlPointResponse):
        writer.value(_OP, OpCode.RESPONSE_CODE)
        writer.value(_OP, record.request_op_code)
        writer.value(_RESULT, record.result_code)
        writer.extend(record.response_parameter + record.extra_bytes)
        return writer.getvalue()
    return record.encode()


# Requests a treadmill client sends, spelled as calls.
def request_control() -> ControlPointRequest:
    return ControlPointRequest(OpCode.REQUEST_CONTROL)


def reset() -> ControlPointRequest:
    return ControlPointRequest(OpCode.RESET)


def set_target_speed(speed_kmh: float) -> ControlPointRequest:
    return ControlPointRequest(OpCode.SET_TARGET_SPEED, speed_kmh)


def set_target_inclination(inclination_pct: float) -> ControlPointRequest:
    return ControlPointRequest(OpCode.SET_TARGET_INCLINATION, inclination_pct)


def start_or_resume() -> ControlPointRequest:
    return ControlPointRequest(OpCode.START_OR_RESUME)


def stop_or_pause(which: StopPause) -> ControlPointRequest:
    return ControlPointRequest(OpCode.STOP_OR_PAUSE, int(which))


def set_targeted_distance(distance_m: int) -> ControlPointRequest:
    return ControlPointRequest(OpCode.SET_TARGETED_DISTANCE, distance_m)


def set_targeted_training_time(time_s: int) -> ControlPointRequest:
    return ControlPointRequest(OpCode.SET_TARGETED_TRAINING_TIME, time_s)


def response(request_op_code: int, result_code: int) -> ControlPointResponse:
    """The server's answer to ``request_op_code`` (for the simulator)."""
    return ControlPointResponse(request_op_code, result_code)
