"""Running totals per direction (forward, backward, turn), as the summary reports them.

Active time is added when a segment's clock stops (end, pause); distance and energy
(`retrorun.session.energy`) are added as the treadmill reports them. The treadmill's own
distance counter is preferred; deltas are used so a counter that restarts (a power cycle, a
reconnect) never subtracts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from retrorun.session.api import DirectionTotals, Totals
from retrorun.session.energy import EnergyCounter

Bucket = str  # "forward" | "backward" | "turn"

# A jump larger than this between two samples is a counter reset or a new connection,
# not distance run (20 km/h for 10 s is 56 m).
_MAX_STEP_M = 60.0


@dataclass
class TotalsCounter:
    """Mutable accumulator behind `Totals` (owned by the engine)."""

    duration_s: dict[Bucket, float] = field(
        default_factory=lambda: {"forward": 0.0, "backward": 0.0, "turn": 0.0}
    )
    distance_m: dict[Bucket, float] = field(
        default_factory=lambda: {"forward": 0.0, "backward": 0.0, "turn": 0.0}
    )
    turns: int = 0
    energy: EnergyCounter = field(default_factory=EnergyCounter)
    _last_raw_m: float | None = None

    @property
    def total_distance_m(self) -> float:
        return sum(self.distance_m.values())

    def add_time(self, bucket: Bucket, seconds: float) -> None:
        self.duration_s[bucket] += max(seconds, 0.0)

    def feed_distance(self, bucket: Bucket | None, raw_m: float | None) -> float:
        """Take a raw distance reading; add what was covered since the last one to
        ``bucket`` (None: not counted, e.g. while paused or before the first segment).
        Returns the metres added."""
        if raw_m is None:
            return 0.0
        last, self._last_raw_m = self._last_raw_m, raw_m
        if last is None or bucket is None:
            return 0.0
        step = raw_m - last
        if step <= 0 or step > _MAX_STEP_M:
            return 0.0
        self.distance_m[bucket] += step
        return step

    def snapshot(self, bucket: Bucket | None = None, running_s: float = 0.0) -> Totals:
        """Frozen totals, with ``running_s`` of a segment still in progress in ``bucket``."""

        def one(name: Bucket) -> DirectionTotals:
            extra = running_s if name == bucket else 0.0
            return DirectionTotals(self.duration_s[name] + extra, self.distance_m[name])

        return Totals(
            one("forward"),
            one("backward"),
            one("turn"),
            self.turns,
            self.energy.kcal,
            self.energy.source,
        )
