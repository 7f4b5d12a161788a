"""What every decoded record shares: how it reports real-world breakage in JSON."""

from __future__ import annotations

from typing import Protocol


class Record(Protocol):
    """A decoded (or to-be-encoded) value of one characteristic."""

    def to_json(self) -> dict[str, object]:
        """The record as JSON-ready data with the names of DESIGN.md §4."""
        ...


def tolerance_json(
    *, truncated: bool = False, extra_bytes: bytes = b"", quirks: tuple[str, ...] = ()
) -> dict[str, object]:
    """The ``truncated`` / ``extra_bytes`` / ``quirks`` keys, each only where it applies."""
    out: dict[str, object] = {}
    if truncated:
        out["truncated"] = True
    if extra_bytes:
        out["extra_bytes"] = extra_bytes.hex()
    if quirks:
        out["quirks"] = list(quirks)
    return out
