"""Reading a two-hour session log and exporting it as FIT, TCX and a summary.

Run: ``python -m benchmarks.export`` (or ``make bench`` for every benchmark).
"""

from __future__ import annotations

import json
import timeit

from retrorun.recording.fit_activity import export_fit
from retrorun.recording.log_reader import parse_log
from retrorun.recording.summary import render_summary, summarize
from retrorun.recording.tcx import export_tcx

HOURS = 2
SEGMENT_S = 60


def two_hour_log() -> bytes:
    """A 1 Hz log: a minute forward at 9 km/h, a minute backward at 5 km/h, for two hours."""
    lines: list[dict[str, object]] = [
        {
            "type": "session",
            "version": 1,
            "started_at": "2026-11-21T06:00:00Z",
            "profile": {"name": "bench"},
            "device": {"name": "bench"},
        },
        {"t": 0, "type": "state", "state": "running"},
    ]
    distance = 0.0
    for second in range(HOURS * 3600):
        backward = (second // SEGMENT_S) % 2 == 1
        speed = 5.0 if backward else 9.0
        if second % SEGMENT_S == 0:
            lines.append(
                {
                    "t": second,
                    "type": "segment",
                    "index": second // SEGMENT_S,
                    "kind": "interval",
                    "direction": "backward" if backward else "forward",
                    "speed_kmh": speed,
                    "incline_pct": 0,
                    "duration_s": SEGMENT_S,
                    "label": "bench",
                }
            )
        distance += speed / 3.6
        lines.append(
            {
                "t": second + 1,
                "type": "telemetry",
                "speed_kmh": speed,
                "distance_m": round(distance, 2),
                "heart_rate_bpm": 140,
            }
        )
    lines.append({"t": HOURS * 3600, "type": "summary", "outcome": "finished"})
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def best_s(action: object, rounds: int = 5) -> float:
    assert callable(action)
    return min(timeit.repeat(action, number=1, repeat=rounds))


def main() -> None:
    data = two_hour_log()
    log = parse_log(data, "bench.jsonl")
    print(f"log: {len(data) / 1e6:.1f} MB, {len(log.events):,} events")
    print(f"read log: {best_s(lambda: parse_log(data, 'bench.jsonl')):.3f} s")
    print(f"FIT export: {best_s(lambda: export_fit(log)):.3f} s ({len(export_fit(log)):,} bytes)")
    print(f"TCX export: {best_s(lambda: export_tcx(log)):.3f} s")
    print(f"summary: {best_s(lambda: render_summary(summarize(log))):.3f} s")


if __name__ == "__main__":
    main()
