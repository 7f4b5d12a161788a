"""Fitness Machine Feature 0x2ACC (FTMS v1.0 §4.3): what the machine reports and accepts.

Two uint32 words: Fitness Machine Features, then Target Setting Features; bits 17-31 of
each are reserved. Real treadmills lie here (field notes §3.7: Urevo accepts an incline
target it does not announce), so callers should treat these bits as hints.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag

from retrorun.errors import DecodeError, EncodeError
from retrorun.ftms._record import tolerance_json
from retrorun.ftms._wire import Reader, Writer, u32

CHARACTERISTIC = "feature"
_MACHINE = u32("machine_features")
_TARGETS = u32("target_setting_features")


class MachineFeature(IntFlag):
    """Fitness Machine Features field (FTMS v1.0 §4.3.1.1, Table 4.3)."""

    AVERAGE_SPEED = 1 << 0
    CADENCE = 1 << 1
    TOTAL_DISTANCE = 1 << 2
    INCLINATION = 1 << 3
    ELEVATION_GAIN = 1 << 4
    PACE = 1 << 5
    STEP_COUNT = 1 << 6
    RESISTANCE_LEVEL = 1 << 7
    STRIDE_COUNT = 1 << 8
    EXPENDED_ENERGY = 1 << 9
    HEART_RATE_MEASUREMENT = 1 << 10
    METABOLIC_EQUIVALENT = 1 << 11
    ELAPSED_TIME = 1 << 12
    REMAINING_TIME = 1 << 13
    POWER_MEASUREMENT = 1 << 14
    FORCE_ON_BELT_AND_POWER_OUTPUT = 1 << 15
    USER_DATA_RETENTION = 1 << 16


class TargetSettingFeature(IntFlag):
    """Target Setting Features field (FTMS v1.0 §4.3.1.2, Table 4.4)."""

    SPEED = 1 << 0
    INCLINATION = 1 << 1
    RESISTANCE = 1 << 2
    POWER = 1 << 3
    HEART_RATE = 1 << 4
    EXPENDED_ENERGY = 1 << 5
    STEP_NUMBER = 1 << 6
    STRIDE_NUMBER = 1 << 7
    DISTANCE = 1 << 8
    TRAINING_TIME = 1 << 9
    TIME_IN_TWO_HR_ZONES = 1 << 10
    TIME_IN_THREE_HR_ZONES = 1 << 11
    TIME_IN_FIVE_HR_ZONES = 1 << 12
    INDOOR_BIKE_SIMULATION = 1 << 13
    WHEEL_CIRCUMFERENCE = 1 << 14
    SPIN_DOWN = 1 << 15
    CADENCE = 1 << 16


NO_MACHINE_FEATURES = MachineFeature(0)
NO_TARGET_SETTINGS = TargetSettingFeature(0)


def _names(flags: IntFlag) -> list[str]:
    return [member.name.lower() for member in type(flags) if member in flags and member.name]


@dataclass(frozen=True, slots=True)
class FitnessMachineFeature:
    """The two feature words. Reserved bits (17-31) are kept as they came."""

    machine_features: MachineFeature = NO_MACHINE_FEATURES
    target_settings: TargetSettingFeature = NO_TARGET_SETTINGS
    truncated: bool = False
    extra_bytes: bytes = b""

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "machine_features": int(self.machine_features),
            "machine_feature_names": _names(self.machine_features),
            "target_settings": int(self.target_settings),
            "target_setting_names": _names(self.target_settings),
        }
        out.update(tolerance_json(truncated=self.truncated, extra_bytes=self.extra_bytes))
        return out


def decode_feature(data: bytes) -> FitnessMachineFeature:
    """Decode 0x2ACC. Fewer than 4 bytes raise `DecodeError`; 4-7 bytes are `truncated`."""
    reader = Reader(data)
    machine = reader.raw(_MACHINE)
    if machine is None:
        raise DecodeError(CHARACTERISTIC, 0, f"{len(data)} byte(s) cannot hold the uint32 features")
    targets = reader.raw(_TARGETS)
    return FitnessMachineFeature(
        MachineFeature(machine),
        TargetSettingFeature(targets or 0),
        truncated=targets is None,
        extra_bytes=b"" if targets is None else reader.rest(),
    )


def encode_feature(record: FitnessMachineFeature) -> bytes:
    if record.truncated:
        raise EncodeError("truncated", value=True, allowed="False (a cut record has no encoding)")
    writer = Writer()
    writer.value(_MACHINE, int(record.machine_features))
    writer.value(_TARGETS, int(record.target_settings))
    writer.extend(record.extra_bytes)
    return writer.getvalue()
