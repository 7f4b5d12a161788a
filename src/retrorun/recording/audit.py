"""Audit a session log against the safety rules of DESIGN.md §2, from the log alone.

Theory of operation
-------------------
The auditor is written apart from the session engine (an import-linter contract keeps it
from importing `retrorun.session`) so it can catch the engine's mistakes: it restates none
of the engine's logic, only the rules, and judges what the log says was commanded and what
the treadmill measured. The numbers come from the one table of safety numbers
(`retrorun.profiles.safety.SAFETY_NUMBERS`) or, when the log's header carries them, from the
session's own ``limits`` (never looser than the table's hard limits).

Every ``command`` line is in the phase and facing of the last ``phase`` line before it
(docs/session-log.md), so `_placed` walks the events once and tells each rule where the
runner's feet were. Each rule is one function from the events and the limits to
`Violation` s, reported once per episode (a stretch of telemetry over a cap is one
violation, not one per line). docs/audit.md describes every rule by its name in `RULES`.

Pure: no I/O, no asyncio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeGuard

from retrorun.profiles.safety.limits import SAFETY_NUMBERS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from retrorun.recording.log_reader import LogEvent, SessionLog

RULES: Final[Mapping[str, str]] = {
    "backward_speed": "a speed commanded while facing backward is above the backward cap, "
    "or above the steep cap while the incline is above the steep incline",
    "backward_belt_speed": "the belt is measured above a backward cap while the runner faces "
    "backward for longer than a belt takes to come down from it",
    "backward_step": "a backward speed command changes the speed by more than one step, or "
    "faster than the backward ramp rate since the previous speed command",
    "backward_incline": "an incline is commanded while facing backward outside the turn "
    "window, or outside the backward incline range",
    "backward_deck": "the deck is measured moving while facing backward outside the turn "
    "window, or beyond the backward incline range for longer than it takes to come back",
    "turn_speed": '"Turn around now" is said with the belt measured above the turn speed',
    "missing_turn": "an interval faces the other way from the previous one with no "
    '"Turn around now" between them',
    "command_after_halt": "a speed, incline or start command is sent after a halt (console "
    "stop or pause, safety key, pause, end) before the runner resumed",
    "final_stop": "the session ends finished (or exit 0) but the belt was not measured at rest "
    "after its last stop command",
    "finished_on_stopped_belt": "the session ends finished but the belt was measured at rest "
    "at the end of its last interval",
}

COMMAND_TOLERANCE = 0.011
"""Commanded values are rounded to 0.01 in the log; this absorbs that rounding."""
BELT_SPEED_TOLERANCE_KMH = 0.2
"""A belt's reported speed wobbles around what it runs at."""
DECK_TOLERANCE_PCT = 0.5
"""A deck's reported incline wobbles around where it stands."""
TURN_SPEED_TOLERANCE_KMH = 0.2
"""How far above the turn speed the belt may be measured when "Turn around now" is said."""
AT_REST_KMH = 0.1
"""A belt measured below this is at rest."""
REACTION_S = 3.0
"""Time the session gets to answer a belt or deck past a cap, before it has to come down."""
TELEMETRY_GAP_S = 2.0
"""Treadmill Data comes about once a second: a stretch shorter than this may hold no reading."""
BELT_RATE_KMH_PER_S = 0.5
"""The slowest belt deceleration of DESIGN.md §1 (0.5-1 km/h per s)."""
DECK_RATE_PCT_PER_S = 0.3
"""The slowest deck of the field notes (0.3 % per s)."""

_HALT_STATUSES = frozenset({"console_stop", "console_pause", "safety_key"})
_HALT_STATES = frozenset({"paused", "finished", "stopped", "interrupted"})
_RESUME_STATES = frozenset({"resumed", "countdown"})


@dataclass(frozen=True)
class Violation:
    """One broken rule: when (session seconds), which rule (a key of `RULES`), and a
    one-line message naming the numbers."""

    t: float
    rule: str
    message: str
    line: int = 0
    """The log line it was found on (0 when it is about the whole log)."""


@dataclass(frozen=True)
class AuditLimits:
    """The numbers the log is audited against."""

    backward_speed_max_kmh: float
    backward_incline_max_pct: float
    backward_incline_min_pct: float
    steep_incline_pct: float
    steep_speed_max_kmh: float
    turn_speed_kmh: float
    backward_ramp_kmh_per_s: float
    backward_ramp_step_kmh: float
    from_header: bool
    """The session's own limits (the header's ``limits``), not only the hard limits."""
    device_speed_max_kmh: float | None = None
    """The treadmill's own maximum, when the header's ``limits`` name the device range."""

    @classmethod
    def of(cls, header: Mapping[str, Any]) -> AuditLimits:
        """The limits for a log with this header: the header's optional ``limits`` object
        (docs/audit.md), each capped at its hard limit; else the hard limits of the table.

        Without the session's own turn speed the turn is audited against the turn speed cap.
        """
        given = header.get("limits")
        given = given if isinstance(given, dict) else {}
        device = given.get("device")
        device_max = device.get("speed_max_kmh") if isinstance(device, dict) else None

        def pick(key: str, hard: str) -> float:
            cap = SAFETY_NUMBERS[hard].value
            value = given.get(key)
            return min(float(value), cap) if _number(value) and value >= 0 else cap

        return cls(
            backward_speed_max_kmh=pick("backward_speed_max_kmh", "expert_backward_speed_cap")
            if _number(given.get("backward_speed_max_kmh"))
            else SAFETY_NUMBERS["backward_speed_cap"].value,
            backward_incline_max_pct=pick("backward_incline_max_pct", "backward_incline_cap"),
            backward_incline_min_pct=SAFETY_NUMBERS["backward_incline_floor"].value,
            steep_incline_pct=SAFETY_NUMBERS["steep_backward_incline"].value,
            steep_speed_max_kmh=SAFETY_NUMBERS["steep_backward_speed_cap"].value,
            turn_speed_kmh=pick("turn_speed_kmh", "turn_speed_cap"),
            backward_ramp_kmh_per_s=pick("backward_ramp_kmh_per_s", "backward_ramp_cap"),
            backward_ramp_step_kmh=SAFETY_NUMBERS["backward_ramp_step"].value,
            from_header=bool(given),
            device_speed_max_kmh=float(device_max) if _number(device_max) else None,
        )

    def backward_cap(self, incline_pct: float) -> float:
        """The backward speed cap on this incline."""
        if incline_pct > self.steep_incline_pct + COMMAND_TOLERANCE:
            return min(self.backward_speed_max_kmh, self.steep_speed_max_kmh)
        return self.backward_speed_max_kmh


def audit(log: SessionLog, limits: AuditLimits | None = None) -> list[Violation]:
    """Every violation of the safety rules in `log`, in time order."""
    limits = limits or AuditLimits.of(log.header)
    placed = list(_placed(log.events))
    found: list[Violation] = []
    for rule in _RULE_CHECKS.values():
        found.extend(rule(placed, log, limits))
    return sorted(found, key=lambda v: (v.t, v.line, v.rule))


# -- where each event happened ---------------------------------------------------------------


@dataclass(frozen=True)
class _Placed:
    """An event with the phase and facing of the last ``phase`` line before it."""

    event: LogEvent
    phase: str | None
    facing: str

    @property
    def backward(self) -> bool:
        return self.facing == "backward"

    @property
    def outside_window(self) -> bool:
        return self.phase != "turn_window"


def _placed(events: Sequence[LogEvent]) -> Iterator[_Placed]:
    phase: str | None = None
    facing = "forward"  # the runner starts facing the console
    for event in events:
        if event.type == "phase":
            phase = _text(event.get("phase"))
            facing = _text(event.get("facing")) or facing
        yield _Placed(event, phase, facing)


def _number(value: object) -> TypeGuard[int | float]:
    # A parsed log holds exact ints and floats (and bools, which are no number here).
    return (type(value) is float or type(value) is int) and math.isfinite(value)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _value(event: LogEvent, key: str) -> float | None:
    value = event.get(key)
    return float(value) if _number(value) else None


def _halts(event: LogEvent) -> bool:
    return (event.type == "status" and event.text("status") in _HALT_STATUSES) or (
        event.type == "state" and event.text("state") in _HALT_STATES
    )


def _resumes(event: LogEvent) -> bool:
    return event.type == "state" and event.text("state") in _RESUME_STATES


def _action(event: LogEvent) -> str | None:
    return _text(event.get("action")) if event.type == "command" else None


def clock(t: float) -> str:
    """Session seconds as ``m:ss``."""
    whole = int(t)
    return f"{whole // 60}:{whole % 60:02d}"


def _violation(at: LogEvent, rule: str, message: str) -> Violation:
    return Violation(at.t, rule, message, at.line)


class _Incline:
    """The incline in force: the highest of the last commanded, the last measured and a
    console setting not yet followed by a command (a treadmill may report no incline)."""

    def __init__(self) -> None:
        self.commanded = 0.0
        self.measured = 0.0
        self.console: float | None = None

    def see(self, event: LogEvent) -> None:
        if event.type == "command" and (value := _value(event, "incline_pct")) is not None:
            self.commanded, self.console = value, None
        elif event.type == "telemetry" and (value := _value(event, "inclination_pct")) is not None:
            self.measured = value
        elif event.type == "status" and event.get("status") == "console_incline":
            self.console = _value(event, "incline_pct")

    @property
    def in_force(self) -> float:
        console = self.console if self.console is not None else 0.0
        return max(self.commanded, self.measured - DECK_TOLERANCE_PCT, console)


# -- the rules -------------------------------------------------------------------------------


def backward_speed(
    placed: list[_Placed], _log: SessionLog, limits: AuditLimits
) -> Iterator[Violation]:
    """Rule ``backward_speed``."""
    incline = _Incline()
    for where in placed:
        event = where.event
        incline.see(event)
        speed = _value(event, "speed_kmh") if event.type == "command" else None
        if speed is None or not where.backward:
            continue
        cap = limits.backward_cap(incline.in_force)
        if speed > cap + COMMAND_TOLERANCE:
            steep = f" on {incline.in_force:g} %" if cap < limits.backward_speed_max_kmh else ""
            yield _violation(
                event,
                "backward_speed",
                f"commanded {speed:g} km/h facing backward{steep} (cap {cap:g} km/h)",
            )


@dataclass
class _Episode:
    """A stretch of measurements past a limit."""

    first: LogEvent
    last: LogEvent
    peak: float
    limit: float


def _episodes(
    placed: list[_Placed], measure: Callable[[_Placed], tuple[float, float] | None]
) -> Iterator[_Episode]:
    """Stretches of consecutive telemetry where `measure` gives (value, limit) with the value
    past the limit; any telemetry within its limit (or not measured) ends a stretch."""
    episode: _Episode | None = None
    for where in placed:
        if where.event.type != "telemetry":
            continue
        pair = measure(where)
        if pair is not None and pair[0] > pair[1]:
            value, limit = pair
            if episode is None:
                episode = _Episode(where.event, where.event, value, limit)
            else:
                episode.last = where.event
                episode.peak = max(episode.peak, value)
                episode.limit = min(episode.limit, limit)
            continue
        if episode is not None:
            yield episode
            episode = None
    if episode is not None:
        yield episode


def backward_belt_speed(
    placed: list[_Placed], _log: SessionLog, limits: AuditLimits
) -> Iterator[Violation]:
    """Rule ``backward_belt_speed``."""

    def over(where: _Placed) -> tuple[float, float] | None:
        speed = _value(where.event, "speed_kmh")
        if not where.backward or speed is None:
            return None
        incline = _value(where.event, "inclination_pct") or 0.0
        return speed, limits.backward_cap(incline - DECK_TOLERANCE_PCT) + BELT_SPEED_TOLERANCE_KMH

    for episode in _episodes(placed, over):
        cap = episode.limit - BELT_SPEED_TOLERANCE_KMH
        lasted = episode.last.t - episode.first.t
        allowed = REACTION_S + (episode.peak - cap) / BELT_RATE_KMH_PER_S
        if lasted > allowed:
            yield _violation(
                episode.first,
                "backward_belt_speed",
                f"belt measured up to {episode.peak:g} km/h facing backward for {lasted:.0f} s "
                f"(cap {cap:g} km/h; a belt comes down from that in {allowed:.0f} s)",
            )


def backward_step(
    placed: list[_Placed], _log: SessionLog, limits: AuditLimits
) -> Iterator[Violation]:
    """Rule ``backward_step``.

    Steps are measured from the last commanded speed, from rest after a stop, pause or halt,
    and from the console's speed after a console change. Three moves are not steps: starting
    from rest at no more than the turn speed, coming down at once from above the backward
    cap (or the treadmill's own maximum, when lower) to within it (the answer to a console
    change past the cap), and coming down at once to the steep cap after the console made
    the deck steep.
    """
    base, base_t, steepened = 0.0, 0.0, False
    for where in placed:
        event = where.event
        if _halts(event) or _action(event) in {"stop", "pause"}:
            base, base_t = 0.0, event.t
            continue
        if event.type == "status" and event.get("status") == "console_speed":
            console = _value(event, "speed_kmh")
            base, base_t = (console, event.t) if console is not None else (base, base_t)
            continue
        if event.type == "status" and event.get("status") == "console_incline":
            steepened = (_value(event, "incline_pct") or 0.0) > limits.steep_incline_pct
            continue
        speed = _value(event, "speed_kmh") if event.type == "command" else None
        if speed is None:
            continue
        down_to_steep_cap = steepened and base > speed and speed <= limits.steep_speed_max_kmh
        if where.backward and not down_to_steep_cap:
            yield from _step(event, base, base_t, speed, limits)
        base, base_t, steepened = speed, event.t, False


def _step(
    event: LogEvent, base: float, base_t: float, speed: float, limits: AuditLimits
) -> Iterator[Violation]:
    if base < AT_REST_KMH and speed <= limits.turn_speed_kmh + COMMAND_TOLERANCE:
        return
    cap = limits.backward_speed_max_kmh
    if limits.device_speed_max_kmh is not None:
        cap = min(cap, limits.device_speed_max_kmh)
    if base > cap + COMMAND_TOLERANCE and speed <= cap + COMMAND_TOLERANCE:
        return
    step = abs(speed - base)
    since = event.t - base_t
    allowed = min(limits.backward_ramp_step_kmh, limits.backward_ramp_kmh_per_s * since)
    if step > allowed + COMMAND_TOLERANCE:
        yield _violation(
            event,
            "backward_step",
            f"commanded {base:g} → {speed:g} km/h facing backward: a {step:.2f} km/h step "
            f"{since:.1f} s after the last (at most {limits.backward_ramp_step_kmh:g} km/h "
            f"and {limits.backward_ramp_kmh_per_s:g} km/h per s)",
        )


def backward_incline(
    placed: list[_Placed], _log: SessionLog, limits: AuditLimits
) -> Iterator[Violation]:
    """Rule ``backward_incline``.

    One command outside the window is allowed: bringing a deck measured (or set on the
    console) beyond the backward range, or above the steep incline, back within it (the
    answer to a console change).
    """
    low, high = limits.backward_incline_min_pct, limits.backward_incline_max_pct
    incline = _Incline()
    console: float | None = None
    for where in placed:
        event = where.event
        if event.type == "status" and event.get("status") == "console_incline":
            console = _value(event, "incline_pct")
        value = _value(event, "incline_pct") if event.type == "command" else None
        if value is not None and where.backward:
            within = low - COMMAND_TOLERANCE <= value <= high + COMMAND_TOLERANCE
            measured_out = (
                not low - DECK_TOLERANCE_PCT <= incline.measured <= high + DECK_TOLERANCE_PCT
            )
            set_out = console is not None and not low <= console <= limits.steep_incline_pct
            answers = (measured_out or set_out) and (console is None or value < console)
            if not within:
                yield _violation(
                    event,
                    "backward_incline",
                    f"commanded {value:g} % facing backward (range {low:g}-{high:g} %)",
                )
            elif where.outside_window and not answers:
                yield _violation(
                    event,
                    "backward_incline",
                    f"commanded {value:g} % facing backward in the {where.phase} phase "
                    "(inclines change only in the turn window)",
                )
            console = None
        incline.see(event)


def backward_deck(
    placed: list[_Placed], _log: SessionLog, limits: AuditLimits
) -> Iterator[Violation]:
    """Rule ``backward_deck``: the deck moving outside the window, or beyond the range."""
    yield from _deck_moving(placed)
    yield from _deck_beyond_range(placed, limits)


def _deck_moving(placed: list[_Placed]) -> Iterator[Violation]:
    """A change is measured from the first reading of each stretch facing backward outside
    the window; after a console change the runner moved the deck, and only the range holds
    for the rest of the stretch."""
    baseline: float | None = None
    reported = False
    for where in placed:
        event = where.event
        if event.type == "status" and event.get("status") == "console_incline":
            reported = True  # not the session's doing: no change to report in this stretch
        if event.type == "phase" and (not where.backward or not where.outside_window):
            baseline, reported = None, False
        incline = _value(event, "inclination_pct") if event.type == "telemetry" else None
        if incline is None or not where.backward or not where.outside_window:
            continue
        if baseline is None:
            baseline = incline
        elif abs(incline - baseline) > DECK_TOLERANCE_PCT and not reported:
            reported = True
            yield _violation(
                event,
                "backward_deck",
                f"deck measured moving {baseline:g} → {incline:g} % facing backward in the "
                f"{where.phase} phase (inclines change only in the turn window)",
            )


def _deck_beyond_range(placed: list[_Placed], limits: AuditLimits) -> Iterator[Violation]:
    low, high = limits.backward_incline_min_pct, limits.backward_incline_max_pct

    def beyond(where: _Placed) -> tuple[float, float] | None:
        incline = _value(where.event, "inclination_pct")
        if not where.backward or incline is None:
            return None
        speed = _value(where.event, "speed_kmh")
        if speed is not None and speed < AT_REST_KMH:
            return None  # a belt at rest carries nobody backward up (or down) the deck
        # How far past the range; past the tolerance is over.
        return max(incline - high, low - incline), DECK_TOLERANCE_PCT

    for episode in _episodes(placed, beyond):
        lasted = episode.last.t - episode.first.t
        allowed = REACTION_S + episode.peak / DECK_RATE_PCT_PER_S
        if lasted > allowed:
            yield _violation(
                episode.first,
                "backward_deck",
                f"deck measured up to {episode.peak:g} % beyond the backward range "
                f"({low:g}-{high:g} %) for {lasted:.0f} s (a deck comes back in {allowed:.0f} s)",
            )


def turn_speed(placed: list[_Placed], _log: SessionLog, limits: AuditLimits) -> Iterator[Violation]:
    """Rule ``turn_speed``: the higher of the cue's own measured speed and the last
    telemetry before it."""
    belt: float | None = None
    for where in placed:
        event = where.event
        if event.type == "telemetry":
            belt = _value(event, "speed_kmh")
        if event.type != "cue" or event.get("kind") != "turn_now":
            continue
        speeds = [s for s in (_value(event, "speed_kmh"), belt) if s is not None]
        if speeds and max(speeds) > limits.turn_speed_kmh + TURN_SPEED_TOLERANCE_KMH:
            late = _value(event, "late_s")
            waited = f" after waiting {late:g} s" if late else ""
            yield _violation(
                event,
                "turn_speed",
                f'"Turn around now" with the belt measured at {max(speeds):g} km/h{waited} '
                f"(turn speed {limits.turn_speed_kmh:g} km/h)",
            )


def missing_turn(
    placed: list[_Placed], _log: SessionLog, _limits: AuditLimits
) -> Iterator[Violation]:
    """Rule ``missing_turn``; the runner starts facing forward."""
    direction = "forward"
    turned = False
    for where in placed:
        event = where.event
        if event.type == "cue" and event.get("kind") == "turn_now":
            turned = True
        if event.type != "segment" or event.get("kind") != "interval":
            continue
        new = _text(event.get("direction")) or direction
        if new != direction and not turned:
            yield _violation(
                event,
                "missing_turn",
                f'a {new} interval after a {direction} one with no "Turn around now" between',
            )
        direction, turned = new, False


def command_after_halt(
    placed: list[_Placed], _log: SessionLog, _limits: AuditLimits
) -> Iterator[Violation]:
    """Rule ``command_after_halt``: a halt lasts until a ``resumed`` or ``countdown`` state;
    only stop, pause and request_control may be sent meanwhile. Once per halt."""
    halt: LogEvent | None = None
    reported = False
    for where in placed:
        event = where.event
        if _resumes(event):
            halt, reported = None, False
        elif _halts(event):
            halt = halt or event
        elif halt is not None and not reported and event.type == "command":
            what = _commanded(event)
            if what is not None:
                reported = True
                why = halt.get("status") or halt.get("state")
                yield _violation(
                    event,
                    "command_after_halt",
                    f"commanded {what} after the halt at {clock(halt.t)} ({why}) with no resume",
                )


def _commanded(event: LogEvent) -> str | None:
    if (speed := _value(event, "speed_kmh")) is not None:
        return f"{speed:g} km/h"
    if (incline := _value(event, "incline_pct")) is not None:
        return f"{incline:g} %"
    return "start" if _action(event) == "start" else None


def final_stop(placed: list[_Placed], log: SessionLog, _limits: AuditLimits) -> Iterator[Violation]:
    """Rule ``final_stop``; a log without a summary claims no ending and is not judged."""
    summary = log.summary
    if summary is None:
        return
    if summary.get("outcome") != "finished" and summary.get("exit_code") != 0:
        return
    ending = f"ends {summary.get('outcome')}, exit {summary.get('exit_code')}"
    stops = [p.event for p in placed if _action(p.event) == "stop"]
    if not stops:
        yield Violation(log.end_t, "final_stop", f"{ending} without a stop command")
        return
    stop = stops[-1]
    after = [
        _value(p.event, "speed_kmh")
        for p in placed
        if p.event.type == "telemetry" and p.event.t >= stop.t and p.event.line > stop.line
    ]
    measured = [s for s in after if s is not None]
    if not any(s < AT_REST_KMH for s in measured):
        last = f"last measured {measured[-1]:g} km/h" if measured else "no telemetry after it"
        yield _violation(
            stop,
            "final_stop",
            f"{ending} but the belt was not measured at rest after Stop ({last})",
        )


def finished_on_stopped_belt(
    placed: list[_Placed], log: SessionLog, _limits: AuditLimits
) -> Iterator[Violation]:
    """Rule ``finished_on_stopped_belt``: the last interval runs from its segment line to the
    ``finished`` state (or the first stop command, or the end of the log); while it was
    paused (a pause command until the resume) the belt is meant to be at rest. A last
    interval shorter than `TELEMETRY_GAP_S` (skipped as it began) has no reading to judge."""
    if log.summary is None or log.summary.get("outcome") != "finished":
        return
    starts = [i for i, p in enumerate(placed) if _interval(p.event)]
    if not starts:
        return
    segment = placed[starts[-1]].event
    readings, ended_at = _readings_to_the_end(placed[starts[-1] + 1 :])
    if not readings:
        if ended_at - segment.t >= TELEMETRY_GAP_S:
            yield _violation(
                segment,
                "finished_on_stopped_belt",
                "ends finished with no telemetry in its last interval",
            )
        return
    moving = [i for i, e in enumerate(readings) if (_value(e, "speed_kmh") or 0.0) >= AT_REST_KMH]
    first_resting = moving[-1] + 1 if moving else 0
    if first_resting < len(readings):
        since = readings[first_resting]
        yield _violation(
            since,
            "finished_on_stopped_belt",
            f"ends finished but the belt was measured at rest from {clock(since.t)} "
            "to the end of its last interval",
        )


def _readings_to_the_end(placed: list[_Placed]) -> tuple[list[LogEvent], float]:
    """The speed readings taken while not paused, up to the ``finished`` state or the first
    stop command (or the end of the log), and when that came."""
    readings: list[LogEvent] = []
    paused = False
    for where in placed:
        event = where.event
        if (event.type == "state" and event.get("state") == "finished") or _action(event) == "stop":
            return readings, event.t
        if _action(event) == "pause":
            paused = True
        elif _resumes(event):
            paused = False
        elif event.type == "telemetry" and not paused and _value(event, "speed_kmh") is not None:
            readings.append(event)
    return readings, placed[-1].event.t if placed else 0.0


def _interval(event: LogEvent) -> bool:
    return event.type == "segment" and event.get("kind") == "interval"


_RULE_CHECKS: Final[
    Mapping[str, Callable[[list[_Placed], SessionLog, AuditLimits], Iterator[Violation]]]
] = {
    "backward_speed": backward_speed,
    "backward_belt_speed": backward_belt_speed,
    "backward_step": backward_step,
    "backward_incline": backward_incline,
    "backward_deck": backward_deck,
    "turn_speed": turn_speed,
    "missing_turn": missing_turn,
    "command_after_halt": command_after_halt,
    "final_stop": final_stop,
    "finished_on_stopped_belt": finished_on_stopped_belt,
}
