"""The Textual TUI: what the runner sees (the only package that imports textual).

``RetrorunApp(Launched(handle, report, notice))`` shows a running session; without one it
opens on the start screen and asks its `Starter` to launch the choice. See docs/tui.md.
"""

from retrorun.tui.app import RetrorunApp
from retrorun.tui.ports import (
    SIMULATOR,
    Choice,
    FoundDevice,
    Launched,
    NextInPlan,
    Report,
    Scanner,
    Starter,
)

__all__ = [
    "SIMULATOR",
    "Choice",
    "FoundDevice",
    "Launched",
    "NextInPlan",
    "Report",
    "RetrorunApp",
    "Scanner",
    "Starter",
]
