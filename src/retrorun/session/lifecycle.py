"""The session lifecycle: from connecting to ended, as one table, and every way to end.

Theory of operation
-------------------
A session is in exactly one `Stage`. `TRANSITIONS` is the whole lifecycle: ``(stage,
trigger) -> next stage``. A pair missing from the table is not allowed: `Lifecycle.fire`
raises `LocalProtocolError`, because it means the engine asked for something illegal
(resuming a session that is not paused, ending one that has ended), not that the world did
something unexpected. `Lifecycle.can` asks first.

Every way a session can end is an `Ending` in `ENDINGS`: its outcome (finished, stopped by
the runner, interrupted by the treadmill or the link), its exit code and the sentence the
runner reads. Ending goes through STOPPING (the belt is told to stop) to ENDED (the stop was
answered, or the session could not wait for it). `docs/session.md` shows both tables,
rendered from these (``python -m retrorun.session.tables``).

The public `SessionState` (what the TUI, the log and MQTT show) is derived from the stage
and the ending: a stopping session already shows how it ends.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

from retrorun.session.api import SessionState
from retrorun.session.transitions import step

Outcome = Literal["finished", "stopped", "interrupted"]


class Stage(enum.Enum):
    """Where the session is."""

    CONNECTING = "connecting"
    """Connected or connecting; control requested. Nothing has been sent to the belt."""
    COUNTDOWN = "countdown"
    """Start sent (first start or a resume); waiting for the belt to move."""
    RUNNING = "running"
    """The plan runs: the active clock counts."""
    PAUSED = "paused"
    """Belt paused or stopped (runner, console, safety key, lost control); waits for resume."""
    RECONNECTING = "reconnecting"
    """The link dropped; the active clock is stopped while it comes back."""
    STOPPING = "stopping"
    """The session is over; the belt is being told to stop."""
    ENDED = "ended"
    """Over, and the stop was answered (or could not be waited for)."""


class Trigger(enum.Enum):
    """What moves the lifecycle."""

    READY = "ready"
    """Connected and in control: Start is sent."""
    BELT_MOVING = "belt moving"
    """The belt runs after a Start (or the start wait passed)."""
    PAUSE = "pause"
    """The runner (or a remote) paused."""
    BELT_HALTED = "belt halted"
    """The console stopped or paused the belt, or the safety key was pulled."""
    CONTROL_LOST = "control lost"
    """Another app or the treadmill took control; it is asked for again."""
    BELT_FAULT = "belt fault"
    """The belt is measured not doing what it was told (not following, not at turn speed)."""
    BACK_AT_SPEED = "back at speed"
    """Control or the link is back and the belt still runs at the expected speed."""
    LINK_LOST = "link lost"
    LINK_BACK = "link back"
    """Reconnected; the runner decides when to go on."""
    RESUME = "resume"
    """The runner resumed: Start is sent again."""
    CONSOLE_START = "console start"
    """The belt was started at the console."""
    END = "end"
    """An `Ending` happened: the belt is told to stop."""
    STOP_ANSWERED = "stop answered"
    """The Stop was answered (or cannot be waited for)."""


_S, _T = Stage, Trigger
_LIVE = (_S.CONNECTING, _S.COUNTDOWN, _S.RUNNING, _S.PAUSED, _S.RECONNECTING)

TRANSITIONS: dict[tuple[Stage, Trigger], Stage] = {
    (_S.CONNECTING, _T.READY): _S.COUNTDOWN,
    (_S.COUNTDOWN, _T.BELT_MOVING): _S.RUNNING,
    (_S.COUNTDOWN, _T.BELT_HALTED): _S.PAUSED,
    (_S.COUNTDOWN, _T.LINK_LOST): _S.RECONNECTING,
    (_S.RUNNING, _T.PAUSE): _S.PAUSED,
    (_S.RUNNING, _T.BELT_HALTED): _S.PAUSED,
    (_S.RUNNING, _T.CONTROL_LOST): _S.PAUSED,
    (_S.RUNNING, _T.BELT_FAULT): _S.PAUSED,
    (_S.RUNNING, _T.LINK_LOST): _S.RECONNECTING,
    (_S.PAUSED, _T.RESUME): _S.COUNTDOWN,
    (_S.PAUSED, _T.CONSOLE_START): _S.RUNNING,
    (_S.PAUSED, _T.BACK_AT_SPEED): _S.RUNNING,
    (_S.PAUSED, _T.BELT_HALTED): _S.PAUSED,
    (_S.PAUSED, _T.LINK_LOST): _S.RECONNECTING,
    (_S.RECONNECTING, _T.BELT_HALTED): _S.PAUSED,
    (_S.RECONNECTING, _T.LINK_BACK): _S.PAUSED,
    (_S.RECONNECTING, _T.BACK_AT_SPEED): _S.RUNNING,
    **{(stage, _T.END): _S.STOPPING for stage in _LIVE},
    (_S.STOPPING, _T.STOP_ANSWERED): _S.ENDED,
}


@dataclass(frozen=True)
class EndingInfo:
    """One way to end: what it counts as, the exit code, and what the runner reads."""

    outcome: Outcome
    exit_code: int
    reason: str
    """The sentence (``{detail}`` is filled in by `Lifecycle.end`)."""


class Ending(enum.Enum):
    """Every way a session ends (see `ENDINGS`)."""

    FINISHED = "finished"
    STOPPED_BY_RUNNER = "stopped by the runner"
    STOPPED_REMOTELY = "stopped remotely"
    STOPPED_BY_SIGNAL = "stopped by a signal"
    STOPPED_BY_VIEW = "stopped by closing the view"
    CANCELLED = "cancelled"
    SAFETY_KEY = "safety key"
    CONSOLE_STOP = "console stop"
    CONTROL_LOST = "control lost"
    CONTROL_NEVER_GRANTED = "control never granted"
    CONNECTION_LOST = "connection lost"
    CONNECTION_LOST_BEFORE_START = "connection lost before the start"
    NO_DATA_AFTER_RECONNECT = "no data after reconnecting"
    BELT_DID_NOT_KEEP_SPEED = "belt did not keep its speed"
    START_REFUSED = "treadmill refused to start"
    BELT_NOT_FOLLOWING = "belt not following"
    BELT_STOPPED = "belt stopped by itself"
    NO_DATA = "no data from the treadmill"
    FAILURE = "failure"


_E = Ending
ENDINGS: dict[Ending, EndingInfo] = {
    _E.FINISHED: EndingInfo("finished", 0, "finished"),
    _E.STOPPED_BY_RUNNER: EndingInfo("stopped", 3, "stopped by you"),
    _E.STOPPED_REMOTELY: EndingInfo("stopped", 3, "stopped remotely (MQTT)"),
    _E.STOPPED_BY_SIGNAL: EndingInfo("stopped", 3, "stopped by Ctrl-C or SIGTERM"),
    _E.STOPPED_BY_VIEW: EndingInfo("stopped", 3, "stopped by you"),
    _E.CANCELLED: EndingInfo("stopped", 3, "cancelled"),
    _E.SAFETY_KEY: EndingInfo("interrupted", 3, "safety key pulled"),
    _E.CONSOLE_STOP: EndingInfo("interrupted", 3, "belt stopped at the console"),
    _E.CONTROL_LOST: EndingInfo("interrupted", 3, "control of the treadmill was lost"),
    _E.CONTROL_NEVER_GRANTED: EndingInfo("interrupted", 1, "{detail}"),
    _E.CONNECTION_LOST: EndingInfo("interrupted", 3, "connection lost"),
    _E.CONNECTION_LOST_BEFORE_START: EndingInfo(
        "interrupted", 3, "connection lost before the start"
    ),
    _E.NO_DATA_AFTER_RECONNECT: EndingInfo(
        "interrupted", 3, "connection lost: no data after reconnecting"
    ),
    _E.BELT_DID_NOT_KEEP_SPEED: EndingInfo(
        "interrupted", 3, "connection lost and the belt did not keep its speed"
    ),
    _E.START_REFUSED: EndingInfo(
        "interrupted",
        3,
        "the treadmill did not start ({detail}): press Start on its console, then run again",
    ),
    _E.NO_DATA: EndingInfo(
        "interrupted",
        3,
        "no data from the treadmill: start the belt on its console (some treadmills only "
        "report once started there)",
    ),
    _E.BELT_NOT_FOLLOWING: EndingInfo("interrupted", 3, "the belt did not follow: {detail}"),
    _E.BELT_STOPPED: EndingInfo("interrupted", 3, "the belt stopped without a word"),
    _E.FAILURE: EndingInfo("interrupted", 1, "{detail}"),
}

STOP_SOURCES: dict[str, Ending] = {
    "signal": _E.STOPPED_BY_SIGNAL,
    "mqtt": _E.STOPPED_REMOTELY,
    "tui": _E.STOPPED_BY_VIEW,
}
"""Where a stop command came from (`UserCommand.source`) → how the session ends; any other
source is the runner's own stop."""


class Lifecycle:
    """The stage of one session, moved only through `TRANSITIONS`."""

    def __init__(self) -> None:
        self.stage = Stage.CONNECTING
        self.ending: Ending | None = None
        self.reason: str | None = None
        """The ending's sentence, once the session is stopping or ended."""

    def can(self, trigger: Trigger) -> bool:
        return (self.stage, trigger) in TRANSITIONS

    def fire(self, trigger: Trigger) -> Stage:
        """Move on `trigger`; `LocalProtocolError` when the table does not allow it."""
        self.stage = step(TRANSITIONS, self.stage, trigger, what="session")
        return self.stage

    def end(self, ending: Ending, detail: str = "") -> EndingInfo:
        """Begin to end (STOPPING); the ending's info with its reason filled in."""
        self.fire(Trigger.END)
        info = ENDINGS[ending]
        self.ending = ending
        self.reason = info.reason.format(detail=detail or ending.value)
        return EndingInfo(info.outcome, info.exit_code, self.reason)

    @property
    def live(self) -> bool:
        """Not yet stopping or ended."""
        return self.stage in _LIVE

    def state(self) -> SessionState:
        """The public state: a stopping or ended session shows its outcome."""
        if self.ending is not None:
            return SessionState(ENDINGS[self.ending].outcome)
        return _PUBLIC[self.stage]


_PUBLIC = {
    Stage.CONNECTING: SessionState.CONNECTING,
    Stage.COUNTDOWN: SessionState.COUNTDOWN,
    Stage.RUNNING: SessionState.RUNNING,
    Stage.PAUSED: SessionState.PAUSED,
    Stage.RECONNECTING: SessionState.RECONNECTING,
}
