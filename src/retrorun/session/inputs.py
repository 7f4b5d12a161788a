"""What the engine is fed and what it asks for: inputs, actions and engine options.

The engine (`retrorun.session.engine`) is pure: the runner turns the world into these
inputs (plus the device layer's own typed events, `retrorun.device.DeviceEvent`, and
`retrorun.session.api.UserCommand`) and performs the actions it gets back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from retrorun.profiles.words import CueSettings

if TYPE_CHECKING:
    from retrorun.device.events import Telemetry
    from retrorun.device.ramp import RampRates
    from retrorun.profiles.safety import DeviceRange
    from retrorun.profiles.words import Units
    from retrorun.session.api import CommandResult, SessionEvent

Request = Literal["speed", "incline", "start", "pause", "stop", "request_control"]

# FTMS procedure names for the log's `response.request` (FTMS §4.16.1 op code names).
REQUEST_NAMES: dict[Request, str] = {
    "speed": "set_target_speed",
    "incline": "set_target_inclination",
    "start": "start_or_resume",
    "pause": "stop_or_pause",
    "stop": "stop_or_pause",
    "request_control": "request_control",
}


# ---------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Ready:
    """Connected and in control: the treadmill's range is known; start the session."""

    device: DeviceRange | None
    incline_control: bool
    """Whether the treadmill takes incline targets at all."""


@dataclass(frozen=True)
class Sample:
    """One telemetry sample with what the device layer now believes about its ramps."""

    telemetry: Telemetry
    rates: RampRates


@dataclass(frozen=True)
class HeartRateReading:
    """One heart rate from the chest strap (the treadmill's own comes with `Sample`)."""

    heart_rate_bpm: int


@dataclass(frozen=True)
class StrapLink:
    """The chest strap connected (again) or was lost; logged, and the heart rate it gave
    goes stale on its own (`retrorun.session.heart`)."""

    connected: bool
    name: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Tick:
    """A deadline from `Engine.next_deadline` was reached (or any wake-up: harmless)."""


Result = Literal[
    "success",
    "operation_failed",
    "invalid_parameter",
    "control_not_permitted",
    "op_code_not_supported",
    "timeout",
    "failed",
]


@dataclass(frozen=True)
class Done:
    """A `Send` finished: how, and (for rejections and failures) why."""

    seq: int
    result: Result
    outcome: str | None = None
    """For success: ``sent``, ``unchanged`` (not resent) or ``cached`` (sent once running)."""
    reason: str | None = None


# ---------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class Send:
    """Perform one treadmill command and answer with `Done` carrying the same `seq`."""

    seq: int
    request: Request
    value: float | None = None


@dataclass(frozen=True)
class Publish:
    """Hand an event to every watcher (log writer, views, MQTT)."""

    event: SessionEvent


@dataclass(frozen=True)
class Answer:
    """The reply to a `UserCommand` given to `Engine.handle`."""

    result: CommandResult


Action = Send | Publish | Answer


# ---------------------------------------------------------------------------- options


@dataclass(frozen=True)
class HeartRateGuard:
    """Above ``ceiling_bpm`` during a backward bout: step down, or end the bout."""

    ceiling_bpm: int
    action: Literal["step-down", "end-bout"] = "step-down"
    step_kmh: float = 0.5
    every_s: float = 10.0


@dataclass(frozen=True)
class EngineOptions:
    """How the session behaves around people: who can resume, what guards run."""

    interactive: bool = True
    """Someone can send resume (a TUI, keys on a terminal, MQTT). When False, a belt stopped
    by the console or the safety key ends the session instead of waiting forever."""
    headless: bool = False
    """After a reconnect, resume by itself when the belt still runs at the expected speed
    (else end as interrupted) instead of waiting for the runner's resume."""
    heart_rate: HeartRateGuard | None = None
    reconnect_wait_s: float = 60.0
    """Headless only: end as interrupted when the link stays down this long."""
    cues: CueSettings = field(default_factory=CueSettings)
    """Which cues are said (``[cues]`` in the config file): safety cues always are."""
    units: Units = "metric"
    """The units of every speed and distance a cue says (``[display] units``)."""
