"""Which heart rate the session may act on: the freshest trustworthy reading, or none.

Pure. Two sources feed it: a chest strap (the runner's own, preferred) and whatever the
treadmill relays (hand grips, or a strap paired with the console: the fallback). A reading
is **fresh** for `HR_STALE_S` seconds after it arrived; after that it is **stale** and the
session must not act on it: the heart-rate guard and zone steps hold the speed instead. A
strap that reports lost skin contact gives no reading at all (its value is unreliable).

Straps notify about once a second and treadmills send data about once a second, so five
seconds is four or five missed readings in a row: a dropped packet or two is not "lost",
a strap that slipped or went out of range is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

HR_STALE_S = 5.0
"""A heart rate older than this (seconds) is stale: shown as such, never acted on."""

Source = Literal["strap", "treadmill"]
Freshness = Literal["fresh", "stale", "none"]


@dataclass(frozen=True)
class Reading:
    """One heart rate and where and when it came from."""

    bpm: int
    source: Source
    at: float


class HeartRateSources:
    """The latest reading of each source; `current` picks the one to act on."""

    def __init__(self) -> None:
        self._latest: dict[Source, Reading] = {}
        self._told: tuple[Freshness, Source | None] = ("none", None)

    def feed(self, bpm: int | None, source: Source, at: float) -> None:
        """A reading (None: the source said nothing usable this time)."""
        if bpm is not None and bpm > 0:
            self._latest[source] = Reading(bpm, source, at)

    def current(self, now: float) -> Reading | None:
        """The strap's reading while fresh, else the treadmill's while fresh, else None."""
        for source in ("strap", "treadmill"):
            reading = self._latest.get(source)
            if reading is not None and now - reading.at <= HR_STALE_S:
                return reading
        return None

    def freshness(self, now: float) -> Freshness:
        """``fresh`` (a reading to act on), ``stale`` (there were readings, none is fresh
        now) or ``none`` (no reading ever)."""
        if self.current(now) is not None:
            return "fresh"
        return "stale" if self._latest else "none"

    def stale_at(self, now: float) -> float | None:
        """When the current reading goes stale (None: no fresh reading now)."""
        fresh = [r.at + HR_STALE_S for r in self._latest.values() if now - r.at <= HR_STALE_S]
        return max(fresh) if fresh else None

    def news(self, now: float) -> tuple[Freshness, Reading | None] | None:
        """The freshness before, and the reading now, when the freshness or the source
        changed since the last call (else None): what a session says and logs."""
        reading = self.current(now)
        told = (self.freshness(now), reading.source if reading is not None else None)
        if told == self._told:
            return None
        before, self._told = self._told[0], told
        return before, reading
