"""Hand-made snapshots for the pure tests: a running forward interval, changed as needed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from retrorun.session.api import Phase, SegmentPreview, SessionState, Snapshot, Totals

TURN_TO_BACKWARD = SegmentPreview(1, "turn", "backward", 2.5, 0.0, 15.0, None, "turn")
BACKWARD_WALK = SegmentPreview(2, "interval", "backward", 4.0, 2.0, 30.0, None, "backward walk")

RUNNING = Snapshot(
    t=12.0,
    state=SessionState.RUNNING,
    plan_name="Short alternation",
    segment_count=5,
    segment_index=0,
    segment_kind="interval",
    segment_label="forward run",
    direction="forward",
    phase=Phase.STEADY,
    target_speed_kmh=6.0,
    target_incline_pct=0.0,
    measured_speed_kmh=5.94,
    measured_incline_pct=0.0,
    heart_rate_bpm=131,
    distance_m=18.2,
    segment_elapsed_s=11.2,
    segment_remaining_s=28.8,
    segment_remaining_m=None,
    elapsed_s=11.2,
    remaining_s=112.8,
    next_segment=TURN_TO_BACKWARD,
    totals=Totals(),
)


def snapshot(**changes: Any) -> Snapshot:  # noqa: ANN401 - any Snapshot field
    return replace(RUNNING, **changes)
