"""Whole commands as a developer types them: a ``--fast`` session and the profile test bench.

Run: ``python -m benchmarks.whole_command`` (also part of ``make bench``).

* ``retrorun run LONGEST --sim --fast --headless --no-voice``: the longest bundled profile,
  the whole command including interpreter start-up and every import, as a subprocess.
  Reported: wall and CPU time (median of `ROUNDS`), and the simulated session time (the
  log's last ``t``) over the wall time. Target: at least 3,000x real time.
* ``retrorun test one-minute-alternation --faults 3 --jobs 2``: every simulator preset plus
  three random fault schedules each, audited. Reported: wall and CPU time (median of
  `BENCH_ROUNDS`). Target: under 10 s wall on 2 cores.

Both run as a new user's would: a config file with nothing but a maximum heart rate (the
zone profile needs one), an empty data folder, no saved treadmill settings, and the bytecode
cache warm (one run first, with ``PYTHONDONTWRITEBYTECODE`` unset, as
``pip install`` leaves it). On a machine doing other work the CPU time is the steadier
figure; the wall time is the one the targets name.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from retrorun.cli.launch import LaunchOptions, check
from retrorun.config import load_config
from retrorun.profiles.library import bundled_dir, profile_files

ROUNDS = 5
BENCH_ROUNDS = 3
RUN_TARGET_X = 3000.0
BENCH_TARGET_S = 10.0
CONFIG = "[heart_rate]\nmax_bpm = 190\n"


def longest_profile() -> tuple[str, float]:
    """The bundled profile with the longest plan, and its planned seconds."""
    with tempfile.TemporaryDirectory() as folder:
        config = load_config(_config_file(Path(folder)))
    planned = {
        path.stem: check(LaunchOptions(profile=path.stem, config=config)).total_duration_s
        for path in profile_files(bundled_dir())
    }
    name = max(planned, key=lambda stem: planned[stem])
    return name, planned[name]


def _config_file(home: Path) -> Path:
    path = home / "config" / "retrorun" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CONFIG, encoding="utf-8")
    return path


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    _config_file(home)
    env["XDG_CONFIG_HOME"] = str(home / "config")
    env["XDG_DATA_HOME"] = str(home / "data")
    return env


def _timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU of the command and its children) seconds of one run; it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 - our own
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _last_t(log: Path) -> float:
    last = log.read_text(encoding="utf-8").splitlines()[-1]
    return float(json.loads(last)["t"])


def fast_run(profile: str, rounds: int = ROUNDS) -> tuple[float, float, float]:
    """Median wall and CPU seconds of the whole ``--fast`` command, and the session seconds."""
    retrorun = str(Path(sys.executable).with_name("retrorun"))
    with tempfile.TemporaryDirectory() as folder:
        env = _environment(Path(folder))
        walls, cpus, simulated = [], [], 0.0
        for n in range(rounds + 1):
            log = Path(folder) / f"run{n}.jsonl"
            args = [retrorun, "run", profile, "--sim", "--fast", "--headless", "--no-voice"]
            wall, cpu = _timed([*args, "--log", str(log)], env)
            simulated = _last_t(log)
            if n:  # the first run warms the bytecode cache
                walls.append(wall)
                cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus), simulated


def profile_bench(rounds: int = BENCH_ROUNDS) -> tuple[float, float]:
    """Median wall and CPU seconds of ``retrorun test one-minute-alternation --faults 3
    --jobs 2`` (workers included)."""
    retrorun = str(Path(sys.executable).with_name("retrorun"))
    args = [retrorun, "test", "one-minute-alternation", "--faults", "3", "--jobs", "2"]
    with tempfile.TemporaryDirectory() as folder:
        env = _environment(Path(folder))
        runs = [_timed(args, env) for _ in range(rounds)]
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def main() -> None:
    profile, planned = longest_profile()
    wall, cpu, simulated = fast_run(profile)
    ratio = simulated / wall
    command = f"retrorun run {profile} --sim --fast --headless --no-voice"
    print(f"{command} (plan {planned / 60:.1f} min)")
    print(
        f"  wall {wall:.2f} s, CPU {cpu:.2f} s (median of {ROUNDS}), session {simulated:.0f} s: "
        f"{ratio:,.0f}x real time (target {RUN_TARGET_X:,.0f}x: "
        f"{'met' if ratio >= RUN_TARGET_X else 'not met'})"
    )
    bench_wall, bench_cpu = profile_bench()
    print("retrorun test one-minute-alternation --faults 3 --jobs 2 (80 sessions)")
    print(
        f"  wall {bench_wall:.1f} s, CPU {bench_cpu:.1f} s (median of {BENCH_ROUNDS}; target "
        f"under {BENCH_TARGET_S:.0f} s: {'met' if bench_wall < BENCH_TARGET_S else 'not met'})"
    )


if __name__ == "__main__":
    main()
