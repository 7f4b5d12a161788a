"""Every byte that crosses the simulated GATT boundary, decoded with the codec.

A trace sink is any callable that takes a `TraceEvent`; ``str(event)`` is one line for a
terminal, ``event.to_json()`` a structured form.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from retrorun.errors import DecodeError
from retrorun.ftms import Characteristic, decode


class TraceKind(StrEnum):
    """Which way the bytes went: client to server (read, write, subscribe) or back."""

    READ = "read"
    WRITE = "write"
    WRITE_COMMAND = "write-cmd"
    SUBSCRIBE = "subscribe"
    NOTIFY = "notify"
    INDICATE = "indicate"
    DROPPED = "dropped"
    CONNECT = "connect"
    DISCONNECT = "disconnect"


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """One crossing: when (treadmill clock), what, which characteristic, the bytes, the outcome.

    ``note`` carries an ATT error or what happened to a dropped notification.
    """

    time_s: float
    kind: TraceKind
    characteristic: Characteristic | None = None
    data: bytes = b""
    note: str = ""

    def decoded(self) -> dict[str, object] | None:
        """The bytes decoded by the codec, as JSON-ready data (None when they cannot be)."""
        if self.characteristic is None or not self.data or self.kind is TraceKind.SUBSCRIBE:
            return None
        try:
            return decode(self.characteristic, self.data).to_json()
        except DecodeError:
            return None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"t": round(self.time_s, 3), "kind": str(self.kind)}
        if self.characteristic is not None:
            out["characteristic"] = self.characteristic.cli_name
        if self.data:
            out["hex"] = self.data.hex()
        decoded = self.decoded()
        if decoded is not None:
            out["decoded"] = decoded
        if self.note:
            out["note"] = self.note
        return out

    def __str__(self) -> str:
        name = self.characteristic.cli_name if self.characteristic is not None else ""
        parts = [f"{self.time_s:9.3f}s", f"{self.kind:<10}", f"{name:<17}", self.data.hex(" ")]
        decoded = self.decoded()
        if decoded is not None:
            parts.append(json.dumps(decoded, separators=(",", ":")))
        if self.note:
            parts.append(f"({self.note})")
        return " ".join(part for part in parts if part).rstrip()


TraceSink = Callable[[TraceEvent], None]
