"""The app's screens: each composes widgets and turns keys into session commands."""

from retrorun.tui.screens.dialogs import ConfirmQuit, HelpScreen, SafetyKeyScreen
from retrorun.tui.screens.session import SessionScreen
from retrorun.tui.screens.start import StartScreen
from retrorun.tui.screens.summary import SummaryScreen

__all__ = [
    "ConfirmQuit",
    "HelpScreen",
    "SafetyKeyScreen",
    "SessionScreen",
    "StartScreen",
    "SummaryScreen",
]
