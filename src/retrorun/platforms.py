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


def scan_needs_service_filter(system: str | None = None, mac_version: str | None = None) -> bool:
    """Whether a Bluetooth scan hears nothing without a service UUID filter: macOS 12.0 to
    12.2 (bleak #635). `system` and `mac_version` default to this machine's."""
    import platform  # noqa: PLC0415

    system = system if system is not None else sys.platform
    if system != "darwin":
        return False
    version = mac_version if mac_version is not None else platform.mac_ver()[0]
    parts = [int(part) for part in version.split(".")[:2] if part.isdigit()]
    return len(parts) >= 1 and parts[0] == 12 and (parts[1] if len(parts) > 1 else 0) <= 2  # noqa: PLR2004 - macOS 12.0-12.2
