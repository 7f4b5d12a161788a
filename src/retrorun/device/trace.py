"""``--trace`` on a real treadmill: every byte that crosses GATT, decoded, with its time.

`GattTrace` is handed to `Link` (the bleak edge), which records each crossing: the
connection, reads, writes (``write`` with response, ``write-cmd`` without), subscriptions,
every notification or indication, and the link's loss. Times are seconds on the session's
clock since the first connection. Lines are `retrorun.ftms.trace.GattCrossing`s as JSON (a
trace file, which the simulator's replay reads back) or text (a terminal).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from retrorun.ftms.trace import GattCrossing, characteristic_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from retrorun.clock import Clock


class GattTrace:
    """Writes one line per GATT crossing to `write`."""

    def __init__(self, write: Callable[[str], None], *, clock: Clock, as_json: bool) -> None:
        self._write = write
        self._clock = clock
        self._as_json = as_json
        self._origin: float | None = None
        self.count = 0
        """Lines written so far."""

    def record(
        self, kind: str, uuid16: int | None = None, data: bytes = b"", note: str = ""
    ) -> None:
        """One crossing, now."""
        now = self._clock.now()
        if self._origin is None:
            self._origin = now
        known = None if uuid16 is None else characteristic_of(uuid16)
        characteristic = known if known is not None or uuid16 is None else f"{uuid16:04x}"
        crossing = GattCrossing(now - self._origin, kind, characteristic, data, note)
        if self._as_json:
            self._write(json.dumps(crossing.to_json(), separators=(", ", ": ")))
        else:
            self._write(str(crossing))
        self.count += 1
