"""The coach's board: every treadmill on the broker in one table.

Fed with the ``status``, ``state`` and ``telemetry`` messages of every treadmill (see
`topics.watch_filters`), it keeps one `Row` per treadmill id and renders a plain-text table.
Pure: messages in, rows and text out. A payload that is not what retrorun publishes is
counted and otherwise ignored, so one odd publisher cannot break the coach's view.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from retrorun.jsontext import JSONTextError, parse_json
from retrorun.mqtt.settings import TOPIC_PREFIX
from retrorun.mqtt.topics import split_topic
from retrorun.session.api import SessionState

COLUMNS = (
    ("TREADMILL", "<"),
    ("LINK", "<"),
    ("STATE", "<"),
    ("SEGMENT", "<"),
    ("DIR", "<"),
    ("KM/H", ">"),
    ("INCL%", ">"),
    ("HR", ">"),
    ("DIST M", ">"),
    ("LEFT", ">"),
)


_ENDED = frozenset(state.value for state in SessionState if state.ended)


@dataclass(frozen=True)
class Row:
    """What the board knows about one treadmill."""

    treadmill_id: str
    online: bool | None = None
    state: str | None = None
    segment: str | None = None
    direction: str | None = None
    speed_kmh: float | None = None
    incline_pct: float | None = None
    heart_rate_bpm: int | None = None
    distance_m: float | None = None
    remaining_s: float | None = None

    def cells(self) -> tuple[str, ...]:
        link = {True: "online", False: "offline", None: "?"}[self.online]
        return (
            self.treadmill_id,
            link,
            self.state or "-",
            self.segment or "-",
            self.direction or "-",
            _number(self.speed_kmh, 1),
            _number(self.incline_pct, 1),
            _number(self.heart_rate_bpm, 0),
            _number(self.distance_m, 0),
            _clock(self.remaining_s),
        )


def _number(value: float | None, decimals: int) -> str:
    return "-" if value is None else f"{value:.{decimals}f}"


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


class Board:
    """Rows by treadmill id, updated message by message."""

    def __init__(self, prefix: str = TOPIC_PREFIX) -> None:
        self._prefix = prefix
        self._rows: dict[str, Row] = {}
        self.ignored = 0
        """Messages that were not a retrorun status/state/telemetry payload."""

    def apply(self, topic: str, payload: bytes) -> bool:
        """Take in one message; True when the table changed."""
        parts = split_topic(topic, self._prefix)
        if parts is None:
            self.ignored += 1
            return False
        ident, leaf = parts
        row = self._rows.get(ident, Row(ident))
        updated = self._updated(row, leaf, payload)
        if updated is None:
            self.ignored += 1
            return False
        self._rows[ident] = updated
        return updated != row

    def _updated(self, row: Row, leaf: str, payload: bytes) -> Row | None:
        if leaf == "status":
            text = payload.decode("utf-8", "replace").strip()
            return replace(row, online=text == "online") if text in {"online", "offline"} else None
        data = _object(payload)
        if data is None:
            return None
        if leaf == "state":
            return replace(
                row,
                state=_str(data.get("state")),
                segment=_segment(data),
                direction=_str(data.get("direction")),
                speed_kmh=_float(data.get("measured_speed_kmh")),
                incline_pct=_float(data.get("measured_incline_pct")),
                heart_rate_bpm=_int(data.get("heart_rate_bpm")),
                distance_m=_float(data.get("distance_m")),
                remaining_s=_float(data.get("remaining_s")),
            )
        if leaf == "telemetry":
            # A session's last telemetry can reach the board after its final state (they
            # travel as separate messages): an ended session keeps its final state and
            # readings until the state message of the next one.
            if row.state in _ENDED:
                return row
            return replace(
                row,
                state=_str(data.get("state")) or row.state,
                direction=_str(data.get("direction")) or row.direction,
                speed_kmh=_float(data.get("speed_kmh")),
                incline_pct=_float(data.get("incline_pct")),
                heart_rate_bpm=_int(data.get("heart_rate_bpm")),
                distance_m=_float(data.get("distance_m")),
                remaining_s=_float(data.get("remaining_s")),
            )
        return None

    def rows(self) -> list[Row]:
        return [self._rows[ident] for ident in sorted(self._rows)]

    def render(self) -> str:
        """The table as text, one treadmill per line, columns aligned."""
        table = [tuple(name for name, _ in COLUMNS), *(row.cells() for row in self.rows())]
        widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
        lines = [
            "  ".join(
                f"{cell:{align}{width}}"
                for cell, (_, align), width in zip(line, COLUMNS, widths, strict=True)
            ).rstrip()
            for line in table
        ]
        if not self._rows:
            lines.append("(no treadmill on the broker yet)")
        return "\n".join(lines)


def _object(payload: bytes) -> dict[str, Any] | None:
    try:
        data = parse_json(payload)
    except JSONTextError:
        return None
    return data if isinstance(data, dict) else None


def _segment(data: dict[str, Any]) -> str | None:
    index, count = data.get("segment_index"), data.get("segment_count")
    label = _str(data.get("segment_label")) or ""
    if isinstance(index, int) and isinstance(count, int):
        return f"{index + 1}/{count} {label}".strip()
    return label or None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _int(value: object) -> int | None:
    number = _float(value)
    return None if number is None else round(number)
