"""The parameter after an op code, shared by the control point and machine status.

Both characteristics are an op code followed by a parameter whose format depends on the op
(FTMS v1.0 Table 4.15 and Table 4.26): nothing, one integer field, an array of uint16
seconds (time in heart-rate zones) or, for the indoor-bike simulation, a packed structure a
treadmill never uses and which is kept as raw bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar, Self

from retrorun.errors import DecodeError, EncodeError
from retrorun.ftms._record import tolerance_json
from retrorun.ftms._wire import Reader, WireField, Writer, u8, u16

_ZONE = u16("time_in_zone_s")
_OP = u8("op_code")


class StopPause(IntEnum):
    """Parameter of Stop or Pause and of Machine Status 0x02 (FTMS v1.0 §4.16.2.9, §4.17)."""

    STOP = 0x01
    PAUSE = 0x02


def code_name(enum: type[IntEnum], code: int) -> str:
    """The snake_case name of ``code`` in ``enum``, or ``reserved``."""
    member = enum._value2member_map_.get(code)
    return member.name.lower() if member is not None and member.name else "reserved"


def as_member(enum: type[IntEnum], code: int) -> int:
    """``code`` as a member of ``enum`` when it is one; reserved codes stay plain ints."""
    return enum(code) if code in enum._value2member_map_ else code


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """How an op's parameter looks on the wire."""

    field: WireField | None = None
    zones: int = 0
    raw: bool = False

    @property
    def name(self) -> str | None:
        if self.field is not None:
            return self.field.name
        if self.zones:
            return "targeted_time_in_zones_s"
        return "parameter" if self.raw else None


NO_PARAMETER = ParamSpec()


@dataclass(frozen=True, slots=True)
class Parameter:
    """A decoded parameter: one of value / zones_s / raw is used, per the op's `ParamSpec`."""

    value: float | int | None = None
    zones_s: tuple[int, ...] = ()
    raw: bytes = b""
    truncated: bool = False
    extra_bytes: bytes = b""


def read_parameter(spec: ParamSpec, reader: Reader) -> Parameter:
    """Read the parameter; a short one is `truncated`, bytes after it are `extra_bytes`."""
    if spec.raw:
        return Parameter(raw=reader.rest())
    if spec.field is not None:
        raw = reader.raw(spec.field)
        if raw is None:
            reader.rest()
            return Parameter(truncated=True)
        return Parameter(value=spec.field.scale(raw), extra_bytes=reader.rest())
    if spec.zones:
        zones: list[int] = []
        for _ in range(spec.zones):
            seconds = reader.raw(_ZONE)
            if seconds is None:
                reader.rest()
                return Parameter(zones_s=tuple(zones), truncated=True)
            zones.append(seconds)
        return Parameter(zones_s=tuple(zones), extra_bytes=reader.rest())
    return Parameter(extra_bytes=reader.rest())


def write_parameter(spec: ParamSpec, writer: Writer, parameter: Parameter) -> None:
    """Append the parameter; a missing or out-of-range value raises `EncodeError`."""
    if parameter.truncated:
        raise EncodeError("truncated", value=True, allowed="False (a cut record has no encoding)")
    if spec.raw:
        writer.extend(parameter.raw)
    elif spec.field is not None:
        if parameter.value is None:
            raise EncodeError(spec.field.name, None, spec.field.allowed)
        writer.value(spec.field, parameter.value)
    elif spec.zones:
        if len(parameter.zones_s) != spec.zones:
            raise EncodeError("targeted_time_in_zones_s", parameter.zones_s, f"{spec.zones} values")
        for seconds in parameter.zones_s:
            writer.value(_ZONE, seconds)
    writer.extend(parameter.extra_bytes)


def parameter_json(spec: ParamSpec, parameter: Parameter) -> dict[str, object]:
    """The parameter's JSON key (named by the spec) and value, if the op has one."""
    name = spec.name
    if name is None:
        return {}
    if spec.raw:
        return {name: parameter.raw.hex()}
    if spec.zones:
        return {name: list(parameter.zones_s)} if parameter.zones_s else {}
    return {} if parameter.value is None else {name: parameter.value}


@dataclass(frozen=True, slots=True)
class OpRecord:
    """An op code and its parameter: what control point requests and machine status share.

    `value` is the op's single parameter (see `parameter_name`), `zones_s` a time-in-zones
    array, `parameter` the raw indoor-bike-simulation bytes. Reserved op codes stay ints.
    """

    op_code: int
    value: float | None = None
    zones_s: tuple[int, ...] = ()
    parameter: bytes = b""
    truncated: bool = False
    extra_bytes: bytes = b""

    # Overridden by each characteristic: its op enum, the op carrying Stop/Pause, its name.
    OPS: ClassVar[type[IntEnum]] = IntEnum
    STOP_PAUSE_OP: ClassVar[int] = -1
    CHARACTERISTIC: ClassVar[str] = ""

    @classmethod
    def spec(cls, op_code: int) -> ParamSpec:
        """The parameter format of ``op_code`` (reserved ops have none)."""
        raise NotImplementedError

    @property
    def parameter_name(self) -> str | None:
        """The JSON name of this op's parameter, e.g. ``target_speed_kmh``."""
        return self.spec(self.op_code).name

    @property
    def stop_pause(self) -> StopPause | int | None:
        """The Stop/Pause parameter (an int when it is not 1 or 2), else None."""
        if self.op_code != self.STOP_PAUSE_OP or self.value is None:
            return None
        return as_member(StopPause, int(self.value))

    def _value_if(self, op_code: int) -> float | None:
        return self.value if self.op_code == op_code else None

    def parameter_json(self) -> dict[str, object]:
        """The parameter key (with ``stop_pause_name`` beside Stop/Pause) and tolerance keys."""
        held = Parameter(self.value, self.zones_s, self.parameter)
        out = parameter_json(self.spec(self.op_code), held)
        if self.op_code == self.STOP_PAUSE_OP and self.value is not None:
            out["stop_pause_name"] = code_name(StopPause, int(self.value))
        out.update(tolerance_json(truncated=self.truncated, extra_bytes=self.extra_bytes))
        return out

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Read op code and parameter; empty bytes raise `DecodeError`."""
        reader = Reader(data)
        op = reader.raw(_OP)
        if op is None:
            raise DecodeError(cls.CHARACTERISTIC, 0, "empty: no op code")
        got = read_parameter(cls.spec(op), reader)
        return cls(
            as_member(cls.OPS, op),
            got.value,
            got.zones_s,
            got.raw,
            got.truncated,
            got.extra_bytes,
        )

    def encode(self) -> bytes:
        """Op code and parameter; a missing or out-of-range value raises `EncodeError`."""
        writer = Writer()
        writer.value(_OP, self.op_code)
        held = Parameter(self.value, self.zones_s, self.parameter, self.truncated, self.extra_bytes)
        write_parameter(self.spec(self.op_code), writer, held)
        return writer.getvalue()
