"""FTMS Service Data in advertisements (FTMS v1.0 §3.1, Table 3.1).

The Service Data AD for UUID 0x1826 carries Flags (uint8, bit 0: Fitness Machine Available)
and Fitness Machine Type (uint16). Some Sole treadmills advertise the service without any
service data (python-pyftms PR #54); the device layer simply has no record then.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag

from retrorun.errors import DecodeError
from retrorun.ftms._record import tolerance_json
from retrorun.ftms._wire import Reader, Writer, u8, u16

CHARACTERISTIC = "service-data"
_FLAGS = u8("flags")
_TYPES = u16("machine_types")


class MachineType(IntFlag):
    """Fitness Machine Type field (FTMS v1.0 §3.1.1.2)."""

    TREADMILL = 1 << 0
    CROSS_TRAINER = 1 << 1
    STEP_CLIMBER = 1 << 2
    STAIR_CLIMBER = 1 << 3
    ROWER = 1 << 4
    INDOOR_BIKE = 1 << 5


NO_MACHINE_TYPE = MachineType(0)


@dataclass(frozen=True, slots=True)
class ServiceData:
    """FTMS service data: availability and which machine types the server is."""

    available: bool
    machine_types: MachineType = NO_MACHINE_TYPE
    rfu_flags: int = 0
    truncated: bool = False
    extra_bytes: bytes = b""

    @property
    def is_treadmill(self) -> bool:
        return MachineType.TREADMILL in self.machine_types

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "flags": int(self.available) | self.rfu_flags,
            "available": self.available,
        }
        if not self.truncated:
            out["machine_types"] = int(self.machine_types)
            out["machine_type_names"] = [
                m.name.lower() for m in MachineType if m in self.machine_types and m.name
            ]
        out.update(tolerance_json(truncated=self.truncated, extra_bytes=self.extra_bytes))
        return out


def decode_service_data(data: bytes) -> ServiceData:
    """Decode FTMS service data; empty bytes raise `DecodeError`, 1-2 bytes are truncated."""
    reader = Reader(data)
    flags = reader.raw(_FLAGS)
    if flags is None:
        raise DecodeError(CHARACTERISTIC, 0, "empty: no flags")
    types = reader.raw(_TYPES)
    return ServiceData(
        available=bool(flags & 1),
        machine_types=MachineType(types or 0),
        rfu_flags=flags & 0xFE,
        truncated=types is None,
        extra_bytes=reader.rest() if types is not None else b"",
    )


def encode_service_data(record: ServiceData) -> bytes:
    writer = Writer()
    writer.value(_FLAGS, int(record.available) | record.rfu_flags)
    if not record.truncated:
        writer.value(_TYPES, int(record.machine_types))
        writer.extend(record.extra_bytes)
    return writer.getvalue()
