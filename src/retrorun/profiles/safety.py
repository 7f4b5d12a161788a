"""The safety layer: the one module that owns the rules of DESIGN.md §2.

Theory of operation
-------------------
The rules are applied twice. When a profile is validated or compiled, `check_profile`
returns every `Violation` (field path, value, limit and how to fix it) so the author sees a
clear error. When the session is about to send a command, `clamp_speed`, `clamp_incline` and
`limit_speed_change` turn the requested value into one that is safe to send and say why it
changed, so the session can log and announce it. Nothing else in retrorun decides what is safe.

Limits come from three places and are intersected into one frozen `SafetyLimits`:

* the hard limits below (no profile, config or flag goes past them);
* the profile's turn and expert settings (within the hard limits; an expert setting can
  raise only the backward speed cap, and only to 10 km/h);
* the runner's `PersonalLimits` from the config file, which can only make things safer,
  and the treadmill's `DeviceRange` (FTMS 0x2AD4 / 0x2AD5), never commanded outside.

| rule                              | default           | hard limit                       |
|-----------------------------------|-------------------|----------------------------------|
| backward speed                    | profile's         | 8.0 km/h (10.0 with expert)      |
| backward incline                  | 0 %               | 10 %; never a decline;           |
|                                   |                   | speed ≤ 5.0 km/h above 5 %       |
| turn speed                        | 2.5 km/h          | ≤ 4.0 km/h                       |
| turn window                       | 10 s              | ≥ 5 s                            |
| settle after turn                 | 5 s               | —                                |
| backward ramp (commanded steps)   | 0.25 km/h per s   | ≤ 0.5 km/h per s                 |
| incline change while backward     | only in the turn window                              |
| device range                      | from 0x2AD4/0x2AD5: never command outside it         |
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from retrorun.profiles.models import Direction, FieldPath, IntervalStep, Profile, RepeatStep

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from retrorun.profiles.models import Step


BACKWARD_SPEED_CAP_KMH = 8.0
EXPERT_BACKWARD_SPEED_CAP_KMH = 10.0
BACKWARD_INCLINE_CAP_PCT = 10.0
BACKWARD_INCLINE_FLOOR_PCT = 0.0  # no decline backward
STEEP_BACKWARD_INCLINE_PCT = 5.0
STEEP_BACKWARD_SPEED_CAP_KMH = 5.0
TURN_SPEED_DEFAULT_KMH = 2.5
TURN_SPEED_CAP_KMH = 4.0
TURN_WINDOW_DEFAULT_S = 10.0
TURN_WINDOW_MIN_S = 5.0
SETTLE_DEFAULT_S = 5.0
TURN_WARNING_DEFAULT_S = 10.0
BACKWARD_RAMP_DEFAULT_KMH_PER_S = 0.25
BACKWARD_RAMP_CAP_KMH_PER_S = 0.5
# Speed commands while backward go in steps of at most 0.5 km/h (0.5 km/h every 2 s at the
# default rate): small enough to feel, large enough not to flood a slow treadmill.
BACKWARD_RAMP_STEP_KMH = 0.5
# Comparisons tolerate float noise from unit conversions (mph, paces) and increments.
_EPS = 1e-9


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
        """The same limits for a treadmill with this supported range."""
        return replace(self, device=device)


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (field path in the file), what, the limit and how to fix it."""

    path: FieldPath
    rule: str
    value: float
    limit: float
    message: str


@dataclass(frozen=True)
class Clamped:
    """A value made safe to command, with the reasons it differs from the request."""

    value: float
    requested: float
    reasons: tuple[str, ...] = ()

    @property
    def limited(self) -> bool:
        """Whether the safety layer changed the request."""
        return bool(self.reasons)


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
        if value <= cap + _EPS:
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
    if window < TURN_WINDOW_MIN_S - _EPS:
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
    if limits.turn_speed_kmh < device.speed_min_kmh - _EPS:
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


def target_violations(
    direction: Direction,
    speed_kmh: float,
    incline_pct: float,
    limits: SafetyLimits,
    path: FieldPath = (),
) -> tuple[Violation, ...]:
    """Every rule a steady target (speed at incline, one direction) breaks."""
    found: list[Violation] = []
    speed_path, incline_path = (*path, "speed"), (*path, "incline")
    if direction == "backward":
        cap = limits.backward_speed_max_kmh
        if speed_kmh > cap + _EPS:
            hint = (
                f" ({EXPERT_BACKWARD_SPEED_CAP_KMH:g} km/h is possible only with "
                f"'expert: {{backward_speed_max: {EXPERT_BACKWARD_SPEED_CAP_KMH:g}}}')"
                if cap < EXPERT_BACKWARD_SPEED_CAP_KMH
                else ""
            )
            found.append(
                Violation(
                    speed_path,
                    "backward speed cap",
                    speed_kmh,
                    cap,
                    f"backward speed {speed_kmh:.4g} km/h is above the "
                    f"{cap:g} km/h backward cap; lower it to {cap:g} km/h "
                    f"or less{hint}",
                )
            )
        if incline_pct < BACKWARD_INCLINE_FLOOR_PCT - _EPS:
            found.append(
                Violation(
                    incline_path,
                    "no decline backward",
                    incline_pct,
                    BACKWARD_INCLINE_FLOOR_PCT,
                    f"backward incline {incline_pct:g} % is a decline; "
                    "backward steps must be at 0 % or uphill",
                )
            )
        if incline_pct > limits.backward_incline_max_pct + _EPS:
            found.append(
                Violation(
                    incline_path,
                    "backward incline cap",
                    incline_pct,
                    limits.backward_incline_max_pct,
                    f"backward incline {incline_pct:g} % is above the "
                    f"{limits.backward_incline_max_pct:g} % cap; lower it",
                )
            )
        if (
            incline_pct > STEEP_BACKWARD_INCLINE_PCT + _EPS
            and speed_kmh > STEEP_BACKWARD_SPEED_CAP_KMH + _EPS
        ):
            found.append(
                Violation(
                    speed_path,
                    "backward speed on a steep incline",
                    speed_kmh,
                    STEEP_BACKWARD_SPEED_CAP_KMH,
                    f"backward speed {speed_kmh:.4g} km/h at {incline_pct:g} % "
                    f"is above {STEEP_BACKWARD_SPEED_CAP_KMH:g} km/h, the cap "
                    f"above {STEEP_BACKWARD_INCLINE_PCT:g} % incline; slow "
                    f"down or use {STEEP_BACKWARD_INCLINE_PCT:g} % or less",
                )
            )
    elif (
        limits.forward_speed_max_kmh is not None and speed_kmh > limits.forward_speed_max_kmh + _EPS
    ):
        found.append(
            Violation(
                speed_path,
                "personal forward speed cap",
                speed_kmh,
                limits.forward_speed_max_kmh,
                f"forward speed {speed_kmh:.4g} km/h is above your personal cap "
                f"of {limits.forward_speed_max_kmh:g} km/h (config file); "
                "lower it",
            )
        )
    if limits.incline_max_pct is not None and incline_pct > limits.incline_max_pct + _EPS:
        found.append(
            Violation(
                incline_path,
                "personal incline cap",
                incline_pct,
                limits.incline_max_pct,
                f"incline {incline_pct:g} % is above your personal cap of "
                f"{limits.incline_max_pct:g} % (config file); lower it",
            )
        )
    found.extend(_device_violations(speed_kmh, incline_pct, limits.device, path))
    return tuple(found)


def _device_violations(
    speed_kmh: float, incline_pct: float, device: DeviceRange | None, path: FieldPath
) -> Iterator[Violation]:
    if device is None:
        return
    if not device.speed_min_kmh - _EPS <= speed_kmh <= device.speed_max_kmh + _EPS:
        yield Violation(
            (*path, "speed"),
            "device speed range",
            speed_kmh,
            device.speed_max_kmh,
            f"speed {speed_kmh:.4g} km/h is outside this treadmill's range "
            f"{device.speed_min_kmh:g}-{device.speed_max_kmh:g} km/h",
        )
    if not device.incline_min_pct - _EPS <= incline_pct <= device.incline_max_pct + _EPS:
        yield Violation(
            (*path, "incline"),
            "device incline range",
            incline_pct,
            device.incline_max_pct,
            f"incline {incline_pct:g} % is outside this treadmill's range "
            f"{device.incline_min_pct:g} to {device.incline_max_pct:g} %",
        )


def step_duration_s(step: IntervalStep) -> float:
    """A step's duration, estimated from its mean target speed when it is a distance."""
    if step.duration_s is not None:
        return step.duration_s
    assert step.distance_m is not None  # noqa: S101 - the model guarantees one of the two
    mean_kmh = (step.start_speed_kmh + step.end_speed_kmh) / 2
    return step.distance_m / (mean_kmh / 3.6)


def _step_violations(step: IntervalStep, path: FieldPath, limits: SafetyLimits) -> list[Violation]:
    found: list[Violation] = []
    if step.ramp is None:
        found.extend(
            target_violations(step.direction, step.end_speed_kmh, step.incline_pct, limits, path)
        )
    elif step.direction == "backward":
        found.append(
            Violation(
                (*path, "ramp"),
                "no ramp backward",
                step.ramp.to_kmh,
                step.ramp.from_kmh,
                "backward steps hold one speed (the safety layer already ramps "
                "into it gently); use 'speed' or split the ramp into steps",
            )
        )
    else:
        for key, speed in (("from", step.ramp.from_kmh), ("to", step.ramp.to_kmh)):
            for violation in target_violations(
                step.direction, speed, step.incline_pct, limits, path
            ):
                where = (*path, "ramp", key) if violation.path[-1] == "speed" else violation.path
                found.append(replace(violation, path=where))
    return found


def walk_steps(
    steps: tuple[Step, ...], path: FieldPath = ("steps",)
) -> Iterator[tuple[IntervalStep, FieldPath]]:
    """Every interval step with its field path, each repeat block's steps once."""
    for index, step in enumerate(steps):
        if isinstance(step, RepeatStep):
            yield from walk_steps(step.repeat.steps, (*path, index, "repeat", "steps"))
        else:
            yield step, (*path, index)


def check_profile(
    profile: Profile,
    personal: PersonalLimits | None = None,
    device: DeviceRange | None = None,
) -> tuple[Violation, ...]:
    """Every safety rule the profile breaks, in file order; empty when it is safe."""
    limits, found = resolve_limits(profile, personal, device)
    violations = list(found)
    for step, path in walk_steps(profile.steps):
        violations.extend(_step_violations(step, path, limits))
    return tuple(violations)


# --------------------------------------------------------------------------- run time


def _snap(value: float, low: float, high: float, increment: float) -> float:
    """The multiple of `increment` nearest `value` that lies within [low, high]."""
    if increment <= 0:
        return min(max(value, low), high)
    snapped = round(value / increment) * increment
    if snapped > high + _EPS:
        snapped = math.floor(high / increment + _EPS) * increment
    if snapped < low - _EPS:
        snapped = math.ceil(low / increment - _EPS) * increment
    if snapped > high + _EPS:  # no multiple fits: the upper (safety) bound wins
        snapped = high
    return round(snapped, 6)


def clamp_speed(
    direction: Direction,
    requested_kmh: float,
    incline_pct: float,
    limits: SafetyLimits,
    device: DeviceRange | None = None,
) -> Clamped:
    """The speed to command instead of `requested_kmh`, given direction and current incline.

    Call before every speed command. `device` defaults to ``limits.device``; the result is
    inside the device's range, on its increment grid, and never above a safety cap.
    """
    device = device or limits.device
    reasons: list[str] = []
    high = math.inf
    if direction == "backward":
        high = limits.backward_speed_max_kmh
        if requested_kmh > high + _EPS:
            reasons.append(f"backward speed capped at {high:g} km/h")
        if incline_pct > STEEP_BACKWARD_INCLINE_PCT + _EPS:
            high = min(high, STEEP_BACKWARD_SPEED_CAP_KMH)
            if requested_kmh > high + _EPS:
                reasons.append(
                    f"backward speed capped at {high:g} km/h above "
                    f"{STEEP_BACKWARD_INCLINE_PCT:g} % incline"
                )
    elif limits.forward_speed_max_kmh is not None:
        high = limits.forward_speed_max_kmh
        if requested_kmh > high + _EPS:
            reasons.append(f"forward speed capped at your personal {high:g} km/h")
    low, increment = 0.0, 0.0
    if device is not None:
        low, increment = device.speed_min_kmh, device.speed_increment_kmh
        if requested_kmh > device.speed_max_kmh + _EPS and device.speed_max_kmh < high:
            reasons.append(f"treadmill maximum is {device.speed_max_kmh:g} km/h")
        if requested_kmh < low - _EPS:
            reasons.append(f"treadmill minimum is {low:g} km/h")
        high = min(high, device.speed_max_kmh)
    value = _snap(max(requested_kmh, 0.0), low, high, increment)
    return Clamped(value, requested_kmh, tuple(reasons))


def clamp_incline(
    direction: Direction,
    requested_pct: float,
    speed_kmh: float,
    limits: SafetyLimits,
    device: DeviceRange | None = None,
    *,
    current_pct: float | None = None,
    in_turn: bool = False,
) -> Clamped:
    """The incline to command instead of `requested_pct`.

    While backward the incline may only change inside a turn window (`in_turn`); outside it
    the result is `current_pct` (when known). Backward inclines stay within 0 % and the
    backward cap, and at most 5 % while the belt runs faster than 5 km/h.
    """
    device = device or limits.device
    reasons: list[str] = []
    value = requested_pct
    if direction == "backward" and not in_turn and current_pct is not None:
        if abs(requested_pct - current_pct) > _EPS:
            reasons.append("incline changes while backward only in the turn window")
        value = current_pct
    low, high = -math.inf, math.inf
    if limits.incline_max_pct is not None:
        high = limits.incline_max_pct
    if direction == "backward":
        low, high = BACKWARD_INCLINE_FLOOR_PCT, min(high, limits.backward_incline_max_pct)
        if speed_kmh > STEEP_BACKWARD_SPEED_CAP_KMH + _EPS:
            high = min(high, STEEP_BACKWARD_INCLINE_PCT)
    increment = 0.0
    if device is not None:
        low, high = max(low, device.incline_min_pct), min(high, device.incline_max_pct)
        increment = device.incline_increment_pct
    if value > high + _EPS:
        reasons.append(f"incline capped at {high:g} %")
    elif value < low - _EPS:
        reasons.append(f"incline raised to {low:g} %")
    return Clamped(_snap(value, low, high, increment), requested_pct, tuple(reasons))


def limit_speed_change(
    direction: Direction,
    previous_kmh: float,
    requested_kmh: float,
    elapsed_s: float,
    limits: SafetyLimits,
) -> Clamped:
    """Hold a backward speed change to the ramp rate since the previous command.

    Forward changes pass unchanged (the belt's own ramp limits them).
    """
    if direction == "forward":
        return Clamped(requested_kmh, requested_kmh)
    allowed = limits.backward_ramp_kmh_per_s * max(elapsed_s, 0.0)
    step = requested_kmh - previous_kmh
    if abs(step) <= allowed + _EPS:
        return Clamped(requested_kmh, requested_kmh)
    value = previous_kmh + math.copysign(allowed, step)
    return Clamped(
        round(value, 6),
        requested_kmh,
        (f"backward speed changes at most {limits.backward_ramp_kmh_per_s:g} km/h per s",),
    )


def backward_ramp(
    from_kmh: float,
    to_kmh: float,
    limits: SafetyLimits,
    since_last_s: float = math.inf,
) -> tuple[tuple[float, float], ...]:
    """Commanded ``(offset_s, speed_kmh)`` steps from `from_kmh` to `to_kmh` while backward.

    Steps are at most `BACKWARD_RAMP_STEP_KMH` apart and spaced so the change never exceeds
    the backward ramp rate, counting `since_last_s` (time since the previous speed command)
    towards the first step. The last step is `to_kmh`; no change gives one step at offset 0.
    """
    change = to_kmh - from_kmh
    count = max(1, math.ceil(abs(change) / BACKWARD_RAMP_STEP_KMH - _EPS))
    size = change / count
    spacing = abs(size) / limits.backward_ramp_kmh_per_s
    first = max(0.0, spacing - since_last_s)
    return tuple(
        (round(first + index * spacing, 6), round(from_kmh + (index + 1) * size, 6))
        for index in range(count)
    )


def ramp_too_long(path: FieldPath, ramp_s: float, step_s: float) -> Violation:
    """The violation for a backward step too short to reach its speed at the ramp rate."""
    return Violation(
        path,
        "backward ramp rate",
        step_s,
        ramp_s,
        f"this backward step lasts about {step_s:.0f} s but reaching its speed at "
        f"the backward ramp rate takes {ramp_s:.0f} s; make it longer or bring "
        "its speed closer to the speed before it",
    )
