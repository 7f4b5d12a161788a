"""One-line and two-line text widgets of the session screen."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StateLine(Widget):
    """The session state across the top, coloured by the ``-<state>`` class."""

    text: reactive[str] = reactive("")
    state: reactive[str] = reactive("connecting")

    def watch_state(self, old: str, new: str) -> None:
        self.remove_class(f"-{old}")
        self.add_class(f"-{new}")

    def on_mount(self) -> None:
        self.add_class(f"-{self.state}")

    def render(self) -> Text:
        return Text(self.text, style="bold")


class CueBanner(Widget):
    """The last cue's words; the ``-flash`` class (set while the cue is fresh) lights it up."""

    text: reactive[str] = reactive("")
    flash: reactive[bool] = reactive(default=False, toggle_class="-flash")

    def render(self) -> Text:
        return Text(self.text, style="bold" if self.flash else "")


class Readouts(Widget):
    """Speed (target and measured, with pace), incline, heart rate, distance, energy and
    what's next."""

    speed: reactive[str] = reactive("")
    incline: reactive[str] = reactive("")
    heart_rate: reactive[str] = reactive("")
    distance: reactive[str] = reactive("")
    energy: reactive[str] = reactive("")
    next_up: reactive[str] = reactive("")

    def render(self) -> Text:
        text = Text()
        text.append("Speed ", style="dim")
        text.append(self.speed, style="bold")
        text.append("   Incline ", style="dim")
        text.append(self.incline, style="bold")
        text.append("\n")
        if self.heart_rate:
            text.append("HR ", style="dim")
            text.append(self.heart_rate, style="bold")
            text.append("   ")
        text.append("Distance ", style="dim")
        text.append(self.distance, style="bold")
        if self.energy:
            text.append("   Energy ", style="dim")
            text.append(self.energy, style="bold")
        text.append("\n")
        text.append(self.next_up, style="bold")
        return text
