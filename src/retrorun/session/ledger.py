"""Session time: the session clock, active time, segment boundaries and extensions.

The session clock (``t`` in the log) runs from the start. *Active* time runs only while the
plan runs: pauses, reconnects and countdowns stop it, so every schedule kept in active time
(speed steps, cues, segment ends, turn phases) shifts with a pause and nothing is lost or
doubled. A segment that ends on time hands its *planned* end to the next as its start, so a
late timer never adds up into drift. Extensions move the current interval's end (seconds
for a time interval, metres for a distance one). Time spent is also added to the per-
direction totals.

Pure: time is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from retrorun.session.totals import Bucket, TotalsCounter

if TYPE_CHECKING:
    from retrorun.profiles.plan import Segment


@dataclass
class Ledger:
    """Where the session is in time (see the module docstring)."""

    t0: float
    """Session clock zero, on the runner's clock."""
    now: float
    """The latest time the engine was told."""
    active: float = 0.0
    seg_start: float = 0.0
    """Active time at which the current segment began (its planned start)."""
    extra_s: float = 0.0
    extra_m: float = 0.0
    dist0: float = 0.0
    """Session distance when the current segment began."""
    totals: TotalsCounter = field(default_factory=TotalsCounter)

    @property
    def t(self) -> float:
        """Seconds on the session clock."""
        return self.now - self.t0

    def tick(self, now: float, *, running: bool, bucket: Bucket | None) -> None:
        """Time moves to `now`; active time (and `bucket`'s total) grows while running."""
        if running and now > self.now:
            dt = now - self.now
            self.active += dt
            if bucket is not None:
                self.totals.add_time(bucket, dt)
        self.now = max(now, self.now)

    def begin_segment(self, start: float) -> None:
        """A segment begins at active time `start` (its planned start)."""
        self.seg_start = start
        self.extra_s = self.extra_m = 0.0
        self.dist0 = self.totals.total_distance_m

    def restart_segment(self, start: float) -> None:
        """The current segment's clock (and metre count) starts again at active time
        `start`; extensions already asked for are kept."""
        self.seg_start = start
        self.dist0 = self.totals.total_distance_m

    @property
    def segment_elapsed_s(self) -> float:
        return self.active - self.seg_start

    @property
    def segment_distance_m(self) -> float:
        return self.totals.total_distance_m - self.dist0

    def planned_end(self, segment: Segment) -> float | None:
        """Active time at which a time interval ends (None for a distance interval)."""
        if segment.duration_s is None:
            return None
        return self.seg_start + segment.duration_s + self.extra_s

    def metres_left(self, segment: Segment) -> float | None:
        """Metres left in a distance interval (None for a time interval)."""
        if segment.distance_m is None:
            return None
        return max(0.0, segment.distance_m + self.extra_m - self.segment_distance_m)

    def extend(self, segment: Segment, seconds: float, speed_kmh: float) -> None:
        """Lengthen the current interval by `seconds` (as metres at `speed_kmh` for a
        distance interval)."""
        if segment.distance_m is not None:
            self.extra_m += seconds * speed_kmh / 3.6
        else:
            self.extra_s += seconds
