"""The bounded publish queue between the session and the broker.

Putting a message never blocks and never grows memory without limit, whatever the broker
does; the sender takes messages out as fast as the connection allows. Three lanes, taken in turn
(one message from each lane that has one, so a state that changes all the time can never
starve the cues, nor cues the telemetry):

* `Lane.LATEST` (status, state, discovery, retained): one slot per topic. A newer message
  replaces the one waiting, so a slow link sends the newest state, never a backlog.
* `Lane.EVENTS` (cues, log lines, command results): first in, first out, at most
  `events_limit`; when full the oldest is dropped so the latest cues are kept.
* `Lane.TELEMETRY` (1 Hz samples): first in, first out, at most `telemetry_limit`; when full
  the oldest sample is dropped.

A payload may be a function that builds the bytes: the snapshot's JSON is then encoded only
when it is actually sent, so the snapshots a slow link skips cost the session nothing.

`SendPace` is the token bucket that keeps the sender from spending the CPU a fast-forward
session needs: dashboards cannot show thousands of updates a second anyway.

Pure: no asyncio, no clock of its own (`SendPace` takes ``now``). The async sender waits on
its own event and calls `pop`.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


class Lane(enum.Enum):
    LATEST = "latest"
    EVENTS = "events"
    TELEMETRY = "telemetry"


_ORDER = (Lane.LATEST, Lane.EVENTS, Lane.TELEMETRY)


@dataclass(frozen=True)
class Outgoing:
    """One message to publish."""

    topic: str
    payload: bytes | Callable[[], bytes]
    lane: Lane
    retain: bool = False
    qos: int = 0

    def body(self) -> bytes:
        """The payload bytes (built now when the payload is a function)."""
        return self.payload if isinstance(self.payload, bytes) else self.payload()


class Outbox:
    """See the module docstring."""

    def __init__(self, *, events_limit: int = 64, telemetry_limit: int = 8) -> None:
        if events_limit < 1 or telemetry_limit < 1:
            raise ValueError("outbox lanes hold at least one message")
        self._latest: dict[str, Outgoing] = {}
        self._events: deque[Outgoing] = deque(maxlen=events_limit)
        self._telemetry: deque[Outgoing] = deque(maxlen=telemetry_limit)
        self._turn = 0
        self.dropped: dict[Lane, int] = dict.fromkeys(Lane, 0)
        """Messages discarded (replaced or pushed out) per lane since creation."""

    def put(self, message: Outgoing) -> None:
        """Queue `message`; drops what its lane's rule says when the lane is full."""
        if message.lane is Lane.LATEST:
            # Assigning keeps the topic's place in line: a state that changes faster than
            # the link sends still goes out in turn, as its newest version.
            if message.topic in self._latest:
                self.dropped[Lane.LATEST] += 1
            self._latest[message.topic] = message
            return
        lane = self._events if message.lane is Lane.EVENTS else self._telemetry
        if len(lane) == lane.maxlen:
            self.dropped[message.lane] += 1
        lane.append(message)

    def pop(self) -> Outgoing | None:
        """The next message to send (lanes in turn), or None when empty."""
        for step in range(len(_ORDER)):
            lane = _ORDER[(self._turn + step) % len(_ORDER)]
            message = self._take(lane)
            if message is not None:
                self._turn = (_ORDER.index(lane) + 1) % len(_ORDER)
                return message
        return None

    def _take(self, lane: Lane) -> Outgoing | None:
        if lane is Lane.LATEST:
            return self._latest.pop(next(iter(self._latest))) if self._latest else None
        queue = self._events if lane is Lane.EVENTS else self._telemetry
        return queue.popleft() if queue else None

    def __len__(self) -> int:
        return len(self._latest) + len(self._events) + len(self._telemetry)


class SendPace:
    """A token bucket: at most `rate_hz` sends a second on average, bursts of `burst`.

    ``delay_s(now)`` says how long to wait before the next send (0: send now), ``sent(now)``
    records one. `now` is in seconds on any monotonic scale.
    """

    def __init__(self, rate_hz: float, burst: int = 20) -> None:
        if rate_hz <= 0 or burst < 1:
            raise ValueError("a send pace needs a positive rate and a burst of at least 1")
        self.rate_hz = rate_hz
        self.burst = burst
        self._tokens = float(burst)
        self._at: float | None = None

    def _refill(self, now: float) -> None:
        if self._at is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate_hz)
        self._at = now

    def delay_s(self, now: float) -> float:
        self._refill(now)
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate_hz

    def sent(self, now: float) -> None:
        self._refill(now)
        self._tokens -= 1
