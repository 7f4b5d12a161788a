"""Fitness Machine Status 0x2ADA (FTMS v1.0 §4.17, Table 4.26).

An op code and its parameter. The server notifies changes made on its own console to every
client, and changes made by one client to the others. Urevo pads its records with zeros
(``04 00 00``, ``02 02 00``; field notes §3.5): the padding decodes as `extra_bytes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from retrorun.ftms._params import NO_PARAMETER, OpRecord, ParamSpec, code_name
from retrorun.ftms._wire import s16, u8, u16, u24

CHARACTERISTIC = "machine-status"


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
    return code_name(StatusOpCode, code)


@dataclass(frozen=True, slots=True)
class MachineStatus(OpRecord):
    """One Fitness Machine Status notification (fields: see `OpRecord`)."""

    OPS = StatusOpCode
    STOP_PAUSE_OP = StatusOpCode.STOPPED_OR_PAUSED_BY_USER
    CHARACTERISTIC = CHARACTERISTIC

    @classmethod
    def spec(cls, op_code: int) -> ParamSpec:
        return status_parameter_spec(op_code)

    @property
    def status(self) -> str:
        """The op's snake_case name, e.g. ``target_speed_changed``, or ``reserved``."""
        return status_op_name(self.op_code)

    @property
    def new_target_speed_kmh(self) -> float | None:
        return self._value_if(StatusOpCode.TARGET_SPEED_CHANGED)

    @property
    def new_target_inclination_pct(self) -> float | None:
        return self._value_if(StatusOpCode.TARGET_INCLINE_CHANGED)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"op_code": int(self.op_code), "status": self.status}
        out.update(self.parameter_json())
        return out


def decode_machine_status(data: bytes) -> MachineStatus:
    """Decode 0x2ADA. Empty bytes raise `DecodeError`; padding is kept as `extra_bytes`."""
    return MachineStatus.decode(data)


def encode_machine_status(record: MachineStatus) -> bytes:
    return record.encode()
