"""``retrorun history``: past sessions from the session logs, and what comes next in a plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from pathlib import Path

    from retrorun.recording.history import NextStep, PastSession

DEFAULT_LIMIT = 20
PROFILE_WIDTH = 26
ENDED_WIDTH = 60


@click.command("history")
@click.option(
    "-n",
    "--limit",
    type=click.IntRange(1, 10_000),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="List at most this many sessions (the newest).",
)
@click.option("--all", "show_all", is_flag=True, help="List every session.")
@click.option(
    "--simulated",
    is_flag=True,
    help="Include the simulator's sessions (sessions/simulated/); they count for plans too.",
)
def history(limit: int, show_all: bool, simulated: bool) -> None:  # noqa: FBT001
    """List past sessions, newest first, and which profile is next in each plan.

    Each row: when it started (local time), the profile, active time, distance, the share of
    it run backward, turns and how it ended. A log that cannot be read is named in one line
    (on stderr) and skipped.
    """
    from retrorun.recording.session_log import sessions_dir  # noqa: PLC0415

    folder = sessions_dir()
    sessions, problems = past_sessions(folder, simulated=simulated)
    for problem in problems:
        click.echo(f"retrorun: {problem}", err=True)
    for line in history_lines(sessions, None if show_all else limit, folder):
        click.echo(line)
    for step in plans_next(sessions):
        click.echo(step.describe())


def past_sessions(folder: Path, *, simulated: bool) -> tuple[list[PastSession], list[str]]:
    """The sessions in `folder` (and its ``simulated/`` folder when asked), newest first,
    and a line for each log skipped."""
    from retrorun.recording.history import history as read_history  # noqa: PLC0415

    sessions, problems = read_history(folder)
    if simulated:
        more, more_problems = read_history(folder / "simulated")
        sessions = sorted([*sessions, *more], key=lambda s: s.started_at, reverse=True)
        problems += more_problems
    return sessions, problems


def plans_next(sessions: list[PastSession]) -> list[NextStep]:
    """What comes next in each plan among the profiles, after `sessions`."""
    from retrorun.recording.history import plan_steps, progress  # noqa: PLC0415

    return progress(plan_steps(), sessions)


def _shown(text: str, width: int) -> str:
    """`text` as one bounded line: what a log says is never a terminal escape."""
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= width else text[: width - 1] + "…"


def history_lines(sessions: list[PastSession], limit: int | None, folder: Path) -> list[str]:
    """The table of `sessions` (at most `limit` rows), and a line for those left out."""
    from retrorun.profiles.quantities import format_duration  # noqa: PLC0415

    if not sessions:
        return [f"no sessions yet (logs are kept in {folder})"]
    shown = sessions if limit is None else sessions[:limit]
    lines = [
        (
            f"{'started':<16}  {'profile':<{PROFILE_WIDTH}}{'time':>8}{'distance':>10}"
            f"{'back':>6}{'turns':>6}  ended"
        )
    ]
    for session in shown:
        name = _shown(session.profile_name, PROFILE_WIDTH - 1)
        ended = _shown(session.ended, ENDED_WIDTH)
        lines.append(
            f"{session.started_at.astimezone():%Y-%m-%d %H:%M}  {name:<{PROFILE_WIDTH}}"
            f"{format_duration(session.active_s):>8}{session.distance_m / 1000:>7.2f} km"
            f"{session.backward_share:>6.0%}{session.turns:>6}  {ended}"
        )
    left = len(sessions) - len(shown)
    if left:
        lines.append(f"... {left} older session{'s' if left > 1 else ''} (--all lists them)")
    lines.append("")
    return lines
