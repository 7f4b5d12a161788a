"""The limits of DESIGN.md §2 and how they combine for one session.

Hard limits and defaults are one table here (`SAFETY_NUMBERS`); `resolve_limits` intersects
them with a profile's turn and expert settings, the runner's `PersonalLimits` and the
treadmill's `DeviceRange` into one frozen `SafetyLimits`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from retrorun.profiles.models import FieldPath, Profile


@dataclass(frozen=True)
class SafetyNumber:
    """One number of DESIGN.md §2: its value and what it means."""

    value: float
    unit: str
    meaning: str


# The one table of the safety layer's numbers. Validation (`rules`), run-time clamping
# (`clamp`), the plan compiler, docs/safety.md (rendered by `safety_table_markdown`, checked
# by a test) and the property tests all read these; nothing restates them.
SAFETY_NUMBERS: dict[str, SafetyNumber] = {
    "backward_speed_cap": SafetyNumber(8.0, "km/h", "hard cap on backward speed"),
    "expert_backward_speed_cap": SafetyNumber(
        10.0, "km/h", "backward speed cap with an explicit expert setting"
    ),
    "backward_incline_cap": SafetyNumber(10.0, "%", "hard cap on backward incline"),
    "backward_incline_floor": SafetyNumber(0.0, "%", "no decline while backward"),
    "steep_backward_incline": SafetyNumber(
        5.0, "%", "above this incline the steep backward speed cap holds"
    ),
    "steep_backward_speed_cap": SafetyNumber(
        5.0, "km/h", "backward speed cap above the steep incline"
    ),
    "turn_speed_default": SafetyNumber(2.5, "km/h", "belt speed while the runner turns"),
    "turn_speed_cap": SafetyNumber(4.0, "km/h", "hard cap on the turn speed"),
    "turn_window_default": SafetyNumber(10.0, "s", "belt held at turn speed for the turn"),
    "turn_window_min": SafetyNumber(5.0, "s", "shortest turn window allowed"),
    "settle_default": SafetyNumber(5.0, "s", "at turn speed after turning"),
    "turn_warning_default": SafetyNumber(10.0, "s", "warning before a turn"),
    "backward_ramp_default": SafetyNumber(
        0.25, "km/h per s", "backward speed changes in commanded steps"
    ),
    "backward_ramp_cap": SafetyNumber(0.5, "km/h per s", "hard cap on the backward ramp"),
    "backward_ramp_step": SafetyNumber(
        0.5, "km/h", "largest single backward speed step (small to feel, few to send)"
    ),
    "backward_zone_speed_cap": SafetyNumber(
        5.5, "km/h", "fastest a backward heart-rate zone step may go: a walk (jog from ~5.9)"
    ),
    "forward_speed_plausible": SafetyNumber(
        25.0, "km/h", "faster than home treadmills run (most stop at 16-22 km/h): a warning"
    ),
    "session_length_max": SafetyNumber(
        36000.0, "s", "longest plan, 10 h (FTMS counts elapsed time in 16 bits: 65,535 s)"
    ),
}


def safety_table_markdown() -> str:
    """`SAFETY_NUMBERS` as the Markdown table docs/safety.md shows."""
    rows = ["| number | value | meaning |", "|---|---|---|"]
    rows += [
        f"| `{name}` | {n.value:g} {n.unit} | {n.meaning} |" for name, n in SAFETY_NUMBERS.items()
    ]
    return "\n".join(rows)


BACKWARD_SPEED_CAP_KMH = SAFETY_NUMBERS["backward_speed_cap"].value
EXPERT_BACKWARD_SPEED_CAP_KMH = SAFETY_NUMBERS["expert_backward_speed_cap"].value
BACKWARD_INCLINE_CAP_PCT = SAFETY_NUMBERS["backward_incline_cap"].value
BACKWARD_INCLINE_FLOOR_PCT = SAFETY_NUMBERS["backward_incline_floor"].value
STEEP_BACKWARD_INCLINE_PCT = SAFETY_NUMBERS["steep_backward_incline"].value
STEEP_BACKWARD_SPEED_CAP_KMH = SAFETY_NUMBERS["steep_backward_speed_cap"].value
TURN_SPEED_DEFAULT_KMH = SAFETY_NUMBERS["turn_speed_default"].value
TURN_SPEED_CAP_KMH = SAFETY_NUMBERS["turn_speed_cap"].value
TURN_WINDOW_DEFAULT_S = SAFETY_NUMBERS["turn_window_default"].value
TURN_WINDOW_MIN_S = SAFETY_NUMBERS["turn_window_min"].value
SETTLE_DEFAULT_S = SAFETY_NUMBERS["settle_default"].value
TURN_WARNING_DEFAULT_S = SAFETY_NUMBERS["turn_warning_default"].value
BACKWARD_RAMP_DEFAULT_KMH_PER_S = SAFETY_NUMBERS["backward_ramp_default"].value
BACKWARD_RAMP_CAP_KMH_PER_S = SAFETY_NUMBERS["backward_ramp_cap"].value
BACKWARD_RAMP_STEP_KMH = SAFETY_NUMBERS["backward_ramp_step"].value
SESSION_LENGTH_MAX_S = SAFETY_NUMBERS["session_length_max"].value

# Comparisons tolerate float noise from unit conversions (mph, paces) and increments.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class DeviceRange:
    """What the treadmill accepts: FTMS Supported Speed Range (0x2AD4) and Inclination
    Range (0x2AD5). Increments of 0 mean "any value"."""

    speed_min_kmh: float
    speed_max_kmh: float
    speed_increment_kmh: float = 0.1
    incline_min_pct: float = 0.0
    incline_max_pct: float = 0.0
    incline_increment_pct: float = 0.5


@dataclass(frozen=True)
class PersonalLimits:
    """A runner's own limits from the config file; each can only make the session safer.

    Caps (speeds, inclines, ramp rate, turn speed) are lowered to these values; the turn
    window and settle time are lengthened to them. ``None`` means "no personal limit".
    """

    forward_speed_max_kmh: float | None = None
    backward_speed_max_kmh: float | None = None
    incline_max_pct: float | None = None
    backward_incline_max_pct: float | None = None
    turn_speed_kmh: float | None = None
    turn_window_s: float | None = None
    settle_s: float | None = None
    backward_ramp_kmh_per_s: float | None = None


@dataclass(frozen=True)
class SafetyLimits:
    """The effective limits for one session; construction refuses anything past the hard
    limits (a programming error: use `resolve_limits` to build them from user input)."""

    backward_speed_max_kmh: float = BACKWARD_SPEED_CAP_KMH
    backward_incline_max_pct: float = BACKWARD_INCLINE_CAP_PCT
    forward_speed_max_kmh: float | None = None
    incline_max_pct: float | None = None
    turn_speed_kmh: float = TURN_SPEED_DEFAULT_KMH
    turn_window_s: float = TURN_WINDOW_DEFAULT_S
    settle_s: float = SETTLE_DEFAULT_S
    turn_warning_s: float = TURN_WARNING_DEFAULT_S
    backward_ramp_kmh_per_s: float = BACKWARD_RAMP_DEFAULT_KMH_PER_S
    device: DeviceRange | None = field(default=None)

    def __post_init__(self) -> None:
        checks = (
            (self.backward_speed_max_kmh <= EXPERT_BACKWARD_SPEED_CAP_KMH, "backward speed"),
            (self.backward_incline_max_pct <= BACKWARD_INCLINE_CAP_PCT, "backward incline"),
            (0 < self.turn_speed_kmh <= TURN_SPEED_CAP_KMH, "turn speed"),
            (self.turn_window_s >= TURN_WINDOW_MIN_S, "turn window"),
            (self.settle_s >= 0 and self.turn_warning_s >= 0, "settle/warning"),
            (0 < self.backward_ramp_kmh_per_s <= BACKWARD_RAMP_CAP_KMH_PER_S, "backward ramp"),
        )
        broken = [name for ok, name in checks if not ok]
        if broken:
            raise ValueError(f"SafetyLimits past the hard limits: {', '.join(broken)}")

    def with_device(self, device: DeviceRange | None) -> SafetyLimits:
        """The same limits for a treadmill with this supported range.

        A treadmill whose minimum is above the turn speed (a 2 mph = 3.2 km/h floor) turns
        at its minimum, as long as that is within the turn speed cap.
        """
        turn = self.turn_speed_kmh
        if device is not None and turn < device.speed_min_kmh <= TURN_SPEED_CAP_KMH:
            turn = device.speed_min_kmh
        return replace(self, device=device, turn_speed_kmh=turn)


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (field path in the file), what, the limit and how to fix it."""

    path: FieldPath
    rule: str
    value: float
    limit: float
    message: str


def _tighter(
    value: float, personal: float | None, pick: Callable[[float, float], float] = min
) -> float:
    return value if personal is None else pick(value, personal)


def resolve_limits(
    profile: Profile,
    personal: PersonalLimits | None = None,
    device: DeviceRange | None = None,
) -> tuple[SafetyLimits, tuple[Violation, ...]]:
    """Intersect the hard limits, the profile's settings, personal limits and the device.

    Returns the limits (with illegal profile settings replaced by the nearest legal value)
    and the violations of the profile's turn and expert settings.
    """
    turn, expert, me = profile.turn, profile.expert, personal or PersonalLimits()
    found: list[Violation] = []

    def capped(
        value: float | None, default: float, cap: float, path: FieldPath, what: str, unit: str
    ) -> float:
        value = default if value is None else value
        if value <= cap + TOLERANCE:
            return value
        found.append(_over(path, what, value, cap, unit))
        return cap

    backward_cap = capped(
        expert.backward_speed_max_kmh,
        BACKWARD_SPEED_CAP_KMH,
        EXPERT_BACKWARD_SPEED_CAP_KMH,
        ("expert", "backward_speed_max"),
        "expert backward speed cap",
        "km/h",
    )
    turn_speed = capped(
        turn.speed_kmh,
        TURN_SPEED_DEFAULT_KMH,
        TURN_SPEED_CAP_KMH,
        ("turn", "speed"),
        "turn speed",
        "km/h",
    )
    ramp = capped(
        turn.backward_ramp_kmh_per_s,
        BACKWARD_RAMP_DEFAULT_KMH_PER_S,
        BACKWARD_RAMP_CAP_KMH_PER_S,
        ("turn", "backward_ramp"),
        "backward ramp",
        "km/h per s",
    )
    window = turn.window_s if turn.window_s is not None else TURN_WINDOW_DEFAULT_S
    if window < TURN_WINDOW_MIN_S - TOLERANCE:
        message = (
            f"turn window {window:g} s is shorter than the minimum "
            f"{TURN_WINDOW_MIN_S:g} s; make it {TURN_WINDOW_MIN_S:g} s or more"
        )
        found.append(
            Violation(("turn", "window"), "turn window", window, TURN_WINDOW_MIN_S, message)
        )
        window = TURN_WINDOW_MIN_S
    settle = turn.settle_s if turn.settle_s is not None else SETTLE_DEFAULT_S
    warning = turn.warning_s if turn.warning_s is not None else TURN_WARNING_DEFAULT_S
    limits = SafetyLimits(
        backward_speed_max_kmh=_tighter(backward_cap, me.backward_speed_max_kmh),
        backward_incline_max_pct=_tighter(BACKWARD_INCLINE_CAP_PCT, me.backward_incline_max_pct),
        forward_speed_max_kmh=me.forward_speed_max_kmh,
        incline_max_pct=me.incline_max_pct,
        turn_speed_kmh=_tighter(turn_speed, me.turn_speed_kmh),
        turn_window_s=_tighter(window, me.turn_window_s, max),
        settle_s=_tighter(settle, me.settle_s, max),
        turn_warning_s=warning,
        backward_ramp_kmh_per_s=_tighter(ramp, me.backward_ramp_kmh_per_s),
        device=device,
    )
    if device is not None:
        found.extend(_device_turn_violations(limits, device))
    return limits, tuple(found)


def _device_turn_violations(limits: SafetyLimits, device: DeviceRange) -> Iterator[Violation]:
    if limits.turn_speed_kmh < device.speed_min_kmh - TOLERANCE:
        yield Violation(
            ("turn", "speed"),
            "device speed range",
            limits.turn_speed_kmh,
            device.speed_min_kmh,
            f"turn speed {limits.turn_speed_kmh:g} km/h is below this treadmill's "
            f"minimum {device.speed_min_kmh:g} km/h; raise it to at least that",
        )


def _over(path: FieldPath, what: str, value: float, limit: float, unit: str) -> Violation:
    return Violation(
        path,
        what,
        value,
        limit,
        f"{what} {value:g} {unit} is above the hard limit of {limit:g} {unit}; "
        f"lower it to {limit:g} {unit} or less",
    )
