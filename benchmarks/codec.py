"""Treadmill Data decodes per second and ``retrorun --help`` wall time.

Run: ``python -m benchmarks.codec`` (or ``make bench`` for every benchmark).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import timeit

from retrorun.ftms import TreadmillData, decode_treadmill_data, encode_treadmill_data

# Every field of flag bits 0-12: the 34-byte maximum of FTMS v1.0 §4.4.
FULL = encode_treadmill_data(
    TreadmillData(
        speed_kmh=8.0,
        average_speed_kmh=7.5,
        total_distance_m=1000,
        inclination_pct=2.5,
        ramp_angle_deg=1.4,
        positive_elevation_gain_m=10.0,
        negative_elevation_gain_m=2.0,
        instantaneous_pace_kmpmin=0.1,
        average_pace_kmpmin=0.1,
        total_energy_kcal=100,
        energy_per_hour_kcal=600,
        energy_per_minute_kcal=10,
        heart_rate_bpm=140,
        metabolic_equivalent=8.5,
        elapsed_time_s=600,
        remaining_time_s=60,
        force_on_belt_n=100,
        power_output_w=200,
    )
)
# A typical record: CITYSPORTS walking pad (hughesjs/FitnessMachine protocol/notes).
TYPICAL = bytes.fromhex("8424aa002100000100ffffff3c00420000")
HELP_RUNS = 21


def decodes_per_second(data: bytes) -> float:
    """Best of five rounds of at least 0.2 s each (the fastest round is the least disturbed)."""
    timer = timeit.Timer(lambda: decode_treadmill_data(data))
    loops, _ = timer.autorange()
    return loops / min(timer.repeat(repeat=5, number=loops))


def help_wall_time_s(runs: int = HELP_RUNS) -> float:
    """Median wall time of ``retrorun --help`` in a fresh interpreter."""
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "retrorun", "--help"], check=True, capture_output=True
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    assert len(FULL) == 34
    print(f"treadmill-data decode, full 34-byte record: {decodes_per_second(FULL):,.0f} /s")
    print(f"treadmill-data decode, typical 17-byte record: {decodes_per_second(TYPICAL):,.0f} /s")
    print(f"retrorun --help wall time (median of {HELP_RUNS}): {help_wall_time_s():.3f} s")


if __name__ == "__main__":
    main()
