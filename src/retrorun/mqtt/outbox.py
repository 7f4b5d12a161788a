"""The bounded publish queue between the session and the broker.

Putting a message never blocks and never grows memory without limit, whatever the broker
does; the sender takes messages out as fast as the connection allows. Three lanes, taken in
this order:

* `Lane.LATEST` (status, state, discovery, retained): one slot per topic. A newer message
  replaces the one waiting, so a slow link sends the newest state, never a backlog.
* `Lane.EVENTS` (cues, log lines, command results): first in, first out, at most
  `events_limit`; when full the oldest is dropped so the latest cues are kept.
* `Lane.TELEMETRY` (1 Hz samples): first in, first out, at most `telemetry_limit`; when full
  the oldest sample is dropped.

Pure: no asyncio. The async sender waits on its own event and calls `pop`.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass


class Lane(enum.Enum):
    LATEST = "latest"
    EVENTS = "events"
    TELEMETRY = "telemetry"


@dataclass(frozen=True)
class Outgoing:
    """One message to publish."""

    topic: str
    payload: bytes
    lane: Lane
    retain: bool = False
    qos: int = 0


class Outbox:
    """See the module docstring."""

    def __init__(self, *, events_limit: int = 64, telemetry_limit: int = 8) -> None:
        if events_limit < 1 or telemetry_limit < 1:
            raise ValueError("outbox lanes hold at least one message")
        self._latest: dict[str, Outgoing] = {}
        self._events: deque[Outgoing] = deque(maxlen=events_limit)
        self._telemetry: deque[Outgoing] = deque(maxlen=telemetry_limit)
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
        """The next message to send, or None when empty."""
        if self._latest:
            topic = next(iter(self._latest))
            return self._latest.pop(topic)
        if self._events:
            return self._events.popleft()
        if self._telemetry:
            return self._telemetry.popleft()
        return None

    def __len__(self) -> int:
        return len(self._latest) + len(self._events) + len(self._telemetry)
