"""SIGINT and SIGTERM as a call on the event loop, on every platform.

``loop.add_signal_handler`` exists only on Unix event loops; Windows' loops raise
`NotImplementedError` for it. There the handler is installed with `signal.signal` and hands
the call to the loop thread-safely (Ctrl-C arrives as SIGINT; SIGTERM is seldom sent on
Windows, but registering it is harmless).
"""

from __future__ import annotations

import asyncio
import signal
from typing import TYPE_CHECKING

from retrorun import platforms

if TYPE_CHECKING:
    from collections.abc import Callable

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def on_stop_signals(callback: Callable[[], object]) -> Callable[[], None]:
    """Call ``callback`` on the running loop at SIGINT or SIGTERM; returns the undo."""
    loop = asyncio.get_running_loop()
    if platforms.posix():
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, callback)

        def undo_unix() -> None:
            for sig in STOP_SIGNALS:
                loop.remove_signal_handler(sig)

        return undo_unix

    def handler(_signum: int, _frame: object) -> None:
        loop.call_soon_threadsafe(callback)

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}

    def undo_fallback() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return undo_fallback
