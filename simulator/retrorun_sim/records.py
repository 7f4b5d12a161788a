"""What the simulated treadmill says, as codec records: telemetry, features, ranges, status.

Pure functions from the belt's readings and the `Quirks` to `retrorun.ftms` records and
bytes. Every byte is produced by the codec; the quirks only choose which record to build and
what to do with its bytes (cut them short, pad them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrorun.ftms import (
    FitnessMachineFeature,
    InclinationRange,
    MachineFeature,
    MachineStatus,
    SpeedRange,
    TargetSettingFeature,
    TrainingStatusCode,
    TreadmillData,
    encode_machine_status,
    encode_treadmill_data,
    split_treadmill_data,
)
from retrorun_sim.physics import BeltMode, BeltReadings

if TYPE_CHECKING:
    from retrorun_sim.quirks import Quirks

KMH_PER_MPH = 1.609344
# Matrix units cut their records here, without More Data (field notes §3.2).
_TRUNCATED_RECORD_BYTES = 20
_PADDED_STATUS_BYTES = 3

TRAINING_STATUS_BY_MODE: dict[BeltMode, TrainingStatusCode] = {
    BeltMode.IDLE: TrainingStatusCode.IDLE,
    BeltMode.STARTING: TrainingStatusCode.PRE_WORKOUT,
    BeltMode.RUNNING: TrainingStatusCode.MANUAL_MODE,
    BeltMode.PAUSED: TrainingStatusCode.IDLE,
    BeltMode.STOPPED: TrainingStatusCode.POST_WORKOUT,
}


def wire_speed(speed_kmh: float, quirks: Quirks) -> float:
    """A belt speed as the number this machine puts in a "km/h" field."""
    return round(speed_kmh / KMH_PER_MPH if quirks.speed_in_mph else speed_kmh, 2)


def belt_speed(wire_value: float, quirks: Quirks) -> float:
    """The belt speed a number in a "km/h" field means to this machine."""
    return wire_value * KMH_PER_MPH if quirks.speed_in_mph else wire_value


def payload_size(quirks: Quirks) -> int:
    """Bytes of one notification: ATT_MTU minus the 3-byte notification header."""
    return quirks.mtu - 3


def reported_speed_kmh(readings: BeltReadings, quirks: Quirks) -> float:
    # CITYSPORTS shows the set point as soon as it accepts it, but the real coast-down
    # after Stop (field notes §3.9).
    if quirks.reports_target_speed and readings.mode is BeltMode.RUNNING:
        return readings.target_speed_kmh
    return readings.speed_kmh


def treadmill_record(
    readings: BeltReadings, quirks: Quirks, heart_rate_bpm: float | None
) -> TreadmillData:
    """The full Treadmill Data record this machine would send for ``readings``."""
    speed = wire_speed(reported_speed_kmh(readings, quirks), quirks)
    elapsed_s = int(readings.elapsed_time_s)
    # FTMS Elapsed Time is a uint16 of seconds: after 18 h 12 min it wraps, as a real
    # console's counter does (encoding the true count would fail and end the notifications).
    wire_elapsed_s = elapsed_s % 0x10000
    energy = int(readings.energy_kcal)
    zero_rates = quirks.zero_energy_rates
    not_available = set() if zero_rates else {"energy_per_hour_kcal", "energy_per_minute_kcal"}
    rates = 0 if zero_rates else None
    hr = round(heart_rate_bpm) if heart_rate_bpm is not None and quirks.heart_rate else None
    if quirks.step_count_bit13:
        # The FitShow-class layout (Urevo flags 0x2584, CITYSPORTS 0x2484).
        return TreadmillData(
            speed_kmh=speed,
            total_distance_m=int(readings.distance_m),
            total_energy_kcal=energy,
            energy_per_hour_kcal=rates,
            energy_per_minute_kcal=rates,
            elapsed_time_s=wire_elapsed_s,
            heart_rate_bpm=hr,
            step_count=int(readings.step_count),
            not_available=frozenset(not_available),
        )
    average = readings.distance_m / readings.elapsed_time_s * 3.6 if elapsed_s else 0.0
    record = TreadmillData(
        speed_kmh=speed,
        average_speed_kmh=wire_speed(average, quirks),
        total_distance_m=int(readings.distance_m),
        inclination_pct=round(readings.inclination_pct, 1),
        total_energy_kcal=energy,
        energy_per_hour_kcal=rates,
        energy_per_minute_kcal=rates,
        heart_rate_bpm=hr,
        elapsed_time_s=wire_elapsed_s,
        not_available=frozenset({*not_available, "ramp_angle_deg"}),
    )
    if quirks.truncated_records:
        # Matrix flags 0x1F9E: also elevation, MET, remaining time, force and power.
        mass = quirks.belt.runner_mass_kg
        return TreadmillData(
            **{
                name: getattr(record, name)
                for name in (
                    "speed_kmh",
                    "average_speed_kmh",
                    "total_distance_m",
                    "inclination_pct",
                    "total_energy_kcal",
                    "energy_per_hour_kcal",
                    "energy_per_minute_kcal",
                    "heart_rate_bpm",
                    "elapsed_time_s",
                )
            },
            positive_elevation_gain_m=round(readings.elevation_gain_m, 1),
            negative_elevation_gain_m=0.0,
            metabolic_equivalent=round(energy / mass / max(elapsed_s, 1) * 3600, 1),
            remaining_time_s=0,
            not_available=frozenset({*record.not_available, "force_on_belt_n", "power_output_w"}),
        )
    return record


def treadmill_packets(record: TreadmillData, quirks: Quirks) -> list[bytes]:
    """The notifications that carry ``record``: split with More Data, or cut short (Matrix)."""
    if quirks.truncated_records:
        return [encode_treadmill_data(record)[:_TRUNCATED_RECORD_BYTES]]
    return split_treadmill_data(record, payload_size(quirks))


def feature_record(quirks: Quirks) -> FitnessMachineFeature:
    """Fitness Machine Feature: what the machine claims (truthfully, unless it lies)."""
    if quirks.lying_feature_bits:
        # Urevo: Average Speed and Power advertised but never sent; a resistance target and
        # no inclination target on a machine that accepts inclination (field notes §3.7).
        return FitnessMachineFeature(
            MachineFeature.AVERAGE_SPEED
            | MachineFeature.TOTAL_DISTANCE
            | MachineFeature.EXPENDED_ENERGY
            | MachineFeature.ELAPSED_TIME
            | MachineFeature.POWER_MEASUREMENT,
            TargetSettingFeature.SPEED | TargetSettingFeature.RESISTANCE,
        )
    features = (
        MachineFeature.TOTAL_DISTANCE | MachineFeature.EXPENDED_ENERGY | MachineFeature.ELAPSED_TIME
    )
    if quirks.step_count_bit13:
        features |= MachineFeature.STEP_COUNT
    else:
        features |= MachineFeature.AVERAGE_SPEED | MachineFeature.INCLINATION
    if quirks.truncated_records:
        features |= (
            MachineFeature.ELEVATION_GAIN
            | MachineFeature.METABOLIC_EQUIVALENT
            | MachineFeature.REMAINING_TIME
            | MachineFeature.FORCE_ON_BELT_AND_POWER_OUTPUT
        )
    if quirks.heart_rate:
        features |= MachineFeature.HEART_RATE_MEASUREMENT
    return FitnessMachineFeature(
        features, TargetSettingFeature.SPEED | TargetSettingFeature.INCLINATION
    )


def speed_range_record(quirks: Quirks) -> SpeedRange:
    belt = quirks.belt
    return SpeedRange(
        wire_speed(belt.min_speed_kmh, quirks),
        wire_speed(belt.max_speed_kmh, quirks),
        wire_speed(belt.speed_increment_kmh, quirks),
    )


def inclination_range_record(quirks: Quirks) -> InclinationRange:
    belt = quirks.belt
    return InclinationRange(
        belt.min_inclination_pct, belt.max_inclination_pct, belt.inclination_increment_pct
    )


def machine_status_bytes(status: MachineStatus, quirks: Quirks) -> bytes:
    """A Fitness Machine Status notification, zero-padded on machines that pad (Urevo)."""
    data = encode_machine_status(status)
    if quirks.padded_machine_status:
        data = data.ljust(_PADDED_STATUS_BYTES, b"\x00")
    return data
