"""Faults and console actions a simulated treadmill can suffer, and their schedule syntax.

The syntax is ``KIND@SECONDS[:VALUE]``. ``SECONDS`` counts from the moment the treadmill
starts, on its clock. ``VALUE`` is:

* ``disconnect@S[:N]``: drops the link like a real disconnect; reachable again N seconds
  later (without N: never).
* ``drop-notifications@S:D``: sends no notifications for D seconds.
* ``delay-command@S:D``: the next command's response comes D seconds late.
* ``reject-command@S``: the next command fails with 0x04 Operation Failed.
* ``console-speed@S:KMH``: someone sets KMH with the console's speed buttons.
* ``console-incline@S:PCT``: someone sets PCT with the console's incline buttons.
* ``console-start@S``: someone presses Start on the console (the only Start a
  ``console-start`` machine takes, and what lets a ``no-data`` machine send telemetry).
* ``console-stop@S``: someone presses Stop on the console.
* ``safety-key@S``: the safety key is pulled.
* ``strap-silent@S:D``: the runner's chest strap (a `SimulatedHeartRateStrap` on this
  treadmill) sends nothing for D seconds, its link up: slipped off the skin, or shadowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from retrorun.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterable


class FaultKind(StrEnum):
    DISCONNECT = "disconnect"
    DROP_NOTIFICATIONS = "drop-notifications"
    DELAY_COMMAND = "delay-command"
    REJECT_COMMAND = "reject-command"
    CONSOLE_SPEED = "console-speed"
    CONSOLE_INCLINE = "console-incline"
    CONSOLE_START = "console-start"
    CONSOLE_STOP = "console-stop"
    SAFETY_KEY = "safety-key"
    STRAP_SILENT = "strap-silent"


# What the part after the colon means for each kind; None: the kind takes no value.
_VALUE_MEANING: dict[FaultKind, str | None] = {
    FaultKind.DISCONNECT: "seconds until it comes back",
    FaultKind.DROP_NOTIFICATIONS: "seconds",
    FaultKind.DELAY_COMMAND: "seconds",
    FaultKind.REJECT_COMMAND: None,
    FaultKind.CONSOLE_SPEED: "km/h",
    FaultKind.CONSOLE_INCLINE: "%",
    FaultKind.CONSOLE_START: None,
    FaultKind.CONSOLE_STOP: None,
    FaultKind.SAFETY_KEY: None,
    FaultKind.STRAP_SILENT: "seconds",
}
_VALUE_OPTIONAL = {FaultKind.DISCONNECT}
_SIGNED_VALUE = {FaultKind.CONSOLE_INCLINE}

FAULT_KINDS: tuple[str, ...] = tuple(kind.value for kind in FaultKind)


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault: what, when (seconds after the treadmill started) and its value."""

    kind: FaultKind
    at_s: float
    value: float | None = None

    def __str__(self) -> str:
        suffix = "" if self.value is None else f":{self.value:g}"
        return f"{self.kind}@{self.at_s:g}{suffix}"


def _number(text: str, spec: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"fault {spec!r}: {what} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise InputError(f"fault {spec!r}: {what} must be finite")
    return value


def parse_fault(spec: str) -> Fault:
    """``KIND@SECONDS[:VALUE]`` as a `Fault`; `InputError` naming the valid kinds otherwise."""
    head, at, tail = spec.strip().partition("@")
    try:
        kind = FaultKind(head.strip().lower())
    except ValueError:
        raise InputError(
            f"unknown fault {head!r} in {spec!r}; valid faults: {', '.join(FAULT_KINDS)} "
            "(written KIND@SECONDS[:VALUE], e.g. disconnect@120:5)"
        ) from None
    if not at:
        raise InputError(f"fault {spec!r}: write it as {kind}@SECONDS[:VALUE]")
    when, colon, raw_value = tail.partition(":")
    at_s = _number(when, spec, "time")
    if at_s < 0:
        raise InputError(f"fault {spec!r}: the time must not be negative")
    meaning = _VALUE_MEANING[kind]
    if not colon:
        if meaning is not None and kind not in _VALUE_OPTIONAL:
            raise InputError(f"fault {spec!r}: {kind} needs a value ({kind}@SECONDS:{meaning})")
        return Fault(kind, at_s)
    if meaning is None:
        raise InputError(f"fault {spec!r}: {kind} takes no value")
    value = _number(raw_value, spec, meaning)
    if value < 0 and kind not in _SIGNED_VALUE:
        raise InputError(f"fault {spec!r}: the {meaning} must not be negative")
    return Fault(kind, at_s, value)


def parse_faults(specs: Iterable[str | Fault]) -> tuple[Fault, ...]:
    """Every spec parsed (ready `Fault` values pass through), sorted by time."""
    if isinstance(specs, str):
        specs = [specs]
    faults = [spec if isinstance(spec, Fault) else parse_fault(spec) for spec in specs]
    return tuple(sorted(faults, key=lambda fault: fault.at_s))
