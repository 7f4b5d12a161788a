"""Captured notifications to play back, and the text formats they are read from.

Each entry is a time (seconds since the capture's connection, like the session log's ``t``),
a characteristic and the bytes. Two line formats are accepted, mixed freely:

* JSON, one object per line: ``{"t": 1.0, "characteristic": "treadmill-data", "hex": "0400..."}``
  (``characteristic`` by CLI name or 16-bit UUID, as ``retrorun ftms decode`` takes it);
* plain text: ``1.0 2acd 04 00 e8 03`` — time, characteristic, then hex (spaces allowed).

Blank lines and lines starting with ``#`` are skipped, and so are JSON lines of a trace
(`TraceEvent.to_json`) whose ``kind`` is not a notification or indication (writes, reads,
``belt`` lines): a JSON trace replays as what the treadmill sent, except its control point's
answers, which answered the captured session's commands (the client of the replay sends its
own, and is answered by the simulator). Anything else raises `InputError` naming the line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun.errors import InputError
from retrorun.ftms import Characteristic, resolve_characteristic

if TYPE_CHECKING:
    from collections.abc import Iterable


# Trace kinds that are something the treadmill sent (`retrorun_sim.trace.TraceKind`).
_SENT_KINDS = {"notify", "indicate"}


@dataclass(frozen=True, slots=True)
class ReplayNotification:
    """One captured notification: ``t_s`` seconds after the capture's connection."""

    t_s: float
    characteristic: Characteristic
    data: bytes


def _hex(text: str, where: str) -> bytes:
    try:
        return bytes.fromhex(text.replace(":", " "))
    except ValueError:
        raise InputError(f"{text!r} is not hex", location=where) from None


def _entry(t: object, characteristic: object, data: object, where: str) -> ReplayNotification:
    if isinstance(t, bool) or not isinstance(t, (int, float, str)):
        raise InputError("t must be a number of seconds", location=where)
    try:
        t_s = float(t)
    except ValueError:
        raise InputError(f"t {t!r} is not a number", location=where) from None
    if t_s < 0:
        raise InputError("t must not be negative", location=where)
    if not isinstance(characteristic, str) or not isinstance(data, str):
        raise InputError("needs characteristic and hex as strings", location=where)
    try:
        resolved = resolve_characteristic(characteristic)
    except InputError as exc:
        raise InputError(exc.message, location=where) from None
    return ReplayNotification(t_s, resolved, _hex(data, where))


def parse_replay(lines: Iterable[str], *, source: str = "replay") -> tuple[ReplayNotification, ...]:
    """Every entry of ``lines`` (see the module docstring), sorted by time."""
    entries: list[ReplayNotification] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source}:{number}"
        if line.startswith("{"):
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON: {exc.msg}", location=where) from None
            if not isinstance(item, dict):
                raise InputError("expected a JSON object", location=where)
            if item.get("kind", "notify") not in _SENT_KINDS:
                continue
            entry = _entry(item.get("t"), item.get("characteristic"), item.get("hex"), where)
            if "kind" in item and entry.characteristic is Characteristic.CONTROL_POINT:
                continue
            entries.append(entry)
            continue
        parts = line.split(maxsplit=2)
        if len(parts) < 3:  # noqa: PLR2004 - time, characteristic, hex
            raise InputError("expected TIME CHARACTERISTIC HEX", location=where)
        entries.append(_entry(parts[0], parts[1], parts[2], where))
    return tuple(sorted(entries, key=lambda entry: entry.t_s))
