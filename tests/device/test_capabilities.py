"""What a treadmill can do, including when it lies or says nothing (field notes §3.7, §4)."""

from __future__ import annotations

import pytest

from retrorun.device.capabilities import (
    FALLBACK_INCLINATION_RANGE,
    FALLBACK_SPEED_RANGE,
    build_capabilities,
)
from retrorun.ftms import (
    FitnessMachineFeature,
    InclinationRange,
    MachineFeature,
    SpeedRange,
    TargetSettingFeature,
    encode_feature,
    encode_inclination_range,
    encode_speed_range,
)

SPEED = encode_speed_range(SpeedRange(1.0, 16.0, 0.1))
INCLINE = encode_inclination_range(InclinationRange(0.0, 12.0, 0.5))
SPEED_AND_INCLINE = encode_feature(
    FitnessMachineFeature(
        MachineFeature.TOTAL_DISTANCE | MachineFeature.INCLINATION,
        TargetSettingFeature.SPEED | TargetSettingFeature.INCLINATION,
    )
)
SPEED_ONLY = encode_feature(FitnessMachineFeature(target_settings=TargetSettingFeature.SPEED))


def test_a_well_behaved_treadmill_is_taken_at_its_word() -> None:
    caps = build_capabilities(
        feature=SPEED_AND_INCLINE,
        speed_range=SPEED,
        inclination_range=INCLINE,
        has_control_point=True,
    )
    assert caps.speed_range == SpeedRange(1.0, 16.0, 0.1)
    assert caps.inclination_range == InclinationRange(0.0, 12.0, 0.5)
    assert caps.controls_incline
    assert caps.notes == ()


@pytest.mark.parametrize(
    ("speed_range", "says"),
    [
        (None, "no speed range reported; using a safe 1-12 km/h"),
        (bytes(6), "the speed range reads 0-0 km/h; using a safe 1-12 km/h"),
        (b"\x64", "the speed range could not be read"),
    ],
)
def test_a_missing_or_empty_speed_range_falls_back_and_says_so(
    speed_range: bytes | None, says: str
) -> None:
    caps = build_capabilities(
        feature=SPEED_ONLY,
        speed_range=speed_range,
        inclination_range=None,
        has_control_point=True,
    )
    assert caps.speed_range == FALLBACK_SPEED_RANGE
    assert any(note.startswith(says) for note in caps.notes), caps.notes


def test_an_all_zero_inclination_range_falls_back_when_incline_is_advertised() -> None:
    # JTX Sprint 8 (QZ #2523) reads all zeros.
    caps = build_capabilities(
        feature=SPEED_AND_INCLINE,
        speed_range=SPEED,
        inclination_range=bytes(6),
        has_control_point=True,
    )
    assert caps.inclination_range == FALLBACK_INCLINATION_RANGE
    assert "all zeros" in caps.notes[0]


def test_no_incline_advertised_and_none_reported_means_no_incline_control() -> None:
    caps = build_capabilities(
        feature=SPEED_ONLY, speed_range=SPEED, inclination_range=None, has_control_point=True
    )
    assert caps.inclination_range is None
    assert not caps.controls_incline
    probed = caps.with_probed_incline()
    assert probed.inclination_range == FALLBACK_INCLINATION_RANGE
    assert "does not advertise" in probed.notes[-1]


def test_a_range_reported_without_the_feature_bit_is_used() -> None:
    # Urevo advertises no incline target but has a range and accepts incline (§3.7).
    caps = build_capabilities(
        feature=SPEED_ONLY, speed_range=SPEED, inclination_range=INCLINE, has_control_point=True
    )
    assert caps.controls_incline


def test_mph_in_kmh_fields_is_converted() -> None:
    mph = encode_speed_range(SpeedRange(0.5, 4.0, 0.1))
    caps = build_capabilities(
        feature=SPEED_ONLY,
        speed_range=mph,
        inclination_range=None,
        has_control_point=True,
        mph_in_kmh_fields=True,
    )
    assert caps.speed_range.max_speed_kmh == pytest.approx(6.437, abs=0.001)
    assert "mph" in caps.notes[0]


def test_without_a_control_point_the_treadmill_can_only_be_watched() -> None:
    caps = build_capabilities(
        feature=None, speed_range=None, inclination_range=None, has_control_point=False
    )
    assert not caps.controls_incline
    assert any("watched but not driven" in note for note in caps.notes)
