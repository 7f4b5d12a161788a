"""The help screen (every key) and the quit confirmation."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from retrorun.session import keys
from retrorun.session.keys import SAFETY_KEY_PROMPT

if TYPE_CHECKING:
    from textual.app import ComposeResult


def help_lines() -> list[str]:
    """Every key of the session screen and what it does."""
    return [
        *keys.help_lines(),
        "",
        "Ctrl-C stops at once, Ctrl-Q asks like q. The buttons do the same.",
        "On the summary: x exports a FIT file, q leaves.",
    ]


START_HELP = (
    "  up/down  choose a workout (tab: then a treadmill)",
    "    enter  on a treadmill: start with it",
    "        s  start the highlighted workout on the highlighted treadmill",
    "        r  scan for treadmills again",
    "      q ?  quit / this help",
    "",
    "The session's own keys are listed by ? once it runs.",
)
"""The start screen's keys."""


class HelpScreen(ModalScreen[None]):
    """Lists every key (of the session, or the `lines` given); any of escape, ? or q
    closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "close"),
    ]

    def __init__(self, lines: tuple[str, ...] | None = None) -> None:
        super().__init__()
        self.lines = list(lines) if lines is not None else help_lines()

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Label("Keys", id="help-title")
            yield Static("\n".join(self.lines), id="help-keys")
            yield Button("Close (esc)", action="screen.dismiss", compact=True)


class ConfirmQuit(ModalScreen[bool]):
    """Asks before ending the session; dismisses with True to stop the belt."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,q", "answer(True)", "stop"),
        Binding("n,escape", "answer(False)", "keep running"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Label("Stop the belt and end the session?", id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button("y Stop", action="screen.answer(True)", variant="error", compact=True)
                yield Button("n Keep running", action="screen.answer(False)", compact=True)

    def action_answer(self, stop: bool) -> None:  # noqa: FBT001 - an action's argument
        self.dismiss(stop)


class SafetyKeyScreen(ModalScreen[bool]):
    """Before a session on a real treadmill: dismisses with True once the runner pressed
    Enter with the safety key clipped on, False when they leave (q, Escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "answer(True)", "clipped"),
        Binding("q,escape", "answer(False)", "leave"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="safety-key"):
            yield Label(SAFETY_KEY_PROMPT, id="safety-key-prompt")
            yield Static("The belt does not move before you do. q leaves.", id="safety-key-hint")
            with Horizontal(id="confirm-buttons"):
                yield Button(
                    "Enter Clipped", action="screen.answer(True)", variant="success", compact=True
                )
                yield Button("q Leave", action="screen.answer(False)", compact=True)

    def action_answer(self, clipped: bool) -> None:  # noqa: FBT001 - an action's argument
        self.dismiss(clipped)
