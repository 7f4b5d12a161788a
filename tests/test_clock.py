"""ManualClock: time moves only when told, sleepers wake in deadline order."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

from retrorun.clock import (
    LoopClock,
    ManualClock,
    MonotonicClock,
    ScaledTimeLoop,
    run_scaled,
    run_virtual,
    wall_bounded,
)


async def test_sleepers_wake_in_deadline_order_at_their_deadline() -> None:
    clock = ManualClock()
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, deadline: float) -> None:
        await clock.sleep_until(deadline)
        woke.append((name, clock.now()))

    tasks = [asyncio.create_task(sleeper(n, d)) for n, d in (("c", 3.0), ("a", 1.0), ("b", 2.0))]
    await clock.advance(2.5)
    assert woke == [("a", 1.0), ("b", 2.0)]
    assert clock.now() == 2.5
    await clock.advance(1.0)
    assert woke[-1] == ("c", 3.0)
    await asyncio.gather(*tasks)


async def test_a_periodic_task_runs_once_per_period_without_drift() -> None:
    clock = ManualClock()
    ticks: list[float] = []

    async def ticker() -> None:
        deadline = 0.0
        while True:
            deadline += 1.0
            await clock.sleep_until(deadline)
            ticks.append(clock.now())

    task = asyncio.create_task(ticker())
    await clock.advance(10.0)
    task.cancel()
    assert ticks == [float(n) for n in range(1, 11)]


async def test_nothing_wakes_before_time_is_advanced() -> None:
    clock = ManualClock(start=100.0)
    task = asyncio.create_task(clock.sleep(5.0))
    await clock.advance(4.999)
    assert not task.done()
    await clock.advance(0.001)
    assert task.done()


async def test_cancelled_sleepers_do_not_block_the_clock() -> None:
    clock = ManualClock()
    task = asyncio.create_task(clock.sleep(1.0))
    await asyncio.sleep(0)
    task.cancel()
    await clock.advance(2.0)
    assert clock.next_deadline() is None


async def test_run_until_jumps_to_each_deadline() -> None:
    clock = ManualClock()

    async def work() -> float:
        for _ in range(3):
            await clock.sleep(60.0)
        return clock.now()

    task = asyncio.create_task(work())
    await clock.run_until(task, limit=600.0)
    assert task.result() == 180.0


async def test_run_until_reports_a_task_that_can_never_finish() -> None:
    clock = ManualClock()
    never: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    with pytest.raises(TimeoutError, match="no clock deadline"):
        await clock.run_until(never, limit=10.0)


async def test_time_cannot_go_backwards() -> None:
    clock = ManualClock(start=5.0)
    with pytest.raises(ValueError, match="backwards"):
        await clock.advance_to(4.0)


async def test_monotonic_clock_returns_at_once_for_a_past_deadline() -> None:
    clock = MonotonicClock()
    before = clock.now()
    await clock.sleep_until(before - 10.0)
    assert clock.now() >= before


def test_virtual_time_loop_skips_waiting_but_keeps_order() -> None:
    events: list[tuple[str, float]] = []

    async def worker(name: str, period: float, count: int) -> None:
        clock = LoopClock()
        start = clock.now()
        for n in range(1, count + 1):
            await clock.sleep_until(start + n * period)
            events.append((name, clock.now()))

    async def main() -> float:
        await asyncio.gather(worker("slow", 60.0, 3), worker("fast", 45.0, 4))
        return LoopClock().now()

    wall_before = time.monotonic()
    end = run_virtual(main())
    assert end == 180.0
    assert [name for name, _ in events] == ["fast", "slow", "fast", "slow", "fast", "slow", "fast"]
    assert [t for _, t in events] == [45.0, 60.0, 90.0, 120.0, 135.0, 180.0, 180.0]
    # Three simulated minutes pass without three real minutes passing.
    assert time.monotonic() - wall_before < 60.0


def test_library_timeouts_run_on_virtual_time_too() -> None:
    async def main() -> float:
        never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(never, timeout=3600.0)
        return asyncio.get_running_loop().time()

    assert run_virtual(main()) == 3600.0


def test_virtual_time_loop_still_delivers_real_io() -> None:
    async def main() -> bytes:
        reader_sock, writer_sock = socket.socketpair()
        reader, writer = await asyncio.open_connection(sock=reader_sock)
        writer_sock.sendall(b"ping")
        data = await asyncio.wait_for(reader.readexactly(4), timeout=5.0)
        writer_sock.close()
        writer.close()
        await writer.wait_closed()
        return data

    assert run_virtual(main()) == b"ping"


def test_a_scaled_clock_counts_its_waits_but_not_a_stall_of_the_process() -> None:
    """At 100x, a 0.2 s stall of the process (another program holding the CPU) would be
    20 s of session time in which nothing could run: the link watchdog would call the
    treadmill lost. The scaled clock lets it count only a fraction of a second."""

    async def main() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        before = loop.time()
        await asyncio.sleep(5.0)  # 50 ms of real time, counted in full
        waited = loop.time() - before
        before = loop.time()
        time.sleep(0.2)  # noqa: ASYNC251 - the stall under test
        await asyncio.sleep(0)
        return waited, loop.time() - before

    waited, stalled = run_scaled(main(), speedup=100.0)
    assert 5.0 <= waited < 5.0 + 2 * ScaledTimeLoop.STALL_S
    assert stalled <= 2 * ScaledTimeLoop.STALL_S


def test_a_wall_bound_waits_for_real_io_where_a_loop_time_timeout_jumps_past_it() -> None:
    # A broker answers in real time; on a --fast loop a ten-second timeout of loop time is
    # over before it can (the MQTT goodbye was lost that way on a busy machine).
    async def main() -> tuple[str, str]:
        loop = asyncio.get_running_loop()

        def answer_in_real_time() -> asyncio.Future[str]:
            future: asyncio.Future[str] = loop.create_future()

            def later() -> None:
                time.sleep(0.05)
                loop.call_soon_threadsafe(future.set_result, "answered")

            threading.Thread(target=later).start()
            return future

        try:
            by_loop_time = await asyncio.wait_for(answer_in_real_time(), 10.0)
        except TimeoutError:
            by_loop_time = "timed out"
        by_wall_time = await wall_bounded(answer_in_real_time(), 10.0)
        return by_loop_time, by_wall_time

    assert run_virtual(main()) == ("timed out", "answered")
