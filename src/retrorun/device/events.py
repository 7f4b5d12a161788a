"""What a treadmill tells the layers above: telemetry samples and typed status events.

Every event carries ``at``, the time it was received on the injected clock. Speeds are in
km/h whatever the treadmill's firmware puts on the wire (see the mph quirk in
`retrorun.device.treadmill`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrorun.ftms import TreadmillData


@dataclass(frozen=True)
class Telemetry:
    """One complete Treadmill Data record, with the last known value of any field this
    record did not carry (treadmills drop fields between records, field notes §4)."""

    at: float
    speed_kmh: float | None
    inclination_pct: float | None
    distance_m: float | None
    """The treadmill's own total distance; None when it reports none."""
    integrated_distance_m: float
    """Distance integrated from the reported belt speed since the connection opened."""
    elapsed_time_s: int | None
    heart_rate_bpm: int | None
    step_count: int | None
    total_energy_kcal: int | None
    record: TreadmillData
    """The decoded record as it arrived (More Data fragments merged)."""


@dataclass(frozen=True)
class ConsoleSpeedChanged:
    """Someone changed the target speed on the treadmill's console (not us)."""

    at: float
    speed_kmh: float


@dataclass(frozen=True)
class ConsoleInclineChanged:
    """Someone changed the target incline on the treadmill's console (not us)."""

    at: float
    inclination_pct: float


@dataclass(frozen=True)
class BeltStopped:
    """The treadmill stopped or paused the belt on its own: console button or safety key."""

    at: float
    by_safety_key: bool
    paused: bool
    """True for a pause, False for a stop (a safety key always stops)."""


@dataclass(frozen=True)
class BeltStarted:
    """The belt was started or resumed from the console."""

    at: float


@dataclass(frozen=True)
class ControlLost:
    """We no longer hold control permission (status 0xFF, a reset, or a refused command)."""

    at: float
    reason: str
    link_lost: bool = False
    """Lost with the link (a `ConnectionLost` says so too), not taken away."""


@dataclass(frozen=True)
class ConnectionLost:
    """The link dropped (or went silent); reconnecting runs in the background."""

    at: float
    reason: str


@dataclass(frozen=True)
class Reconnected:
    """The link is back, notifications are re-subscribed and control re-requested."""

    at: float
    attempts: int


@dataclass(frozen=True)
class TrainingStatusChanged:
    """The treadmill's own training status (idle, manual mode, ...)."""

    at: float
    status: str
    status_code: int


StatusEvent = (
    ConsoleSpeedChanged
    | ConsoleInclineChanged
    | BeltStopped
    | BeltStarted
    | ControlLost
    | ConnectionLost
    | Reconnected
    | TrainingStatusChanged
)
DeviceEvent = Telemetry | StatusEvent
