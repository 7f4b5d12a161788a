"""The headless view: cues and progress as plain lines, keys from a terminal.

For a terminal without the TUI (a Raspberry Pi over SSH, a script, a CI job): every cue
is one line, a compact progress line follows each new segment and every
`PROGRESS_EVERY_S` seconds, and the final line says how the session ended. When stdin is a
terminal on Linux or macOS, single keys control the session (`retrorun.session.keys.KEY_MAP`,
the same keys as the TUI); on Windows (no termios) one line says so and Ctrl-C stops it;
otherwise stdin is left alone.

It talks to the session only through `SessionHandle` (events in, `UserCommand`s out), the
same way the TUI and the MQTT bridge do.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from typing import TYPE_CHECKING, TextIO

from retrorun import platforms
from retrorun.profiles.words import in_units, speed_number, speed_unit, total_distance_text
from retrorun.session.api import Cue, SessionEnded, SessionHandle, SessionState, Snapshot
from retrorun.session.energy import energy_text
from retrorun.session.keys import ViewAction, command_for, find, help_lines

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from retrorun.profiles.words import Units

PROGRESS_EVERY_S = 30.0

KEY_HELP = "keys: ? lists them, q stops the session"
NO_KEYS = "single keys work on Linux and macOS terminals only: Ctrl-C stops the session"


def clock_text(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _speed(kmh: float | None, units: Units) -> str:
    return "-" if kmh is None else f"{speed_number(kmh, units):.1f}"


def progress_line(snap: Snapshot, units: Units = "metric") -> str:
    """``[3:05] running 4/34 backward walk (1/8) | 4.5 km/h (4.4) 0 % | 0:42 left | 1.23 km``
    (``2.8 mph (2.7)`` and ``0.76 mi`` in imperial `units`)."""
    parts = [f"[{clock_text(snap.t)}] {snap.state}"]
    if snap.segment_index is not None:
        label = in_units(snap.segment_label, units)
        parts.append(f"{snap.segment_index + 1}/{snap.segment_count} {label}")
    line = " ".join(parts)
    speed, measured = _speed(snap.target_speed_kmh, units), _speed(snap.measured_speed_kmh, units)
    line += f" | {speed} {speed_unit(units)} ({measured})"
    if snap.target_incline_pct is not None:
        line += f" {snap.target_incline_pct:g} %"
    if snap.segment_remaining_s is not None:
        line += f" | {clock_text(snap.segment_remaining_s)} left"
    energy = energy_text(snap.totals.energy_kcal, snap.totals.energy_source)
    line += f" | {total_distance_text(snap.distance_m, units)} | {energy}"
    if snap.heart_rate_bpm is not None:
        line += f" | HR {snap.heart_rate_bpm}"
    elif snap.heart_rate_state == "stale":
        line += " | HR lost"
    if snap.reason and snap.state != "running":
        line += f" | {snap.reason}"
    return line


def cue_line(cue: Cue) -> str:
    beeps = " (beep)" if cue.beeps else ""
    return f"[{clock_text(cue.t)}] >> {cue.text}{beeps}"


def final_line(ended: SessionEnded, units: Units = "metric") -> str:
    totals = ended.totals
    why = ended.outcome if ended.reason == ended.outcome else f"{ended.outcome}: {ended.reason}"
    why = in_units(why, units)
    return (
        f"{why} after {clock_text(totals.duration_s)} active, "
        f"{total_distance_text(totals.distance_m, units)}, "
        f"{totals.turns} turn{'' if totals.turns == 1 else 's'}"
        f", {energy_text(totals.energy_kcal, totals.energy_source)}"
    )


async def show(
    handle: SessionHandle,
    write: Callable[[str], None],
    *,
    every_s: float = PROGRESS_EVERY_S,
    units: Units = "metric",
) -> SessionEnded | None:
    """Print cues and progress (in `units`) until the session ends; its `SessionEnded` (None
    when the stream closed without one)."""
    subscription = handle.events(only=(Cue, Snapshot, SessionEnded))
    last_index: int | None = -1
    last_state = ""
    next_progress = 0.0
    try:
        async for event in subscription:
            if isinstance(event, Cue):
                write(cue_line(event))
            elif isinstance(event, Snapshot):
                changed = event.segment_index != last_index or str(event.state) != last_state
                if changed or event.t >= next_progress:
                    last_index, last_state = event.segment_index, str(event.state)
                    next_progress = event.t + every_s
                    write(progress_line(event, units))
            elif isinstance(event, SessionEnded):
                return event
    finally:
        subscription.cancel()
    return None


async def _press(handle: SessionHandle, write: Callable[[str], None], character: str) -> None:
    """Do what `character` does: list the keys, or send its command and say a refusal."""
    key = find(character)
    if key is None:
        return
    if key.action == ViewAction.HELP:
        for line in help_lines():
            write(line)
        return
    paused = handle.snapshot().state == SessionState.PAUSED
    command = command_for(key, paused=paused)
    if command is not None:
        result = await handle.command(command)
        if not result.accepted:
            write(f"   ({command.kind}: {result.reason})")


@contextlib.contextmanager
def cbreak(stream: TextIO) -> Iterator[None]:
    import termios  # noqa: PLC0415 - POSIX terminals only
    import tty  # noqa: PLC0415

    fd = stream.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


async def read_keys(
    handle: SessionHandle, write: Callable[[str], None], stream: TextIO | None = None
) -> None:
    """Turn single key presses on a terminal into commands (no-op when not a terminal)."""
    stream = stream or sys.stdin
    if not stream.isatty():
        return
    if not platforms.posix():
        # No termios and no loop reader on stdin (Windows): the belt is still stopped by
        # Ctrl-C, which the command line turns into a stop.
        write(NO_KEYS)
        return
    loop = asyncio.get_running_loop()
    keys: asyncio.Queue[str] = asyncio.Queue()
    fd = stream.fileno()
    write(KEY_HELP)
    with cbreak(stream):

        def readable() -> None:
            # Straight from the descriptor: a buffered reader would hold back the second
            # of two keys typed together, and the loop would not wake for it.
            for key in os.read(fd, 64).decode(errors="ignore"):
                keys.put_nowait(key)

        loop.add_reader(fd, readable)
        try:
            while True:
                await _press(handle, write, await keys.get())
        finally:
            loop.remove_reader(fd)
