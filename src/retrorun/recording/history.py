"""Past sessions, read from the session logs, and where the runner stands in a plan.

`past_session` reads one log into a `PastSession`: a complete log is read from its header
and its closing ``summary`` line alone (a long session costs two lines, not megabytes), an
interrupted one (no summary) from its events. `history` reads a folder of logs, newest
first; a log that cannot be read is named in one line and skipped, never fatal.

`next_step` is pure: given the profiles of a plan (`PlanStep`, from the profiles'
``progression``) and the past sessions, it says which profile comes next: the furthest step
with a finished session, again until it has been finished as many times as it asks
(``sessions``), then the step after it; the first step when none was finished. Sessions
that did not finish (stopped, interrupted) do not count, and going back to an easier step
for a day does not move the runner back in the plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from retrorun.jsontext import MAX_DEPTH, JSONTextError, parse_json
from retrorun.recording.log_reader import (
    MAX_LINE_BYTES,
    MAX_LOG_BYTES,
    MAX_T_S,
    LogError,
    parse_log,
    session_header,
)
from retrorun.userfiles import UnreadableFile, read_bounded

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from retrorun.recording.log_reader import SessionLog


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_DISTANCE_M = 1_000_000.0
"""No session runs a thousand kilometres; a larger distance in a summary is damage."""
MAX_TURNS = 100_000


@dataclass(frozen=True)
class PastSession:
    """One session as the history lists it."""

    path: Path
    started_at: datetime
    profile_name: str
    profile_stem: str
    """The file name (without suffix) of the profile it ran: how plans find their steps."""
    active_s: float
    distance_m: float
    backward_s: float
    turns: int
    ended: str
    """``finished``, ``stopped (stopped by you)``, ``interrupted`` (no summary), ..."""
    finished: bool

    @property
    def backward_share(self) -> float:
        return self.backward_s / self.active_s if self.active_s > 0 else 0.0


@dataclass(frozen=True)
class PlanStep:
    """One profile of a plan: its file name, its step and how often it is run."""

    stem: str
    step: int
    sessions: int = 1


@dataclass(frozen=True)
class NextStep:
    """What comes next in a plan."""

    plan: str
    stem: str | None
    """The profile to run next; None once the plan is done."""
    step: int
    of: int
    done: int
    """Finished sessions of this step so far."""
    sessions: int
    last_run: datetime | None = None
    """When a session of the plan last finished (None: the plan is not started)."""

    def describe(self) -> str:
        """``six-week: next is six-week-2 (step 2 of 6, session 1 of 3)``."""
        if self.stem is None:
            return f"{self.plan}: done (all {self.of} steps finished)"
        if self.last_run is None:
            return f"{self.plan}: not started; the first is {self.stem} (step 1 of {self.of})"
        return (
            f"{self.plan}: next is {self.stem} (step {self.step} of {self.of}, "
            f"session {self.done + 1} of {self.sessions})"
        )


def history(folder: Path) -> tuple[list[PastSession], list[str]]:
    """The sessions logged in `folder` (not its subfolders), newest first, and one line for
    each log that could not be read (skipped)."""
    if not folder.is_dir():
        return [], []
    sessions: list[PastSession] = []
    problems: list[str] = []
    for path in folder.glob("*.jsonl"):
        try:
            sessions.append(past_session(path))
        except LogError as exc:
            problems.append(f"{exc}; skipped")
    sessions.sort(key=lambda s: (s.started_at, s.path.name), reverse=True)
    return sessions, sorted(problems)


def past_session(path: Path) -> PastSession:
    """The session logged at `path`; `LogError` naming the file and line when it is none."""
    try:
        data = read_bounded(path, MAX_LOG_BYTES)
    except UnreadableFile as exc:
        raise LogError(str(exc), source=str(path)) from exc
    lines = [(n, raw) for n, raw in enumerate(data.split(b"\n"), start=1) if raw.strip()]
    if not lines:
        raise LogError("empty file: not a session log", source=str(path), line=1)
    header, started_at = session_header(lines[0][1], str(path), lines[0][0])
    summary = _summary(lines[-1][1]) if len(lines) > 1 else None
    profile = header.get("profile")
    profile = profile if isinstance(profile, dict) else {}
    name = profile.get("name") if isinstance(profile.get("name"), str) else None
    source = profile.get("source") if isinstance(profile.get("source"), str) else None
    stem = PurePath(source).stem if source else ""
    part_way = bool(profile.get("start_at_s"))
    if summary is not None:
        return PastSession(
            path=path,
            started_at=started_at,
            profile_name=name or stem or "retrorun session",
            profile_stem=stem,
            active_s=_number(summary.get("duration_s")),
            distance_m=_number(summary.get("distance_m")),
            backward_s=_number(_part(summary, "backward").get("duration_s")),
            turns=int(_number(summary.get("turns"))),
            ended=_ended(summary) + (" part-way (--start-at)" if part_way else ""),
            # A session started part-way is a try of the plan's end, not a session of it.
            finished=summary.get("outcome") == "finished" and not part_way,
        )
    return _interrupted(parse_log(data, str(path)), stem)


def next_step(plan: str, steps: Sequence[PlanStep], sessions: Iterable[PastSession]) -> NextStep:
    """The next of `steps` (one plan's profiles) after the finished ones of `sessions`
    (newest first)."""
    ordered = sorted(steps, key=lambda s: s.step)
    by_stem = {s.stem: s for s in ordered}
    done = [
        (by_stem[s.profile_stem], s) for s in sessions if s.finished and s.profile_stem in by_stem
    ]
    first = ordered[0]
    if not done:
        return NextStep(plan, first.stem, first.step, len(ordered), 0, first.sessions)
    when = done[0][1].started_at
    highest = max((step for step, _ in done), key=lambda s: s.step)
    count = sum(1 for step, _ in done if step.step == highest.step)
    nxt = highest
    if count >= highest.sessions:
        later = [s for s in ordered if s.step > highest.step]
        if not later:
            return NextStep(plan, None, highest.step, len(ordered), count, highest.sessions, when)
        nxt, count = later[0], 0
    return NextStep(plan, nxt.stem, nxt.step, len(ordered), count, nxt.sessions, when)


def plan_steps(user_folder: Path | None = None) -> dict[str, list[PlanStep]]:
    """The plans among the runner's profiles and the bundled ones (a profile of the runner's
    hides a bundled one of the same name), each with its steps; a profile that does not
    load is left out (``retrorun validate`` says why)."""
    from retrorun.errors import RetrorunError  # noqa: PLC0415
    from retrorun.profiles.library import bundled_dir, profile_files, user_dir  # noqa: PLC0415
    from retrorun.profiles.loader import load_profile  # noqa: PLC0415

    files: dict[str, Path] = {}
    for folder in (bundled_dir(), user_folder or user_dir()):
        files.update({path.stem: path for path in profile_files(folder)})
    plans: dict[str, list[PlanStep]] = {}
    for stem, path in sorted(files.items()):
        try:
            progression = load_profile(path).profile.progression
        except RetrorunError:
            continue
        if progression is not None:
            step = PlanStep(stem, progression.step, progression.sessions)
            plans.setdefault(progression.plan, []).append(step)
    return plans


def progress(
    plans: Mapping[str, Sequence[PlanStep]], sessions: Sequence[PastSession]
) -> list[NextStep]:
    """What comes next in each plan: the plans run most recently first, then the others."""
    nexts = [next_step(name, steps, sessions) for name, steps in plans.items()]
    started = [n for n in nexts if n.last_run is not None]
    started.sort(key=lambda n: n.last_run or EPOCH, reverse=True)
    return started + sorted((n for n in nexts if n.last_run is None), key=lambda n: n.plan)


def _summary(raw: bytes) -> Mapping[str, Any] | None:
    if len(raw) > MAX_LINE_BYTES:
        return None
    try:
        value = parse_json(raw, max_depth=MAX_DEPTH)
    except JSONTextError:
        return None
    if not isinstance(value, dict) or value.get("type") != "summary":
        return None
    # Numbers no session can have are damage: the log is then read from its events.
    backward = _part(value, "backward").get("duration_s", 0.0)
    bounds = (
        (value.get("duration_s"), MAX_T_S),
        (value.get("distance_m"), MAX_DISTANCE_M),
        (value.get("turns"), MAX_TURNS),
        (backward, MAX_T_S),
    )
    if any(not _within(number, limit) for number, limit in bounds):
        return None
    return value


def _within(value: object, limit: float) -> bool:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return ok and 0 <= value <= limit  # type: ignore[operator]


def _number(value: object) -> float:
    return float(value) if _within(value, math.inf) else 0.0  # type: ignore[arg-type]


def _part(summary: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    part = summary.get(name)
    return part if isinstance(part, dict) else {}


def _ended(summary: Mapping[str, Any]) -> str:
    outcome = summary.get("outcome")
    outcome = outcome if isinstance(outcome, str) and outcome else "ended"
    reason = summary.get("reason")
    if isinstance(reason, str) and reason and reason != outcome:
        return f"{outcome} ({reason})"
    return outcome


def _interrupted(log: SessionLog, stem: str) -> PastSession:
    """A log without a summary: its totals from what it recorded."""
    from retrorun.recording.activity import build_activity  # noqa: PLC0415 - rare path

    activity = build_activity(log)
    backward = sum(lap.timer_s for lap in activity.laps if lap.group == "backward")
    return PastSession(
        path=Path(log.source),
        started_at=log.started_at,
        profile_name=log.profile_name,
        profile_stem=stem,
        active_s=activity.timer_s,
        distance_m=activity.distance_m,
        backward_s=backward,
        turns=sum(1 for lap in activity.laps if lap.kind == "turn"),
        ended="interrupted",
        finished=False,
    )
