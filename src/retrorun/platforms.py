"""What the operating system offers that retrorun's terminal views rely on.

Linux (Raspberry Pi OS included) and macOS have it all. Windows has no termios (single key
presses on a terminal), no ``loop.add_reader`` for stdin and no ``loop.add_signal_handler``;
the callers take their other branch there. One function, so tests can force that branch.
"""

from __future__ import annotations

import sys


def posix() -> bool:
    """Whether this is a Unix-like system: termios terminals, loop signal handlers and
    readers on stdin (everywhere but Windows)."""
    return sys.platform != "win32"
