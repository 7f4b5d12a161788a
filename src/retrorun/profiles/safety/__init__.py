"""The safety layer: the one package that owns the rules of DESIGN.md §2.

Nothing else in retrorun decides what is safe; import from here (``retrorun.profiles.safety``).

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

from retrorun.profiles.safety.clamp import (
    Clamped,
    backward_ramp,
    clamp_incline,
    clamp_speed,
    limit_speed_change,
)
from retrorun.profiles.safety.limits import (
    BACKWARD_INCLINE_CAP_PCT,
    BACKWARD_INCLINE_FLOOR_PCT,
    BACKWARD_RAMP_CAP_KMH_PER_S,
    BACKWARD_RAMP_DEFAULT_KMH_PER_S,
    BACKWARD_RAMP_STEP_KMH,
    BACKWARD_SPEED_CAP_KMH,
    EXPERT_BACKWARD_SPEED_CAP_KMH,
    SAFETY_NUMBERS,
    SESSION_LENGTH_MAX_S,
    SETTLE_DEFAULT_S,
    STEEP_BACKWARD_INCLINE_PCT,
    STEEP_BACKWARD_SPEED_CAP_KMH,
    TURN_SPEED_CAP_KMH,
    TURN_SPEED_DEFAULT_KMH,
    TURN_WARNING_DEFAULT_S,
    TURN_WINDOW_DEFAULT_S,
    TURN_WINDOW_MIN_S,
    DeviceRange,
    PersonalLimits,
    SafetyLimits,
    SafetyNumber,
    Violation,
    resolve_limits,
    safety_table_markdown,
)
from retrorun.profiles.safety.rules import (
    check_profile,
    plausibility_warnings,
    ramp_too_long,
    step_duration_s,
    target_violations,
    walk_steps,
)

__all__ = [
    "BACKWARD_INCLINE_CAP_PCT",
    "BACKWARD_INCLINE_FLOOR_PCT",
    "BACKWARD_RAMP_CAP_KMH_PER_S",
    "BACKWARD_RAMP_DEFAULT_KMH_PER_S",
    "BACKWARD_RAMP_STEP_KMH",
    "BACKWARD_SPEED_CAP_KMH",
    "EXPERT_BACKWARD_SPEED_CAP_KMH",
    "SAFETY_NUMBERS",
    "SESSION_LENGTH_MAX_S",
    "SETTLE_DEFAULT_S",
    "STEEP_BACKWARD_INCLINE_PCT",
    "STEEP_BACKWARD_SPEED_CAP_KMH",
    "TURN_SPEED_CAP_KMH",
    "TURN_SPEED_DEFAULT_KMH",
    "TURN_WARNING_DEFAULT_S",
    "TURN_WINDOW_DEFAULT_S",
    "TURN_WINDOW_MIN_S",
    "Clamped",
    "DeviceRange",
    "PersonalLimits",
    "SafetyLimits",
    "SafetyNumber",
    "Violation",
    "backward_ramp",
    "check_profile",
    "clamp_incline",
    "clamp_speed",
    "limit_speed_change",
    "plausibility_warnings",
    "ramp_too_long",
    "resolve_limits",
    "safety_table_markdown",
    "step_duration_s",
    "target_violations",
    "walk_steps",
]
