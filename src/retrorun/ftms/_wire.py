"""Little-endian integer fields, read tolerantly and written strictly.

Every FTMS characteristic is a sequence of little-endian integers (FTMS v1.0 §3: "all
multi-byte fields are little-endian"), each with a resolution (a power of ten, or 0.5 for
cadence) and sometimes a raw "not available" value. `WireField` declares one such field;
`Reader` reads them without ever raising (a field that does not fit in the bytes left reads
as None, so decoders can keep every whole field of a short record), and `Writer` refuses a
value outside the field's wire range with `EncodeError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from retrorun.errors import EncodeError


@dataclass(frozen=True, slots=True)
class WireField:
    """One integer on the wire: its name, width, signedness, resolution and sentinel.

    A decoded value is ``raw / divisor`` (an `int` when the divisor is 1). `not_available`
    is the raw value the spec reserves for "this value is not available"; it decodes to
    None and is never produced from a real value. `limit` caps the raw values an encoder
    may produce below what the width allows (where decoders read the top as a sentinel).
    """

    name: str
    size: int
    signed: bool = False
    divisor: int = 1
    not_available: int | None = None
    limit: int | None = None
    # The encodable raw range, worked out once (encoders check every value against it).
    raw_min: int = field(init=False, repr=False, compare=False)
    raw_max: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bits = 8 * self.size
        top = (1 << (bits - 1)) - 1 if self.signed else (1 << bits) - 1
        # The sentinel sits at one end of the range; a real value may not collide with it.
        top = top - 1 if self.not_available == top else top
        object.__setattr__(self, "raw_min", -(1 << (bits - 1)) if self.signed else 0)
        object.__setattr__(self, "raw_max", top if self.limit is None else min(top, self.limit))

    @property
    def allowed(self) -> str:
        """The encodable range in the field's own unit, for error messages."""
        return f"{self.scale(self.raw_min)}..{self.scale(self.raw_max)}"

    def scale(self, raw: int) -> float | int:
        """The value a raw wire integer stands for."""
        return raw if self.divisor == 1 else raw / self.divisor

    def to_raw(self, value: float) -> int:
        """The wire integer for ``value`` (rounded to the field's resolution), range-checked."""
        if isinstance(value, bool) or not math.isfinite(value):
            raise EncodeError(self.name, value, self.allowed)
        raw = round(value * self.divisor)
        if not self.raw_min <= raw <= self.raw_max:
            raise EncodeError(self.name, value, self.allowed)
        return raw

    def raw_or_sentinel(self, value: float | None) -> int:
        """`to_raw`, or the "not available" sentinel for None (EncodeError when it has none)."""
        if value is not None:
            return self.to_raw(value)
        if self.not_available is None:
            raise EncodeError(self.name, None, f"a value in {self.allowed} (no 'not available')")
        return self.not_available


def u8(name: str, divisor: int = 1, not_available: int | None = None) -> WireField:
    return WireField(name, 1, divisor=divisor, not_available=not_available)


def u16(
    name: str, divisor: int = 1, not_available: int | None = None, limit: int | None = None
) -> WireField:
    return WireField(name, 2, divisor=divisor, not_available=not_available, limit=limit)


def u24(name: str, divisor: int = 1) -> WireField:
    return WireField(name, 3, divisor=divisor)


def u32(name: str) -> WireField:
    return WireField(name, 4)


def s16(name: str, divisor: int = 1, not_available: int | None = None) -> WireField:
    return WireField(name, 2, signed=True, divisor=divisor, not_available=not_available)


class Reader:
    """Reads fields from the front of a byte string; never raises.

    A read that needs more bytes than remain returns None and consumes nothing, so the
    caller can tell "field missing" (None from `raw`) from "field present" and mark the
    record truncated.
    """

    __slots__ = ("_data", "_offset")

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self._data = bytes(data)
        self._offset = offset

    @property
    def offset(self) -> int:
        return self._offset

    @property
    def remaining(self) -> int:
        return len(self._data) - self._offset

    def raw(self, field: WireField) -> int | None:
        """The raw integer of ``field``, or None when too few bytes remain."""
        end = self._offset + field.size
        if end > len(self._data):
            return None
        chunk = self._data[self._offset : end]
        self._offset = end
        return int.from_bytes(chunk, "little", signed=field.signed)

    def rest(self) -> bytes:
        """Every byte not read yet (consumes them)."""
        chunk = self._data[self._offset :]
        self._offset = len(self._data)
        return chunk


class Writer:
    """Builds a byte string field by field; a value outside the wire range raises."""

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = bytearray()

    def value(self, field: WireField, value: float) -> None:
        """Append ``value`` in ``field``'s format (EncodeError when it does not fit)."""
        self.raw(field, field.to_raw(value))

    def not_available(self, field: WireField) -> None:
        """Append the field's "not available" sentinel (EncodeError when it has none)."""
        self.raw(field, field.raw_or_sentinel(None))

    def optional(self, field: WireField, value: float | None) -> None:
        """Append ``value``, or the sentinel when it is None."""
        self.raw(field, field.raw_or_sentinel(value))

    def raw(self, field: WireField, raw: int) -> None:
        self._buffer += raw.to_bytes(field.size, "little", signed=field.signed)

    def extend(self, data: bytes) -> None:
        self._buffer += data

    def getvalue(self) -> bytes:
        return bytes(self._buffer)
