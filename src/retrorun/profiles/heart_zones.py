"""The runner's heart-rate zones, and what a zone step's target means in beats per minute.

Pure. Zones follow Garmin's convention: five zones, each starting at a percentage of the
maximum heart rate (zone 1 from 50 %, zone 2 from 60 %, zone 3 from 70 %, zone 4 from 80 %,
zone 5 from 90 % up to the maximum). A runner who knows their own zones (from a lab test, a
lactate threshold) writes the lowest heart rate of each instead, as Garmin Connect's custom
zones do. A zone then runs from its own floor to the next zone's floor; zone 5 to the
maximum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun.profiles.models import RepeatStep
from retrorun.profiles.safety.rules import walk_steps

if TYPE_CHECKING:
    from retrorun.profiles.models import FieldPath, HeartRateTarget, Profile, Step

GARMIN_ZONE_FLOORS_PCT = (50, 60, 70, 80, 90)
"""Where Garmin's zones 1-5 start, in percent of the maximum heart rate."""
ZONE_COUNT = len(GARMIN_ZONE_FLOORS_PCT)


@dataclass(frozen=True)
class HeartRateZones:
    """A maximum heart rate and the lowest heart rate of each of the five zones."""

    max_bpm: int
    floors_bpm: tuple[int, ...]

    @classmethod
    def from_max(cls, max_bpm: int) -> HeartRateZones:
        """Garmin's default zones for this maximum."""
        return cls(max_bpm, tuple(round(max_bpm * pct / 100) for pct in GARMIN_ZONE_FLOORS_PCT))

    def zone_bpm(self, zone: int) -> tuple[int, int]:
        """The heart-rate range of zone 1-5."""
        low = self.floors_bpm[zone - 1]
        high = self.floors_bpm[zone] if zone < len(self.floors_bpm) else self.max_bpm
        return low, high

    def percent_bpm(self, low_pct: float, high_pct: float) -> tuple[int, int]:
        """A range in percent of the maximum heart rate, in bpm."""
        return round(self.max_bpm * low_pct / 100), round(self.max_bpm * high_pct / 100)


def target_bpm(target: HeartRateTarget, zones: HeartRateZones | None) -> tuple[int, int] | None:
    """The bpm range a zone step's target means (None: it needs zones nobody gave)."""
    if target.bpm is not None:
        return target.bpm
    if zones is None:
        return None
    if target.zone is not None:
        return zones.zone_bpm(target.zone)
    low, high = target.percent_max or (0.0, 0.0)
    return zones.percent_bpm(low, high)


def step_needing_zones(profile: Profile) -> FieldPath | None:
    """The first zone step whose target needs the runner's zones (a zone number or a % of
    max HR), by its field path; None when there is none."""
    for step, path in walk_steps(profile.steps):
        target = step.heart_rate
        if target is not None and target.bpm is None:
            return (*path, "heart_rate")
    return None


def step_ending_on_heart_rate(profile: Profile) -> tuple[FieldPath, str] | None:
    """The first step (else repeat block) that ends on a heart rate (``until_heart_rate``),
    by its field path, with what `run` says of it when no strap is named; None when there
    is none."""
    for step, path in walk_steps(profile.steps):
        if step.until_heart_rate is not None:
            return (*path, "until_heart_rate"), NO_STRAP
    block = _block_ending_on_heart_rate(profile.steps, ("steps",))
    return None if block is None else ((*block, "until_heart_rate"), NO_STRAP_BLOCK)


def _block_ending_on_heart_rate(steps: tuple[Step, ...], path: FieldPath) -> FieldPath | None:
    for index, step in enumerate(steps):
        if isinstance(step, RepeatStep):
            here = (*path, index, "repeat")
            if step.repeat.until_heart_rate is not None:
                return here
            inner = _block_ending_on_heart_rate(step.repeat.steps, (*here, "steps"))
            if inner is not None:
                return inner
    return None


NO_STRAP = (
    "this step ends on a heart rate, but no strap is named (--hr, or [heart_rate] device in "
    "the config): unless the treadmill relays a heart rate, it runs to its duration"
)
"""What `run` says of `step_ending_on_heart_rate` when no strap is named."""
NO_STRAP_BLOCK = (
    "this repeat ends on a heart rate, but no strap is named (--hr, or [heart_rate] device in "
    "the config): unless the treadmill relays a heart rate, it runs all its rounds"
)
"""The same of a repeat block ending on a heart rate."""
NO_ZONES = (
    "a heart-rate zone step needs your zones: set max_bpm (and optionally zones) in the "
    "[heart_rate] section of the config file (docs/session.md)"
)
"""What to say about `step_needing_zones` when the config has none."""
