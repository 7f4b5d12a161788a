"""What each topic carries, and the checks an inbound command passes before the session sees it.

Outbound payloads are compact UTF-8 JSON built from the session's own ``to_json`` views, so a
dashboard reads the same unit-suffixed names as the session log. Inbound commands are
validated here (size, encoding, shape, known command, numeric range) and become a
`UserCommand` with ``source="mqtt"``, or a `Rejection` with a reason a person can read; the
session then applies its own command path and safety layer to what passes.

A command is a JSON object ``{"command": "speed", "amount": 0.5, "id": "abc"}`` (``amount``
and ``id`` optional) or, for quick use from a shell, the bare command word (``pause``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from retrorun.jsontext import JSONTextError, compact_json, parse_json
from retrorun.session.api import CommandKind, UserCommand

if TYPE_CHECKING:
    from retrorun.session.api import CommandResult, Cue, LogEntry, Snapshot

MAX_COMMAND_BYTES = 1024
MAX_ID_CHARS = 64
SOURCE = "mqtt"

# The largest nudge one remote command may ask for; the session's safety layer still has the
# last word on the resulting target. Wider than a key press (0.5 km/h, 0.5 %) so a dashboard
# slider can move in one step, narrow enough that a typo cannot ask for a sprint.
AMOUNT_RANGES: dict[CommandKind, tuple[float, float, str]] = {
    CommandKind.SPEED: (-3.0, 3.0, "km/h"),
    CommandKind.INCLINE: (-5.0, 5.0, "%"),
    CommandKind.EXTEND: (1.0, 600.0, "s"),
}
# Commands that need an amount; EXTEND defaults to the session's 30 s when none is given.
_AMOUNT_REQUIRED = frozenset({CommandKind.SPEED, CommandKind.INCLINE})
_KEYS = frozenset({"command", "amount", "id"})


def encode(data: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON (NaN/inf are not JSON: they become null)."""
    return compact_json(data).encode()


def state_payload(snapshot: Snapshot) -> bytes:
    """The retained ``state``: the whole snapshot (docs/mqtt.md lists its fields)."""
    return encode(snapshot.to_json())


def telemetry_payload(snapshot: Snapshot) -> bytes:
    """The 1 Hz ``telemetry``: what the treadmill measures, and where the session is."""
    return encode(
        {
            "t": round(snapshot.t, 3),
            "state": str(snapshot.state),
            "direction": snapshot.direction,
            "segment_index": snapshot.segment_index,
            "speed_kmh": snapshot.measured_speed_kmh,
            "incline_pct": snapshot.measured_incline_pct,
            "heart_rate_bpm": snapshot.heart_rate_bpm,
            "distance_m": round(snapshot.distance_m, 1),
            "energy_kcal": round(snapshot.totals.energy_kcal, 1),
            "elapsed_s": round(snapshot.elapsed_s, 1),
            "remaining_s": round(snapshot.remaining_s, 1),
        }
    )


def cue_payload(cue: Cue) -> bytes:
    return encode(cue.to_json())


def log_payload(entry: LogEntry) -> bytes:
    return encode(entry.to_json())


@dataclass(frozen=True)
class Rejection:
    """An inbound command refused before it reached the session."""

    reason: str
    command: str | None = None
    amount: float | None = None
    request_id: str | int | None = None


@dataclass(frozen=True)
class Request:
    """A valid inbound command and the caller's correlation id (echoed in the result)."""

    command: UserCommand
    request_id: str | int | None = None


def parse_command(payload: bytes) -> Request | Rejection:  # noqa: PLR0911 - one return per check
    """Validate one ``command`` message; never raises."""
    if len(payload) > MAX_COMMAND_BYTES:
        return Rejection(f"payload too large: {len(payload)} bytes (at most {MAX_COMMAND_BYTES})")
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        return Rejection(f"payload is not UTF-8 text (byte {exc.start})")
    if text.isidentifier():
        return _checked(text, None, None)
    try:
        data = parse_json(text)
    except JSONTextError as exc:
        return Rejection(f"not JSON: {exc}")
    if not isinstance(data, dict):  # a JSON string too: the bare word is the one other form
        return Rejection(
            'a command is a bare word like pause or a JSON object like {"command": "pause"}'
        )
    request_id = data.get("id")
    if request_id is not None and not _valid_id(request_id):
        return Rejection(f"id must be text of at most {MAX_ID_CHARS} characters or an integer")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        return Rejection(
            f"unknown field {unknown[0]!r}; a command has command, amount and id",
            _text(data.get("command")),
            request_id=request_id,
        )
    if "command" not in data:
        return Rejection("missing field 'command'", request_id=request_id)
    return _checked(data["command"], data.get("amount"), request_id)


def _valid_id(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and len(value) <= MAX_ID_CHARS)


def _text(value: object) -> str | None:
    return value[:32] if isinstance(value, str) else None


def _checked(  # noqa: PLR0911 - one return per check, in the order docs/mqtt.md lists them
    name: object, amount: object, request_id: str | int | None
) -> Request | Rejection:
    if not isinstance(name, str):
        return Rejection("command must be text", request_id=request_id)
    try:
        kind = CommandKind(name.strip().lower())
    except ValueError:
        known = ", ".join(kind.value for kind in CommandKind)
        return Rejection(
            f"unknown command {name[:32]!r}; known: {known}", _text(name), None, request_id
        )
    if amount is None:
        if kind in _AMOUNT_REQUIRED:
            low, high, unit = AMOUNT_RANGES[kind]
            return Rejection(
                f"{kind} needs an amount in {unit} ({low:g} to {high:g})",
                kind.value,
                None,
                request_id,
            )
        return Request(UserCommand(kind, None, SOURCE), request_id)
    if kind not in AMOUNT_RANGES:
        return Rejection(f"{kind} takes no amount", kind.value, None, request_id)
    if isinstance(amount, bool) or not isinstance(amount, int | float) or not math.isfinite(amount):
        return Rejection(
            f"amount must be a number, not {amount!r}"[:120], kind.value, None, request_id
        )
    low, high, unit = AMOUNT_RANGES[kind]
    value = float(amount)
    if not low <= value <= high or value == 0:
        return Rejection(
            f"{kind} amount {value:g} {unit} is outside {low:g} to {high:g} {unit} (and not 0)",
            kind.value,
            value,
            request_id,
        )
    return Request(UserCommand(kind, value, SOURCE), request_id)


def result_payload(result: CommandResult, request_id: str | int | None = None) -> bytes:
    """The session's answer, on ``command/result``."""
    return encode({**result.to_json(), "id": request_id})


def rejection_payload(rejection: Rejection) -> bytes:
    """A refusal before the session, on ``command/result`` (same shape as `result_payload`)."""
    return encode(
        {
            "command": rejection.command,
            "amount": rejection.amount,
            "accepted": False,
            "reason": rejection.reason,
            "id": rejection.request_id,
        }
    )
