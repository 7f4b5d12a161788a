"""The whole-workout progress bar and the profile chart, both marking where the runner is.

Both take `fraction` (0 to 1, how much of the plan's timeline is behind the runner) and
repaint only when it moves them by a whole column, so the ~4 Hz snapshots cost nothing
between columns. What they draw of the plan is computed once per size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from retrorun.profiles.chart import render as render_chart

if TYPE_CHECKING:
    from retrorun.profiles.plan import Plan
    from retrorun.profiles.words import Units

# Columns the plan chart spends on its speed axis ("  9.0 ┤") before the bars start.
CHART_AXIS_COLUMNS = 7
# Rows under the bars: the time axis, the start/end times and the legend.
CHART_FOOTER_ROWS = 3
# Columns the progress bar leaves for the percentage.
PERCENT_COLUMNS = 5


def column_kinds(plan: Plan, width: int) -> list[str]:
    """``forward`` / ``backward`` / ``turn`` for each of `width` columns of the plan.

    A turn is short next to a workout, so it is not sampled like the rest: the column where
    each turn starts is that turn's, so every turn shows exactly once however coarse the
    bar, and the columns between keep their direction."""
    total = max(plan.total_duration_s, 1e-9)
    kinds: list[str] = []
    segments = plan.segments
    index = 0
    for column in range(width):
        middle = (column + 0.5) * total / width
        while (
            index < len(segments) - 1
            and middle >= segments[index].start_s + segments[index].estimated_duration_s
        ):
            index += 1
        segment = segments[index]
        if segment.kind == "turn":  # the turn's time belongs to the way it leads
            following = segments[index + 1] if index + 1 < len(segments) else segment
            kinds.append(following.direction)
        else:
            kinds.append(segment.direction)
    for segment in segments:
        if segment.kind == "turn":
            kinds[min(width - 1, int(segment.start_s / total * width))] = "turn"
    return kinds


def _column(fraction: float, width: int) -> int:
    return min(width, max(0, round(fraction * width)))


class _PlanWidget(Widget):
    """Shared: the plan, `fraction`, and a repaint only when the column changes."""

    fraction: reactive[float] = reactive(0.0, repaint=False)

    def __init__(self, plan: Plan, *, id: str | None = None) -> None:  # noqa: A002 - textual's name
        super().__init__(id=id)
        self.plan = plan

    def _width(self) -> int:
        raise NotImplementedError

    def watch_fraction(self, old: float, new: float) -> None:
        width = self._width()
        if _column(old, width) != _column(new, width):
            self.refresh()


class WorkoutProgress(_PlanWidget):
    """One line: the whole plan, the done part solid, each column coloured by direction,
    a ``┃`` at every turn, and the percentage done."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "progress--forward",
        "progress--backward",
        "progress--turn",
    }

    def __init__(self, plan: Plan, *, id: str | None = None) -> None:  # noqa: A002 - textual's name
        super().__init__(plan, id=id)
        self._kinds: tuple[int, list[str]] | None = None

    def _width(self) -> int:
        return max(1, self.size.width - PERCENT_COLUMNS)

    def render(self) -> Text:
        width = self._width()
        if self._kinds is None or self._kinds[0] != width:
            self._kinds = (width, column_kinds(self.plan, width))
        kinds = self._kinds[1]
        done = _column(self.fraction, width)
        text = Text()
        styles = {
            kind: self.get_component_rich_style(f"progress--{kind}")
            for kind in ("forward", "backward", "turn")
        }
        for column, kind in enumerate(kinds):
            glyph = "┃" if kind == "turn" else ("█" if column < done else "░")
            text.append(glyph, style=styles[kind])
        text.append(f" {done / width:4.0%}")
        return text


class ProfileChart(_PlanWidget):
    """The plan's speed over time (backward bars shaded, turns dotted) with the current
    column highlighted and a ``▲`` under it."""

    def __init__(
        self,
        plan: Plan,
        *,
        id: str | None = None,  # noqa: A002 - textual's name
        units: Units = "metric",
    ) -> None:
        super().__init__(plan, id=id)
        self.units: Units = units
        self._cache: tuple[tuple[int, int], list[str]] | None = None

    def _width(self) -> int:
        return max(10, self.size.width - CHART_AXIS_COLUMNS - 1)

    def _lines(self, width: int, height: int) -> list[str]:
        key = (width, height)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, render_chart(self.plan, width, height, self.units))
        return self._cache[1]

    def render(self) -> Text:
        bars_width = self._width()
        rows = max(1, self.size.height - CHART_FOOTER_ROWS)
        lines = self._lines(bars_width, rows)
        column = CHART_AXIS_COLUMNS + min(bars_width - 1, _column(self.fraction, bars_width))
        text = Text()
        for number, line in enumerate(lines):
            if number:
                text.append("\n")
            if number < rows and column < len(line):
                text.append(line[:column])
                text.append(line[column], style="reverse")
                text.append(line[column + 1 :])
            elif number == rows and column < len(line):
                text.append(line[:column] + "▲" + line[column + 1 :])
            else:
                text.append(line)
        return text
