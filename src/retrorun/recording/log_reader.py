"""Read a session log (docs/session-log.md) tolerantly.

A log from an interrupted session (``kill -9``, a crash, a pulled plug) has no closing
``summary`` line and may end in a line cut part-way: `read_log` returns everything up to the
last complete line and says the log is incomplete. A broken line in the middle (not JSON,
longer than `MAX_LINE_BYTES`, nested deeper than `MAX_DEPTH`, a number of thousands of
digits, an event without a type or a time) is skipped and named in `SessionLog.skipped`, so
everything whole around it still exports. A file that is no session log at all — not JSON
Lines, no ``session`` header, a version we do not know, nothing recorded — raises `LogError`
naming the file and the line, which the command line prints as one line with exit code 2.

Unknown event types and unknown fields are kept (the format may grow) and ignored by the
exporters.
"""

from __future__ import annotations

import math
import reprlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeGuard

from retrorun.errors import InputError
from retrorun.jsontext import MAX_DEPTH, JSONTextError, parse_json
from retrorun.userfiles import UnreadableFile, read_bounded

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

LOG_VERSION = 1
# FIT counts whole seconds since 1989-12-31 in 32 bits; a start outside these years is damage.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_T_S = 7 * 24 * 3600.0
"""No session lasts a week; a larger ``t`` is damage."""
MAX_LOG_BYTES = 16 * 1024 * 1024
"""A ten-hour session (the longest plan) writes about 4 MB on the simulator; this leaves room
for a chatty treadmill, and bounds what a hostile file costs (measured in docs/export.md)."""
MAX_LINE_BYTES = 64 * 1024
"""No line retrorun writes comes near this (the header is the longest, about 1 kB)."""
NAMED_SKIPS = 5
"""Skipped lines named by number in the note (the rest are counted)."""


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

    def number(self, key: str) -> float | None:
        """The field as a finite number; None when absent or anything else (text, a list)."""
        value = self.fields.get(key)
        return float(value) if _number(value) else None

    def text(self, key: str) -> str | None:
        """The field as text; None when absent or anything else (a number, a list)."""
        value = self.fields.get(key)
        return value if isinstance(value, str) else None


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
    skipped: tuple[tuple[int, str], ...] = ()
    """Broken lines in the middle, skipped: (line number, what is wrong), in file order."""

    @property
    def skipped_note(self) -> str | None:
        """One line naming the skipped lines (the first with its reason), or None."""
        if not self.skipped:
            return None
        number, reason = self.skipped[0]
        note = f"{self.source}:{number}: skipped a broken line ({reason})"
        rest = [str(line) for line, _ in self.skipped[1:]]
        if rest:
            shown = ", ".join(rest[:NAMED_SKIPS]) + (", ..." if len(rest) > NAMED_SKIPS else "")
            note += f"; {len(rest)} more skipped (line {shown})"
        return note + "; every whole line is used"

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
        data = read_bounded(path, MAX_LOG_BYTES)
    except UnreadableFile as exc:
        raise LogError(str(exc), source=str(path)) from exc
    return parse_log(data, str(path))


def parse_log(data: bytes, source: str) -> SessionLog:
    """Parse the bytes of a session log; `source` names it in errors."""
    objects, skipped, cut_line, last_line = _objects(data, source)
    header = objects[0][1]  # checked by `session_header`
    started_at = _started_at(header, source, objects[0][0])
    events: list[LogEvent] = []
    summary = None
    for number, value in objects[1:]:
        kind = value.get("type")
        t = value.get("t")
        if not isinstance(kind, str) or not _number(t):
            skipped.append((number, "an event needs a string 'type' and a number 't'"))
        elif not 0 <= t <= MAX_T_S:
            skipped.append((number, f"t {t} is outside 0-{MAX_T_S:.0f} s of a session"))
        elif kind == "summary":
            summary = value
            break  # a complete log ends here; anything after it is not part of the session
        else:
            rest = dict(value)  # every field but the two every event has
            del rest["t"], rest["type"]
            events.append(LogEvent(float(t), kind, rest, number))
    skipped.sort()
    if not any(event.type in ("segment", "telemetry") for event in events):
        number, reason = skipped[0] if skipped else (last_line, "")
        raise LogError(
            f"{reason + '; ' if reason else ''}the session recorded no segment and no "
            "telemetry: nothing to export",
            source=source,
            line=number,
        )
    return SessionLog(source, header, started_at, tuple(events), summary, cut_line, tuple(skipped))


def session_header(raw: bytes, source: str, line: int = 1) -> tuple[dict[str, Any], datetime]:
    """The header line of a session log and its start time; `LogError` naming the line when
    it is none (what `parse_log` checks of a log's first line)."""
    try:
        value = _parse_line(raw)
    except JSONTextError as exc:
        raise LogError(
            f"not JSON ({exc.reason}): not a session log (JSON Lines)", source=source, line=line
        ) from exc
    if not isinstance(value, dict):
        raise LogError("a line is not a JSON object", source=source, line=line)
    header = _header((line, value), source)
    return header, _started_at(header, source, line)


def _objects(
    data: bytes, source: str
) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, str]], int | None, int]:
    """The JSON objects of the log's lines with their line numbers, the broken lines skipped
    (number, reason), the number of a cut last line (dropped), and the number of the last
    line. A broken first line is no session log at all: `LogError`."""
    lines = data.split(b"\n")
    # A trailing newline leaves one empty piece; blank lines elsewhere are skipped.
    numbered = [(number, raw) for number, raw in enumerate(lines, start=1) if raw.strip()]
    if not numbered:
        raise LogError("empty file: not a session log", source=source, line=1)
    first_number, last_number = numbered[0][0], numbered[-1][0]
    objects: list[tuple[int, dict[str, Any]]] = []
    skipped: list[tuple[int, str]] = []
    header, _ = session_header(numbered[0][1], source, first_number)
    objects.append((first_number, header))
    for number, raw in numbered[1:]:
        try:
            value = _parse_line(raw)
        except JSONTextError as exc:
            if number == last_number:
                return objects, skipped, number, last_number  # being written when it died
            skipped.append((number, f"not JSON: {exc.reason}"))
            continue
        if not isinstance(value, dict):
            skipped.append((number, "not a JSON object"))
            continue
        objects.append((number, value))
    return objects, skipped, None, last_number


def _parse_line(raw: bytes) -> Any:  # noqa: ANN401 - any JSON value
    """One line's JSON value; `JSONTextError` for a line too long to be one retrorun wrote."""
    if len(raw) > MAX_LINE_BYTES:
        raise JSONTextError(f"longer than {MAX_LINE_BYTES} bytes")
    return parse_json(raw, max_depth=MAX_DEPTH)


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
            f"session log version {reprlib.repr(version)} is not supported (this retrorun reads "
            f"version {LOG_VERSION})",
            source=source,
            line=number,
        )
    return value


def _started_at(header: Mapping[str, Any], source: str, line: int) -> datetime:
    text = header.get("started_at")
    try:
        moment = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise LogError(
            f"started_at {reprlib.repr(text)} is not an ISO 8601 time", source=source, line=line
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the contract says UTC
    moment = moment.astimezone(UTC)
    if not EARLIEST <= moment <= LATEST:
        raise LogError(
            f"started_at {text!r} is outside {EARLIEST.year}-{LATEST.year}",
            source=source,
            line=line,
        )
    return moment
