"""What the TUI is handed by whoever composes it (the ``retrorun run`` command).

The TUI may not import the recorder, audio or the simulator (they sit beside it or above
it in the layers), so it names what it needs from them here, as small protocols and values:

* `Launched`: a running session's handle, with its report and the audio notice;
* `Report`: the session log's summary and FIT export, for the summary screen;
* `Starter`: turns the start screen's `Choice` into a `Launched` session;
* `Scanner`: lists treadmills in range for the start screen;
* `NextInPlan`: the profile next in the plan the runner follows, for the start screen.
* `Speaker`: says a sentence out loud.

Pure: no textual, no I/O.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pathlib import Path

    from retrorun.profiles.words import Units
    from retrorun.session.api import SessionHandle

SIMULATOR = "simulator"
"""The `Choice.device` that means the built-in simulator."""


class Report(Protocol):
    """The finished session's log, summarised and exported."""

    @property
    def log_path(self) -> Path: ...

    async def summary_lines(self, width: int) -> list[str]:
        """The summary (totals per direction, speed and heart-rate chart) as text lines,
        once the log is completely written."""
        ...

    async def export_fit(self) -> Path:
        """Write the session as a FIT activity next to the log; the file written."""
        ...


@dataclass(frozen=True)
class Launched:
    """A session that runs (or is about to), as the TUI receives it."""

    handle: SessionHandle
    report: Report | None = None
    notice: str | None = None
    """A one-time line for the runner (for example: speech is not available)."""
    units: Units = "metric"
    """What speeds, distances and paces are shown in (``[display] units``)."""


@dataclass(frozen=True)
class Choice:
    """What the start screen picked: a profile (path or name) and a device."""

    profile: str
    device: str = SIMULATOR
    """`SIMULATOR` or a treadmill's Bluetooth address."""


@dataclass(frozen=True)
class NextInPlan:
    """The profile that comes next in the plan the runner follows (from the history)."""

    profile: str
    """The profile's file name without its suffix (``six-week-2``)."""
    text: str
    """One line saying so (``six-week: next is six-week-2 (step 2 of 6, session 1 of 3)``)."""


@dataclass(frozen=True)
class FoundDevice:
    """A treadmill heard by a scan, as the start screen lists it."""

    label: str
    address: str


Starter = Callable[[Choice], Awaitable[Launched]]
"""Starts the session the start screen chose."""
Scanner = Callable[[], Awaitable[list[FoundDevice]]]
"""Lists the treadmills in range."""
Speaker = Callable[[str], Awaitable[None]]
"""Says a sentence out loud (the safety-key confirmation); returns once it was said."""
