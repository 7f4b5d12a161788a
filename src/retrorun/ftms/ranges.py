"""Supported Speed Range 0x2AD4 and Supported Inclination Range 0x2AD5 (FTMS v1.0 §4.11, §4.12).

Each is minimum, maximum and minimum increment (6 bytes). Speed: uint16 km/h x 0.01 each (the
XML's "meters per second" text for the increment contradicts its own unit; CITYSPORTS sends
0x0032 for its 0.5 km/h steps, field notes §2.4). Inclination: sint16, sint16, uint16, % x 0.1.
Some treadmills report all zeros (JTX Sprint 8): that decodes; making sense of it is the
caller's job.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrorun.errors import DecodeError
from retrorun.ftms._record import tolerance_json
from retrorun.ftms._wire import Reader, WireField, Writer, s16, u16

SPEED_CHARACTERISTIC = "speed-range"
INCLINATION_CHARACTERISTIC = "inclination-range"
_SPEED = (u16("min_speed_kmh", 100), u16("max_speed_kmh", 100), u16("min_increment_kmh", 100))
_INCLINATION = (
    s16("min_inclination_pct", 10),
    s16("max_inclination_pct", 10),
    u16("min_increment_pct", 10),
)


@dataclass(frozen=True, slots=True)
class SpeedRange:
    """Supported Speed Range; `min_increment_kmh` is None when the record was cut short."""

    min_speed_kmh: float
    max_speed_kmh: float
    min_increment_kmh: float | None
    extra_bytes: bytes = b""

    def to_json(self) -> dict[str, object]:
        return _range_json(self, _SPEED, self.extra_bytes)


@dataclass(frozen=True, slots=True)
class InclinationRange:
    """Supported Inclination Range; `min_increment_pct` is None when cut short."""

    min_inclination_pct: float
    max_inclination_pct: float
    min_increment_pct: float | None
    extra_bytes: bytes = b""

    def to_json(self) -> dict[str, object]:
        return _range_json(self, _INCLINATION, self.extra_bytes)


def _range_json(
    record: SpeedRange | InclinationRange, fields: tuple[WireField, ...], extra: bytes
) -> dict[str, object]:
    out: dict[str, object] = {}
    for field in fields:
        value = getattr(record, field.name)
        if value is not None:
            out[field.name] = value
    increment_missing = getattr(record, fields[2].name) is None
    out.update(tolerance_json(truncated=increment_missing, extra_bytes=extra))
    return out


def _decode(
    characteristic: str, fields: tuple[WireField, ...], data: bytes
) -> tuple[float | int, float | int, float | int | None, bytes]:
    reader = Reader(data)
    low, high = reader.raw(fields[0]), reader.raw(fields[1])
    if low is None or high is None:
        raise DecodeError(characteristic, 0, f"{len(data)} byte(s) cannot hold minimum and maximum")
    step = reader.raw(fields[2])
    increment = None if step is None else fields[2].scale(step)
    rest = reader.rest() if step is not None else b""
    return fields[0].scale(low), fields[1].scale(high), increment, rest


def _encode(fields: tuple[WireField, ...], values: tuple[float, float, float | None]) -> bytes:
    writer = Writer()
    for field, value in zip(fields, values, strict=True):
        if value is not None:
            writer.value(field, value)
    return writer.getvalue()


def decode_speed_range(data: bytes) -> SpeedRange:
    """Decode 0x2AD4; fewer than 4 bytes raise `DecodeError`."""
    low, high, step, rest = _decode(SPEED_CHARACTERISTIC, _SPEED, data)
    return SpeedRange(low, high, step, rest)


def encode_speed_range(record: SpeedRange) -> bytes:
    values = (record.min_speed_kmh, record.max_speed_kmh, record.min_increment_kmh)
    return _encode(_SPEED, values) + record.extra_bytes


def decode_inclination_range(data: bytes) -> InclinationRange:
    """Decode 0x2AD5; fewer than 4 bytes raise `DecodeError`."""
    low, high, step, rest = _decode(INCLINATION_CHARACTERISTIC, _INCLINATION, data)
    return InclinationRange(low, high, step, rest)


def encode_inclination_range(record: InclinationRange) -> bytes:
    values = (record.min_inclination_pct, record.max_inclination_pct, record.min_increment_pct)
    return _encode(_INCLINATION, values) + record.extra_bytes
