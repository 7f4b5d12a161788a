"""The session's public vocabulary: what it tells its watchers and what they may ask of it.

Everything outside the session (the TUI, the headless printer, the MQTT bridge, the
recorder, audio) talks to a running session only through these types and the
`SessionHandle` protocol:

* watchers read `SessionEvent`s from ``handle.events()`` (a hub subscription: each
  subscriber gets every event from the moment it subscribes, in order; a reader that falls
  behind loses the oldest events, never blocks the session);
* anyone may ask for a `UserCommand` with ``await handle.command(...)``; every command goes
  through the same path and safety layer whether it came from a key, stdin or MQTT, and
  gets a `CommandResult` (accepted, or rejected with a reason a person can read).

Pure data: no asyncio, no I/O. JSON views (``to_json``) use the unit-suffixed names of
DESIGN.md §4 and are what the MQTT payloads and the session log carry.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from retrorun.profiles.timeline import CueKind, Direction, SegmentKind

if TYPE_CHECKING:
    from retrorun.hub import Only, Subscription
    from retrorun.profiles.plan import Plan

__all__ = [
    "CommandKind",
    "CommandResult",
    "Cue",
    "CueKind",
    "Direction",
    "DirectionTotals",
    "LogEntry",
    "Phase",
    "SegmentKind",
    "SegmentPreview",
    "SessionEnded",
    "SessionEvent",
    "SessionHandle",
    "SessionStarted",
    "SessionState",
    "Snapshot",
    "Totals",
    "UserCommand",
]


class SessionState(enum.StrEnum):
    """Where the session is; the TUI shows it so that it cannot be missed."""

    CONNECTING = "connecting"
    """Finding and connecting to the treadmill, requesting control."""
    COUNTDOWN = "countdown"
    """Start sent; the treadmill counts down before the belt moves."""
    RUNNING = "running"
    PAUSED = "paused"
    """Belt paused and the session clock stopped: by the runner, the console or the key."""
    RECONNECTING = "reconnecting"
    """The link dropped; the session clock is stopped while it comes back."""
    FINISHED = "finished"
    """The plan ran to its end."""
    STOPPED = "stopped"
    """Ended early by the runner (quit, stop command)."""
    INTERRUPTED = "interrupted"
    """Ended early by the treadmill or the link (safety key, connection lost, failure)."""

    @property
    def ended(self) -> bool:
        return self in _ENDED


_ENDED = frozenset({SessionState.FINISHED, SessionState.STOPPED, SessionState.INTERRUPTED})


class Phase(enum.StrEnum):
    """What the current segment is doing right now."""

    STEADY = "steady"
    """At the segment's target (or following its warm-up/cool-down ramp)."""
    RAMP = "ramp"
    """The belt on its way to the interval's speed; the interval's clock is held."""
    APPROACH = "approach"
    """Start of a turn: the belt is being brought down to turn speed."""
    TURN_WINDOW = "turn_window"
    """Belt held at turn speed while the runner turns around, rails in hand."""
    SETTLE = "settle"
    """Turned; settling into the new direction at turn speed."""


@dataclass(frozen=True)
class SegmentPreview:
    """A segment as the runner hears it announced: "Next: BACKWARD 1:00 at 4.0 km/h, 4 %"."""

    index: int
    kind: SegmentKind
    direction: Direction
    speed_kmh: float
    incline_pct: float
    duration_s: float | None
    distance_m: float | None
    label: str
    ramp_from_kmh: float | None = None
    """Where a ramp of the plan starts (`speed_kmh` is where it ends); None for no ramp."""


@dataclass(frozen=True)
class DirectionTotals:
    """Time and distance done in one direction (or in turns)."""

    duration_s: float = 0.0
    distance_m: float = 0.0


@dataclass(frozen=True)
class Totals:
    """What has been done so far, split the way the session summary reports it."""

    forward: DirectionTotals = DirectionTotals()
    backward: DirectionTotals = DirectionTotals()
    turn: DirectionTotals = DirectionTotals()
    turns: int = 0
    """Turns completed."""
    energy_kcal: float = 0.0
    """Energy spent so far: the treadmill's count, else the estimate (`energy_source`)."""
    energy_source: Literal["treadmill", "estimate"] = "estimate"

    @property
    def duration_s(self) -> float:
        return self.forward.duration_s + self.backward.duration_s + self.turn.duration_s

    @property
    def distance_m(self) -> float:
        return self.forward.distance_m + self.backward.distance_m + self.turn.distance_m


@dataclass(frozen=True)
class Snapshot:
    """The whole visible state of a session at one instant (published on every change and
    at least about 4 times a second while running). Countdowns render from this, never
    from a watcher's own timer."""

    t: float
    """Seconds since the session started (session clock; keeps running while paused)."""
    state: SessionState
    plan_name: str
    segment_count: int
    segment_index: int | None
    """None before the first segment and after the last."""
    segment_kind: SegmentKind | None
    segment_label: str
    direction: Direction
    """The way the runner faces now (during a turn: the direction being turned to)."""
    phase: Phase
    target_speed_kmh: float | None
    """What the session is commanding now (after the safety layer)."""
    target_incline_pct: float | None
    measured_speed_kmh: float | None
    measured_incline_pct: float | None
    heart_rate_bpm: int | None
    distance_m: float
    """Distance of the whole session so far."""
    segment_elapsed_s: float
    """Active (unpaused) time in the current segment."""
    segment_remaining_s: float | None
    """Time left in the current segment (estimated for distance segments)."""
    segment_remaining_m: float | None
    """Metres left, for a distance segment; None for a time segment."""
    elapsed_s: float
    """Active (unpaused) time of the whole session."""
    remaining_s: float
    """Estimated time to the end of the plan."""
    next_segment: SegmentPreview | None
    totals: Totals
    reason: str | None = None
    """Why the state is what it is, when that needs saying ("safety key pulled")."""
    heart_rate_state: str = "none"
    """``fresh`` (`heart_rate_bpm` is the one acted on), ``stale`` (readings stopped: the
    guard and zone steps hold) or ``none`` (no heart rate seen yet)."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["state"] = str(self.state)
        data["phase"] = str(self.phase)
        data["totals"]["duration_s"] = self.totals.duration_s
        data["totals"]["distance_m"] = self.totals.distance_m
        return data


@dataclass(frozen=True)
class Cue:
    """Something to say out loud (and show in the cue banner)."""

    t: float
    kind: CueKind
    text: str
    """A short spoken-first sentence: "Backward in 10 seconds. The belt is slowing — hold the
    rails." """
    beeps: int = 0
    """Countdown tones to play (3-2-1 cues carry 1 each; 0: none)."""

    def to_json(self) -> dict[str, Any]:
        return {"t": self.t, "kind": str(self.kind), "text": self.text, "beeps": self.beeps}


@dataclass(frozen=True)
class LogEntry:
    """One line of the session log (docs/session-log.md), as the session produces it.

    ``type`` is one of ``segment``, ``command``, ``response``, ``telemetry``, ``status``,
    ``cue``, ``state``; ``fields`` holds the rest of the line. The header and the closing
    summary are written by the recorder from `SessionStarted` and `SessionEnded`.
    """

    t: float
    type: str
    fields: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"t": round(self.t, 3), "type": self.type, **self.fields}


@dataclass(frozen=True)
class SessionStarted:
    """First event of every session: what runs, on what, since when."""

    started_at: str
    """Wall-clock start, ISO 8601 UTC ("2026-11-21T06:00:00Z")."""
    profile: dict[str, Any]
    """``name``, ``source`` (file path or bundled name), ``total_duration_s``, ..."""
    device: dict[str, Any]
    """``name``, ``address``, ``simulated``, and ``preset`` for the simulator."""
    limits: dict[str, Any] = field(default_factory=dict)
    """The safety limits in force (`SafetyLimits` with the treadmill's range), so that a
    log alone can be checked against them."""


@dataclass(frozen=True)
class SessionEnded:
    """Last event of every session."""

    t: float
    outcome: Literal["finished", "stopped", "interrupted"]
    reason: str
    """One line for the runner: "finished", "stopped by you", "safety key pulled", ..."""
    exit_code: int
    """0 finished, 3 stopped or interrupted, 1 failure (the CLI exits with it)."""
    totals: Totals
    ending: str = ""
    """Which of the named ways to end (`retrorun.session.lifecycle.Ending`), e.g.
    ``"safety key"``, ``"belt not following"``, ``"failure"``."""


SessionEvent = SessionStarted | Snapshot | Cue | LogEntry | SessionEnded


class CommandKind(enum.StrEnum):
    """What a runner (or a remote) may ask of a running session."""

    PAUSE = "pause"
    RESUME = "resume"
    SKIP = "skip"
    EXTEND = "extend"
    SPEED = "speed"
    """Nudge the target speed by ``amount`` km/h (±0.1 or ±0.5 from keys)."""
    INCLINE = "incline"
    """Nudge the target incline by ``amount`` % (±0.5 from keys)."""
    STOP = "stop"


@dataclass(frozen=True)
class UserCommand:
    """A request from a person: the same shape from keys, stdin and MQTT."""

    kind: CommandKind
    amount: float | None = None
    """km/h for SPEED, % for INCLINE, seconds for EXTEND (default 30); else None."""
    source: str = "user"
    """Where it came from ("key", "stdin", "mqtt"), for the log."""


@dataclass(frozen=True)
class CommandResult:
    """The session's answer to a `UserCommand`."""

    command: UserCommand
    accepted: bool
    reason: str
    """Why it was rejected, or what was done ("speed 4.6 km/h", "clamped to 8.0 km/h")."""

    def to_json(self) -> dict[str, Any]:
        return {
            "command": str(self.command.kind),
            "amount": self.command.amount,
            "accepted": self.accepted,
            "reason": self.reason,
        }


class SessionHandle(Protocol):
    """A running session, as its watchers and remotes see it."""

    @property
    def plan(self) -> Plan: ...

    def snapshot(self) -> Snapshot:
        """The state right now."""
        ...

    def events(self, *, only: Only = None) -> Subscription[SessionEvent]:
        """Every event from now on, or ``only`` those of a type or types (``cancel()`` the
        subscription when done)."""
        ...

    async def command(self, command: UserCommand) -> CommandResult:
        """Ask for something; answered once the session has acted (or refused)."""
        ...
