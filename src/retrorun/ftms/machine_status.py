"""Fitness Machine Status 0x2ADA (FTMS v1.0 §4.17, Table 4.26).

An op code and its parameter. The server notifies changes made on its own console to every
client, and changes made by one client to the others. Urevo pads its records with zeros
(``04 00 00``, ``02 02 00``; field notes §3.5): the padding decodes as `extra_bytes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from retrorun.errors import DecodeError
from retrorun.ftms._params import (
    NO_PARAMETER,
    Parameter,
    ParamSpec,
    parameter_json,
    read_parameter,
    write_parameter,
)
from retrorun.ftms._record import tolerance_json
from retrorun.ftms._wire import Reader, Writer, s16, u8, u16, u24
from retrorun.ftms.control_point import StopPause, stop_pause_json

CHARACTERISTIC = "machine-status"
_OP = u8("op_code")


class StatusOpCode(IntEnum):
    """Fitness Machine Status op codes (FTMS v1.0 §4.17, Table 4.26)."""

    RESET = 0x01
    STOPPED_OR_PAUSED_BY_USER = 0x02
    STOPPED_BY_SAFETY_KEY = 0x03
    STARTED_OR_RESUMED_BY_USER = 0x04
    TARGET_SPEED_CHANGED = 0x05
    TARGET_INCLINE_CHANGED = 0x06
    TARGET_RESISTANCE_LEVEL_CHANGED = 0x07
    TARGET_POWER_CHANGED = 0x08
    TARGET_HEART_RATE_CHANGED = 0x09
    TARGETED_EXPENDED_ENERGY_CHANGED = 0x0A
    TARGETED_STEPS_CHANGED = 0x0B
    TARGETED_STRIDES_CHANGED = 0x0C
    TARGETED_DISTANCE_CHANGED = 0x0D
    TARGETED_TRAINING_TIME_CHANGED = 0x0E
    TARGETED_TIME_IN_TWO_HR_ZONES_CHANGED = 0x0F
    TARGETED_TIME_IN_THREE_HR_ZONES_CHANGED = 0x10
    TARGETED_TIME_IN_FIVE_HR_ZONES_CHANGED = 0x11
    INDOOR_BIKE_SIMULATION_PARAMETERS_CHANGED = 0x12
    WHEEL_CIRCUMFERENCE_CHANGED = 0x13
    SPIN_DOWN_STATUS = 0x14
    TARGETED_CADENCE_CHANGED = 0x15
    CONTROL_PERMISSION_LOST = 0xFF


_PARAMETERS: dict[int, ParamSpec] = {
    StatusOpCode.STOPPED_OR_PAUSED_BY_USER: ParamSpec(u8("stop_pause")),
    StatusOpCode.TARGET_SPEED_CHANGED: ParamSpec(u16("new_target_speed_kmh", 100)),
    StatusOpCode.TARGET_INCLINE_CHANGED: ParamSpec(s16("new_target_inclination_pct", 10)),
    StatusOpCode.TARGET_RESISTANCE_LEVEL_CHANGED: ParamSpec(u8("new_target_resistance_level", 10)),
    StatusOpCode.TARGET_POWER_CHANGED: ParamSpec(s16("new_target_power_w")),
    StatusOpCode.TARGET_HEART_RATE_CHANGED: ParamSpec(u8("new_target_heart_rate_bpm")),
    StatusOpCode.TARGETED_EXPENDED_ENERGY_CHANGED: ParamSpec(u16("new_targeted_energy_kcal")),
    StatusOpCode.TARGETED_STEPS_CHANGED: ParamSpec(u16("new_targeted_steps")),
    StatusOpCode.TARGETED_STRIDES_CHANGED: ParamSpec(u16("new_targeted_strides")),
    StatusOpCode.TARGETED_DISTANCE_CHANGED: ParamSpec(u24("new_targeted_distance_m")),
    StatusOpCode.TARGETED_TRAINING_TIME_CHANGED: ParamSpec(u16("new_targeted_training_time_s")),
    StatusOpCode.TARGETED_TIME_IN_TWO_HR_ZONES_CHANGED: ParamSpec(zones=2),
    StatusOpCode.TARGETED_TIME_IN_THREE_HR_ZONES_CHANGED: ParamSpec(zones=3),
    StatusOpCode.TARGETED_TIME_IN_FIVE_HR_ZONES_CHANGED: ParamSpec(zones=5),
    StatusOpCode.INDOOR_BIKE_SIMULATION_PARAMETERS_CHANGED: ParamSpec(raw=True),
    StatusOpCode.WHEEL_CIRCUMFERENCE_CHANGED: ParamSpec(u16("new_wheel_circumference_mm", 10)),
    StatusOpCode.SPIN_DOWN_STATUS: ParamSpec(u8("spin_down_status")),
    StatusOpCode.TARGETED_CADENCE_CHANGED: ParamSpec(u16("new_targeted_cadence_per_min", 2)),
}


def status_parameter_spec(op_code: int) -> ParamSpec:
    return _PARAMETERS.get(op_code, NO_PARAMETER)


def status_op_name(code: int) -> str:
    member = StatusOpCode._value2member_map_.get(code)
    return member.name.lower() if member is not None and member.name else "reserved"


@dataclass(frozen=True, slots=True)
class MachineStatus:
    """One Fitness Machine Status notification; `value` is the op's single parameter."""

    op_code: int
    value: float | None = None
    zones_s: tuple[int, ...] = ()
    parameter: bytes = b""
    truncated: bool = False
    extra_bytes: bytes = b""

    @property
    def status(self) -> str:
        """The op's snake_case name, e.g. ``target_speed_changed``, or ``reserved``."""
        return status_op_name(self.op_code)

    @property
    def parameter_name(self) -> str | None:
        return status_parameter_spec(self.op_code).name

    @property
    def new_target_speed_kmh(self) -> float | None:
        return self.value if self.op_code == StatusOpCode.TARGET_SPEED_CHANGED else None

    @property
    def new_target_inclination_pct(self) -> float | None:
        return self.value if self.op_code == StatusOpCode.TARGET_INCLINE_CHANGED else None

    @property
    def stop_pause(self) -> StopPause | int | None:
        if self.op_code != StatusOpCode.STOPPED_OR_PAUSED_BY_USER or self.value is None:
            return None
        raw = int(self.value)
        return StopPause(raw) if raw in StopPause._value2member_map_ else raw

    def _parameter(self) -> Parameter:
        return Parameter(self.value, self.zones_s, self.parameter, self.truncated, self.extra_bytes)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"op_code": int(self.op_code), "status": self.status}
        out.update(parameter_json(status_parameter_spec(self.op_code), self._parameter()))
        if self.op_code == StatusOpCode.STOPPED_OR_PAUSED_BY_USER:
            out.update(stop_pause_json(self.value))
        out.update(tolerance_json(truncated=self.truncated, extra_bytes=self.extra_bytes))
        return out


def decode_machine_status(data: bytes) -> MachineStatus:
    """Decode 0x2ADA. Empty bytes raise `DecodeError`; padding is kept as `extra_bytes`."""
    reader = Reader(data)
    op = reader.raw(_OP)
    if op is None:
        raise DecodeError(CHARACTERISTIC, 0, "empty: no op code")
    parameter = read_parameter(status_parameter_spec(op), reader)
    code: int = StatusOpCode(op) if op in StatusOpCode._value2member_map_ else op
    return MachineStatus(
        code,
        parameter.value,
        parameter.zones_s,
        parameter.raw,
        parameter.truncated,
        parameter.extra_bytes,
    )


def encode_machine_status(record: MachineStatus) -> bytes:
    writer = Writer()
    writer.value(_OP, record.op_code)
    write_parameter(status_parameter_spec(record.op_code), writer, record._parameter())  # noqa: SLF001
    return writer.getvalue()
