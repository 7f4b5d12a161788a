"""What travels on the page's WebSocket, both ways, as JSON text frames.

From the page (each checked here before anything else sees it; a refusal carries a reason
a person can read, and the session never hears of it):

* ``{"type": "hello", "pin": "4821"}``: the first message of every connection (``pin`` only
  when the view asks for one);
* ``{"type": "command", "command": "pause", "id": 7}``: one of `PAGE_COMMANDS`; ``speed``
  takes an ``amount`` in km/h (a nudge, within `SPEED_NUDGE_KMH`); ``id`` is echoed back.

To the page:

* ``{"type": "welcome", "controls": true, "plan": "..."}`` or
  ``{"type": "refused", "reason": "wrong PIN"}`` (then the socket closes);
* ``{"type": "state", "snapshot": {...}, "view": {...}}``: the session's `Snapshot` as its
  ``to_json`` (the unit-suffixed names of docs/session-log.md) and the words the page shows
  (`display.view`);
* ``{"type": "cue", "kind": "turn_now", "text": "Turn around now.", ...}`` as it is spoken;
* ``{"type": "result", "id": 7, "command": "pause", "accepted": true, "reason": "paused"}``,
  also for a message refused here (``accepted`` false, ``command`` null when unknown);
* ``{"type": "ended", "outcome": "finished", "reason": "..."}``.

Pure: no asyncio, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun.jsontext import JSONTextError, compact_json, parse_json
from retrorun.session.api import CommandKind, UserCommand
from retrorun.web.display import view

if TYPE_CHECKING:
    from retrorun.profiles.words import Units
    from retrorun.session.api import CommandResult, Cue, SessionEnded, Snapshot

MAX_MESSAGE_CHARS = 512
MAX_ID_CHARS = 64
SOURCE = "web"
PAGE_COMMANDS = frozenset(
    {CommandKind.PAUSE, CommandKind.RESUME, CommandKind.SKIP, CommandKind.STOP, CommandKind.SPEED}
)
SPEED_NUDGE_KMH = 1.0
"""The largest speed change one tap may ask for; the page's buttons ask for 0.5 km/h. The
session's safety layer still has the last word on the resulting target."""
_COMMAND_KEYS = frozenset({"type", "command", "amount", "id"})
_HELLO_KEYS = frozenset({"type", "pin"})


@dataclass(frozen=True)
class Hello:
    pin: str | None


@dataclass(frozen=True)
class Request:
    """A valid command from the page and its correlation id."""

    command: UserCommand
    request_id: str | int | None = None


@dataclass(frozen=True)
class Refusal:
    """A message refused before it reached the session."""

    reason: str
    command: str | None = None
    request_id: str | int | None = None


def parse_message(text: str | bytes) -> Hello | Request | Refusal:  # noqa: PLR0911 - one per check
    """Check one message from the page; never raises."""
    if len(text) > MAX_MESSAGE_CHARS:
        return Refusal(f"message too long: {len(text)} characters (at most {MAX_MESSAGE_CHARS})")
    if isinstance(text, bytes):
        return Refusal("messages are JSON text, not binary frames")
    try:
        data = parse_json(text)
    except JSONTextError as exc:
        return Refusal(f"not JSON: {exc}")
    if not isinstance(data, dict):
        return Refusal('a message is a JSON object like {"type": "command", "command": "pause"}')
    kind = data.get("type")
    if kind == "hello":
        pin = data.get("pin")
        if set(data) - _HELLO_KEYS or not (pin is None or isinstance(pin, str)):
            return Refusal('hello is {"type": "hello"} with an optional "pin" as text')
        return Hello(pin[:MAX_ID_CHARS] if pin is not None else None)
    if kind != "command":
        return Refusal(f"unknown message type {str(kind)[:32]!r}; known: hello, command")
    request_id = data.get("id")
    if request_id is not None and not _valid_id(request_id):
        return Refusal(f"id must be text of at most {MAX_ID_CHARS} characters or an integer")
    unknown = sorted(set(data) - _COMMAND_KEYS)
    if unknown:
        return Refusal(f"unknown field {unknown[0]!r}", None, request_id)
    return _command(data.get("command"), data.get("amount"), request_id)


def _valid_id(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and len(value) <= MAX_ID_CHARS)


def _command(name: object, amount: object, request_id: str | int | None) -> Request | Refusal:
    known = ", ".join(sorted(kind.value for kind in PAGE_COMMANDS))
    try:
        kind = CommandKind(name) if isinstance(name, str) else None
    except ValueError:
        kind = None
    if kind not in PAGE_COMMANDS or kind is None:
        return Refusal(f"unknown command {str(name)[:32]!r}; known: {known}", None, request_id)
    if kind is not CommandKind.SPEED:
        if amount is not None:
            return Refusal(f"{kind} takes no amount", kind.value, request_id)
        return Request(UserCommand(kind, None, SOURCE), request_id)
    if isinstance(amount, bool) or not isinstance(amount, int | float) or not math.isfinite(amount):
        return Refusal("speed needs an amount in km/h", kind.value, request_id)
    if amount == 0 or abs(amount) > SPEED_NUDGE_KMH:
        return Refusal(
            f"speed amount {amount:g} km/h is outside ±{SPEED_NUDGE_KMH:g} km/h (and not 0)",
            kind.value,
            request_id,
        )
    return Request(UserCommand(kind, float(amount), SOURCE), request_id)


# ---------------------------------------------------------------------------- to the page
def welcome(*, controls: bool, plan: str) -> str:
    return compact_json({"type": "welcome", "controls": controls, "plan": plan})


def refused(reason: str) -> str:
    return compact_json({"type": "refused", "reason": reason})


def state(snapshot: Snapshot, units: Units = "metric") -> str:
    """The snapshot (metric, as its field names say) and the page's words (in `units`)."""
    view_json = view(snapshot, units)
    return compact_json({"type": "state", "snapshot": snapshot.to_json(), "view": view_json})


def cue(event: Cue) -> str:
    return compact_json({"type": "cue", **event.to_json()})


def result(answer: CommandResult, request_id: str | int | None) -> str:
    return compact_json({"type": "result", "id": request_id, **answer.to_json()})


def refusal(refused_message: Refusal) -> str:
    return compact_json(
        {
            "type": "result",
            "id": refused_message.request_id,
            "command": refused_message.command,
            "amount": None,
            "accepted": False,
            "reason": refused_message.reason,
        }
    )


def ended(event: SessionEnded) -> str:
    return compact_json({"type": "ended", "outcome": event.outcome, "reason": event.reason})
