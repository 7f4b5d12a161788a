"""Reading the files users hand us (profiles, workouts to import), with a size limit.

Problems become a `ProfileError` naming the file, never a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrorun.errors import ProfileError
from retrorun.userfiles import UnreadableFile, read_bounded

if TYPE_CHECKING:
    from pathlib import Path


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`; refuses files larger than `limit` bytes (no
    workout is that big)."""
    try:
        return read_bounded(path, limit)
    except UnreadableFile as exc:
        raise ProfileError(str(exc), file=str(path)) from exc
