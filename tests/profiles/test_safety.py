"""The safety layer: DESIGN.md §2 at validation (violations) and at run time (clamps)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrorun.errors import ProfileErrors
from retrorun.profiles import safety
from retrorun.profiles.loader import load_profile
from retrorun.profiles.models import Direction, Profile
from retrorun.profiles.plan import compile_plan
from retrorun.profiles.safety import (
    SAFETY_NUMBERS,
    Clamped,
    DeviceRange,
    PersonalLimits,
    SafetyLimits,
    check_profile,
    clamp_incline,
    clamp_speed,
    limit_speed_change,
)

if TYPE_CHECKING:
    from pathlib import Path


def _profile(steps: list[dict[str, Any]], **extra: Any) -> Profile:  # noqa: ANN401
    return Profile.model_validate({"name": "t", "steps": steps, **extra})


def _back(speed: float, incline: float = 0, **extra: Any) -> dict[str, Any]:  # noqa: ANN401
    return {"direction": "backward", "duration": 60, "speed": speed, "incline": incline, **extra}


VIOLATIONS = [
    # (profile, expected path, rule, limit)
    (_profile([_back(9)]), ("steps", 0, "speed"), "backward speed cap", 8.0),
    (_profile([_back(4, incline=11)]), ("steps", 0, "incline"), "backward incline cap", 10.0),
    (_profile([_back(4, incline=-1)]), ("steps", 0, "incline"), "no decline backward", 0.0),
    (
        _profile([_back(5.5, incline=6)]),
        ("steps", 0, "speed"),
        "backward speed on a steep incline",
        5.0,
    ),
    (_profile([_back(4)], turn={"speed": 4.5}), ("turn", "speed"), "turn speed", 4.0),
    (_profile([_back(4)], turn={"window": 3}), ("turn", "window"), "turn window", 5.0),
    (
        _profile([_back(4)], turn={"backward_ramp": 1}),
        ("turn", "backward_ramp"),
        "backward ramp",
        0.5,
    ),
    (
        _profile([_back(10.5)], expert={"backward_speed_max": 11}),
        ("expert", "backward_speed_max"),
        "expert backward speed cap",
        10.0,
    ),
    (
        _profile([{"repeat": {"times": 2, "steps": [{"duration": 60, "speed": 9}, _back(8.5)]}}]),
        ("steps", 0, "repeat", "steps", 1, "speed"),
        "backward speed cap",
        8.0,
    ),
]


@pytest.mark.parametrize(("profile", "path", "rule", "limit"), VIOLATIONS)
def test_each_rule_names_the_field_and_the_limit(
    profile: Profile, path: tuple[str | int, ...], rule: str, limit: float
) -> None:
    found = check_profile(profile)
    assert any(v.path == path and v.rule == rule and v.limit == limit for v in found), found
    violation = next(v for v in found if v.path == path)
    assert f"{limit:g}" in violation.message


def test_backward_steps_hold_one_speed() -> None:
    ramped = _profile([{"direction": "backward", "duration": 60, "ramp": {"from": 3, "to": 4}}])
    (violation,) = check_profile(ramped)
    assert violation.path == ("steps", 0, "ramp")
    assert "use 'speed'" in violation.message


def test_safe_profile_has_no_violations() -> None:
    profile = _profile(
        [
            {"duration": 60, "speed": 12},
            _back(8),
            _back(5, incline=10),
            _back(4.5, incline=6),
            {"duration": 60, "speed": 3, "incline": -3},
        ]
    )
    assert check_profile(profile) == ()


def test_expert_setting_raises_only_the_backward_cap_and_only_to_ten() -> None:
    allowed = _profile([_back(10)], expert={"backward_speed_max": 10})
    assert check_profile(allowed) == ()
    beyond = _profile([_back(10.1)], expert={"backward_speed_max": 10})
    assert [v.rule for v in check_profile(beyond)] == ["backward speed cap"]
    steep = _profile([_back(6, incline=6)], expert={"backward_speed_max": 10})
    assert [v.rule for v in check_profile(steep)] == ["backward speed on a steep incline"]


def test_personal_limits_only_tighten() -> None:
    profile = _profile([_back(7), {"duration": 60, "speed": 14, "incline": 6}])
    personal = PersonalLimits(backward_speed_max_kmh=6, forward_speed_max_kmh=12, incline_max_pct=5)
    rules = [v.rule for v in check_profile(profile, personal)]
    assert rules == ["backward speed cap", "personal forward speed cap", "personal incline cap"]
    looser = PersonalLimits(backward_speed_max_kmh=9.5, turn_window_s=2, turn_speed_kmh=3.9)
    limits, _ = safety.resolve_limits(_profile([_back(9)]), looser)
    assert limits.backward_speed_max_kmh == 8.0
    assert limits.turn_window_s == 10.0
    assert limits.turn_speed_kmh == 2.5


def test_device_range_is_checked_when_known() -> None:
    device = DeviceRange(1.0, 6.0, 0.1, 0.0, 5.0, 0.5)
    profile = _profile([{"duration": 60, "speed": 7, "incline": 6}])
    rules = {v.rule for v in check_profile(profile, device=device)}
    assert rules == {"device speed range", "device incline range"}


def test_nine_kmh_backward_is_refused_naming_line_and_cap(tmp_path: Path) -> None:
    file = tmp_path / "fast.yaml"
    file.write_text(
        "name: too fast\nsteps:\n  - {duration: 2m, speed: 9}\n"
        "  - direction: backward\n    duration: 1m\n    speed: 9\n"
    )
    document = load_profile(file)
    with pytest.raises(ProfileErrors) as caught:
        compile_plan(document.profile, where=document)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.path) == (str(file), 6, "steps[1].speed")
    assert "8 km/h backward cap" in str(problem)
    assert str(problem).startswith(f"{file}:6 steps[1].speed: backward speed 9 km/h")


def test_limits_past_the_hard_limits_cannot_be_built() -> None:
    for bad in (
        {"backward_speed_max_kmh": 10.5},
        {"turn_speed_kmh": 4.5},
        {"turn_window_s": 4},
        {"backward_ramp_kmh_per_s": 0.6},
        {"backward_incline_max_pct": 12},
    ):
        with pytest.raises(ValueError, match="hard limits"):
            SafetyLimits(**bad)


LIMITS = SafetyLimits()
DEVICE = DeviceRange(
    speed_min_kmh=1.0,
    speed_max_kmh=16.0,
    speed_increment_kmh=0.1,
    incline_min_pct=-3.0,
    incline_max_pct=12.0,
    incline_increment_pct=0.5,
)

CLAMP_SPEED = [
    # direction, requested, incline, expected value, limited
    ("backward", 9.0, 0.0, 8.0, True),
    ("backward", 6.0, 6.0, 5.0, True),
    ("backward", 6.0, 5.0, 6.0, False),
    ("forward", 18.0, 0.0, 16.0, True),
    ("forward", 0.4, 0.0, 1.0, True),
    ("forward", 9.04, 0.0, 9.0, False),
    ("backward", 4.26, 0.0, 4.3, False),
]


@pytest.mark.parametrize(("direction", "requested", "incline", "value", "limited"), CLAMP_SPEED)
def test_clamp_speed_table(
    direction: Direction, requested: float, incline: float, value: float, limited: bool
) -> None:
    result = clamp_speed(direction, requested, incline, LIMITS, DEVICE)
    assert result.value == pytest.approx(value)
    assert result.limited is limited
    assert result.requested == requested


def test_clamp_incline_holds_backward_inclines_outside_the_turn() -> None:
    held = clamp_incline("backward", 4.0, 3.0, LIMITS, DEVICE, current_pct=2.0)
    assert held == Clamped(2.0, 4.0, ("incline changes while backward only in the turn window",))
    moved = clamp_incline("backward", 4.0, 2.5, LIMITS, DEVICE, current_pct=2.0, in_turn=True)
    assert moved == Clamped(4.0, 4.0)
    assert clamp_incline("backward", -2.0, 2.5, LIMITS, in_turn=True).value == 0.0
    assert clamp_incline("backward", 8.0, 6.0, LIMITS, in_turn=True).value == 5.0
    assert clamp_incline("backward", 14.0, 3.0, LIMITS, DEVICE, in_turn=True).value == 10.0
    assert clamp_incline("forward", 14.0, 9.0, LIMITS, DEVICE).value == 12.0
    assert clamp_incline("forward", 2.3, 9.0, LIMITS, DEVICE).value == 2.5


directions = st.sampled_from(["forward", "backward"])
speeds = st.floats(min_value=-5, max_value=40, allow_nan=False)
inclines = st.floats(min_value=-20, max_value=40, allow_nan=False)
personal_caps = st.one_of(st.none(), st.floats(min_value=1, max_value=12))


@given(directions, speeds, inclines, personal_caps, st.booleans())
def test_clamped_speed_is_always_safe_and_commandable(
    direction: Direction,
    requested: float,
    incline: float,
    personal: float | None,
    with_device: bool,
) -> None:
    limits, _ = safety.resolve_limits(
        _profile([{"duration": 60, "speed": 5}]), PersonalLimits(backward_speed_max_kmh=personal)
    )
    device = DEVICE if with_device else None
    value = clamp_speed(direction, requested, incline, limits, device).value
    if direction == "backward":
        assert value <= limits.backward_speed_max_kmh + 1e-9
        assert value <= 8.0 + 1e-9
        if incline > 5:
            assert value <= 5.0 + 1e-9
    if device is not None:
        assert device.speed_min_kmh - 1e-9 <= value <= device.speed_max_kmh + 1e-9
        steps = value / device.speed_increment_kmh
        assert math.isclose(steps, round(steps), abs_tol=1e-6)
    assert value >= 0


@given(inclines, speeds, st.booleans())
def test_clamped_backward_incline_obeys_every_incline_rule(
    requested: float, speed: float, with_device: bool
) -> None:
    value = clamp_incline(
        "backward", requested, speed, LIMITS, DEVICE if with_device else None, in_turn=True
    ).value
    assert 0.0 <= value <= 10.0
    if speed > 5:
        assert value <= 5.0


@given(directions, st.floats(0, 12), st.floats(0, 12), st.floats(0, 30))
def test_backward_speed_never_changes_faster_than_the_ramp(
    direction: Direction, previous: float, requested: float, elapsed: float
) -> None:
    result = limit_speed_change(direction, previous, requested, elapsed, LIMITS)
    if direction == "backward":
        step_cap = SAFETY_NUMBERS["backward_ramp_step"].value
        allowed = min(0.25 * elapsed, step_cap)
        assert abs(result.value - previous) <= allowed + 1e-6
        if abs(requested - previous) <= allowed:
            assert result.value == requested
    else:
        assert result.value == requested


@given(st.floats(0.5, 10), st.floats(0.5, 10), st.floats(0, 60), st.sampled_from([0.1, 0.25, 0.5]))
def test_backward_ramp_steps_respect_rate_and_size(
    start: float, end: float, since_last: float, rate: float
) -> None:
    limits = SafetyLimits(backward_ramp_kmh_per_s=rate)
    steps = safety.backward_ramp(start, end, limits, since_last)
    assert steps[-1][1] == pytest.approx(end)
    previous_t, previous_v = -since_last, start
    for offset, speed in steps:
        assert abs(speed - previous_v) <= safety.BACKWARD_RAMP_STEP_KMH + 1e-9
        # Offsets and speeds are rounded to 6 decimals.
        assert abs(speed - previous_v) <= rate * (offset - previous_t) + 1e-5
        previous_t, previous_v = offset, speed
