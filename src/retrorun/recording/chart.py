"""A small terminal chart of a session as it was run: speed bars filled by direction, and a
heart-rate line under them when the log has heart rate.

Pure: samples in, lines out. The fills and legend are the plan chart's
(`retrorun.profiles.chart`), so a plan and the session that ran it look alike.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from retrorun.profiles.chart import FILL, LEGEND
from retrorun.profiles.quantities import format_duration
from retrorun.profiles.words import speed_number, speed_unit

if TYPE_CHECKING:
    from retrorun.profiles.words import Units
    from retrorun.recording.activity import Sample

SPARKS = "▁▂▃▄▅▆▇█"


def _columns(
    samples: tuple[Sample, ...], start_t: float, end_t: float, width: int
) -> list[list[Sample]]:
    length = max(end_t - start_t, 1e-9)
    columns: list[list[Sample]] = [[] for _ in range(width)]
    for sample in samples:
        column = min(width - 1, max(0, int((sample.t - start_t) / length * width)))
        columns[column].append(sample)
    return columns


def render_session(
    samples: tuple[Sample, ...],
    start_t: float,
    end_t: float,
    width: int = 60,
    height: int = 6,
    units: Units = "metric",
) -> list[str]:
    """Speed (km/h or mph) over session time, and a heart-rate line when there is heart
    rate."""
    columns = _columns(samples, start_t, end_t, width)
    top = speed_number(max([1.0, *(s.speed_kmh for s in samples)]), units)
    bars: list[tuple[int, str]] = []
    for column in columns:
        if not column:
            bars.append((0, " "))
            continue
        speed = speed_number(sum(s.speed_kmh for s in column) / len(column), units)
        # A turn is short next to a session: any turn reading claims its column.
        group = "turn" if any(s.group == "turn" for s in column) else column[-1].group
        level = math.ceil(speed / top * height) if speed > 0 else 0
        bars.append((level, FILL[group]))
    lines = []
    for row in range(height, 0, -1):
        label = f"{top * row / height:4.1f}" if row in (height, math.ceil(height / 2)) else ""
        lines.append(f"{label:>5} ┤" + "".join(f if level >= row else " " for level, f in bars))
    lines.append(f"{speed_unit(units):>5} └{'─' * width}")
    rates = [
        [s.heart_rate_bpm for s in column if s.heart_rate_bpm is not None] for column in columns
    ]
    known = [r for column in rates for r in column]
    if known:
        low, high = min(known), max(known)
        spread = max(high - low, 1)
        line = "".join(
            SPARKS[round((sum(c) / len(c) - low) / spread * (len(SPARKS) - 1))] if c else " "
            for c in rates
        )
        lines.append(f"{'HR':>5}  {line}  {low}-{high} bpm")
    finish = format_duration(end_t - start_t)
    lines.append(f"{'':6}0:00{finish:>{width - 4}}")
    lines.append(f"{'':6}{LEGEND}")
    return lines
