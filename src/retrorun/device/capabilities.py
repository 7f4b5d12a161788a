"""What a treadmill can do, from what it says about itself, with safe fallbacks.

Treadmills leave ranges out, report them as all zeros (JTX Sprint 8, QZ #2523), put mph in
km/h fields (FS-BT-T4) or advertise features they lack and lack features they have (Urevo
accepts an incline target it does not advertise, field notes §3.7). Pure: built from the
bytes that were read (None for a characteristic that is missing or unreadable).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from retrorun.errors import DecodeError
from retrorun.ftms import (
    FitnessMachineFeature,
    InclinationRange,
    SpeedRange,
    TargetSettingFeature,
    decode_feature,
    decode_inclination_range,
    decode_speed_range,
)

if TYPE_CHECKING:
    from collections.abc import Callable

_R = TypeVar("_R")

KMH_PER_MPH = 1.609344

# Used when a treadmill reports no usable speed range: a band every consumer treadmill
# covers, so nothing is commanded that the belt cannot do.
FALLBACK_SPEED_RANGE = SpeedRange(min_speed_kmh=1.0, max_speed_kmh=12.0, min_increment_kmh=0.1)
# Used when a treadmill takes incline targets but reports no usable range: no decline, a
# modest maximum, and whole-percent steps, which every incline motor can hit.
FALLBACK_INCLINATION_RANGE = InclinationRange(
    min_inclination_pct=0.0, max_inclination_pct=10.0, min_increment_pct=1.0
)


@dataclass(frozen=True)
class Capabilities:
    """The ranges to command within, and what was assumed to get them."""

    speed_range: SpeedRange
    inclination_range: InclinationRange | None
    """None: the treadmill takes no incline targets (as far as we know)."""
    features: FitnessMachineFeature | None
    has_control_point: bool
    notes: tuple[str, ...] = ()
    """Plain sentences about every fallback or correction that was applied."""

    @property
    def controls_incline(self) -> bool:
        return self.has_control_point and self.inclination_range is not None

    def with_probed_incline(self) -> Capabilities:
        """The same, after the treadmill accepted an incline target it did not advertise."""
        if self.inclination_range is not None:
            return self
        note = (
            "the treadmill accepted an incline target it does not advertise; "
            "using 0-10 % in 1 % steps"
        )
        return dataclasses.replace(
            self, inclination_range=FALLBACK_INCLINATION_RANGE, notes=(*self.notes, note)
        )


def build_capabilities(
    *,
    feature: bytes | None,
    speed_range: bytes | None,
    inclination_range: bytes | None,
    has_control_point: bool,
    mph_in_kmh_fields: bool = False,
    speed_factor: float = 1.0,
) -> Capabilities:
    """Make sense of the three capability characteristics (None: missing or unreadable)."""
    notes: list[str] = []
    features = _decode_or_note(feature, decode_feature, "feature", notes)
    speed = _decode_or_note(speed_range, decode_speed_range, "speed range", notes)
    incline = _decode_or_note(
        inclination_range, decode_inclination_range, "inclination range", notes
    )

    if speed is not None and mph_in_kmh_fields:
        speed = SpeedRange(
            speed.min_speed_kmh * KMH_PER_MPH,
            speed.max_speed_kmh * KMH_PER_MPH,
            None if speed.min_increment_kmh is None else speed.min_increment_kmh * KMH_PER_MPH,
        )
        notes.append("speed fields are read as mph (per-device setting)")
    if speed is not None and speed_factor != 1.0:
        speed = SpeedRange(
            speed.min_speed_kmh * speed_factor,
            speed.max_speed_kmh * speed_factor,
            None if speed.min_increment_kmh is None else speed.min_increment_kmh * speed_factor,
        )
        notes.append(f"speeds are the belt's real ones: shown x {speed_factor:g} (measured)")
    speed = _usable_speed(speed, notes)

    advertises_incline = features is not None and bool(
        features.target_settings & TargetSettingFeature.INCLINATION
    )
    incline = _usable_incline(incline, advertise=advertises_incline, notes=notes)
    if not has_control_point:
        notes.append("no control point: the treadmill can be watched but not driven")
    return Capabilities(speed, incline, features, has_control_point, tuple(notes))


def _decode_or_note(
    data: bytes | None, decoder: Callable[[bytes], _R], what: str, notes: list[str]
) -> _R | None:
    if data is None:
        return None
    try:
        return decoder(data)
    except DecodeError as exc:
        notes.append(f"the {what} could not be read ({exc.reason}); ignoring it")
        return None


def _usable_speed(speed: SpeedRange | None, notes: list[str]) -> SpeedRange:
    fallback = FALLBACK_SPEED_RANGE
    text = f"{fallback.min_speed_kmh:g}-{fallback.max_speed_kmh:g} km/h"
    if speed is None:
        notes.append(f"no speed range reported; using a safe {text}")
        return fallback
    if speed.max_speed_kmh <= 0 or speed.max_speed_kmh <= speed.min_speed_kmh:
        notes.append(f"the speed range reads {_speed_text(speed)}; using a safe {text}")
        return fallback
    if not speed.min_increment_kmh:
        notes.append("no speed increment reported; using 0.1 km/h")
        return dataclasses.replace(speed, min_increment_kmh=0.1)
    return speed


def _usable_incline(
    incline: InclinationRange | None, *, advertise: bool, notes: list[str]
) -> InclinationRange | None:
    fallback = FALLBACK_INCLINATION_RANGE
    text = (
        f"{fallback.min_inclination_pct:g}-{fallback.max_inclination_pct:g} % "
        f"in {fallback.min_increment_pct:g} % steps"
    )
    if incline is None:
        if advertise:
            notes.append(f"incline targets advertised but no range reported; using {text}")
            return fallback
        return None
    empty = incline.max_inclination_pct <= incline.min_inclination_pct
    if empty:
        if not advertise:
            return None
        notes.append(f"the inclination range reads all zeros; using {text}")
        return fallback
    if not incline.min_increment_pct:
        notes.append("no incline increment reported; using 1 % steps")
        return dataclasses.replace(incline, min_increment_pct=1.0)
    return incline


def _speed_text(speed: SpeedRange) -> str:
    return f"{speed.min_speed_kmh:g}-{speed.max_speed_kmh:g} km/h"
