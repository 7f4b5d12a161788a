"""Quirk switches and the presets that reproduce real treadmills (field notes §3).

A `Quirks` value is a set of independent switches plus the machine's `BeltSpec`. A preset is
a named `Quirks`; users start from a preset and override single switches on top
(``--quirk reaction_delay_s=2``), so quirks combine freely: `resolve_quirks` does that.
Switch names are flat: a `BeltSpec` field such as ``acceleration_kmh_per_s`` is overridden
by the same name as a `Quirks` switch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from retrorun.errors import InputError
from retrorun_sim.physics import BeltSpec

QuirkValue = float | bool | int | None


@dataclass(frozen=True, slots=True)
class Quirks:
    """How one simulated treadmill deviates from FTMS v1.0 (the defaults follow the spec)."""

    # Control point properties are WriteWithoutResponse|Indicate and its responses arrive as
    # notifications (Urevo E1L, treadspan capture; field notes §3.6).
    control_point_write_without_response: bool = False
    responses_as_notifications: bool = False
    # Every procedure but Request Control needs control first (FTMS §4.16.2.1); CITYSPORTS
    # accepts Start without it (§3.8).
    enforce_control_permission: bool = True
    # Request Control is answered 0x05 Control Not Permitted, always: consoles that never
    # hand control to an app (field notes §4: NordicTrack T Series 8, QZ #5126).
    grants_control: bool = True
    # Set Target Speed/Inclination answer 0x05 Control Not Permitted until the belt runs
    # (domain notes §2.2; ph4-walkingpad PR #25).
    reject_targets_until_running: bool = False
    # Machine Status padded with zero bytes to 3 bytes: `04 00 00`, `02 02 00` (Urevo, §3.5).
    padded_machine_status: bool = False
    # A uint24 step count behind the non-standard flag bit 13 (Urevo, CITYSPORTS, §3.1).
    step_count_bit13: bool = False
    # Feature bits that lie: speed + resistance targets, no inclination target, Average Speed
    # and Power Measurement advertised but never sent; incline still accepted (Urevo, §3.7).
    lying_feature_bits: bool = False
    # Treadmill Data reports the new set point at once instead of the belt speed while
    # accelerating (CITYSPORTS, §3.9).
    reports_target_speed: bool = False
    # Records promise ~30 bytes (flags 0x1F9E) but are cut at 20 without More Data (Matrix,
    # §3.2).
    truncated_records: bool = False
    # Speed fields carry mph x 0.01 although the spec says km/h, both ways (FS-BT-T4,
    # Vitalwalk TM11GY and the US models QZ lists; §3.12, domain notes §2.2).
    speed_in_mph: bool = False
    # Set Target Speed's value is read as mph x 0.01 while every reported speed is km/h
    # ("02 90 01", 4.00, runs the belt at 6.44 km/h): Horizon 7.0AT and T202 (QZ PR #4721,
    # #4904), Vitalwalk TM11GY (QZ #5100). The wire value is checked against the advertised
    # range, the belt clamps the converted speed to its maximum.
    speed_commands_in_mph: bool = False
    # Set Target Speed answers Success and the belt ignores it: Sole F85 2023 (QZ #2385),
    # Xterra T85 / Sperax RM-01 (hassio-ftms #26), Reebok FR30z (QZ #3247).
    ignores_speed: bool = False
    # Stop answers Success and the belt keeps running (Horizon 7.4, QZ #923). Pause works.
    ignores_stop: bool = False
    # Console buttons and the safety key change the belt without any Machine Status, and
    # without a Training Status notification: only Treadmill Data shows it (T318 QZ PR #4024,
    # Bowflex QZ #712, Paragon X QZ #637). A read of Training Status still tells the truth.
    silent_console: bool = False
    # No Treadmill Data until the belt is started on the console (`console_start`): Urevo
    # Spacewalk (hassio-ftms #21), Life Fitness (TMIW #462).
    data_after_console_start: bool = False
    # Start from the app answers 0x04 Operation Failed; only the console's Start runs the
    # belt (Sole F63 QZ #1354, Sole F80 QZ #429, 3G Cardio QZ #3382, QZ #1503).
    refuses_app_start: bool = False
    # Start from the app answers Success and nothing happens (the "ignored" variant).
    ignores_app_start: bool = False
    # Start while running answers Success and stops the belt (Vitalwalk TM11GY, QZ #5100).
    start_toggles: bool = False
    # Set Target Inclination always answers 0x04 Operation Failed although the feature bits
    # offer it (Horizon 7.4AT QZ #2311, NoblePro QZ #4880: "some commands always fail").
    rejects_incline: bool = False
    # Control-point writes answer ATT 0x0F Insufficient Encryption unless the client paired
    # (bonded) when it connected (bleak #504, #758): `retrorun run --pair`.
    requires_pairing: bool = False
    # Energy per hour / per minute sent as 0 instead of "not available" (CITYSPORTS, Urevo).
    zero_energy_rates: bool = False
    # Whether Treadmill Data carries the runner model's heart rate.
    heart_rate: bool = True
    # Control-point response (0x80) latency: a few connection intervals (domain notes §2.3).
    response_latency_s: float = 0.15
    notify_interval_s: float = 1.0
    # ATT_MTU; the notification payload is 3 bytes less (23 → 20).
    mtu: int = 23
    belt: BeltSpec = field(default_factory=BeltSpec)


@dataclass(frozen=True, slots=True)
class Preset:
    """A named quirk set and the real machine it stands for.

    ``cooperative`` presets do what they acknowledge, so a session runs to its end on them
    today; the others (real machines from notes/real-treadmills-misbehave.md) lie about
    what the belt does, and a controller has to notice it by telemetry.
    """

    name: str
    machine: str
    quirks: Quirks
    cooperative: bool = True


def _hostile(name: str, machine: str, quirks: Quirks) -> Preset:
    """A preset that lies about what the belt does (not `Preset.cooperative`)."""
    return Preset(name, machine, quirks, cooperative=False)


PRESETS: Mapping[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset("strict", "a spec-perfect FTMS v1.0 treadmill", Quirks()),
        Preset(
            "urevo",
            "Urevo E1L walking pad (treadspan capture, hassio-ftms #3)",
            Quirks(
                control_point_write_without_response=True,
                responses_as_notifications=True,
                padded_machine_status=True,
                step_count_bit13=True,
                lying_feature_bits=True,
                zero_energy_rates=True,
            ),
        ),
        Preset(
            "citysports",
            "CITYSPORTS CS-WP8 walking pad (hughesjs captures)",
            Quirks(
                enforce_control_permission=False,
                reports_target_speed=True,
                step_count_bit13=True,
                zero_energy_rates=True,
                heart_rate=False,
                belt=BeltSpec(
                    max_speed_kmh=6.0,
                    speed_increment_kmh=0.5,
                    # 0.1 km/h every 0.2-0.4 s after Stop.
                    stop_deceleration_kmh_per_s=0.33,
                    count_only_with_runner=True,
                ),
            ),
        ),
        Preset(
            "matrix",
            "Matrix treadmills that send flags 0x1F9E in 20 bytes (TMIW fixtures)",
            Quirks(truncated_records=True),
        ),
        Preset(
            "start-before-speed",
            "WalkingPad-class firmware that refuses targets until the belt runs "
            "(ph4-walkingpad PR #25)",
            Quirks(reject_targets_until_running=True),
        ),
        _hostile(
            "mph",
            "US-market firmware with mph inside the km/h fields (FS-BT-T4, Vitalwalk TM11GY)",
            Quirks(speed_in_mph=True),
        ),
        Preset(
            "laggy",
            "slow firmware and motor: 2 s reaction, 0.3 km/h/s ramps "
            "(Sole F80, NordicTrack reports)",
            Quirks(
                belt=BeltSpec(
                    reaction_delay_s=2.0, acceleration_kmh_per_s=0.3, deceleration_kmh_per_s=0.3
                )
            ),
        ),
        # The belt does not do what it acknowledged (notes/real-treadmills-misbehave.md).
        _hostile(
            "ignores-speed",
            "Sole F85 2023 (QZ #2385), Xterra T85 / Sperax RM-01 (hassio-ftms #26), "
            "Reebok FR30z (QZ #3247)",
            Quirks(ignores_speed=True),
        ),
        _hostile(
            "mph-commands",
            "Horizon 7.0AT, Horizon T202 (QZ PR #4721, #4904), Vitalwalk TM11GY (QZ #5100)",
            Quirks(speed_commands_in_mph=True),
        ),
        _hostile(
            "ignores-stop",
            "Horizon 7.4 (QZ #923)",
            Quirks(ignores_stop=True),
        ),
        _hostile(
            "slow-stop",
            "Kingsmith (QZ #470), Horizon 7.4 (QZ #923): 20 s to stop",
            Quirks(belt=BeltSpec(stop_coast_s=20.0)),
        ),
        _hostile(
            "silent-stop",
            "T318 (QZ PR #4024), Bowflex (QZ #712), Paragon X (QZ #637)",
            Quirks(silent_console=True),
        ),
        _hostile(
            "pause-creeps",
            "NordicTrack S20 (QZ #1850): Pause leaves the belt at 1 mph",
            Quirks(belt=BeltSpec(pause_speed_kmh=1.6)),
        ),
        _hostile(
            "resume-at-minimum",
            "CITYSPORTS (field notes §3.10): resumes at its minimum speed after Pause/Start",
            Quirks(belt=BeltSpec(resume_at_minimum=True)),
        ),
        _hostile(
            "no-data",
            "Urevo Spacewalk (hassio-ftms #21), Life Fitness (TMIW #462)",
            Quirks(data_after_console_start=True),
        ),
        _hostile(
            "console-start",
            "Sole F63 (QZ #1354), Sole F80 (QZ #429), 3G Cardio (QZ #3382), QZ #1503",
            Quirks(refuses_app_start=True),
        ),
        _hostile(
            "start-toggles",
            "Vitalwalk TM11GY (QZ #5100): Start while running stops the belt",
            Quirks(start_toggles=True),
        ),
        _hostile(
            "floor-2mph",
            "US machines whose minimum is 2 mph (3.2 km/h)",
            Quirks(belt=BeltSpec(min_speed_kmh=3.2)),
        ),
        _hostile(
            "slow-incline",
            "incline motors taking 16 s or more for 0 to 8 % (QZ #1237, #2385)",
            Quirks(belt=BeltSpec(inclination_rate_pct_per_s=0.3)),
        ),
        _hostile(
            "rejects-incline",
            "Horizon 7.4AT (QZ #2311), NoblePro (QZ #4880): a command kind always fails",
            Quirks(rejects_incline=True),
        ),
    )
}
# The presets a session runs to its end on today (see `Preset.cooperative`).
COOPERATIVE_PRESETS: tuple[str, ...] = tuple(p.name for p in PRESETS.values() if p.cooperative)

_QUIRK_FIELDS = {f.name: f for f in dataclasses.fields(Quirks) if f.name != "belt"}
_BELT_FIELDS = {f.name: f for f in dataclasses.fields(BeltSpec)}
SWITCH_NAMES: tuple[str, ...] = tuple(sorted({*_QUIRK_FIELDS, *_BELT_FIELDS}))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def preset(name: str) -> Preset:
    """The preset called ``name``; `InputError` listing the valid names otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise InputError(
            f"unknown simulator preset {name!r}; valid presets: {', '.join(PRESETS)}"
        ) from None


def _convert(name: str, kind: object, text: str) -> QuirkValue:
    words = str(kind)
    value = text.strip().lower()
    if "bool" in words:
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise InputError(f"quirk {name} takes true or false, not {text!r}")
    if "None" in words and value == "none":
        return None
    try:
        return int(value) if words == "int" else float(value)
    except ValueError:
        raise InputError(f"quirk {name} takes a number, not {text!r}") from None


def parse_quirk(text: str) -> tuple[str, QuirkValue]:
    """``NAME=VALUE`` as a typed override; `InputError` naming the valid switches otherwise."""
    name, sep, raw = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep:
        raise InputError(f"quirk {text!r} is not NAME=VALUE")
    found = _QUIRK_FIELDS.get(name) or _BELT_FIELDS.get(name)
    if found is None:
        raise InputError(f"unknown quirk {name!r}; valid quirks: {', '.join(SWITCH_NAMES)}")
    return name, _convert(name, found.type, raw)


def resolve_quirks(
    preset_name: str = "strict",
    overrides: Mapping[str, QuirkValue] | Iterable[str] = (),
) -> Quirks:
    """A preset with single switches overridden (a mapping, or ``NAME=VALUE`` strings)."""
    base = preset(preset_name).quirks
    if isinstance(overrides, str):
        overrides = [overrides]
    if isinstance(overrides, Mapping):
        return apply_overrides(base, overrides)
    return apply_overrides(base, dict(parse_quirk(text) for text in overrides))


def apply_overrides(base: Quirks, overrides: Mapping[str, QuirkValue]) -> Quirks:
    """``base`` with the named switches replaced (names as in `SWITCH_NAMES`)."""
    unknown = set(overrides) - set(SWITCH_NAMES)
    if unknown:
        raise InputError(f"unknown quirk {min(unknown)!r}; valid quirks: {', '.join(SWITCH_NAMES)}")
    belt_changes = {k: v for k, v in overrides.items() if k in _BELT_FIELDS}
    quirk_changes = {k: v for k, v in overrides.items() if k in _QUIRK_FIELDS}
    # The values were typed by `parse_quirk` (or by the caller, for a mapping).
    belt = dataclasses.replace(base.belt, **cast("dict[str, Any]", belt_changes))
    return dataclasses.replace(base, belt=belt, **cast("dict[str, Any]", quirk_changes))
