"""The huge direction indicator: an arrow and FORWARD / BACKWARD / TURN in block letters."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from retrorun.tui.bigtext import ARROWS, big_word

KINDS = ("forward", "backward", "turn", "idle")


class DirectionIndicator(Widget):
    """Shows `word` in block letters beside the arrow for `kind`, and `detail` under them.

    The colour comes from the ``-forward`` / ``-backward`` / ``-turn`` / ``-idle`` class
    (styles in the app's .tcss), so it follows the terminal theme.
    """

    word: reactive[str] = reactive("")
    detail: reactive[str] = reactive("")
    kind: reactive[str] = reactive("idle")

    def watch_kind(self, old: str, new: str) -> None:
        self.remove_class(f"-{old}")
        self.add_class(f"-{new}")

    def on_mount(self) -> None:
        self.add_class(f"-{self.kind}")

    def render(self) -> Text:
        arrow = ARROWS.get(self.kind, ARROWS["idle"])
        rows = big_word(self.word)
        lines = [f"{arrow[row]} {rows[row]}" for row in range(3)]
        text = Text("\n".join(lines), style="bold")
        text.append("\n" + self.detail)
        return text
