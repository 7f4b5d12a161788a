"""A checker for session logs as docs/session-log.md describes them (used by several tests)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

EVENT_TYPES = {
    "segment",
    "command",
    "response",
    "telemetry",
    "status",
    "cue",
    "state",
    "phase",
    "heart_rate",
    "zone",
    "condition",
}
PHASES = {"steady", "ramp", "approach", "turn_window", "settle"}
STATUSES = {
    "console_speed",
    "console_incline",
    "console_stop",
    "console_pause",
    "console_start",
    "safety_key",
    "control_lost",
    "connection_lost",
    "reconnected",
    "training_status",
    "strap_connected",
    "strap_lost",
}
STATES = {
    "connecting",
    "countdown",
    "running",
    "paused",
    "resumed",
    "reconnecting",
    "finished",
    "stopped",
    "interrupted",
}
CUE_KINDS = {
    "start",
    "text",
    "halfway",
    "countdown",
    "turn_warning",
    "turn_now",
    "last_interval",
    "finish",
    "override",
    "pause",
    "alarm",
}
RESULTS = {
    "success",
    "operation_failed",
    "invalid_parameter",
    "control_not_permitted",
    "op_code_not_supported",
    "timeout",
    "failed",
}


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_event(line: dict[str, Any]) -> None:
    kind = line["type"]
    assert kind in EVENT_TYPES, line
    if kind == "segment":
        assert {"index", "kind", "direction", "speed_kmh", "incline_pct", "label"} <= set(line)
        assert line["kind"] in ("interval", "turn")
        assert line["direction"] in ("forward", "backward")
        assert ("duration_s" in line) != ("distance_m" in line), line
    elif kind == "command":
        present = [key for key in ("speed_kmh", "incline_pct", "action") if key in line]
        assert len(present) == 1, line
        if "action" in line:
            assert line["action"] in ("start", "stop", "pause", "request_control"), line
    elif kind == "response":
        assert line["result"] in RESULTS, line
        assert isinstance(line["request"], str)
    elif kind == "telemetry":
        assert "speed_kmh" in line
        assert _number(line["distance_m"])
    elif kind == "status":
        assert line["status"] in STATUSES, line
    elif kind == "phase":
        assert line["phase"] in PHASES, line
        assert line["facing"] in ("forward", "backward"), line
    elif kind in ("heart_rate", "zone", "condition"):
        _check_heart_rate_event(line)
    elif kind == "cue":
        assert line["kind"] in CUE_KINDS, line
        assert isinstance(line["text"], str)
        assert line["text"]
    else:
        assert line["state"] in STATES, line


def _check_heart_rate_event(line: dict[str, Any]) -> None:
    if line["type"] == "heart_rate":
        assert line["state"] in ("fresh", "stale"), line
        assert ("source" in line) == (line["state"] == "fresh"), line
        return
    if line["type"] == "condition" and "block" in line:  # the end of a block's round
        assert line["outcome"] in ("met", "not_met", "no_heart_rate", "rounds"), line
        assert 1 <= line["round"] <= line["times"], line
        assert (line["outcome"] == "rounds") == (line["round"] == line["times"]), line
        assert set(line["until"]) <= {"above", "below"}, line
        assert ("heart_rate_bpm" in line) == (line["outcome"] in ("met", "not_met")), line
        return
    if line["type"] == "condition":
        assert line["outcome"] in ("met", "duration", "skipped", "no_heart_rate"), line
        assert len(line["until"]) == 1, line
        assert set(line["until"]) <= {"above", "below"}, line
        assert ("heart_rate_bpm" in line) == (line["outcome"] == "met"), line
        return
    verdicts = {"below", "above", "in_zone", "catching_up", "at_max", "at_min"}
    assert line["verdict"] in {*verdicts, "no_heart_rate", "off"}, line


def _check_conditions(events: list[dict[str, Any]]) -> None:
    """A step ending on a heart rate says how it ended, once, before the next segment (a
    session that stopped during it says nothing of it)."""
    until: dict[str, int] | None = None
    endings: list[dict[str, Any]] = []
    for line in events:
        if line["type"] == "segment":
            if until is not None:
                assert len(endings) == 1, endings
                assert endings[0]["until"] == until
            until, endings = line.get("until_heart_rate"), []
        elif (
            line["type"] == "condition"
            and line["outcome"] != "no_heart_rate"
            and "block" not in line
        ):
            assert until is not None, line
            endings.append(line)
    assert len(endings) <= 1, endings


def check_log(path: Path) -> list[dict[str, Any]]:
    """Parse and check a complete log: header, events in time order, closing summary."""
    lines = [json.loads(text) for text in path.read_text(encoding="utf-8").splitlines()]
    header, *events, summary = lines
    assert header["type"] == "session"
    assert header["version"] == 1
    assert {"started_at", "retrorun", "profile", "device"} <= set(header)
    assert header["started_at"].endswith("Z")
    last_t = 0.0
    for line in events:
        assert _number(line["t"])
        assert line["t"] >= last_t, (line, last_t)
        last_t = line["t"]
        _check_event(line)
    _check_conditions(events)
    assert summary["type"] == "summary"
    assert summary["outcome"] in ("finished", "stopped", "interrupted")
    assert summary["exit_code"] in (0, 1, 3)
    for part in ("forward", "backward", "turn"):
        assert set(summary[part]) == {"duration_s", "distance_m"}
    parts = sum(summary[p]["duration_s"] for p in ("forward", "backward", "turn"))
    assert abs(summary["duration_s"] - parts) < 0.01
    return lines
