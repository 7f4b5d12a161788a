"""Never upload twice: where a session already went, recorded beside its log.

``run.jsonl`` and ``run.fit`` share ``run.uploads.json``:

```json
{"intervals": {"activity_id": "i4242", "url": "https://intervals.icu/activities/i4242",
               "uploaded_at": "2026-11-21T06:31:02Z", "duplicate": false}}
```

The record is written (atomically: a temporary file, then a rename) only after a service
confirmed the activity, so a failed upload leaves every file of the session as it was.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from retrorun.errors import InputError

if TYPE_CHECKING:
    from pathlib import Path

SUFFIX = ".uploads.json"


@dataclass(frozen=True)
class Uploaded:
    """An activity a service holds for this session."""

    activity_id: str
    url: str
    uploaded_at: str
    """UTC, ISO 8601."""
    duplicate: bool = False
    """The service already had it (uploaded some other way); `url` is that activity."""


def record_path(session_file: Path) -> Path:
    """``run.jsonl`` or ``run.fit`` → ``run.uploads.json``."""
    return session_file.with_name(session_file.stem + SUFFIX)


def read_record(session_file: Path) -> dict[str, Uploaded]:
    """Where the session went so far (empty when never uploaded)."""
    path = record_path(session_file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise InputError(
            f"not a readable upload record ({exc}); move it away to upload again",
            location=str(path),
        ) from exc
    if not isinstance(data, dict):
        raise InputError("not an upload record (a JSON object)", location=str(path))
    found: dict[str, Uploaded] = {}
    for target, entry in data.items():
        if not isinstance(entry, dict):
            continue
        try:
            found[target] = Uploaded(
                str(entry["activity_id"]),
                str(entry["url"]),
                str(entry.get("uploaded_at", "")),
                bool(entry.get("duplicate", False)),
            )
        except KeyError:
            continue
    return found


def add_to_record(session_file: Path, target: str, uploaded: Uploaded) -> None:
    """Record that `target` holds the session (replacing an older entry for it)."""
    record = read_record(session_file)
    record[target] = uploaded
    path = record_path(session_file)
    temporary = path.with_name(path.name + ".tmp")
    text = json.dumps({name: asdict(entry) for name, entry in record.items()}, indent=2)
    temporary.write_text(text + "\n", encoding="utf-8")
    temporary.replace(path)
