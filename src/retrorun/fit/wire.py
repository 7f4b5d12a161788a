"""FIT binary protocol basics: base types, CRC, file header, and a message writer.

Facts from the FIT SDK documentation ("FIT Protocol", "FIT File Types"):

* A file is a 14-byte header, then records, then a 2-byte CRC over everything before it.
  The header holds its own size, the protocol version, the profile version, the size of the
  records, the ASCII tag ``.FIT`` and a CRC of its first 12 bytes.
* Every record starts with a one-byte header. A *definition* record (bit 6 set; bit 5 when
  it also declares developer fields) tells the reader the layout of later *data* records
  with the same local message type (bits 0-3): global message number, and per field its
  number, size in bytes and base type. We always write little-endian definitions.
* Values that are absent are either omitted from the definition or written as the base
  type's "invalid" value.
* Times (`date_time`) are whole seconds since 1989-12-31T00:00:00Z.
* The CRC is CRC-16 with the reflected polynomial 0xA001 and initial value 0 (the SDK
  documents it as a nibble table; a bitwise loop computes the same thing).

`FitWriter` hides local message types: each message names its global number and its fields;
the writer emits a definition whenever a layout is new or its local type was reused.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass
from datetime import UTC, datetime

from retrorun.errors import EncodeError

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
HEADER_SIZE = 14
PROTOCOL_VERSION = 0x20  # 2.0: needed for developer fields
PROFILE_VERSION = 2132  # 21.32, a profile that has every message and field we write
LOCAL_TYPES = 16


class BaseType(enum.IntEnum):
    """FIT base types (FIT Protocol, "Base Types"); the code is what definitions carry."""

    ENUM = 0x00
    SINT8 = 0x01
    UINT8 = 0x02
    SINT16 = 0x83
    UINT16 = 0x84
    SINT32 = 0x85
    UINT32 = 0x86
    STRING = 0x07
    FLOAT32 = 0x88
    FLOAT64 = 0x89
    UINT8Z = 0x0A
    UINT16Z = 0x8B
    UINT32Z = 0x8C
    BYTE = 0x0D
    SINT64 = 0x8E
    UINT64 = 0x8F
    UINT64Z = 0x90

    @property
    def size(self) -> int:
        return _FORMATS[self][1]

    @property
    def format(self) -> str:
        return _FORMATS[self][0]

    @property
    def invalid(self) -> int | float | None:
        """The value that means "no value" (None for strings and floats: checked by bytes)."""
        return _FORMATS[self][2]


_FORMATS: dict[BaseType, tuple[str, int, int | None]] = {
    BaseType.ENUM: ("B", 1, 0xFF),
    BaseType.SINT8: ("b", 1, 0x7F),
    BaseType.UINT8: ("B", 1, 0xFF),
    BaseType.SINT16: ("h", 2, 0x7FFF),
    BaseType.UINT16: ("H", 2, 0xFFFF),
    BaseType.SINT32: ("i", 4, 0x7FFFFFFF),
    BaseType.UINT32: ("I", 4, 0xFFFFFFFF),
    BaseType.STRING: ("s", 1, None),
    BaseType.FLOAT32: ("f", 4, None),
    BaseType.FLOAT64: ("d", 8, None),
    BaseType.UINT8Z: ("B", 1, 0),
    BaseType.UINT16Z: ("H", 2, 0),
    BaseType.UINT32Z: ("I", 4, 0),
    BaseType.BYTE: ("B", 1, 0xFF),
    BaseType.SINT64: ("q", 8, 0x7FFFFFFFFFFFFFFF),
    BaseType.UINT64: ("Q", 8, 0xFFFFFFFFFFFFFFFF),
    BaseType.UINT64Z: ("Q", 8, 0),
}


def crc16(data: bytes, crc: int = 0) -> int:
    """The FIT CRC of `data`, continuing from `crc`."""
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def fit_time(moment: datetime) -> int:
    """A timezone-aware `moment` as FIT `date_time`: whole seconds since 1989-12-31 UTC."""
    return int((moment - FIT_EPOCH).total_seconds())


def fit_moment(value: int) -> datetime:
    """The inverse of `fit_time`."""
    return datetime.fromtimestamp(FIT_EPOCH.timestamp() + value, tz=UTC)


Value = int | str | bytes


@dataclass(frozen=True)
class Field:
    """A value to write: field number, base type and the value (int, str or raw bytes)."""

    number: int
    base: BaseType
    value: Value

    def encoded(self) -> bytes:
        if self.base is BaseType.STRING and isinstance(self.value, str):
            return self.value.encode("utf-8") + b"\x00"
        if isinstance(self.value, bytes):
            return self.value
        assert isinstance(self.value, int)  # noqa: S101 - a programming error, not input
        try:
            return struct.pack("<" + self.base.format, self.value)
        except struct.error as exc:
            raise EncodeError(f"field {self.number}", self.value, self.base.name) from exc


def field(number: int, base: BaseType, value: Value | None) -> Field | None:
    """A `Field`, or None when `value` is None (the field is then left out)."""
    return None if value is None else Field(number, base, value)


def text(number: int, value: str | None, size: int) -> Field | None:
    """A string field of exactly `size` bytes: UTF-8, cut on a character boundary, NUL-padded.

    A fixed size keeps one definition for many messages whose text differs in length.
    """
    if value is None:
        return None
    encoded = value.encode("utf-8")[: size - 1].decode("utf-8", errors="ignore").encode("utf-8")
    return Field(number, BaseType.STRING, encoded.ljust(size, b"\x00"))


Layout = tuple[int, tuple[tuple[int, int, int], ...], tuple[tuple[int, int, int], ...]]


class FitWriter:
    """Collects messages and produces a complete FIT file with `finish`.

    Not thread-safe; one writer per file.
    """

    def __init__(self) -> None:
        self._records = bytearray()
        self._locals: dict[Layout, int] = {}
        self._next_local = 0

    def message(
        self,
        global_number: int,
        fields: tuple[Field | None, ...],
        developer: tuple[Field | None, ...] = (),
        developer_index: int = 0,
    ) -> None:
        """Append one data message (and its definition when needed); None fields are skipped.

        `developer` fields carry developer field numbers of data index `developer_index`.
        """
        present = tuple(f for f in fields if f is not None)
        dev = tuple(f for f in developer if f is not None)
        payloads = [f.encoded() for f in present]
        dev_payloads = [f.encoded() for f in dev]
        layout: Layout = (
            global_number,
            tuple((f.number, len(p), int(f.base)) for f, p in zip(present, payloads, strict=True)),
            tuple(
                (f.number, len(p), developer_index) for f, p in zip(dev, dev_payloads, strict=True)
            ),
        )
        local = self._locals.get(layout)
        if local is None:
            local = self._define(layout)
        self._records.append(local)
        for payload in (*payloads, *dev_payloads):
            self._records += payload

    def _define(self, layout: Layout) -> int:
        local = self._next_local
        self._next_local = (self._next_local + 1) % LOCAL_TYPES
        # A reused local type now means another layout: forget the old one.
        self._locals = {k: v for k, v in self._locals.items() if v != local}
        self._locals[layout] = local
        global_number, fields, dev_fields = layout
        header = 0x40 | local | (0x20 if dev_fields else 0)
        self._records += struct.pack("<BBBHB", header, 0, 0, global_number, len(fields))
        for number, size, base in fields:
            self._records += struct.pack("<BBB", number, size, base)
        if dev_fields:
            self._records.append(len(dev_fields))
            for number, size, index in dev_fields:
                self._records += struct.pack("<BBB", number, size, index)
        return local

    def finish(self) -> bytes:
        """The whole file: header, records, CRC."""
        header = struct.pack(
            "<BBHI4s", HEADER_SIZE, PROTOCOL_VERSION, PROFILE_VERSION, len(self._records), b".FIT"
        )
        header += struct.pack("<H", crc16(header))
        body = header + bytes(self._records)
        return body + struct.pack("<H", crc16(body))
