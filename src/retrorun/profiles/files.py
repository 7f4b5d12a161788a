"""Reading the files users hand us (profiles, workouts to import), with a size limit.

Problems become a `ProfileError` naming the file, never a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrorun.errors import ProfileError

if TYPE_CHECKING:
    from pathlib import Path


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of `path`; refuses files larger than `limit` bytes (no workout is that big)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ProfileError(f"cannot read: {exc.strerror or exc}", file=str(path)) from exc
    if len(data) > limit:
        raise ProfileError(f"larger than {limit} bytes", file=str(path))
    return data
