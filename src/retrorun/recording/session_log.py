"""Write the session log (docs/session-log.md): JSON Lines, flushed after every line.

`SessionLogWriter` reads a session's events (``handle.events()``): the `SessionStarted`
event becomes the ``session`` header, every `LogEntry` a line, and `SessionEnded` the
closing ``summary``; everything else (snapshots, cues as events) is for other watchers,
the engine logs cues itself. Each line is written and flushed on its own, so a crash or
``kill -9`` loses at most the line being written.
"""

from __future__ import annotations

import contextlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from retrorun import __version__
from retrorun.errors import InputError
from retrorun.session.api import LogEntry, SessionEnded, SessionStarted

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from retrorun.session.api import SessionEvent

LOG_VERSION = 1


KEEP_SIMULATED = 50
"""How many logs of simulated sessions are kept (the oldest go first)."""
_ENCODER = json.JSONEncoder(separators=(", ", ": "), allow_nan=False)
LOGGED = (SessionStarted, LogEntry, SessionEnded)
"""The session events that have a line in the log (`SessionLogWriter.write`)."""


def sessions_dir() -> Path:
    """Where session logs go: ``<user data dir>/retrorun/sessions`` (simulated sessions in
    its ``simulated/`` folder)."""
    import platformdirs  # noqa: PLC0415 - only needed when no --log is given

    return Path(platformdirs.user_data_dir("retrorun")) / "sessions"


def default_log_path(
    profile_name: str, now: datetime | None = None, *, simulated: bool = False
) -> Path:
    """``<user data dir>/retrorun/sessions/YYYY-MM-DDTHH-MM-SS-<profile>.jsonl``; a simulated
    session's goes to ``sessions/simulated/``, kept apart from the runner's own sessions and
    pruned to the newest `KEEP_SIMULATED` (a developer's ``--fast`` runs would pile up)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H-%M-%S")
    slug = re.sub(r"[^a-z0-9]+", "-", profile_name.lower()).strip("-") or "session"
    folder = sessions_dir()
    if simulated:
        folder /= "simulated"
        prune(folder, KEEP_SIMULATED - 1)
    return folder / f"{stamp}-{slug}.jsonl"


def prune(folder: Path, keep: int) -> None:
    """Delete all but the newest `keep` session logs in `folder` (and what was exported
    beside them); a file that cannot be deleted is left."""
    logs = sorted(folder.glob("*.jsonl"), key=lambda path: path.name)
    for old in logs[: max(0, len(logs) - keep)]:
        for path in folder.glob(f"{old.stem}.*"):
            with contextlib.suppress(OSError):
                path.unlink()


def header_line(started: SessionStarted) -> dict[str, Any]:
    return {
        "type": "session",
        "version": LOG_VERSION,
        "started_at": started.started_at,
        "retrorun": __version__,
        "profile": started.profile,
        "device": started.device,
        **({"limits": started.limits} if started.limits else {}),
    }


def summary_line(ended: SessionEnded) -> dict[str, Any]:
    totals = ended.totals

    def part(name: str) -> dict[str, float]:
        one = getattr(totals, name)
        return {"duration_s": round(one.duration_s, 3), "distance_m": round(one.distance_m, 2)}

    return {
        "t": round(ended.t, 3),
        "type": "summary",
        "outcome": ended.outcome,
        "reason": ended.reason,
        "exit_code": ended.exit_code,
        **({"ending": ended.ending} if ended.ending else {}),
        "duration_s": round(totals.duration_s, 3),
        "distance_m": round(totals.distance_m, 2),
        "turns": totals.turns,
        "energy_kcal": round(totals.energy_kcal, 1),
        "energy_source": totals.energy_source,
        "forward": part("forward"),
        "backward": part("backward"),
        "turn": part("turn"),
    }


class SessionLogWriter:
    """Write one session's log to a new file at ``path`` (parent folders are created).

    With ``numbered`` (a default path, not the runner's ``--log``), a name already taken,
    by a session started in the same second, becomes ``<name>-2.jsonl``, ``-3``, and so on.
    Each line reaches the file as it is written (a killed process loses nothing), unless
    ``buffered`` (a ``--fast`` session, thousands of lines a second): then in blocks, and
    whole when the writer closes.
    """

    NUMBERED_MAX = 100

    def __init__(self, path: Path, *, numbered: bool = False, buffered: bool = False) -> None:
        self.path = path
        self.numbered = numbered
        self.buffered = buffered
        self._file: IO[str] | None = None
        self.lines = 0

    def open(self) -> None:
        """Create the file now, so a bad ``--log`` path is reported before the session."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self._create()
        except FileExistsError as exc:
            raise InputError(
                "a session log is already there; choose another --log", location=str(self.path)
            ) from exc
        except OSError as exc:
            raise InputError(
                f"cannot write the session log: {exc.strerror}", location=str(self.path)
            ) from exc

    def _create(self) -> IO[str]:
        # One session per file: an existing log is never appended to or overwritten.
        first, number = self.path, 1
        while True:
            try:
                return self.path.open("x", encoding="utf-8")
            except FileExistsError:
                number += 1
                if not self.numbered or number > self.NUMBERED_MAX:
                    raise
                self.path = first.with_name(f"{first.stem}-{number}{first.suffix}")

    def write(self, event: SessionEvent) -> bool:
        """Write the line for ``event`` if it has one; True once the summary is written."""
        if isinstance(event, SessionStarted):
            self._line(header_line(event))
        elif isinstance(event, LogEntry):
            self._line(event.to_json())
        elif isinstance(event, SessionEnded):
            self._line(summary_line(event))
            return True
        return False

    async def follow(self, events: AsyncIterator[SessionEvent]) -> None:
        """Write every event until the summary (or the end of the stream), then close."""
        try:
            async for event in events:
                if self.write(event):
                    break
        finally:
            self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _line(self, data: dict[str, Any]) -> None:
        if self._file is None:
            self.open()
        file = self._file
        if file is None:  # pragma: no cover - open() either sets it or raises
            return
        file.write(_ENCODER.encode(data) + "\n")
        self.lines += 1
        if not self.buffered:
            file.flush()
