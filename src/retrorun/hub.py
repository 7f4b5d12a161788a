"""Fan-out of events to any number of `async for` readers.

Each subscriber gets its own bounded queue, registered the moment it subscribes (so nothing
published after `subscribe()` returns is missed); a reader that falls behind loses its
oldest events rather than growing memory without limit or slowing the publisher.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

_E = TypeVar("_E")


class _Closed:
    """Marks the end of the stream in a subscriber's queue."""


_CLOSED = _Closed()

Only = type | tuple[type, ...] | None
"""What a subscription takes: events of a type, of any of several types, or (None) all."""


class Subscription(Generic[_E]):
    """An async iterator over the events of one `Hub`, from subscription until close.

    One reader per subscription: events wait in a bounded deque, and the reader, when it
    has caught up, on one future that the next event resolves. (An `asyncio.Queue` does the
    same for any number of readers and writers, at about twice the cost per event; a fast
    session passes thousands of events a second through these.)
    """

    def __init__(self, hub: Hub[_E], backlog: int, only: Only = None) -> None:
        self._hub = hub
        self.only = only
        """Receive only events of this type or these types (None: every event)."""
        self._events: deque[_E | _Closed] = deque(maxlen=backlog)
        self._waiter: asyncio.Future[None] | None = None

    def offer(self, event: _E | _Closed) -> None:
        # A full deque drops its oldest event to take the new one.
        self._events.append(event)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def __aiter__(self) -> Subscription[_E]:
        return self

    async def __anext__(self) -> _E:
        while not self._events:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        event = self._events.popleft()
        if isinstance(event, _Closed):
            self.cancel()
            raise StopAsyncIteration
        return event

    def drain(self) -> list[_E]:
        """The events received and not yet read, without waiting for more."""
        events = [event for event in self._events if not isinstance(event, _Closed)]
        self._events.clear()
        return events

    def cancel(self) -> None:
        """Stop receiving events."""
        self._hub.unsubscribe(self)


class Hub(Generic[_E]):
    """Publish events; every current subscriber receives each one, in order."""

    def __init__(self, *, backlog: int = 1024) -> None:
        self._backlog = backlog
        self._subscribers: list[Subscription[_E]] = []
        self._closed = False

    def publish(self, event: _E) -> None:
        for subscriber in self._subscribers:
            if subscriber.only is None or isinstance(event, subscriber.only):
                subscriber.offer(event)

    def close(self) -> None:
        """End every subscription (their `async for` loops finish)."""
        self._closed = True
        for subscriber in self._subscribers:
            subscriber.offer(_CLOSED)

    def subscribe(self, *, only: Only = None) -> Subscription[_E]:
        """Events published from now until `close` (``only`` those of a type or types: a
        reader that wants few of them is not woken for the rest)."""
        subscription = Subscription(self, self._backlog, only)
        if self._closed:
            subscription.offer(_CLOSED)
        else:
            self._subscribers.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription[_E]) -> None:
        if subscription in self._subscribers:
            self._subscribers.remove(subscription)
