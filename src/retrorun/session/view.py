"""The `Snapshot` of an engine at an instant: what every watcher renders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrorun.session.api import SegmentPreview, SessionState, Snapshot

if TYPE_CHECKING:
    from retrorun.profiles.plan import Segment
    from retrorun.session.engine import Engine


def preview(seg: Segment) -> SegmentPreview:
    return SegmentPreview(
        index=seg.index,
        kind=seg.kind,
        direction=seg.direction,
        speed_kmh=seg.speed_kmh,
        incline_pct=seg.incline_pct,
        duration_s=seg.duration_s,
        distance_m=seg.distance_m,
        label=seg.label,
        ramp_from_kmh=seg.ramp_from_kmh,
    )


def build_snapshot(engine: Engine, now: float) -> Snapshot:
    """The state of ``engine`` at ``now`` (``now`` may be after its last event: the
    running clocks are carried forward, nothing else changes)."""
    extra = (
        max(0.0, now - engine.last_now)
        if engine.state is SessionState.RUNNING and engine.index is not None
        else 0.0
    )
    plan = engine.plan
    seg = engine.segment
    index = engine.index
    following = plan.segments[index + 1 :] if index is not None else ()
    if index is None and not engine.state.ended:
        following = plan.segments
    seg_left = engine.segment_remaining_s()
    if seg_left is not None:
        seg_left = max(0.0, seg_left - extra)
    remaining = (seg_left or 0.0) + sum(s.estimated_duration_s for s in following)
    nxt = following[0] if following else None
    reading = engine.hr.current(now)
    return Snapshot(
        t=now - engine.t0,
        state=engine.state,
        plan_name=plan.name,
        segment_count=len(plan.segments),
        segment_index=index,
        segment_kind=seg.kind if seg is not None else None,
        segment_label=seg.label if seg is not None else "",
        # During a turn: the way the runner is turning to (from the slow-down on).
        direction=seg.direction if seg is not None and seg.kind == "turn" else engine.facing,
        phase=engine.phase,
        target_speed_kmh=engine.speed_target,
        target_incline_pct=engine.incline_target,
        measured_speed_kmh=engine.measured_speed,
        measured_incline_pct=engine.measured_incline,
        heart_rate_bpm=reading.bpm if reading is not None else None,
        heart_rate_state=engine.hr.freshness(now),
        distance_m=engine.totals.total_distance_m,
        segment_elapsed_s=engine.segment_elapsed_s + extra,
        segment_remaining_s=seg_left,
        segment_remaining_m=engine.segment_remaining_m(),
        elapsed_s=engine.active_s + extra,
        remaining_s=remaining,
        next_segment=preview(nxt) if nxt is not None else None,
        totals=engine.totals.snapshot(engine.bucket(), extra),
        reason=engine.reason,
    )
