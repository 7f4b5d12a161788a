"""Every treadmill on the broker, live: the async shell around `Board`.

`snapshot_board` connects, collects what the broker holds (the retained status and state of
every treadmill) and returns: used by ``retrorun watch --once``. It knows the retained
messages are all in without waiting on a timer: it subscribes to the treadmill topics, then
to a private marker topic, and publishes one marker; the broker answers in order, so the
marker arrives after every retained message.

`watch_board` keeps watching and calls ``show(board)`` whenever the table changed, at most
once per `refresh_s` on the clock, reconnecting with backoff when the broker goes away.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING

from retrorun.clock import LoopClock
from retrorun.errors import BrokerError
from retrorun.mqtt.board import Board
from retrorun.mqtt.link import connect, tls_context
from retrorun.mqtt.topics import watch_filters

if TYPE_CHECKING:
    from collections.abc import Callable

    from retrorun.clock import Clock
    from retrorun.mqtt.settings import Backoff, MqttSettings


async def snapshot_board(settings: MqttSettings, *, timeout_s: float = 10.0) -> Board:
    """The board as the broker's retained messages describe it; `BrokerError` on failure."""
    board = Board(settings.topic_prefix)
    marker = f"{settings.topic_prefix}-watch/{uuid.uuid4().hex}"
    async with connect(settings, tls=tls_context(settings), timeout_s=timeout_s) as link:
        await link.subscribe(*watch_filters(settings.topic_prefix), marker)
        await link.publish(marker, b"end", qos=1)
        try:
            async with asyncio.timeout(timeout_s):
                async for message in link.messages():
                    if message.topic == marker:
                        break
                    board.apply(message.topic, message.payload)
        except TimeoutError as exc:
            raise BrokerError(
                "the broker did not answer in time", broker=str(settings.broker)
            ) from exc
    return board


async def watch_board(
    settings: MqttSettings,
    show: Callable[[Board], None],
    *,
    backoff: Backoff,
    clock: Clock | None = None,
    refresh_s: float = 1.0,
    on_error: Callable[[BrokerError], None] | None = None,
) -> None:
    """Watch until cancelled; see the module docstring."""
    clock = clock if clock is not None else LoopClock()
    board = Board(settings.topic_prefix)
    changed = asyncio.Event()
    tls = tls_context(settings)

    async def render() -> None:
        while True:
            await changed.wait()
            changed.clear()
            show(board)
            await clock.sleep(refresh_s)

    renderer = asyncio.create_task(render(), name="watch-render")
    show(board)
    attempt = 0
    try:
        while True:
            try:
                async with connect(settings, tls=tls) as link:
                    attempt = 0
                    await link.subscribe(*watch_filters(settings.topic_prefix))
                    async for message in link.messages():
                        if board.apply(message.topic, message.payload):
                            changed.set()
            except BrokerError as exc:
                if on_error is not None:
                    on_error(exc)
            await clock.sleep(backoff.delay_s(attempt))
            attempt += 1
    finally:
        renderer.cancel()
        await asyncio.gather(renderer, return_exceptions=True)
