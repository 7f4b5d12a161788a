"""Heart Rate Measurement 0x2A37 (Heart Rate Service 1.0 §3.1; GATT Specification Supplement).

Flags (uint8): bit 0 heart rate is uint16 (else uint8), bits 1-2 sensor contact status
(bit 2 = supported, bit 1 = detected), bit 3 Energy Expended present (uint16 kJ), bit 4 RR
intervals present (uint16 each, 1/1024 s, to the end of the value). Straps, not treadmills,
send this; the session shows it beside the treadmill's own heart rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag

from retrorun.errors import DecodeError, EncodeError
from retrorun.ftms._record import tolerance_json
from retrorun.ftms._wire import Reader, Writer, u8, u16

CHARACTERISTIC = "heart-rate-measurement"
_FLAGS = u8("flags")
_HR8 = u8("heart_rate_bpm")
_HR16 = u16("heart_rate_bpm")
_ENERGY = u16("energy_expended_kj")
_RR = u16("rr_intervals_s", 1024)


class HeartRateFlags(IntFlag):
    """Heart Rate Measurement flags."""

    HEART_RATE_UINT16 = 1 << 0
    SENSOR_CONTACT_DETECTED = 1 << 1
    SENSOR_CONTACT_SUPPORTED = 1 << 2
    ENERGY_EXPENDED = 1 << 3
    RR_INTERVALS = 1 << 4


@dataclass(frozen=True, slots=True)
class HeartRateMeasurement:
    """One measurement. `sensor_contact` is None when the strap does not report contact."""

    heart_rate_bpm: int | None
    sensor_contact: bool | None = None
    energy_expended_kj: int | None = None
    rr_intervals_s: tuple[float, ...] = ()
    uint16_heart_rate: bool = False
    rr_intervals_present: bool = False
    rfu_flags: int = 0
    truncated: bool = False
    extra_bytes: bytes = b""

    @property
    def flags(self) -> HeartRateFlags:
        flags = HeartRateFlags(self.rfu_flags)
        if self.uint16_heart_rate:
            flags |= HeartRateFlags.HEART_RATE_UINT16
        if self.sensor_contact is not None:
            flags |= HeartRateFlags.SENSOR_CONTACT_SUPPORTED
            if self.sensor_contact:
                flags |= HeartRateFlags.SENSOR_CONTACT_DETECTED
        if self.energy_expended_kj is not None:
            flags |= HeartRateFlags.ENERGY_EXPENDED
        if self.rr_intervals_s or self.rr_intervals_present:
            flags |= HeartRateFlags.RR_INTERVALS
        return flags

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"flags": int(self.flags)}
        if self.heart_rate_bpm is not None:
            out["heart_rate_bpm"] = self.heart_rate_bpm
        if self.sensor_contact is not None:
            out["sensor_contact"] = self.sensor_contact
        if self.energy_expended_kj is not None:
            out["energy_expended_kj"] = self.energy_expended_kj
        if HeartRateFlags.RR_INTERVALS in self.flags:
            out["rr_intervals_s"] = list(self.rr_intervals_s)
        out.update(tolerance_json(truncated=self.truncated, extra_bytes=self.extra_bytes))
        return out


def decode_heart_rate(data: bytes) -> HeartRateMeasurement:
    """Decode 0x2A37; empty bytes raise `DecodeError`, a short record is `truncated`."""
    reader = Reader(data)
    flags = reader.raw(_FLAGS)
    if flags is None:
        raise DecodeError(CHARACTERISTIC, 0, "empty: no flags")
    wide = bool(flags & HeartRateFlags.HEART_RATE_UINT16)
    heart_rate = reader.raw(_HR16 if wide else _HR8)
    contact: bool | None = None
    if flags & HeartRateFlags.SENSOR_CONTACT_SUPPORTED:
        contact = bool(flags & HeartRateFlags.SENSOR_CONTACT_DETECTED)
    truncated = heart_rate is None
    energy = None
    if not truncated and flags & HeartRateFlags.ENERGY_EXPENDED:
        energy = reader.raw(_ENERGY)
        truncated = energy is None
    intervals: list[float] = []
    has_rr = bool(flags & HeartRateFlags.RR_INTERVALS)
    if not truncated and has_rr:
        while (raw := reader.raw(_RR)) is not None:
            intervals.append(raw / 1024)
    rest = reader.rest()
    known = 0x1F
    # "Contact detected" without "supported" means "not supported" too; keep the bit.
    stray_contact = flags & 0x06 == HeartRateFlags.SENSOR_CONTACT_DETECTED
    return HeartRateMeasurement(
        heart_rate,
        contact,
        energy,
        tuple(intervals),
        uint16_heart_rate=wide,
        rr_intervals_present=has_rr,
        rfu_flags=(flags & ~known) | (flags & 0x02 if stray_contact else 0),
        # After RR intervals only half an interval can be left: that is a cut, not extra data.
        truncated=truncated or (has_rr and bool(rest)),
        extra_bytes=b"" if truncated or has_rr else rest,
    )


def encode_heart_rate(record: HeartRateMeasurement) -> bytes:
    if record.heart_rate_bpm is None or record.truncated:
        raise EncodeError("heart_rate_bpm", record.heart_rate_bpm, "a whole measurement")
    writer = Writer()
    writer.value(_FLAGS, int(record.flags))
    writer.value(_HR16 if record.uint16_heart_rate else _HR8, record.heart_rate_bpm)
    if record.energy_expended_kj is not None:
        writer.value(_ENERGY, record.energy_expended_kj)
    for interval in record.rr_intervals_s:
        writer.value(_RR, interval)
    writer.extend(record.extra_bytes)
    return writer.getvalue()
