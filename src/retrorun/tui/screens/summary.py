"""The summary at the end: totals per direction, speed and heart rate over the session,
where the log is, and the FIT export."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Label, Static

from retrorun.errors import RetrorunError
from retrorun.profiles.words import total_distance_text
from retrorun.session.energy import energy_text
from retrorun.tui.text import clock_text, path_text

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from retrorun.profiles.words import Units
    from retrorun.session.api import SessionEnded
    from retrorun.tui.ports import Report

# Columns the summary's chart cannot use: its speed axis (7), the padding (2) and the
# scroll bar (2), and one to spare, so it never wraps.
_CHART_MARGIN = 12


class SummaryScreen(Screen[None]):
    """Shows how the session ended; with a `Report`, its full summary and an export key."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "leave", "leave"),
        Binding("x", "export", "export FIT"),
    ]

    def __init__(self, ended: SessionEnded, report: Report | None, units: Units = "metric") -> None:
        super().__init__()
        self.units: Units = units
        self.ended = ended
        self.report = report
        self.exported: str | None = None

    def compose(self) -> ComposeResult:
        totals = self.ended.totals
        yield Label(f"● {self.ended.outcome.upper()}  {self.ended.reason}", id="summary-title")
        lines = [
            f"{'':9}{'time':>8}{'distance':>11}",
            *(
                f"{name:<9}{clock_text(part.duration_s):>8}"
                f"{total_distance_text(part.distance_m, self.units):>11}"
                for name, part in (
                    ("forward", totals.forward),
                    ("backward", totals.backward),
                    ("turns", totals.turn),
                )
            ),
            (
                f"{'total':<9}{clock_text(totals.duration_s):>8}"
                f"{total_distance_text(totals.distance_m, self.units):>11}   {totals.turns} turn"
                f"{'' if totals.turns == 1 else 's'}"
            ),
            f"{'energy':<9}{energy_text(totals.energy_kcal, totals.energy_source):>19}",
        ]
        with VerticalScroll(id="summary-body"):
            yield Static("\n".join(lines), id="summary-totals")
            yield Static("", id="summary-report")
        log = f"log: {path_text(self.report.log_path)}" if self.report else "no session log"
        yield Label(log, id="summary-log")
        with Horizontal(id="buttons"):
            if self.report is not None:
                yield Button("x Export FIT", action="screen.export", compact=True)
            yield Button("q Leave", action="screen.leave", compact=True)

    def on_mount(self) -> None:
        if self.report is not None:
            self.run_worker(self._load(self.report), exclusive=True, group="report")

    async def _load(self, report: Report) -> None:
        width = max(20, self.size.width - _CHART_MARGIN)
        try:
            lines = await report.summary_lines(width)
        except RetrorunError as exc:
            lines = [f"no summary from the log: {exc}"]
        else:
            # The log's summary has these totals and more: show them once.
            self.query_one("#summary-totals", Static).display = False
        self.query_one("#summary-report", Static).update("\n".join(lines))

    async def action_export(self) -> None:
        if self.report is None:
            return
        try:
            path = await self.report.export_fit()
        except RetrorunError as exc:
            self.exported = f"export failed: {exc}"
        else:
            self.exported = f"FIT written: {path_text(path)}"
        self.query_one("#summary-log", Label).update(self.exported)

    def action_leave(self) -> None:
        self.app.exit()
