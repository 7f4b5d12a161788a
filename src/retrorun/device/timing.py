"""Waiting on the injected clock: first-of-two and backoff."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Coroutine

_T = TypeVar("_T")


async def first_of(future: asyncio.Future[_T], timer: Coroutine[object, object, None]) -> _T:
    """The future's result, or `TimeoutError` when the timer (a clock sleep) ends first.

    The timer is a clock sleep rather than ``asyncio.wait_for`` so that timeouts follow the
    injected clock (a `ManualClock` in tests). On timeout the future is cancelled (it may be
    a task watching telemetry).
    """
    timer_task = asyncio.ensure_future(timer)
    either: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def wake(_: object) -> None:
        if not either.done():
            either.set_result(None)

    future.add_done_callback(wake)
    timer_task.add_done_callback(wake)
    try:
        await either
    finally:
        timer_task.cancel()
        future.remove_done_callback(wake)
    if future.done():
        return future.result()
    future.cancel()
    raise TimeoutError


def backoff(attempt: int, *, cap: float = 4.0) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based): 0.5, 1, 2, ... up to cap."""
    return float(min(cap, 0.5 * 2**attempt))
