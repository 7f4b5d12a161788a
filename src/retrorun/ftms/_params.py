"""The parameter after an op code, shared by the control point and machine status.

Both characteristics are an op code followed by a parameter whose format depends on the op
(FTMS v1.0 Table 4.15 and Table 4.26): nothing, one integer field, an array of uint16
seconds (time in heart-rate zones) or, for the indoor-bike simulation, a packed structure a
treadmill never uses and which is kept as raw bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrorun.errors import EncodeError
from retrorun.ftms._wire import Reader, WireField, Writer, u16

_ZONE = u16("time_in_zone_s")


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
