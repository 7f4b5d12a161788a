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
from retrorun.ftms.treadmill_data import FIELD_NAMES

# Every field of flag bits 0-12 (value 1 each): the 34-byte maximum of FTMS v1.0 §4.4.
FULL = encode_treadmill_data(
    TreadmillData(**dict.fromkeys(FIELD_NAMES[:-1], 1))  # type: ignore[arg-type]
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
