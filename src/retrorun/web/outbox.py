"""What waits to be sent to one browser: bounded, newest state wins.

Offering never blocks and never grows without limit, however slowly the browser reads:

* the *state* is one slot: a newer snapshot replaces the one waiting, so a slow browser
  gets the newest state, never a backlog (and a skipped snapshot is never even encoded);
* *events* (cues, command results, the end) wait first in, first out, at most
  `events_limit`; when full the oldest goes, so the latest cue is the one kept.

A state that differs from the last one sent only in its numbers (a countdown ticking) goes
out at most every `min_gap_s` seconds of wall time, so a fast-forward session does not
spend its CPU on a page that cannot show thousands of frames a second; a change the runner
must see (state, direction, segment, phase, reason) goes out at once.

Pure: no asyncio, no clock of its own (``now`` is passed in, in wall seconds).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from retrorun.session.api import Snapshot

EVENTS_LIMIT = 32
MIN_GAP_S = 0.05


def _shape(snap: Snapshot) -> tuple[object, ...]:
    """What a runner must see change at once."""
    return (snap.state, snap.segment_index, snap.phase, snap.direction, snap.reason)


class ClientOutbox:
    """See the module docstring. `encode` turns a snapshot into the text sent for it."""

    def __init__(
        self,
        encode: Callable[[Snapshot], str],
        *,
        events_limit: int = EVENTS_LIMIT,
        min_gap_s: float = MIN_GAP_S,
    ) -> None:
        if events_limit < 1:
            raise ValueError("the events lane holds at least one message")
        self._encode = encode
        self._state: Snapshot | None = None
        self._events: deque[str] = deque(maxlen=events_limit)
        self._min_gap_s = min_gap_s
        self._sent_shape: tuple[object, ...] | None = None
        self._sent_at: float | None = None
        self.dropped = 0
        """Snapshots replaced before they were sent, plus events pushed out."""

    def offer_state(self, snap: Snapshot) -> None:
        if self._state is not None:
            self.dropped += 1
        self._state = snap

    def offer_event(self, text: str) -> None:
        if len(self._events) == self._events.maxlen:
            self.dropped += 1
        self._events.append(text)

    def take(self, now: float) -> list[str]:
        """What to send now, in order: the events, then the state (when due)."""
        out = list(self._events)
        self._events.clear()
        snap = self._state
        if snap is not None and self.due_in(now) == 0.0:
            out.append(self._encode(snap))
            self._state = None
            self._sent_shape = _shape(snap)
            self._sent_at = now
        return out

    def due_in(self, now: float) -> float | None:
        """Seconds until the state held back by the pace may go (None: none is held)."""
        if self._state is None:
            return None
        if self._sent_at is None or _shape(self._state) != self._sent_shape:
            return 0.0
        return max(0.0, self._sent_at + self._min_gap_s - now)

    def ready(self, now: float) -> bool:
        """Whether `take` would return anything now."""
        return bool(self._events) or self.due_in(now) == 0.0

    @property
    def waiting(self) -> bool:
        """Whether a state is held back by the pace (the next `take` may send it)."""
        return self._state is not None

    def __len__(self) -> int:
        return len(self._events) + (self._state is not None)
