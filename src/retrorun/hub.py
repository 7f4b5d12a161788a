"""Fan-out of events to any number of `async for` readers.

Each subscriber gets its own bounded queue, registered the moment it subscribes (so nothing
published after `subscribe()` returns is missed); a reader that falls behind loses its
oldest events rather than growing memory without limit or slowing the publisher.
"""

from __future__ import annotations

import asyncio
from typing import Generic, TypeVar

_E = TypeVar("_E")


class _Closed:
    """Marks the end of the stream in a subscriber's queue."""


_CLOSED = _Closed()


class Subscription(Generic[_E]):
    """An async iterator over the events of one `Hub`, from subscription until close."""

    def __init__(self, hub: Hub[_E], backlog: int) -> None:
        self._hub = hub
        self._queue: asyncio.Queue[_E | _Closed] = asyncio.Queue(backlog)

    def offer(self, event: _E | _Closed) -> None:
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(event)

    def __aiter__(self) -> Subscription[_E]:
        return self

    async def __anext__(self) -> _E:
        event = await self._queue.get()
        if isinstance(event, _Closed):
            self.cancel()
            raise StopAsyncIteration
        return event

    def drain(self) -> list[_E]:
        """The events received and not yet read, without waiting for more."""
        events: list[_E] = []
        while not self._queue.empty():
            event = self._queue.get_nowait()
            if not isinstance(event, _Closed):
                events.append(event)
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
            subscriber.offer(event)

    def close(self) -> None:
        """End every subscription (their `async for` loops finish)."""
        self._closed = True
        for subscriber in self._subscribers:
            subscriber.offer(_CLOSED)

    def subscribe(self) -> Subscription[_E]:
        """Events published from now until `close`."""
        subscription = Subscription(self, self._backlog)
        if self._closed:
            subscription.offer(_CLOSED)
        else:
            self._subscribers.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription[_E]) -> None:
        if subscription in self._subscribers:
            self._subscribers.remove(subscription)
