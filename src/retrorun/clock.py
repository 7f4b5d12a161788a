"""Time as a dependency.

Everything that waits is handed a `Clock`; pure code takes ``now`` as an argument instead.
Deadlines are absolute seconds on the clock's own scale, never a chain of relative sleeps,
so waiting never accumulates drift.

* `MonotonicClock` is real time (``time.monotonic``), for sessions on a real treadmill.
* `LoopClock` reads the running event loop's time; on a `VirtualTimeLoop` that is virtual
  time, which is how ``--fast`` runs a whole simulated session as fast as the CPU allows.
* `ManualClock` only moves when told to. Tests and the simulator use it so that nothing
  sleeps to let time pass: ``await clock.advance(30)`` wakes every sleeper whose deadline
  falls inside those 30 s, in deadline order, and lets the event loop run each to its next
  wait before moving on.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import selectors
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from collections.abc import Awaitable, Coroutine, Mapping

    from _typeshed import FileDescriptorLike

_T = TypeVar("_T")

# How many times `settle` lets the event loop turn, at most, while waiting for woken tasks to
# reach their next wait: a guard against a task that never waits, not a tuning knob.
_SETTLE_LIMIT = 10_000
# Turns taken on an event loop whose ready queue cannot be read.
_BLIND_TURNS = 100


class Clock(Protocol):
    """Monotonic time and absolute-deadline sleeping."""

    def now(self) -> float:
        """Seconds on this clock's monotonic scale."""
        ...

    async def sleep_until(self, deadline: float) -> None:
        """Return once ``now() >= deadline`` (at once when it already is)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Sleep for ``seconds`` from now."""
        ...


class MonotonicClock:
    """Real time, for real treadmills."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep_until(self, deadline: float) -> None:
        # The delay is recomputed from the absolute deadline on every call, so a late
        # wake-up does not push later deadlines back.
        delay = deadline - time.monotonic()
        await asyncio.sleep(max(0.0, delay))

    async def sleep(self, seconds: float) -> None:
        await self.sleep_until(time.monotonic() + seconds)


class LoopClock:
    """The running event loop's own time.

    On an ordinary loop this is monotonic real time; on a `VirtualTimeLoop` it is virtual
    time, so every wait in the program (ours and the libraries' timeouts alike) jumps.
    """

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep_until(self, deadline: float) -> None:
        await asyncio.sleep(max(0.0, deadline - self.now()))

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class _WrappedSelector(selectors.BaseSelector):
    """A selector that hands everything but `select` to a real one."""

    def __init__(self, real: selectors.BaseSelector) -> None:
        self._real = real

    def register(
        self, fileobj: FileDescriptorLike, events: int, data: object = None
    ) -> selectors.SelectorKey:
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj: FileDescriptorLike) -> selectors.SelectorKey:
        return self._real.unregister(fileobj)

    def modify(
        self, fileobj: FileDescriptorLike, events: int, data: object = None
    ) -> selectors.SelectorKey:
        return self._real.modify(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        return self._real.select(timeout)

    def close(self) -> None:
        self._real.close()

    def get_map(self) -> Mapping[FileDescriptorLike, selectors.SelectorKey]:
        return self._real.get_map()


class _JumpingSelector(_WrappedSelector):
    """Polls the real selector without blocking; when nothing is ready, time jumps instead.

    The event loop asks its selector to wait until the next timer is due. Answering at once
    with "no I/O" after moving the loop's time to that timer makes the loop run the timer
    next, so a program that only waits on timers runs at the speed of the CPU. When no
    timer is pending at all (``timeout is None``) the real selector blocks as usual: the
    program waits for real I/O or another thread.
    """

    def __init__(self, real: selectors.BaseSelector, loop: VirtualTimeLoop) -> None:
        super().__init__(real)
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._real.select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None:
            return self._real.select(None)
        self._loop.jump(timeout)
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An asyncio loop whose clock jumps to the next timer whenever every task is waiting.

    Real I/O (sockets, pipes, threads) still works; only waiting on time is skipped. Used
    for ``--fast`` simulator sessions and by tests that run the whole stack.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._virtual_now = start
        super().__init__(_JumpingSelector(selectors.DefaultSelector(), self))

    def time(self) -> float:
        return self._virtual_now

    def jump(self, seconds: float) -> None:
        """Move virtual time forward (called by the selector when the loop would sleep)."""
        self._virtual_now += max(0.0, seconds)


def run_virtual(main: Coroutine[object, object, _T], *, start: float = 0.0) -> _T:
    """Run ``main`` to completion on a fresh `VirtualTimeLoop`; like `asyncio.run`."""
    with asyncio.Runner(loop_factory=lambda: VirtualTimeLoop(start)) as runner:
        return runner.run(main)


@dataclass(order=True)
class _Sleeper:
    deadline: float
    seq: int
    future: asyncio.Future[None] = field(compare=False)


class ManualClock:
    """A clock that moves only when `advance` or `advance_to` is awaited."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._sleepers: list[_Sleeper] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    def next_deadline(self) -> float | None:
        """The earliest deadline anyone is sleeping until, or None."""
        self._drop_cancelled()
        return self._sleepers[0].deadline if self._sleepers else None

    async def sleep_until(self, deadline: float) -> None:
        if deadline <= self._now:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, _Sleeper(deadline, next(self._seq), future))
        await future

    async def sleep(self, seconds: float) -> None:
        await self.sleep_until(self._now + seconds)

    async def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``; see `advance_to`."""
        if seconds < 0:
            raise ValueError("a ManualClock cannot go backwards")
        await self.advance_to(self._now + seconds)

    async def advance_to(self, target: float) -> None:
        """Move time to ``target``, waking sleepers in deadline order on the way.

        At each deadline the woken tasks run until every task is waiting again, so a task
        that sleeps again inside the window is woken again before time moves past it.
        """
        if target < self._now:
            raise ValueError("a ManualClock cannot go backwards")
        await settle()
        while (deadline := self.next_deadline()) is not None and deadline <= target:
            self._now = max(self._now, deadline)
            while self._sleepers and self._sleepers[0].deadline <= self._now:
                sleeper = heapq.heappop(self._sleepers)
                if not sleeper.future.done():
                    sleeper.future.set_result(None)
            await settle()
        self._now = target
        await settle()

    async def run_until(self, task: asyncio.Future[_T], *, limit: float) -> None:
        """Jump from deadline to deadline until ``task`` is done (autojump).

        Whenever every task is waiting, time jumps to the next deadline. Raises
        `TimeoutError` when the task is still running ``limit`` seconds of clock time
        from now, or when it waits with no deadline pending (it would never finish).
        """
        end = self._now + limit
        await settle()
        while not task.done():
            deadline = self.next_deadline()
            if deadline is None:
                raise TimeoutError("the task waits on something no clock deadline will wake")
            if deadline > end:
                raise TimeoutError(f"the task did not finish within {limit} s of clock time")
            await self.advance_to(deadline)

    def _drop_cancelled(self) -> None:
        while self._sleepers and self._sleepers[0].future.done():
            heapq.heappop(self._sleepers)


async def settle() -> None:
    """Let the running event loop turn until no task is ready to run.

    asyncio has no public "is anything runnable?" query; the loop's ready queue is the
    one place that knows, so it is read when present and a fixed number of turns are
    taken otherwise.
    """
    ready = getattr(asyncio.get_running_loop(), "_ready", None)
    if ready is None:
        for _ in range(_BLIND_TURNS):
            await asyncio.sleep(0)
        return
    for _ in range(_SETTLE_LIMIT):
        await asyncio.sleep(0)
        if not ready:
            # One more turn picks up callbacks scheduled by the last one to run.
            await asyncio.sleep(0)
            if not ready:
                return
    raise RuntimeError("the event loop never went idle: a task runs without waiting")


class _ScaledSelector(_WrappedSelector):
    """Waits ``timeout / speedup`` of real time for what the loop thinks is ``timeout``, and
    tells the loop how much real time the wait was meant to take."""

    def __init__(self, real: selectors.BaseSelector, loop: ScaledTimeLoop) -> None:
        super().__init__(real)
        self._scaled = loop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        self._scaled.time()  # what ran before the wait is counted now, bounded
        wait = None if timeout is None else max(0.0, timeout) / self._scaled.speedup
        ready = self._real.select(wait)
        self._scaled.expect(math.inf if wait is None else wait)
        return ready


class ScaledTimeLoop(asyncio.SelectorEventLoop):
    """An asyncio loop whose clock runs ``speedup`` times faster than real time.

    Used for ``--speedup N`` simulator sessions: every wait in the program (ours and the
    libraries' timeouts alike) takes 1/N of its real length, and the order of events is
    the same as at real speed.

    A stall of the process (another program holding the CPU, a swap) is *not* scaled up:
    at 120x, 50 ms of lost real time would be 6 s of session time in which the simulator
    sent nothing, and the session would rightly call the link lost. The clock credits a
    wait in full only up to the length it was meant to have, and any other gap between two
    readings of the clock only up to `STALL_S` of session time; the rest is time the
    session slips against the wall clock.
    """

    STALL_S = 0.25
    """Session seconds a gap the loop did not ask for may count."""

    def __init__(self, speedup: float) -> None:
        if not math.isfinite(speedup) or speedup <= 0:
            raise ValueError("speedup must be positive")
        self.speedup = speedup
        self._real_last = time.monotonic()
        self._now = 0.0
        self._expected = 0.0
        super().__init__(_ScaledSelector(selectors.DefaultSelector(), self))

    def expect(self, real_s: float) -> None:
        """The wait just over was meant to take `real_s` seconds of real time."""
        self._expected = real_s

    def time(self) -> float:
        real = time.monotonic()
        gap, self._real_last = real - self._real_last, real
        allowed = self._expected + self.STALL_S / self.speedup
        self._expected = 0.0
        self._now += min(gap, allowed) * self.speedup
        return self._now


def run_scaled(main: Coroutine[object, object, _T], *, speedup: float) -> _T:
    """Run ``main`` to completion on a fresh `ScaledTimeLoop`; like `asyncio.run`."""
    with asyncio.Runner(loop_factory=lambda: ScaledTimeLoop(speedup)) as runner:
        return runner.run(main)


async def wall_bounded(awaitable: Awaitable[_T], seconds: float, *, poll_s: float = 0.01) -> _T:
    """The result of `awaitable`, or `TimeoutError` once `seconds` of *wall* time passed.

    For real I/O (a broker over a socket) on any loop: on a fast-forward or scaled loop a
    loop-time timeout of ten seconds passes in an instant, while the other end answers in
    real time. Each short wait lets the loop poll the socket.
    """
    task = asyncio.ensure_future(awaitable)
    deadline = time.monotonic() + seconds
    try:
        while not task.done():
            if time.monotonic() >= deadline:
                raise TimeoutError
            await asyncio.wait({task}, timeout=poll_s)
    finally:
        if not task.done():
            task.cancel()
            await asyncio.wait({task})
    return task.result()
