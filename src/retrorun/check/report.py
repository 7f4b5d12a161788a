"""What a check found, and the verdict that follows from it.

`Findings` is filled in as the check goes (by `retrorun.check.procedure`); `verdict_of` and
`Findings.problems` are pure rules over it, so every verdict is a plain test. The verdicts:

* ``ok``: the belt does what retrorun asks, given the settings the check learned (mph
  commands, mph both ways, console start, a minimum speed);
* ``unsafe``: the belt did not do what it acknowledged in a way a backward runner cannot
  live with (it ignores speed commands, it runs on after Stop, it was never seen at rest):
  ``retrorun run`` refuses backward segments on it;
* ``incomplete``: the check could not finish (no confirmation, no control, no telemetry,
  interrupted): nothing is concluded.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal

from retrorun.check.judge import Follow, reads_as_mph

MphMode = Literal["mph", "mph_commands"]


class Verdict(enum.StrEnum):
    OK = "ok"
    UNSAFE = "unsafe"
    INCOMPLETE = "incomplete"


@dataclass
class Findings:
    """Everything the check learned about one treadmill (None: not found out)."""

    address: str
    name: str
    features: list[str] = field(default_factory=list)
    device_information: dict[str, str] = field(default_factory=dict)
    speed_range: str = ""
    incline_range: str | None = None
    capability_notes: list[str] = field(default_factory=list)
    min_speed_kmh: float | None = None
    control_granted: bool | None = None
    telemetry_seen: bool | None = None
    console_start: bool | None = None
    follows: list[Follow] = field(default_factory=list)
    settled: list[tuple[float, float]] = field(default_factory=list)
    """(asked, settled) km/h of each speed step."""
    distance_ratio: float | None = None
    console_units: Literal["kmh", "mph"] | None = None
    accel_kmh_per_s: float | None = None
    decel_kmh_per_s: float | None = None
    incline_pct_per_s: float | None = None
    reaction_delay_s: float | None = None
    incline_works: bool | None = None
    pause_works: bool | None = None
    pause_speed_kmh: float | None = None
    resumed_at_minimum: bool | None = None
    stop_works: bool | None = None
    stop_time_s: float | None = None
    belt_at_rest: bool | None = None
    interrupted: str | None = None
    """Why the check ended early (a sentence), or None."""
    notes: list[str] = field(default_factory=list)
    """Plain sentences about anything odd that is not a problem."""

    @property
    def mph_mode(self) -> MphMode | None:
        """How the firmware uses mph: commands only, both ways, or not at all (None)."""
        if self.follows and all(f is Follow.MPH_COMMANDS for f in self.follows):
            return "mph_commands"
        if self.distance_ratio_says_mph or (
            self.distance_ratio is None
            and self.console_units == "mph"
            and self.follows
            and all(f is Follow.FOLLOWED for f in self.follows)
        ):
            return "mph"
        return None

    @property
    def distance_ratio_says_mph(self) -> bool:
        return self.distance_ratio is not None and reads_as_mph(self.distance_ratio)

    def problems(self) -> list[str]:
        """What makes the treadmill unsafe for backward running, one sentence each."""
        found: list[str] = []
        if Follow.IGNORED in self.follows:
            found.append("it acknowledges speed commands and ignores them")
        elif len(set(self.follows)) > 1 or Follow.ELSEWHERE in self.follows:
            pairs = ", ".join(f"{s:g} for {a:g}" for a, s in self.settled)
            found.append(f"its belt does not settle at the speed asked (km/h: {pairs})")
        if self.stop_works is False:
            found.append("it acknowledges Stop and keeps the belt running")
        if self.belt_at_rest is False:
            found.append("its belt was not measured at rest at the end")
        return found


def verdict_of(findings: Findings) -> Verdict:
    """The verdict the findings support (see the module docstring)."""
    if findings.problems():
        return Verdict.UNSAFE
    if (
        findings.interrupted is not None
        or not findings.follows
        or findings.stop_works is None
        or findings.belt_at_rest is not True
    ):
        return Verdict.INCOMPLETE
    return Verdict.OK


def description_lines(findings: Findings) -> list[str]:
    """What the treadmill says about itself, as lines for the runner."""
    info = findings.device_information
    lines = [f"treadmill: {findings.name} ({findings.address})"]
    lines.append(
        "device information: "
        + (
            ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in info.items())
            or "none offered"
        )
    )
    lines.append("features: " + (", ".join(findings.features) or "none reported"))
    lines.append(f"speed range: {findings.speed_range} km/h")
    lines.append(
        f"incline range: {findings.incline_range} %" if findings.incline_range else "incline: none"
    )
    lines.extend(f"note: {note}" for note in findings.capability_notes)
    return lines


def _number(value: float | None, unit: str) -> str:
    return "not measured" if value is None else f"{value:g} {unit}"


def result_lines(findings: Findings) -> list[str]:
    """What the check measured and concluded, as lines for the runner."""
    rates = (
        f"acceleration {_number(findings.accel_kmh_per_s, 'km/h per s')}, "
        f"deceleration {_number(findings.decel_kmh_per_s, 'km/h per s')}, "
        f"incline {_number(findings.incline_pct_per_s, '% per s')}, "
        f"reaction {_number(findings.reaction_delay_s, 's')}"
    )
    lines = [rates]
    if findings.stop_time_s is not None:
        lines.append(f"stop: at rest {findings.stop_time_s:g} s after Stop")
    lines.extend(f"note: {note}" for note in findings.notes)
    lines.extend(f"problem: {problem}" for problem in findings.problems())
    if findings.interrupted:
        lines.append(f"not finished: {findings.interrupted}")
    return lines


def settings_summary(
    mph_mode: MphMode | None, *, console_start: bool, min_speed_kmh: float | None
) -> str:
    """Per-treadmill settings in a few words: ``mph commands, console start, min 3.2 km/h``."""
    parts = {"mph": ["mph both ways"], "mph_commands": ["mph commands"], None: []}[mph_mode]
    if console_start:
        parts.append("console start")
    if min_speed_kmh is not None:
        parts.append(f"min {min_speed_kmh:g} km/h")
    return ", ".join(parts) or "no special settings"
