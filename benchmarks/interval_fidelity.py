"""Interval fidelity: how much of each interval the runner spends at its speed.

Run: ``python -m benchmarks.interval_fidelity`` (also part of ``make bench``).

Every bundled profile runs as ``retrorun run PROFILE --sim --sim-preset P --fast`` on the
``strict`` and ``laggy`` presets (the whole command line, in this process, on virtual time).
From each session log alone this reports, for every time interval of a minute or more:

* its counted time: from the log's ``"clock": "started"`` line (the belt measured at the
  interval's speed) to the next segment line, against the profile's duration;
* its share at target: the telemetry samples in that time within 0.3 km/h of the interval's
  speed, and the worst interval of each run (the target: at least 90 %);
* the session's active time against the plan's estimate (``retrorun plan``'s total);
* the turn warnings' accuracy: "Backward in N seconds" against the time until "Turn around
  now." was really said (the worst of each run; the target: within 2 s, distance
  intervals included).

The old way of counting (the interval's clock ran from the end of the turn, and the slow-down
for the next turn came out of it) is shown beside it: the share of the same intervals' whole
segment time, from their segment line to the next, at target.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from retrorun.cli.bench import Run, one
from retrorun.profiles.library import bundled_dir, profile_files
from retrorun.profiles.loader import load_profile
from retrorun.profiles.plan import compile_plan

PRESETS = ("strict", "laggy")
LONG_S = 60.0
TOLERANCE_KMH = 0.3


def _ended(line: dict[str, Any]) -> bool:
    return line.get("state") in ("finished", "stopped", "interrupted", "failed")


def _intervals(lines: list[dict[str, Any]]) -> list[tuple[float, float, float, float]]:
    """(duration asked, counted time, share at target counted, share at target whole) per
    long time interval."""
    out = []
    segments = [i for i, line in enumerate(lines) if line.get("type") == "segment"]
    over = [i for i, line in enumerate(lines) if line.get("type") == "state" and _ended(line)]
    ends = [*segments[1:], over[0] if over else len(lines) - 1]
    for begin, end in zip(segments, ends, strict=True):
        seg = lines[begin]
        if seg.get("kind") != "interval" or seg.get("duration_s", 0) < LONG_S:
            continue
        body = lines[begin + 1 : end]
        started = [i for i, line in enumerate(body) if line.get("clock") == "started"]
        if not started:
            continue
        end_t = lines[end]["t"]
        counted = end_t - body[started[0]]["t"]
        target = float(seg["speed_kmh"])

        def share(part: list[dict[str, Any]], target: float = target) -> float:
            speeds = [x["speed_kmh"] for x in part if x.get("type") == "telemetry"]
            near = [s for s in speeds if abs(s - target) <= TOLERANCE_KMH]
            return len(near) / len(speeds) if speeds else 0.0

        out.append((float(seg["duration_s"]), counted, share(body[started[0] :]), share(body)))
    return out


def _warning_errors(lines: list[dict[str, Any]]) -> list[float]:
    """Seconds by which each "... in N seconds" turn warning missed its "Turn around now"."""
    errors = []
    for i, line in enumerate(lines):
        said = re.search(r"in (\d+) seconds", str(line.get("text", "")))
        if line.get("kind") != "turn_warning" or said is None:
            continue
        turned = next((x["t"] for x in lines[i + 1 :] if x.get("kind") == "turn_now"), None)
        if turned is not None:
            errors.append(turned - line["t"] - int(said.group(1)))
    return errors


def main() -> None:
    print("Interval fidelity (every bundled profile; time intervals of 1 min or more)")
    header = (
        f"  {'profile':<30} {'preset':<7} {'n':>3} {'worst at target':>15} "
        f"{'counted - asked':>15} {'old way, worst':>14} {'active / plan':>13} {'warning':>8}"
    )
    print(header)
    for path in profile_files(bundled_dir()):
        name = path.stem
        plan = compile_plan(load_profile(path).profile)
        for preset in PRESETS:
            with tempfile.TemporaryDirectory() as folder:
                log = Path(folder) / "session.jsonl"
                outcome = one(Run(name, preset), log)
                lines = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
            found = _intervals(lines)
            summary = lines[-1]
            ratio = summary.get("duration_s", 0.0) / plan.total_duration_s
            errors = _warning_errors(lines)
            warning = f"±{max(map(abs, errors)):.1f} s" if errors else "-"
            if not found:
                blank = f"{'-':>15} {'-':>15} {'-':>14}"
                print(f"  {name:<30} {preset:<7} {0:>3} {blank} {ratio:>13.2f} {warning:>8}")
                continue
            worst = min(f[2] for f in found)
            drift = max((abs(f[1] - f[0]) for f in found), default=0.0)
            old = min(f[3] for f in found)
            print(
                f"  {name:<30} {preset:<7} {len(found):>3} {worst:>15.0%} "
                f"{f'±{drift:.1f} s':>15} {old:>14.0%} {ratio:>13.2f} {warning:>8}"
                + ("" if outcome.ended == "finished" else f"  ({outcome.ended})")
            )


if __name__ == "__main__":
    main()
