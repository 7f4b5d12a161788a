"""Reading a file the user named (profile, config, session log, workout to import): bounded.

Only regular files are read, and at most a given number of bytes: ``/dev/zero`` would be read
forever, a FIFO would block `open` until someone writes to it, and a directory is no file.
The file is opened without blocking and checked with ``fstat`` on the open descriptor, so
nothing can swap it between the check and the read.
"""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class UnreadableFile(OSError):  # noqa: N818 - an OSError, named for what it says
    """The file cannot be read as asked; ``str()`` says why in a few words.

    `missing` is True when there is no such file (a default config file may be absent).
    """

    def __init__(self, reason: str, *, missing: bool = False) -> None:
        super().__init__(reason)
        self.missing = missing


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them.

    Raises `UnreadableFile` when it is missing, unreadable, not a regular file or larger than
    `limit` bytes; its message is a few words for the user.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror}", missing=True) from exc
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from exc
    try:
        data = _read_regular(descriptor, limit)
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise UnreadableFile(f"larger than {limit} bytes")
    return data


def _read_regular(descriptor: int, limit: int) -> bytes:
    """At most ``limit + 1`` bytes from the open `descriptor`, if it is a regular file."""
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISREG(mode):
            with os.fdopen(descriptor, "rb", closefd=False) as handle:
                return handle.read(limit + 1)
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from exc
    raise UnreadableFile(f"not a regular file ({_kind(mode)})")


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")
