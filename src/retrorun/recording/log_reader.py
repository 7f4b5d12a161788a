"""Read a session log (docs/session-log.md) tolerantly.

A log from an interrupted session (``kill -9``, a crash, a pulled plug) has no closing
``summary`` line and may end in a line cut part-way: `read_log` returns everything up to the
last complete line and says the log is incomplete. Anything else that is wrong — not JSON
Lines, no ``session`` header, a version we do not know, an event without a time, a broken
line in the middle, a session with nothing recorded — raises `LogError` naming the file and
the line, which the command line prints as one line with exit code 2.

Unknown event types and unknown fields are kept (the format may grow) and ignored by the
exporters.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeGuard

from retrorun.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

LOG_VERSION = 1
# FIT counts whole seconds since 1989-12-31 in 32 bits; a start outside these years is damage.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_T_S = 7 * 24 * 3600.0
"""No session lasts a week; a larger ``t`` is damage."""
MAX_LOG_BYTES = 256 * 1024 * 1024


class LogError(InputError):
    """A file that is not a usable session log; names the file and line."""

    def __init__(self, message: str, *, source: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        super().__init__(message, location=f"{source}:{line}" if line else source)


@dataclass(frozen=True)
class LogEvent:
    """One event line: ``t`` (session seconds), ``type`` and the rest of its fields."""

    t: float
    type: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    line: int = 0

    def get(self, key: str, default: Any = None) -> Any:  # noqa: ANN401 - JSON values
        return self.fields.get(key, default)


@dataclass(frozen=True)
class SessionLog:
    """A parsed session log."""

    source: str
    """The file it came from (for messages)."""
    header: Mapping[str, Any]
    started_at: datetime
    """Wall-clock time at ``t = 0`` (aware, UTC)."""
    events: tuple[LogEvent, ...]
    """Every event line in order, the summary excluded."""
    summary: Mapping[str, Any] | None
    """The closing ``summary`` line; None when the session was interrupted."""
    cut_line: int | None = None
    """The line number of a last line that was cut part-way (and dropped), if any."""

    @property
    def complete(self) -> bool:
        """The log ends with its summary: the session ended on its own terms."""
        return self.summary is not None

    @property
    def profile_name(self) -> str:
        profile = self.header.get("profile")
        name = profile.get("name") if isinstance(profile, dict) else None
        return name if isinstance(name, str) and name else "retrorun session"

    def of_type(self, kind: str) -> tuple[LogEvent, ...]:
        return tuple(event for event in self.events if event.type == kind)

    @property
    def end_t(self) -> float:
        """The last time the log knows about (the summary's, else the last event's)."""
        last = self.events[-1].t if self.events else 0.0
        t = self.summary.get("t") if self.summary is not None else None
        if _number(t):
            return max(last, float(t))
        return last


def read_log(path: Path) -> SessionLog:
    """Read and parse the session log at `path`."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_LOG_BYTES + 1)
    except OSError as exc:
        raise LogError(f"cannot read: {exc.strerror or exc}", source=str(path)) from exc
    if len(data) > MAX_LOG_BYTES:
        raise LogError(f"larger than {MAX_LOG_BYTES} bytes", source=str(path))
    return parse_log(data, str(path))


def parse_log(data: bytes, source: str) -> SessionLog:
    """Parse the bytes of a session log; `source` names it in errors."""
    objects, cut_line, last_line = _objects(data, source)
    header = _header(objects[0], source)
    started_at = _started_at(header, source)
    events: list[LogEvent] = []
    summary = None
    for number, value in objects[1:]:
        kind = value.get("type")
        t = value.get("t")
        if not isinstance(kind, str) or not _number(t):
            raise LogError(
                "an event needs a string 'type' and a number 't'", source=source, line=number
            )
        if not 0 <= t <= MAX_T_S:
            raise LogError(
                f"t {t} is outside 0-{MAX_T_S:.0f} s of a session", source=source, line=number
            )
        if kind == "summary":
            summary = value
            break  # a complete log ends here; anything after it is not part of the session
        rest = {k: v for k, v in value.items() if k not in ("t", "type")}
        events.append(LogEvent(float(t), kind, rest, number))
    if not any(event.type in ("segment", "telemetry") for event in events):
        raise LogError(
            "the session recorded no segment and no telemetry: nothing to export",
            source=source,
            line=last_line,
        )
    return SessionLog(source, header, started_at, tuple(events), summary, cut_line)


def _objects(data: bytes, source: str) -> tuple[list[tuple[int, dict[str, Any]]], int | None, int]:
    """The JSON objects of the log's lines with their line numbers, the number of a cut last
    line (dropped), and the number of the last line."""
    lines = data.split(b"\n")
    # A trailing newline leaves one empty piece; blank lines elsewhere are skipped.
    numbered = [(number, raw) for number, raw in enumerate(lines, start=1) if raw.strip()]
    if not numbered:
        raise LogError("empty file: not a session log", source=source, line=1)
    last_number = numbered[-1][0]
    objects: list[tuple[int, dict[str, Any]]] = []
    for number, raw in numbered:
        try:
            value = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            if number == last_number and number != 1:
                return objects, number, last_number  # the line being written when it died
            what = "not JSON" if number == 1 else "a broken line"
            raise LogError(
                f"{what} ({exc.__class__.__name__}): not a session log (JSON Lines)",
                source=source,
                line=number,
            ) from exc
        if not isinstance(value, dict):
            raise LogError("a line is not a JSON object", source=source, line=number)
        objects.append((number, value))
    return objects, None, last_number


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _header(first: tuple[int, dict[str, Any]], source: str) -> dict[str, Any]:
    number, value = first
    if value.get("type") != "session":
        raise LogError(
            "not a session log: the first line is not a 'session' header",
            source=source,
            line=number,
        )
    version = value.get("version")
    if version != LOG_VERSION:
        raise LogError(
            f"session log version {version!r} is not supported (this retrorun reads "
            f"version {LOG_VERSION})",
            source=source,
            line=number,
        )
    return value


def _started_at(header: Mapping[str, Any], source: str) -> datetime:
    text = header.get("started_at")
    try:
        moment = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise LogError(f"started_at {text!r} is not an ISO 8601 time", source=source, line=1)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the contract says UTC
    moment = moment.astimezone(UTC)
    if not EARLIEST <= moment <= LATEST:
        raise LogError(
            f"started_at {text!r} is outside {EARLIEST.year}-{LATEST.year}", source=source, line=1
        )
    return moment
