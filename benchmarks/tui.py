"""CPU of ``retrorun run`` with the TUI at steady state, in a real 80x24 terminal.

Starts ``retrorun run one-minute-alternation --sim --no-voice`` on a pseudo-terminal sized
80x24 (the terminal reads and discards every byte the app draws, as a terminal would), lets
it settle for `WARM_UP_S`, then reads the process's CPU time (user + system, from
/proc/PID/stat) over `WINDOW_S` seconds of real time. The figure covers the whole process:
the TUI, the session, its log writer and the simulator; the TUI's own share is at most that.
Then it quits with q, y, q as a runner would. Linux only (/proc).

Run: ``.venv/bin/python -m benchmarks.tui [WINDOW_S]``
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

WARM_UP_S = 10.0
WINDOW_S = 60.0
COLUMNS, ROWS = 80, 24
RETRORUN = Path(sys.executable).with_name("retrorun")


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (proc(5), fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def _drain(fd: int, seconds: float) -> int:
    """Read (and drop) what the app draws for `seconds`; the bytes read."""
    end = time.monotonic() + seconds
    total = 0
    while (left := end - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                total += len(os.read(fd, 65536))
            except OSError:
                break
    return total


def measure(window_s: float = WINDOW_S) -> tuple[float, int]:
    """(CPU share of one core, bytes drawn) over `window_s` seconds at steady state."""
    log = Path(tempfile.mkdtemp()) / "bench.jsonl"
    pid, fd = pty.fork()
    if pid == 0:  # the child: the program under test, on the terminal
        os.environ["TERM"] = "xterm-256color"
        os.execv(  # noqa: S606 - our own program, by absolute path
            str(RETRORUN),
            [
                str(RETRORUN),
                "run",
                "one-minute-alternation",
                "--sim",
                "--no-voice",
                "--log",
                str(log),
            ],
        )
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    try:
        _drain(fd, WARM_UP_S)
        start_cpu, start = _cpu_s(pid), time.monotonic()
        drawn = _drain(fd, window_s)
        share = (_cpu_s(pid) - start_cpu) / (time.monotonic() - start)
        for key in (b"q", b"y"):
            os.write(fd, key)
            _drain(fd, 1.0)
        _drain(fd, 3.0)
        os.write(fd, b"q")
        _drain(fd, 2.0)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 15)
        os.waitpid(pid, 0)
    return share, drawn


def main() -> None:
    window = float(sys.argv[1]) if len(sys.argv) > 1 else WINDOW_S
    share, drawn = measure(window)
    print(f"TUI session at {COLUMNS}x{ROWS}, steady state over {window:.0f} s:")
    print(f"  CPU {share:.2%} of one core (whole process: TUI, session, simulator)")
    print(f"  drawn {drawn / window / 1024:.1f} KiB/s to the terminal")


if __name__ == "__main__":
    main()
