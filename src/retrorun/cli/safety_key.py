"""The safety-key confirmation before a session on a real treadmill.

Before the belt can move, the runner is asked (on screen and out loud) to clip the safety
key to their clothing and press Enter: a pulled key is the one stop that works whatever
the software does. q, Escape or Ctrl-C (or SIGTERM) leave instead, and nothing connects or
moves. The simulator skips it.

On a Linux or macOS terminal one key answers; elsewhere (Windows, or keys piped in by a
script) one line does: an empty line confirms, ``q`` leaves, and the end of the input
(nobody there to confirm) leaves too.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from typing import TYPE_CHECKING, TextIO

from retrorun import platforms
from retrorun.session.keys import SAFETY_KEY_CONFIRM, SAFETY_KEY_LEAVE, SAFETY_KEY_PROMPT

if TYPE_CHECKING:
    from collections.abc import Callable

    from retrorun.audio import AudioSettings

NOT_CONFIRMED = "the safety key was not confirmed: the belt was not started"
NOT_CONFIRMED_EXIT = 3
"""Stopped before the session started, as a stop during it."""


async def say(settings: AudioSettings | None, text: str) -> None:
    """Speak `text` once through the cue path a session uses (silent without settings);
    returns when it has been said. Never raises for a missing speech program."""
    if settings is None:
        return
    from retrorun.audio import Announcer  # noqa: PLC0415 - audio only when it speaks
    from retrorun.clock import LoopClock  # noqa: PLC0415
    from retrorun.session.api import Cue, CueKind  # noqa: PLC0415

    clock = LoopClock()
    announcer = Announcer(settings, clock=clock)
    playing = asyncio.ensure_future(announcer.run())
    try:
        announcer.offer(Cue(clock.now(), CueKind.TEXT, text))
        await announcer.drained()
    finally:
        playing.cancel()
        await asyncio.gather(playing, return_exceptions=True)


async def confirm_safety_key(
    settings: AudioSettings | None,
    write: Callable[[str], None],
    stream: TextIO | None = None,
) -> bool:
    """Ask for the safety key (shown with `write`, spoken with `settings`); True once the
    runner confirmed, False when they left (q, Escape, Ctrl-C, SIGTERM, end of input)."""
    from retrorun.cli.signals import on_stop_signals  # noqa: PLC0415

    stream = stream or sys.stdin
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[bool] = loop.create_future()

    def settle(*, confirmed: bool) -> None:
        if not answer.done():
            answer.set_result(confirmed)

    write(f"{SAFETY_KEY_PROMPT} (q leaves)")
    speaking = asyncio.ensure_future(say(settings, SAFETY_KEY_PROMPT))
    undo_signals = on_stop_signals(lambda: settle(confirmed=False))
    try:
        if _single_keys(stream):
            from retrorun.headless import cbreak  # noqa: PLC0415

            with cbreak(stream):
                fd = stream.fileno()
                loop.add_reader(fd, lambda: _key(os.read(fd, 16), settle, write))
                try:
                    return await answer
                finally:
                    loop.remove_reader(fd)
        _read_line_in_thread(stream, loop, settle)
        return await answer
    finally:
        undo_signals()
        speaking.cancel()
        await asyncio.gather(speaking, return_exceptions=True)


def _single_keys(stream: TextIO) -> bool:
    try:
        return stream.isatty() and platforms.posix()
    except (OSError, ValueError):
        return False


def _key(data: bytes, settle: Callable[..., None], write: Callable[[str], None]) -> None:
    for key in data.decode(errors="ignore"):
        if key in SAFETY_KEY_CONFIRM:
            settle(confirmed=True)
            return
        if key in SAFETY_KEY_LEAVE:
            settle(confirmed=False)
            return
    write("press Enter once the safety key is clipped, or q to leave")


def _read_line_in_thread(
    stream: TextIO, loop: asyncio.AbstractEventLoop, settle: Callable[..., None]
) -> None:
    """One line from `stream` in a daemon thread: a blocked read never holds the exit."""

    def read() -> None:
        try:
            line = stream.readline()
        except (OSError, ValueError):  # closed, or not readable at all
            line = ""
        confirmed = line.endswith("\n") and line.strip().lower() not in {"q", "quit"}
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits
            loop.call_soon_threadsafe(lambda: settle(confirmed=confirmed))

    threading.Thread(target=read, name="safety-key", daemon=True).start()
