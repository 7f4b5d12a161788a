"""One GATT crossing as a trace line: the format shared by the simulator's trace and the
device layer's ``--trace FILE`` on a real treadmill.

`GattCrossing.to_json` is the JSON form (one object per line of a trace file), its
``str`` the terminal form. The simulator's replay (`retrorun_sim.parse_replay`) reads the JSON form
back, taking its ``notify`` and ``indicate`` lines as what the treadmill sent, so a capture
from a real treadmill plays through the simulator::

    {"t": 0.15, "kind": "indicate", "characteristic": "control-point", "hex": "800001",
     "decoded": {...}}
       0.150s indicate   control-point     80 00 01 {"op_code":128,...}

Pure: no I/O.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from retrorun.errors import DecodeError
from retrorun.ftms.codec import decode
from retrorun.ftms.uuids import Characteristic

NOT_DECODED_KINDS = frozenset({"subscribe", "connect", "disconnect"})
"""Kinds whose bytes (if any) are not a value of the characteristic."""


def characteristic_of(uuid16: int) -> Characteristic | None:
    """The FTMS or heart-rate characteristic with this 16-bit UUID, if it is one."""
    try:
        return Characteristic(uuid16)
    except ValueError:
        return None


def decoded(
    kind: str, characteristic: Characteristic | None, data: bytes
) -> dict[str, object] | None:
    """The bytes decoded by the codec, as JSON-ready data (None when they cannot be)."""
    if characteristic is None or not data or kind in NOT_DECODED_KINDS:
        return None
    try:
        return decode(characteristic, data).to_json()
    except DecodeError:
        return None


@dataclass(frozen=True, slots=True)
class GattCrossing:
    """One crossing: when, what (``read``, ``write``, ``write-cmd``, ``subscribe``,
    ``notify``, ``indicate``, ``connect``, ``disconnect``, ``dropped``), which characteristic
    (a codec member, or the text of a UUID the codec does not know, kept as given and not
    decoded), the bytes and a note (an ATT error, a reason)."""

    time_s: float
    kind: str
    characteristic: Characteristic | str | None = None
    data: bytes = b""
    note: str = ""

    @property
    def _known(self) -> Characteristic | None:
        return self.characteristic if isinstance(self.characteristic, Characteristic) else None

    def to_json(self) -> dict[str, object]:
        """The JSON form: one object per line of a trace file."""
        out: dict[str, object] = {"t": round(self.time_s, 3), "kind": self.kind}
        known = self._known
        if self.characteristic is not None:
            out["characteristic"] = known.cli_name if known is not None else self.characteristic
        if self.data:
            out["hex"] = self.data.hex()
        value = decoded(self.kind, known, self.data)
        if value is not None:
            out["decoded"] = value
        if self.note:
            out["note"] = self.note
        return out

    def __str__(self) -> str:
        """The terminal form: time, kind, characteristic, hex, the decoding, (note)."""
        known = self._known
        name = known.cli_name if known is not None else (self.characteristic or "")
        parts = [f"{self.time_s:9.3f}s", f"{self.kind:<10}", f"{name:<17}", self.data.hex(" ")]
        value = decoded(self.kind, known, self.data)
        if value is not None:
            parts.append(json.dumps(value, separators=(",", ":")))
        if self.note:
            parts.append(f"({self.note})")
        return " ".join(part for part in parts if part).rstrip()
