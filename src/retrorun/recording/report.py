"""A finished session's log, as the summary screen wants it: summary text and FIT export.

`LogReport` waits for the log writer to finish (the summary line is the last one written)
before reading the log, so the summary always includes the end of the session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrorun.errors import InputError
from retrorun.recording.fit_activity import export_fit
from retrorun.recording.log_reader import read_log
from retrorun.recording.summary import render_summary, summarize

if TYPE_CHECKING:
    from collections.abc import Awaitable
    from pathlib import Path

    from retrorun.profiles.words import Units


class LogReport:
    """The log at `log_path`, complete once `written` (the writer's task) is done."""

    def __init__(
        self, log_path: Path, written: Awaitable[object] | None = None, units: Units = "metric"
    ) -> None:
        self.units = units
        self._path = log_path
        self._written = written

    @property
    def log_path(self) -> Path:
        return self._path

    async def _complete(self) -> None:
        if self._written is not None:
            await self._written
            self._written = None

    async def summary_lines(self, width: int) -> list[str]:
        """`render_summary` of the log, with its chart `width` columns wide."""
        await self._complete()
        return render_summary(summarize(read_log(self._path)), width, self.units)

    async def export_fit(self) -> Path:
        """Write ``<log>.fit`` (local time offset of the session's start) and return it."""
        await self._complete()
        log = read_log(self._path)
        offset = log.started_at.astimezone().utcoffset()
        output = self._path.with_suffix(".fit")
        try:
            local = round(offset.total_seconds()) if offset else 0
            output.write_bytes(export_fit(log, local, units=self.units))
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror}", location=str(output)) from exc
        return output
