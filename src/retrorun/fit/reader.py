"""Decode a FIT file into its messages (the generic layer: numbers in, raw values out).

Checks what can be checked before trusting the bytes: the header (size, ``.FIT`` tag,
header CRC when present), the data size against the file size, the file CRC, and every
record against its definition. Problems raise `FitFormatError` naming the byte offset.

Values come back raw (no scale or offset applied), with the base type's invalid value as
None; strings are decoded up to their first NUL; arrays come back as tuples. Developer
fields are kept by (developer data index, field number) and named through the file's
``field_description`` messages.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from retrorun.errors import InputError
from retrorun.fit.wire import HEADER_SIZE, BaseType, crc16

FIELD_DESCRIPTION = 206
RawValue = int | float | str | bytes | tuple[int | float, ...] | None


class FitFormatError(InputError):
    """The bytes are not a valid FIT file; names the byte offset."""

    def __init__(self, source: str, offset: int, reason: str) -> None:
        self.source = source
        self.offset = offset
        self.reason = reason
        super().__init__(reason, location=f"{source}: byte {offset}")


@dataclass(frozen=True)
class FitMessage:
    """One data message: global number, raw field values by number, and developer fields."""

    global_number: int
    offset: int
    fields: dict[int, RawValue]
    developer: dict[str, RawValue] = field(default_factory=dict)
    """Developer field values by their field name (from ``field_description``)."""


@dataclass(frozen=True)
class _Definition:
    global_number: int
    big_endian: bool
    fields: tuple[tuple[int, int, int], ...]
    developer: tuple[tuple[int, int, int], ...]


def read_fit(data: bytes, source: str) -> list[FitMessage]:
    """Every data message of the FIT file `data` (`source` names it in errors)."""
    if len(data) < 12:  # noqa: PLR2004 - the smallest FIT header
        raise FitFormatError(source, 0, "too short to be a FIT file")
    header_size = data[0]
    if header_size not in (12, HEADER_SIZE) or data[8:12] != b".FIT":
        raise FitFormatError(source, 0, "not a FIT file (no .FIT header)")
    (data_size,) = struct.unpack_from("<I", data, 4)
    if header_size == HEADER_SIZE:
        (header_crc,) = struct.unpack_from("<H", data, 12)
        if header_crc not in (0, crc16(data[:12])):
            raise FitFormatError(source, 12, "header CRC does not match")
    end = header_size + data_size
    if end + 2 > len(data):
        raise FitFormatError(
            source, len(data), f"file is cut short: the header promises {end + 2} bytes"
        )
    (file_crc,) = struct.unpack_from("<H", data, end)
    if file_crc != crc16(data[:end]):
        raise FitFormatError(source, end, "file CRC does not match (the file is damaged)")
    return _Records(data, source).read(header_size, end)


class _Records:
    def __init__(self, data: bytes, source: str) -> None:
        self.data = data
        self.source = source
        self.definitions: dict[int, _Definition] = {}
        self.names: dict[tuple[int, int], tuple[str, BaseType]] = {}

    def error(self, offset: int, reason: str) -> FitFormatError:
        return FitFormatError(self.source, offset, reason)

    def take(self, offset: int, size: int, end: int) -> bytes:
        if offset + size > end:
            raise self.error(offset, "record runs past the end of the data")
        return self.data[offset : offset + size]

    def read(self, offset: int, end: int) -> list[FitMessage]:
        messages: list[FitMessage] = []
        while offset < end:
            start = offset
            header = self.data[offset]
            offset += 1
            if header & 0x80:  # compressed timestamp header: local type in bits 5-6
                local = (header >> 5) & 0x03
                definition = False
            else:
                local = header & 0x0F
                definition = bool(header & 0x40)
            if definition:
                offset = self.define(local, offset, end, has_developer=bool(header & 0x20))
                continue
            known = self.definitions.get(local)
            if known is None:
                raise self.error(start, f"data record of undefined local type {local}")
            message, offset = self.message(known, start, offset, end)
            messages.append(message)
            if message.global_number == FIELD_DESCRIPTION:
                self.describe(message)
        return messages

    def define(self, local: int, offset: int, end: int, *, has_developer: bool) -> int:
        fixed = self.take(offset, 5, end)
        big_endian = fixed[1] == 1
        (global_number,) = struct.unpack(">H" if big_endian else "<H", fixed[2:4])
        count = fixed[4]
        offset += 5
        raw = self.take(offset, 3 * count, end)
        fields = tuple(tuple(raw[i : i + 3]) for i in range(0, len(raw), 3))
        offset += 3 * count
        developer: tuple[tuple[int, ...], ...] = ()
        if has_developer:
            dev_count = self.take(offset, 1, end)[0]
            offset += 1
            raw = self.take(offset, 3 * dev_count, end)
            developer = tuple(tuple(raw[i : i + 3]) for i in range(0, len(raw), 3))
            offset += 3 * dev_count
        self.definitions[local] = _Definition(
            global_number,
            big_endian,
            tuple((a, b, c) for a, b, c in fields),
            tuple((a, b, c) for a, b, c in developer),
        )
        return offset

    def message(
        self, known: _Definition, start: int, offset: int, end: int
    ) -> tuple[FitMessage, int]:
        values: dict[int, RawValue] = {}
        for number, size, base_code in known.fields:
            raw = self.take(offset, size, end)
            values[number] = _value(raw, base_code, known.big_endian)
            offset += size
        developer: dict[str, RawValue] = {}
        for number, size, index in known.developer:
            raw = self.take(offset, size, end)
            offset += size
            described = self.names.get((index, number))
            if described is not None:
                name, base = described
                developer[name] = _value(raw, int(base), known.big_endian)
        return FitMessage(known.global_number, start, values, developer), offset

    def describe(self, message: FitMessage) -> None:
        index, number, base, name = (message.fields.get(n) for n in (0, 1, 2, 3))
        if (
            isinstance(index, int)
            and isinstance(number, int)
            and isinstance(base, int)
            and isinstance(name, str)
        ):
            try:
                base_type = BaseType(base)
            except ValueError:
                return  # a field we cannot interpret is skipped like an unknown one
            self.names[(index, number)] = (name, base_type)


def _value(raw: bytes, base_code: int, big_endian: bool) -> RawValue:  # noqa: FBT001
    try:
        base = BaseType(base_code)
    except ValueError:
        return bytes(raw)  # an unknown base type is kept as bytes
    if base is BaseType.STRING:
        text = raw.split(b"\x00", 1)[0].decode("utf-8", errors="replace")
        return text or None
    if base is BaseType.BYTE or len(raw) % base.size:
        return bytes(raw)
    order = ">" if big_endian else "<"
    count = len(raw) // base.size
    numbers = struct.unpack(f"{order}{count}{base.format}", raw)
    invalid = base.invalid
    kept = tuple(n for n in numbers if n != invalid)
    if count == 1:
        return kept[0] if kept else None
    return kept
