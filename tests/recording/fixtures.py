"""Hand-written session logs with numbers small enough to check by hand."""

from __future__ import annotations

import json

HEADER = {
    "type": "session",
    "version": 1,
    "started_at": "2026-11-21T06:00:00Z",
    "retrorun": "0.1.0",
    "profile": {
        "name": "Tiny",
        "source": "tiny.yaml",
        "total_duration_s": 10.0,
        "total_distance_m": 18.0,
        "segments": 3,
    },
    "device": {
        "name": "RetroRun Treadmill",
        "address": "5E:1A:7E:00:00:01",
        "simulated": True,
        "preset": "strict",
    },
}

# 3.6 km/h is 1 m/s. Forward 4 s at 9 km/h (10 m), a 2 s turn at 3.6 km/h (2 m), backward at
# 7.2 km/h (2 m/s) with a 3 s pause and a nudge, then the safety key: 9 s active, 18 m.
EVENTS = [
    {"t": 0, "type": "state", "state": "connecting"},
    {"t": 2, "type": "state", "state": "running"},
    {
        "t": 2,
        "type": "segment",
        "index": 0,
        "kind": "interval",
        "direction": "forward",
        "speed_kmh": 9.0,
        "incline_pct": 1.0,
        "duration_s": 4.0,
        "label": "forward run",
    },
    {
        "t": 3,
        "type": "telemetry",
        "speed_kmh": 9.0,
        "distance_m": 2.5,
        "inclination_pct": 1.0,
        "heart_rate_bpm": 120,
    },
    {
        "t": 4,
        "type": "telemetry",
        "speed_kmh": 9.0,
        "distance_m": 5.0,
        "inclination_pct": 1.0,
        "heart_rate_bpm": 130,
    },
    {
        "t": 5,
        "type": "telemetry",
        "speed_kmh": 9.0,
        "distance_m": 7.5,
        "inclination_pct": 1.0,
        "heart_rate_bpm": 140,
    },
    {
        "t": 6,
        "type": "telemetry",
        "speed_kmh": 9.0,
        "distance_m": 10.0,
        "inclination_pct": 1.0,
        "heart_rate_bpm": 150,
    },
    {
        "t": 6,
        "type": "segment",
        "index": 1,
        "kind": "turn",
        "direction": "backward",
        "speed_kmh": 3.6,
        "incline_pct": 0.0,
        "duration_s": 2.0,
        "label": "turn to backward",
    },
    {"t": 7, "type": "telemetry", "speed_kmh": 3.6, "distance_m": 11.0},
    {"t": 8, "type": "telemetry", "speed_kmh": 3.6, "distance_m": 12.0},
    {
        "t": 8,
        "type": "segment",
        "index": 2,
        "kind": "interval",
        "direction": "backward",
        "speed_kmh": 7.2,
        "incline_pct": 0.0,
        "duration_s": 4.0,
        "label": "backward jog",
    },
    {"t": 9, "type": "telemetry", "speed_kmh": 7.2, "distance_m": 14.0, "heart_rate_bpm": 110},
    {"t": 9, "type": "state", "state": "paused", "reason": "paused by you"},
    {"t": 10, "type": "telemetry", "speed_kmh": 0.0, "distance_m": 14.0},
    {"t": 11, "type": "telemetry", "speed_kmh": 0.0, "distance_m": 14.0},
    {"t": 12, "type": "state", "state": "resumed"},
    {"t": 12, "type": "command", "speed_kmh": 7.7, "reason": "nudge"},
    {"t": 12.5, "type": "status", "status": "console_speed", "speed_kmh": 7.2},
    {"t": 13, "type": "telemetry", "speed_kmh": 7.2, "distance_m": 16.0, "heart_rate_bpm": 120},
    {"t": 14, "type": "telemetry", "speed_kmh": 7.2, "distance_m": 18.0, "heart_rate_bpm": 130},
    {"t": 14, "type": "status", "status": "safety_key"},
    {"t": 14, "type": "state", "state": "interrupted", "reason": "safety key pulled"},
]
SUMMARY = {
    "t": 14,
    "type": "summary",
    "outcome": "interrupted",
    "reason": "safety key pulled",
    "exit_code": 3,
    "duration_s": 9.0,
    "distance_m": 18.0,
    "turns": 1,
    "forward": {"duration_s": 4.0, "distance_m": 10.0},
    "backward": {"duration_s": 3.0, "distance_m": 6.0},
    "turn": {"duration_s": 2.0, "distance_m": 2.0},
}


def jsonl(*lines: object) -> str:
    return "".join(json.dumps(line) + "\n" for line in lines)


TINY = jsonl(HEADER, *EVENTS, SUMMARY)
"""The tiny session, complete."""
