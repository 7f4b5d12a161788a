"""A small text chart of a plan's speed over time, direction shown by the bar's fill.

Pure: takes a `Plan`, returns lines. Used by ``retrorun plan`` and reusable by the TUI and
session summaries (any monospace surface).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from retrorun.profiles.quantities import format_duration
from retrorun.profiles.words import speed_number, speed_unit

if TYPE_CHECKING:
    from retrorun.profiles.plan import Plan, Segment
    from retrorun.profiles.words import Units

FILL = {"forward": "█", "backward": "▒", "turn": "·"}
LEGEND = "█ forward  ▒ backward  · turn"


def speed_at(segment: Segment, offset_s: float) -> float:
    """The speed last commanded `offset_s` seconds into `segment`."""
    speed = segment.speed_steps[0].speed_kmh
    for step in segment.speed_steps:
        if step.offset_s > offset_s:
            break
        speed = step.speed_kmh
    return speed


def segment_at(plan: Plan, t_s: float) -> Segment:
    """The segment running at `t_s` seconds from the start (the last one past the end)."""
    for segment in plan.segments:
        if t_s < segment.start_s + segment.estimated_duration_s:
            return segment
    return plan.segments[-1]


def render(plan: Plan, width: int = 60, height: int = 8, units: Units = "metric") -> list[str]:
    """Speed over time as `height` rows of `width` columns, with an axis (in `units`) and a
    legend."""
    total = plan.total_duration_s
    top = max([1.0, *(step.speed_kmh for seg in plan.segments for step in seg.speed_steps)])
    columns: list[tuple[int, str]] = []
    turns = [seg for seg in plan.segments if seg.kind == "turn"]
    for column in range(width):
        start, end = column * total / width, (column + 1) * total / width
        # A turn is short next to a workout; any turn inside a column claims it, so every
        # turn stays visible however coarse the chart.
        turn = next(
            (t for t in turns if t.start_s < end and t.start_s + t.estimated_duration_s > start),
            None,
        )
        if turn is not None:
            columns.append((max(1, math.ceil(turn.speed_kmh / top * height)), FILL["turn"]))
            continue
        t_s = (start + end) / 2
        segment = segment_at(plan, t_s)
        speed = speed_at(segment, t_s - segment.start_s)
        columns.append((max(1, math.ceil(speed / top * height)), FILL[segment.direction]))
    lines = []
    for row in range(height, 0, -1):
        value = speed_number(top * row / height, units)
        label = f"{value:4.1f}" if row in (height, math.ceil(height / 2)) else ""
        bar = "".join(fill if level >= row else " " for level, fill in columns)
        lines.append(f"{label:>5} ┤{bar}")
    lines.append(f"{speed_unit(units):>5} └{'─' * width}")
    finish = format_duration(total)
    lines.append(f"{'':6}0:00{finish:>{width - 4}}")
    lines.append(f"{'':6}{LEGEND}")
    return lines
