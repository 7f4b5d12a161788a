"""Every byte that crosses the simulated GATT boundary, decoded with the codec.

A trace sink is any callable that takes a `TraceEvent`; ``str(event)`` is one line for a
terminal, ``event.to_json()`` a structured form. Besides the bytes, one ``belt`` event per
Treadmill Data period says what the belt physically does (whatever telemetry reports)::

       12.000s belt       4.50 km/h 2.0 % moving
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from retrorun.ftms.trace import GattCrossing, decoded

if TYPE_CHECKING:
    from retrorun.ftms import Characteristic

if TYPE_CHECKING:
    from retrorun_sim.physics import PhysicalBelt


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
    # Not a GATT crossing: the physical belt at that moment (`TraceEvent.belt`).
    BELT = "belt"


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """One crossing: when (treadmill clock), what, which characteristic, the bytes, the outcome.

    ``note`` carries an ATT error or what happened to a dropped notification; ``belt`` the
    physical belt of a ``belt`` event.
    """

    time_s: float
    kind: TraceKind
    characteristic: Characteristic | None = None
    data: bytes = b""
    note: str = ""
    belt: PhysicalBelt | None = None

    def decoded(self) -> dict[str, object] | None:
        """The bytes decoded by the codec, as JSON-ready data (None when they cannot be)."""
        return decoded(str(self.kind), self.characteristic, self.data)

    def to_json(self) -> dict[str, object]:
        """`retrorun.ftms.trace.GattCrossing`'s, the format a real treadmill's trace has too."""
        out = self._crossing().to_json()
        if self.belt is not None:
            out["speed_kmh"] = round(self.belt.speed_kmh, 3)
            out["inclination_pct"] = round(self.belt.inclination_pct, 3)
            out["moving"] = self.belt.moving
        return out

    def __str__(self) -> str:
        if self.belt is not None:
            belt = self.belt
            motion = "moving" if belt.moving else "still"
            return (
                f"{self.time_s:9.3f}s {self.kind:<10} {belt.speed_kmh:.2f} km/h "
                f"{belt.inclination_pct:.1f} % {motion}"
            )
        return str(self._crossing())

    def _crossing(self) -> GattCrossing:
        return GattCrossing(self.time_s, str(self.kind), self.characteristic, self.data, self.note)


TraceSink = Callable[[TraceEvent], None]
