"""Validation: every rule of DESIGN.md §2 a profile breaks, as `Violation`s with field paths."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from retrorun.profiles.models import IntervalStep, RepeatStep
from retrorun.profiles.safety.limits import (
    BACKWARD_INCLINE_FLOOR_PCT,
    EXPERT_BACKWARD_SPEED_CAP_KMH,
    SAFETY_NUMBERS,
    STEEP_BACKWARD_INCLINE_PCT,
    STEEP_BACKWARD_SPEED_CAP_KMH,
    TOLERANCE,
    DeviceRange,
    PersonalLimits,
    SafetyLimits,
    Violation,
    resolve_limits,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from retrorun.profiles.models import Direction, FieldPath, Profile, Step


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
        if speed_kmh > cap + TOLERANCE:
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
        if incline_pct < BACKWARD_INCLINE_FLOOR_PCT - TOLERANCE:
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
        if incline_pct > limits.backward_incline_max_pct + TOLERANCE:
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
            incline_pct > STEEP_BACKWARD_INCLINE_PCT + TOLERANCE
            and speed_kmh > STEEP_BACKWARD_SPEED_CAP_KMH + TOLERANCE
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
        limits.forward_speed_max_kmh is not None
        and speed_kmh > limits.forward_speed_max_kmh + TOLERANCE
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
    if limits.incline_max_pct is not None and incline_pct > limits.incline_max_pct + TOLERANCE:
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
    if not device.speed_min_kmh - TOLERANCE <= speed_kmh <= device.speed_max_kmh + TOLERANCE:
        yield Violation(
            (*path, "speed"),
            "device speed range",
            speed_kmh,
            device.speed_max_kmh,
            f"speed {speed_kmh:.4g} km/h is outside this treadmill's range "
            f"{device.speed_min_kmh:g}-{device.speed_max_kmh:g} km/h",
        )
    if not device.incline_min_pct - TOLERANCE <= incline_pct <= device.incline_max_pct + TOLERANCE:
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


BACKWARD_ZONE_MAX_KMH = SAFETY_NUMBERS["backward_zone_speed_cap"].value
"""A backward zone step walks: its max_speed stays below the backward walk→run transition
(5.9 km/h, Hreljac 2005; below ~5.5 km/h people walk backward: domain notes §1)."""


def _zone_violations(step: IntervalStep, path: FieldPath, limits: SafetyLimits) -> list[Violation]:
    """A zone step may run anywhere between its min and max speed: the max must be safe, and
    backward it must be a walk."""
    fastest = step.max_speed_kmh or 0.0
    found = [
        replace(v, path=(*path, "max_speed")) if v.path[-1] == "speed" else v
        for v in target_violations(step.direction, fastest, step.incline_pct, limits, path)
    ]
    if step.direction == "backward" and fastest > BACKWARD_ZONE_MAX_KMH + TOLERANCE:
        found.append(
            Violation(
                (*path, "max_speed"),
                "backward zone steps walk",
                fastest,
                BACKWARD_ZONE_MAX_KMH,
                f"a backward zone step walks: max_speed {fastest:g} km/h is above "
                f"{BACKWARD_ZONE_MAX_KMH:g} km/h (backward, people start to jog at about "
                "5.9 km/h); lower it",
            )
        )
    return found


def _step_violations(step: IntervalStep, path: FieldPath, limits: SafetyLimits) -> list[Violation]:
    found: list[Violation] = []
    if step.keep_speed:
        return found  # the speed kept is the step before it's, already checked
    if step.heart_rate is not None:
        return _zone_violations(step, path, limits)
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


def plausibility_warnings(profile: Profile) -> Iterator[tuple[FieldPath, str]]:
    """What is allowed but probably a mistake, with its field path: a forward speed faster
    than any home treadmill runs (a typo such as 30 for 3.0, or mph read as km/h)."""
    plausible = SAFETY_NUMBERS["forward_speed_plausible"].value
    for step, path in walk_steps(profile.steps):
        if step.direction == "backward" or step.keep_speed:
            continue
        speed = max(step.start_speed_kmh, step.end_speed_kmh, step.max_speed_kmh or 0.0)
        if speed > plausible:
            yield (
                (*path, "ramp" if step.ramp else "speed"),
                (
                    f"{speed:g} km/h forward is faster than home treadmills run (most stop at "
                    f"16-22 km/h; above {plausible:g} is probably a typo)"
                ),
            )
