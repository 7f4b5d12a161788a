"""Treadmill Data 0x2ACD (FTMS v1.0 §4.4; org.bluetooth.characteristic.treadmill_data.xml).

A record is a uint16 flags word followed by the fields whose flag is set, in flag order.
Bit 0 is inverted: Instantaneous Speed is present when More Data is *clear*. A record longer
than one notification is split, More Data set on all fragments but the last, which alone
carries the speed (§4.1, §4.19); `split_treadmill_data` does that and
`TreadmillDataAssembler` merges the fragments back.

`TreadmillData` holds one value per field. None means "absent" unless the field is named in
`not_available`, which means the record carried the spec's "not available" value (or a known
vendor misuse of it, listed in `quirks`). The flags word is derived from which fields are
there, so records built in code (the simulator) never disagree with their own flags.
"""

from __future__ import annotations

import itertools
import operator
import struct
from dataclasses import dataclass
from enum import IntFlag
from functools import lru_cache
from operator import attrgetter

from retrorun.errors import DecodeError, EncodeError
from retrorun.ftms._record import tolerance_json
from retrorun.ftms._wire import Reader, WireField, s16, u8, u16, u24

CHARACTERISTIC = "treadmill-data"
FLAGS = u16("flags")
MAX_RECORD_SIZE = 34  # 2 bytes of flags + every field of bits 0-12, FTMS §4.4
DEFAULT_MAX_PAYLOAD = 20  # ATT_MTU 23 minus the 3-byte notification header


class TreadmillDataFlags(IntFlag):
    """The flags word of Treadmill Data (FTMS v1.0 §4.4.1, Table 4.5)."""

    MORE_DATA = 1 << 0
    AVERAGE_SPEED = 1 << 1
    TOTAL_DISTANCE = 1 << 2
    INCLINATION_AND_RAMP_ANGLE = 1 << 3
    ELEVATION_GAIN = 1 << 4
    INSTANTANEOUS_PACE = 1 << 5
    AVERAGE_PACE = 1 << 6
    EXPENDED_ENERGY = 1 << 7
    HEART_RATE = 1 << 8
    METABOLIC_EQUIVALENT = 1 << 9
    ELAPSED_TIME = 1 << 10
    REMAINING_TIME = 1 << 11
    FORCE_ON_BELT_AND_POWER_OUTPUT = 1 << 12
    # Not in FTMS v1.0: Urevo, CITYSPORTS and other FitShow-class controllers put a uint24
    # step count here (field notes §3.1); without it their records end in 3 stray bytes.
    STEP_COUNT = 1 << 13


_RFU_MASK = 0xC000  # bits 14-15: reserved, kept so a record re-encodes to the same flags

_NA_S16 = 0x7FFF
# The elevation fields are unsigned and have no "not available" value, yet Life Fitness
# sends 0x7FFF (the sint16 sentinel) and Matrix 0xFFFF there (field notes §3.3). Decoders
# read both as "not available", so encoders stop below them (3276.6 m is plenty indoors).
_ELEVATION_MISUSE = frozenset({0x7FFF, 0xFFFF})
_ELEVATION_LIMIT = 0x7FFE
# Field groups in wire order: the flag that announces them and their fields (§4.4.1).
_GROUPS: tuple[tuple[TreadmillDataFlags, tuple[WireField, ...]], ...] = (
    (TreadmillDataFlags.MORE_DATA, (u16("speed_kmh", 100),)),
    (TreadmillDataFlags.AVERAGE_SPEED, (u16("average_speed_kmh", 100),)),
    (TreadmillDataFlags.TOTAL_DISTANCE, (u24("total_distance_m"),)),
    (
        TreadmillDataFlags.INCLINATION_AND_RAMP_ANGLE,
        (s16("inclination_pct", 10, _NA_S16), s16("ramp_angle_deg", 10, _NA_S16)),
    ),
    (
        TreadmillDataFlags.ELEVATION_GAIN,
        (
            u16("positive_elevation_gain_m", 10, limit=_ELEVATION_LIMIT),
            u16("negative_elevation_gain_m", 10, limit=_ELEVATION_LIMIT),
        ),
    ),
    (TreadmillDataFlags.INSTANTANEOUS_PACE, (u8("instantaneous_pace_kmpmin", 10),)),
    (TreadmillDataFlags.AVERAGE_PACE, (u8("average_pace_kmpmin", 10),)),
    (
        TreadmillDataFlags.EXPENDED_ENERGY,
        (
            u16("total_energy_kcal", not_available=0xFFFF),
            u16("energy_per_hour_kcal", not_available=0xFFFF),
            # §4.4.1.12 writes this sentinel as "0xFF (decimal 257 in UINT16)": 0xFF it is.
            u8("energy_per_minute_kcal", not_available=0xFF),
        ),
    ),
    (TreadmillDataFlags.HEART_RATE, (u8("heart_rate_bpm"),)),
    (TreadmillDataFlags.METABOLIC_EQUIVALENT, (u8("metabolic_equivalent", 10),)),
    (TreadmillDataFlags.ELAPSED_TIME, (u16("elapsed_time_s"),)),
    (TreadmillDataFlags.REMAINING_TIME, (u16("remaining_time_s"),)),
    (
        TreadmillDataFlags.FORCE_ON_BELT_AND_POWER_OUTPUT,
        (s16("force_on_belt_n", 1, _NA_S16), s16("power_output_w", 1, _NA_S16)),
    ),
    (TreadmillDataFlags.STEP_COUNT, (u24("step_count"),)),
)
FIELD_NAMES: tuple[str, ...] = tuple(f.name for _, fields in _GROUPS for f in fields)
# The same groups with plain int masks: decoding and encoding run once per notification,
# and IntFlag arithmetic builds an enum object on every operation.
_MASKS: tuple[tuple[int, tuple[WireField, ...]], ...] = tuple(
    (int(flag), fields) for flag, fields in _GROUPS
)
_MORE_DATA = int(TreadmillDataFlags.MORE_DATA)
_ELEVATION_FIELDS = {"positive_elevation_gain_m", "negative_elevation_gain_m"}
# struct codes by (size, signed); a uint24 travels as uint16 + uint8 (struct has no 3-byte code).
_U24 = 3
_CODES = {(1, False): "B", (2, False): "H", (2, True): "h", (3, False): "HB", (4, False): "I"}


_GROUP_FIELDS = dict(_MASKS)
_GROUP_SIZES = {mask: sum(f.size for f in fields) for mask, fields in _MASKS}


@lru_cache(maxsize=256)
def _layout(masks: tuple[int, ...]) -> tuple[tuple[WireField, ...], struct.Struct]:
    """The fields of the groups ``masks`` back to back, and their little-endian packing
    (one per combination of groups seen; keyed by masks, which hash faster than fields)."""
    fields = tuple(f for mask in masks for f in _GROUP_FIELDS[mask])
    return fields, struct.Struct("<" + "".join(_CODES[f.size, f.signed] for f in fields))


@lru_cache(maxsize=256)
def _flagged_masks(raw_flags: int) -> tuple[int, ...]:
    """The groups a flags word announces, in wire order."""
    return tuple(mask for mask, _ in _MASKS if bool(raw_flags & mask) != (mask == _MORE_DATA))


def _unpack(
    fields: tuple[WireField, ...], packing: struct.Struct, data: bytes, offset: int
) -> list[int]:
    """The raw integers of ``fields`` at ``offset``, when the bytes hold exactly them."""
    raws = packing.unpack_from(data, offset)
    if len(raws) == len(fields):
        return list(raws)
    out, index = [], 0
    for field in fields:  # a uint24 came as two parts
        if field.size == _U24:
            out.append(raws[index] | raws[index + 1] << 16)
            index += 2
        else:
            out.append(raws[index])
            index += 1
    return out


def _parts(fields: tuple[WireField, ...], raws: list[int]) -> list[int]:
    """`_unpack` backwards: the values struct packs for ``raws``."""
    if all(f.size != _U24 for f in fields):
        return raws
    out: list[int] = []
    for field, raw in zip(fields, raws, strict=True):
        out.extend((raw & 0xFFFF, raw >> 16) if field.size == _U24 else (raw,))
    return out


@dataclass(frozen=True, slots=True)
class TreadmillData:
    """One Treadmill Data record (or one More Data fragment of it).

    Build one with the fields you have; `flags` follows from them. ``speed_kmh=None`` means
    More Data (this is a fragment, the speed comes in a later one). Name a field in
    `not_available` to send the spec's "not available" value for it.
    """

    speed_kmh: float | None = None
    average_speed_kmh: float | None = None
    total_distance_m: int | None = None
    inclination_pct: float | None = None
    ramp_angle_deg: float | None = None
    positive_elevation_gain_m: float | None = None
    negative_elevation_gain_m: float | None = None
    instantaneous_pace_kmpmin: float | None = None
    average_pace_kmpmin: float | None = None
    total_energy_kcal: int | None = None
    energy_per_hour_kcal: int | None = None
    energy_per_minute_kcal: int | None = None
    heart_rate_bpm: int | None = None
    metabolic_equivalent: float | None = None
    elapsed_time_s: int | None = None
    remaining_time_s: int | None = None
    force_on_belt_n: int | None = None
    power_output_w: int | None = None
    step_count: int | None = None
    not_available: frozenset[str] = frozenset()
    # Tolerance reports, set by the decoder (field notes §3).
    missing: tuple[str, ...] = ()
    extra_bytes: bytes = b""
    quirks: tuple[str, ...] = ()
    rfu_flags: int = 0

    @property
    def truncated(self) -> bool:
        """The flags promised fields that the bytes did not carry (listed in `missing`)."""
        return bool(self.missing)

    @property
    def more_data(self) -> bool:
        """This is a fragment: more of the record follows (FTMS §4.4.1.1)."""
        return self._absent("speed_kmh")

    @property
    def flags(self) -> TreadmillDataFlags:
        """The flags word this record has on the wire."""
        flags = 0
        for mask, fields in _MASKS:
            carried = any(not self._absent(f.name) for f in fields)
            if mask == _MORE_DATA:
                carried = not carried
            if carried:
                flags |= mask
        return TreadmillDataFlags(flags | self.rfu_flags)

    def value(self, name: str) -> float | int | None:
        """The value of the field called ``name`` (one of `FIELD_NAMES`)."""
        result: float | int | None = getattr(self, name)
        return result

    def _absent(self, name: str) -> bool:
        return (
            getattr(self, name) is None
            and name not in self.not_available
            and name not in self.missing
        )

    def to_json(self) -> dict[str, object]:
        """``flags``, then each carried field (null when not available), then tolerance keys."""
        out: dict[str, object] = {"flags": int(self.flags)}
        for name in FIELD_NAMES:
            value = self.value(name)
            if value is not None:
                out[name] = value
            elif name in self.not_available:
                out[name] = None
        out.update(
            tolerance_json(
                truncated=self.truncated, extra_bytes=self.extra_bytes, quirks=self.quirks
            )
        )
        return out


@dataclass(slots=True)
class _Parts:
    """What a `TreadmillData` holds, in a form fragments can be merged into cheaply."""

    values: dict[str, float | int]
    not_available: set[str]
    missing: list[str]
    extra_bytes: bytes
    quirks: list[str]
    rfu_flags: int

    @classmethod
    def of(cls, record: TreadmillData) -> _Parts:
        values = {n: v for n, v in zip(FIELD_NAMES, _VALUES(record), strict=True) if v is not None}
        return cls(
            values,
            set(record.not_available),
            list(record.missing),
            record.extra_bytes,
            list(record.quirks),
            record.rfu_flags,
        )

    @property
    def more_data(self) -> bool:
        return not (
            "speed_kmh" in self.values
            or "speed_kmh" in self.not_available
            or "speed_kmh" in self.missing
        )

    def lay_over(self, later: _Parts) -> None:
        """``later``'s carried fields win (a value, or "not available"); reports combine."""
        self.values.update(later.values)
        for name in later.not_available:
            self.values.pop(name, None)
        self.not_available -= later.values.keys()
        self.not_available |= later.not_available
        self.missing += later.missing
        self.extra_bytes += later.extra_bytes
        self.quirks += later.quirks
        self.rfu_flags |= later.rfu_flags

    def record(self) -> TreadmillData:
        return TreadmillData(
            **self.values,  # type: ignore[arg-type]
            not_available=frozenset(self.not_available),
            missing=tuple(self.missing),
            extra_bytes=self.extra_bytes,
            quirks=tuple(self.quirks),
            rfu_flags=self.rfu_flags,
        )


def decode_treadmill_data(data: bytes) -> TreadmillData:
    """Decode one Treadmill Data notification, tolerating real-world breakage.

    A record shorter than its flags promise keeps every whole field and lists the rest in
    `missing`; bytes after the last promised field go to `extra_bytes`. Only a record too
    short to hold its flags word raises `DecodeError`.
    """
    return _decode(data).record()


def _decode(data: bytes) -> _Parts:
    reader = Reader(data)
    raw_flags = reader.raw(FLAGS)
    if raw_flags is None:
        raise DecodeError(CHARACTERISTIC, 0, f"{len(data)} byte(s) cannot hold the uint16 flags")
    fields, packing = _layout(_flagged_masks(raw_flags))
    raws: list[int | None]
    if len(data) == 2 + packing.size:
        # The usual case: the bytes hold exactly the fields promised.
        raws = list(_unpack(fields, packing, data, 2))
        rest = b""
    else:
        # Once one field does not fit, later ones would be read from the wrong offset.
        raws = []
        for field in fields:
            raws.append(None if raws and raws[-1] is None else reader.raw(field))
        # The reader stopped at the first field that did not fit; what is left is a
        # partial field, not trailing data.
        rest = reader.rest()
    parts = _Parts({}, set(), [], b"", [], raw_flags & _RFU_MASK)
    for field, raw in zip(fields, raws, strict=True):
        if raw is None:
            parts.missing.append(field.name)
        elif raw == field.not_available:
            parts.not_available.add(field.name)
        elif field.name in _ELEVATION_FIELDS and raw in _ELEVATION_MISUSE:
            parts.not_available.add(field.name)
            parts.quirks.append(f"{field.name}=0x{raw:04X} used as 'not available'")
        else:
            parts.values[field.name] = field.scale(raw)
    parts.extra_bytes = b"" if parts.missing else rest
    return parts


_Group = tuple[int, tuple[WireField, ...], list[int]]
_VALUES = attrgetter(*FIELD_NAMES)
# Each group's place among FIELD_NAMES: (mask, fields, start, stop).
_SLICES = tuple(
    (mask, fields, start, start + len(fields))
    for (mask, fields), start in zip(
        _MASKS, itertools.accumulate((len(f) for _, f in _MASKS), initial=0), strict=False
    )
)


def _raw_groups(record: TreadmillData) -> list[_Group]:
    """Each carried field group: its flag mask, fields and raw integers, in wire order."""
    if record.missing:
        raise EncodeError("missing", record.missing, "() (a truncated record has no encoding)")
    unknown = record.not_available - set(FIELD_NAMES)
    if unknown:
        raise EncodeError("not_available", sorted(unknown), f"names from {FIELD_NAMES}")
    values = _VALUES(record)
    named_na = record.not_available
    groups: list[_Group] = []
    for mask, fields, start, stop in _SLICES:
        group = values[start:stop]
        if group.count(None) == len(group) and not (
            named_na and any(f.name in named_na for f in fields)
        ):
            continue
        # A group travels whole: a field left out beside a carried partner is sent as "not
        # available" (EncodeError when the spec defines no such value).
        raws = [f.raw_or_sentinel(v) for f, v in zip(fields, group, strict=True)]
        groups.append((mask, fields, raws))
    return groups


def _encode(flags: int, groups: list[_Group], extra: bytes = b"") -> bytes:
    fields, packing = _layout(tuple(mask for mask, _, _ in groups))
    raws = [raw for _, _, group_raws in groups for raw in group_raws]
    return flags.to_bytes(2, "little") + packing.pack(*_parts(fields, raws)) + extra


def encode_treadmill_data(record: TreadmillData) -> bytes:
    """The bytes of ``record`` as one notification (may exceed 20 bytes; see `split`)."""
    return _encode(int(record.flags), _raw_groups(record), record.extra_bytes)


def split_treadmill_data(
    record: TreadmillData, max_payload: int = DEFAULT_MAX_PAYLOAD
) -> list[bytes]:
    """``record`` as notifications of at most ``max_payload`` bytes (FTMS §4.1, §4.19).

    Field groups are packed in wire order; every fragment but the last has More Data set,
    and the Instantaneous Speed travels only in the last one. A record that fits is one
    notification, byte-identical to `encode_treadmill_data`.
    """
    smallest = 2 + 5  # flags + the largest field group (expended energy)
    if max_payload < smallest:
        raise EncodeError("max_payload", max_payload, f">= {smallest}")
    if record.speed_kmh is None:
        raise EncodeError("speed_kmh", None, "a speed: the last fragment must carry it")
    if record.missing:
        raise EncodeError("missing", record.missing, "() (a truncated record has no encoding)")
    values = _VALUES(record)
    key = (tuple(map(operator.is_, values, _NONES)), record.not_available, max_payload)
    plan = _SPLITS.get(key)
    if plan is None:
        plan = _split_plan(record, max_payload)
        if len(_SPLITS) >= _SPLITS_KEPT:
            _SPLITS.clear()
        _SPLITS[key] = plan
    out: list[bytes] = []
    for flags, places, fields, packing in plan:
        raws = [f.raw_or_sentinel(values[i]) for i, f in zip(places, fields, strict=True)]
        out.append(flags.to_bytes(2, "little") + packing.pack(*_parts(fields, raws)))
    if record.rfu_flags:
        last = int.from_bytes(out[-1][:2], "little") | record.rfu_flags
        out[-1] = last.to_bytes(2, "little") + out[-1][2:]
    return out


# How a record of one shape (which fields it carries, which it marks "not available") is
# split: per fragment its flags, its fields' places among FIELD_NAMES, the fields and their
# packing. A simulator sends thousands of records of the same shape.
_Fragment = tuple[int, tuple[int, ...], tuple[WireField, ...], struct.Struct]
_SPLITS: dict[tuple[tuple[bool, ...], frozenset[str], int], tuple[_Fragment, ...]] = {}
_SPLITS_KEPT = 64
_NONES = (None,) * len(FIELD_NAMES)
_PLACES = {name: index for index, name in enumerate(FIELD_NAMES)}


def _split_plan(record: TreadmillData, max_payload: int) -> tuple[_Fragment, ...]:
    groups = _raw_groups(record)  # also refuses what cannot be encoded
    fragments = _pack(groups[1:], groups[0], max_payload)
    plan: list[_Fragment] = []
    for index, fragment in enumerate(fragments):
        flags = 0 if index == len(fragments) - 1 else _MORE_DATA
        for mask, _, _ in fragment:
            if mask != _MORE_DATA:
                flags |= mask
        fields, packing = _layout(tuple(mask for mask, _, _ in fragment))
        plan.append((flags, tuple(_PLACES[f.name] for f in fields), fields, packing))
    return tuple(plan)


def _pack(others: list[_Group], speed: _Group, max_payload: int) -> list[list[_Group]]:
    """Field groups packed in order into fragments; the speed group goes into the last."""

    fragments: list[list[_Group]] = [[]]
    used = 2  # the flags word
    for group in others:
        size = _GROUP_SIZES[group[0]]
        if fragments[-1] and used + size > max_payload:
            fragments.append([])
            used = 2
        fragments[-1].append(group)
        used += size
    if used + _GROUP_SIZES[speed[0]] > max_payload:
        fragments.append([])
    fragments[-1].insert(0, speed)
    return fragments


def merge_treadmill_data(first: TreadmillData, second: TreadmillData) -> TreadmillData:
    """``second`` laid over ``first``: its carried fields win, reports are combined."""
    merged = _Parts.of(first)
    merged.lay_over(_Parts.of(second))
    return merged.record()


class TreadmillDataAssembler:
    """Merges More Data fragments into whole records (sans-I/O).

    `feed` each notification; it returns the whole record when one is complete (a
    notification with More Data clear), else None. Call `reset` when the link drops: a
    record interrupted by link loss is discarded (FTMS §4.18).
    """

    def __init__(self) -> None:
        self._pending: _Parts | None = None

    @property
    def pending(self) -> TreadmillData | None:
        """The fragments merged so far, or None between records."""
        return None if self._pending is None else self._pending.record()

    def feed(self, data: bytes | bytearray) -> TreadmillData | None:
        """Decode one notification (`DecodeError` as `decode_treadmill_data`)."""
        return self._feed(_decode(bytes(data)))

    def feed_record(self, fragment: TreadmillData) -> TreadmillData | None:
        return self._feed(_Parts.of(fragment))

    def _feed(self, fragment: _Parts) -> TreadmillData | None:
        # Fragments merge as parts; a record is built once, when it is whole.
        more = fragment.more_data
        if self._pending is not None:
            self._pending.lay_over(fragment)
            fragment = self._pending
        if more:
            self._pending = fragment
            return None
        self._pending = None
        return fragment.record()

    def reset(self) -> None:
        """Forget a partial record (after link loss)."""
        self._pending = None
