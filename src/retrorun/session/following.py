"""Is the belt following? Every speed command is watched until telemetry shows it.

Theory of operation
-------------------
A treadmill's acknowledgement is a promise; the belt is the fact. After every speed target
the engine sets, `BeltWatch` compares what telemetry measures with the target:

* AT_TARGET: measured within `AT_TARGET_KMH` of the target;
* CONVERGING: not there yet, but the gap keeps shrinking (by at least `PROGRESS_KMH` every
  so often): a real belt ramps at its own rate;
* STALLED: no progress for the belt's measured reaction delay plus `STALL_S`: the
  treadmill ignores the command, reads it in other units, or is held by its console. The
  engine alarms and pauses (or ends, when nobody can resume).

A belt that settles at 1.609 times (or 1/1.609 of) the target reads commands as mph (or
reports mph): `Stalled.mph` says so, so the runner can be told which setting fixes it.

`TRANSITIONS` is the whole watch; pauses, halts and the end `reset` it (nothing is expected
of a belt that was told to stop).

Speed alone cannot reveal firmware that speaks mph *both* ways (commands and reports in mph
inside the km/h fields): what it reports is what was asked. Its distance counter can:
`UnitsWatch` compares the treadmill's own distance with the reported speed integrated over
time, and a ratio of 1.609 over `UNITS_CHECK_M` says the speed is in mph (the runner's feet
go 1.6 times faster than asked). Pure: times are passed in.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from retrorun.device.capabilities import KMH_PER_MPH
from retrorun.session.transitions import step

AT_TARGET_KMH = 0.3
"""Measured within this of the target is at the target."""
PROGRESS_KMH = 0.1
"""The gap to the target must shrink by this to count as progress."""
STALL_S = 5.0
"""No progress for this long (after the belt's reaction delay) is a belt not following."""
MPH_RATIO_TOLERANCE = 0.05
UNITS_CHECK_M = 100.0
"""Integrated metres over which the treadmill's distance is compared with its speed (its
counter ticks in whole metres: 1 % at most)."""


class Follow(enum.Enum):
    IDLE = "idle"
    AT_TARGET = "at target"
    CONVERGING = "converging"
    STALLED = "stalled"


class FollowInput(enum.Enum):
    TARGET = "new target"
    ARRIVED = "measured at target"
    PROGRESS = "closer to target"
    NO_PROGRESS = "no progress in time"
    RESET = "reset"


_F, _N = Follow, FollowInput

TRANSITIONS: dict[tuple[Follow, FollowInput], Follow] = {
    **{(state, _N.TARGET): _F.CONVERGING for state in _F},
    **{(state, _N.RESET): _F.IDLE for state in _F},
    (_F.CONVERGING, _N.ARRIVED): _F.AT_TARGET,
    (_F.CONVERGING, _N.PROGRESS): _F.CONVERGING,
    (_F.CONVERGING, _N.NO_PROGRESS): _F.STALLED,
    (_F.AT_TARGET, _N.ARRIVED): _F.AT_TARGET,
    (_F.STALLED, _N.ARRIVED): _F.AT_TARGET,
}


@dataclass(frozen=True)
class Stalled:
    """The belt did not follow the target."""

    target_kmh: float
    measured_kmh: float

    @property
    def mph(self) -> str | None:
        """``"commands"`` when the belt runs 1.609x the target (the treadmill reads commands
        as mph), ``"reports"`` at 1/1.609x (it reports mph); None otherwise."""
        if self.target_kmh <= 0 or self.measured_kmh <= 0:
            return None
        ratio = self.measured_kmh / self.target_kmh
        if abs(ratio / KMH_PER_MPH - 1) <= MPH_RATIO_TOLERANCE:
            return "commands"
        if abs(ratio * KMH_PER_MPH - 1) <= MPH_RATIO_TOLERANCE:
            return "reports"
        return None


class UnitsWatch:
    """Compares the treadmill's distance counter with its speed integrated over time."""

    def __init__(self) -> None:
        self._start: tuple[float, float] | None = None
        self._last_reported: float | None = None

    def restart(self) -> None:
        """Start comparing afresh (a reconnect: the counter may have started again)."""
        self._start = self._last_reported = None

    def sample(self, reported_m: float | None, integrated_m: float) -> bool:
        """One reading; True once, when the distance runs 1.609 times the speed (mph)."""
        if reported_m is None:
            return False
        if self._last_reported is not None and reported_m < self._last_reported:
            self._start = None  # the counter started again
        self._last_reported = reported_m
        if self._start is None:
            self._start = (reported_m, integrated_m)
            return False
        reported = reported_m - self._start[0]
        integrated = integrated_m - self._start[1]
        if integrated < UNITS_CHECK_M:
            return False
        self._start = (reported_m, integrated_m)
        return abs(reported / integrated / KMH_PER_MPH - 1) <= MPH_RATIO_TOLERANCE


class BeltWatch:
    """Watches one belt's speed against the latest target."""

    def __init__(self) -> None:
        self.state = Follow.IDLE
        self.target_kmh: float | None = None
        self._best_gap = 0.0
        self._progress_at = 0.0
        self.units = UnitsWatch()
        """The distance counter against the reported speed (mph both ways)."""

    def fire(self, given: FollowInput) -> Follow:
        self.state = step(TRANSITIONS, self.state, given, what="belt watch")
        return self.state

    def target(self, speed_kmh: float, now: float, measured_kmh: float | None) -> None:
        """A new target was commanded at `now`."""
        self.fire(FollowInput.TARGET)
        self.target_kmh = speed_kmh
        self._best_gap = abs((measured_kmh or 0.0) - speed_kmh)
        self._progress_at = now

    def reset(self) -> None:
        """Nothing is expected of the belt (paused, stopped, ended)."""
        self.fire(FollowInput.RESET)
        self.target_kmh = None

    def sample(self, measured_kmh: float, now: float, reaction_s: float) -> Stalled | None:
        """A measurement at `now`; `Stalled` once, when the belt stops following."""
        target = self.target_kmh
        if target is None or self.state is Follow.IDLE:
            return None
        gap = abs(measured_kmh - target)
        if gap <= AT_TARGET_KMH:
            self.fire(FollowInput.ARRIVED)
            return None
        if self.state is not Follow.CONVERGING:
            return None
        if gap <= self._best_gap - PROGRESS_KMH:
            self._best_gap, self._progress_at = gap, now
            self.fire(FollowInput.PROGRESS)
            return None
        if now - self._progress_at < reaction_s + STALL_S:
            return None
        self.fire(FollowInput.NO_PROGRESS)
        return Stalled(target, measured_kmh)
