"""Training Status 0x2AD3 (FTMS v1.0 §4.10).

Flags (uint8: bit 0 Training Status String present, bit 1 Extended String), Training Status
(uint8), then an optional UTF-8 string to the end of the value. Urevo sends the reserved codes
0x10/0x11 and CITYSPORTS sets bit 0 with an empty string (field notes §3.4): both decode,
the first as status ``reserved`` with its code kept, the second as ``string: ""``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, IntFlag

from retrorun.errors import DecodeError
from retrorun.ftms._params import as_member
from retrorun.ftms._record import tolerance_json
from retrorun.ftms._wire import Reader, Writer, u8

CHARACTERISTIC = "training-status"
_FLAGS = u8("flags")
_STATUS = u8("status_code")


class TrainingStatusFlags(IntFlag):
    """Training Status flags (FTMS v1.0 §4.10.1.1)."""

    STRING = 1 << 0
    EXTENDED_STRING = 1 << 1


class TrainingStatusCode(IntEnum):
    """Training Status field (FTMS v1.0 §4.10.1.2, Table 4.17); 0x10-0xFF are reserved."""

    OTHER = 0x00
    IDLE = 0x01
    WARMING_UP = 0x02
    LOW_INTENSITY_INTERVAL = 0x03
    HIGH_INTENSITY_INTERVAL = 0x04
    RECOVERY_INTERVAL = 0x05
    ISOMETRIC = 0x06
    HEART_RATE_CONTROL = 0x07
    FITNESS_TEST = 0x08
    SPEED_OUTSIDE_CONTROL_REGION_LOW = 0x09
    SPEED_OUTSIDE_CONTROL_REGION_HIGH = 0x0A
    COOL_DOWN = 0x0B
    WATT_CONTROL = 0x0C
    MANUAL_MODE = 0x0D
    PRE_WORKOUT = 0x0E
    POST_WORKOUT = 0x0F


def status_name(code: int) -> str:
    """The snake_case name of a status code, or ``reserved``."""
    if code in TrainingStatusCode._value2member_map_:
        return TrainingStatusCode(code).name.lower()
    return "reserved"


@dataclass(frozen=True, slots=True)
class TrainingStatus:
    """One Training Status value. `status_code` is a `TrainingStatusCode` or a reserved int."""

    status_code: int
    string: str | None = None
    extended_string: bool = False
    rfu_flags: int = 0
    extra_bytes: bytes = b""
    quirks: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        return status_name(self.status_code)

    @property
    def flags(self) -> TrainingStatusFlags:
        flags = TrainingStatusFlags(self.rfu_flags)
        if self.string is not None:
            flags |= TrainingStatusFlags.STRING
        if self.extended_string:
            flags |= TrainingStatusFlags.EXTENDED_STRING
        return flags

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "flags": int(self.flags),
            "status_code": int(self.status_code),
            "status": self.status,
        }
        if self.string is not None:
            out["string"] = self.string
        out.update(tolerance_json(extra_bytes=self.extra_bytes, quirks=self.quirks))
        return out


def decode_training_status(data: bytes) -> TrainingStatus:
    """Decode 0x2AD3. Fewer than 2 bytes (no status code) raise `DecodeError`."""
    reader = Reader(data)
    flags, code = reader.raw(_FLAGS), reader.raw(_STATUS)
    if flags is None or code is None:
        raise DecodeError(CHARACTERISTIC, len(data), "no status code after the flags")
    quirks: list[str] = []
    status = as_member(TrainingStatusCode, code)
    rest = reader.rest()
    string: str | None = None
    extra = b""
    if not flags & TrainingStatusFlags.STRING:
        extra = rest
    else:
        try:
            string = rest.decode("utf-8")
        except UnicodeDecodeError:
            string = rest.decode("utf-8", errors="replace")
            quirks.append("string is not UTF-8")
    rfu = flags & 0xFC  # bits 2-7 are reserved (§4.10.1.1)
    return TrainingStatus(
        status,
        string,
        extended_string=bool(flags & TrainingStatusFlags.EXTENDED_STRING),
        rfu_flags=rfu,
        extra_bytes=extra,
        quirks=tuple(quirks),
    )


def encode_training_status(record: TrainingStatus) -> bytes:
    writer = Writer()
    writer.value(_FLAGS, int(record.flags))
    writer.value(_STATUS, int(record.status_code))
    if record.string is not None:
        writer.extend(record.string.encode("utf-8"))
    elif record.extra_bytes:
        writer.extend(record.extra_bytes)
    return writer.getvalue()
