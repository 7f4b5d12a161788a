"""Treadmill commands as the engine tracks them: sent, answered, measured, retried.

Theory of operation
-------------------
Every command the engine sends is a `Tracked` entry whose state moves only through
`TRANSITIONS`:

* PENDING: written, its answer not yet in;
* ACKNOWLEDGED: the treadmill answered Success;
* VERIFIED: a set-point that telemetry then showed (the belt's speed or the deck's incline
  within tolerance of it) — an acknowledgement is a promise, a measurement is a fact;
* REJECTED: answered with another result code; TIMED_OUT: never answered; FAILED: could not
  be sent (the link was down);
* REPLACED: an acknowledged set-point that a newer one of the same kind took over before
  it was measured.

Decisions are made on the typed `Result` of each answer, never on message text. A set-point
that was rejected, timed out or failed is sent again after `RETRY_S`, at most `MAX_TRIES`
times for the same target; then the tracker gives up on it (`gave_up`), and the engine says
what is held.

Pure: no I/O, no clock (times are passed in).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from retrorun.session.inputs import REQUEST_NAMES, Send
from retrorun.session.transitions import step

if TYPE_CHECKING:
    from retrorun.session.inputs import Done, Request

RETRY_S = 2.0
"""A refused or lost set-point is sent again after this long."""
MAX_TRIES = 5
"""Tries of one set-point (the first send and its retries) before giving up on it."""
SPEED_TOLERANCE_KMH = 0.2
INCLINE_TOLERANCE_PCT = 0.3
_SET_POINTS = ("speed", "incline")


class CommandState(enum.Enum):
    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    VERIFIED = "verified"
    REJECTED = "rejected"
    TIMED_OUT = "timed out"
    FAILED = "failed"
    REPLACED = "replaced"


class CommandInput(enum.Enum):
    SUCCESS = "success"
    REFUSED = "refused"
    """Answered with a result code other than Success."""
    NO_ANSWER = "no answer"
    NOT_SENT = "not sent"
    MEASURED = "measured"
    NEWER = "newer set-point"


_C, _N = CommandState, CommandInput

TRANSITIONS: dict[tuple[CommandState, CommandInput], CommandState] = {
    (_C.PENDING, _N.SUCCESS): _C.ACKNOWLEDGED,
    (_C.PENDING, _N.REFUSED): _C.REJECTED,
    (_C.PENDING, _N.NO_ANSWER): _C.TIMED_OUT,
    (_C.PENDING, _N.NOT_SENT): _C.FAILED,
    (_C.ACKNOWLEDGED, _N.MEASURED): _C.VERIFIED,
    (_C.ACKNOWLEDGED, _N.NEWER): _C.REPLACED,
}

_INPUT_OF: dict[str, CommandInput] = {
    "success": _N.SUCCESS,
    "operation_failed": _N.REFUSED,
    "invalid_parameter": _N.REFUSED,
    "control_not_permitted": _N.REFUSED,
    "op_code_not_supported": _N.REFUSED,
    "timeout": _N.NO_ANSWER,
    "failed": _N.NOT_SENT,
}


@dataclass
class Tracked:
    """One command and what became of it."""

    send: Send
    state: CommandState
    tries: int
    """1 for a first send; n for its (n-1)th retry."""
    reason: str | None = None

    def fire(self, given: CommandInput) -> CommandState:
        self.state = step(TRANSITIONS, self.state, given, what="command")
        return self.state

    @property
    def ok(self) -> bool:
        return self.state in (CommandState.ACKNOWLEDGED, CommandState.VERIFIED)


class CommandTracker:
    """Numbers, remembers and retries the engine's treadmill commands."""

    def __init__(self) -> None:
        self._seq = 0
        self._pending: dict[int, Tracked] = {}
        self._latest: dict[Request, Tracked] = {}
        """The newest set-point of each kind that was acknowledged (awaiting measurement)."""
        self._tries: dict[Request, int] = {}
        self.retry_at: float | None = None
        self._retry: set[Request] = set()
        self.gave_up: list[Tracked] = []
        """Set-points given up on since last read (the engine drains this)."""

    def issue(self, request: Request, value: float | None = None, *, retry: bool = False) -> Send:
        """A new command to send (``retry``: the same target again after a failure)."""
        self._seq += 1
        send = Send(self._seq, request, value)
        tries = self._tries.get(request, 0) + 1 if retry else 1
        if request in _SET_POINTS:
            self._tries[request] = tries
        self._pending[self._seq] = Tracked(send, CommandState.PENDING, tries)
        return send

    def answer(self, done: Done, now: float, *, live: bool) -> Tracked | None:
        """The answer to a command; the tracked command (None: not ours or answered)."""
        tracked = self._pending.pop(done.seq, None)
        if tracked is None:
            return None
        tracked.reason = done.reason
        tracked.fire(_INPUT_OF[done.result])
        request = tracked.send.request
        if request not in _SET_POINTS:
            return tracked
        if tracked.ok:
            previous = self._latest.get(request)
            if previous is not None and previous.state is CommandState.ACKNOWLEDGED:
                previous.fire(CommandInput.NEWER)
            self._latest[request] = tracked
            self._tries.pop(request, None)
        elif live and tracked.tries < MAX_TRIES:
            self._retry.add(request)
            self.retry_at = now + RETRY_S
        else:
            self.gave_up.append(tracked)
        return tracked

    def due_retries(self, now: float, eps: float = 1e-6) -> set[Request]:
        """The set-points to send again now (and forget the deadline)."""
        if self.retry_at is None or now < self.retry_at - eps:
            return set()
        due, self._retry, self.retry_at = self._retry, set(), None
        return due

    def cancel_retries(self) -> None:
        self._retry.clear()
        self.retry_at = None

    def measured(self, speed_kmh: float | None, incline_pct: float | None) -> None:
        """A telemetry sample: acknowledged set-points it shows are verified."""
        if not self._latest:
            return
        checks: tuple[tuple[Request, float | None, float], ...] = (
            ("speed", speed_kmh, SPEED_TOLERANCE_KMH),
            ("incline", incline_pct, INCLINE_TOLERANCE_PCT),
        )
        for request, value, tolerance in checks:
            tracked = self._latest.get(request)
            if (
                tracked is not None
                and value is not None
                and tracked.state is CommandState.ACKNOWLEDGED
                and abs(value - (tracked.send.value or 0.0)) <= tolerance
            ):
                tracked.fire(CommandInput.MEASURED)

    def state_of(self, request: Request) -> CommandState | None:
        """What became of the newest acknowledged set-point of this kind (None: none yet)."""
        tracked = self._latest.get(request)
        return None if tracked is None else tracked.state


def response_fields(tracked: Tracked, done: Done) -> dict[str, Any]:
    """The session log's ``response`` line for an answer."""
    fields: dict[str, Any] = {
        "request": REQUEST_NAMES[tracked.send.request],
        "result": done.result,
    }
    if done.outcome:
        fields["outcome"] = done.outcome
    if done.reason:
        fields["reason"] = done.reason
    return fields
