"""The whole-workout progress bar and the profile chart, both marking where the runner is."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from retrorun.profiles.chart import render as render_chart

if TYPE_CHECKING:
    from retrorun.profiles.plan import Plan

# Columns the plan chart spends on its speed axis ("  9.0 ┤") before the bars start.
CHART_AXIS_COLUMNS = 7
# Rows under the bars: the time axis, the start/end times and the legend.
CHART_FOOTER_ROWS = 3


def _kind(plan: Plan, t_s: float) -> str:
    for segment in plan.segments:
        if t_s < segment.start_s + segment.estimated_duration_s:
            return "turn" if segment.kind == "turn" else segment.direction
    return "forward"


class WorkoutProgress(Widget):
    """One line: the whole plan, done part solid, each column coloured by its direction,
    a ``┃`` at every change of direction, and the percentage done."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "progress--forward",
        "progress--backward",
        "progress--turn",
    }
    position_s: reactive[float] = reactive(0.0)

    def __init__(self, plan: Plan, *, id: str | None = None) -> None:  # noqa: A002 - textual's name
        super().__init__(id=id)
        self.plan = plan

    def render(self) -> Text:
        total = max(self.plan.total_duration_s, 1e-9)
        done = min(1.0, max(0.0, self.position_s / total))
        width = max(1, self.size.width - 6)
        text = Text()
        previous = ""
        for column in range(width):
            kind = _kind(self.plan, (column + 0.5) * total / width)
            style = self.get_component_rich_style(f"progress--{kind}")
            filled = (column + 0.5) / width <= done
            glyph = "█" if filled else "░"
            if previous and kind != previous and "turn" not in (kind, previous):
                glyph = "┃"
            previous = kind
            text.append(glyph, style=style)
        text.append(f" {done:4.0%}")
        return text


class ProfileChart(Widget):
    """The plan's speed over time (backward bars shaded, turns dotted) with a marker column
    and a ``▲`` under the current position."""

    position_s: reactive[float] = reactive(0.0)

    def __init__(self, plan: Plan, *, id: str | None = None) -> None:  # noqa: A002 - textual's name
        super().__init__(id=id)
        self.plan = plan
        self._cache: tuple[tuple[int, int], list[str]] | None = None

    def _lines(self, width: int, height: int) -> list[str]:
        key = (width, height)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, render_chart(self.plan, width=width, height=height))
        return self._cache[1]

    def render(self) -> Text:
        bars_width = max(10, self.size.width - CHART_AXIS_COLUMNS - 1)
        rows = max(1, self.size.height - CHART_FOOTER_ROWS)
        lines = self._lines(bars_width, rows)
        total = max(self.plan.total_duration_s, 1e-9)
        fraction = min(1.0, max(0.0, self.position_s / total))
        column = CHART_AXIS_COLUMNS + min(bars_width - 1, int(fraction * bars_width))
        text = Text()
        for number, line in enumerate(lines):
            if number:
                text.append("\n")
            if number < rows and column < len(line):
                text.append(line[:column])
                text.append(line[column], style="reverse")
                text.append(line[column + 1 :])
            elif number == rows and column < len(line):
                text.append(line[:column] + "▲" + line[column + 1 :], style="")
            else:
                text.append(line)
        return text
