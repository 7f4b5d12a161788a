"""``retrorun history``: past sessions from real session logs, and the plan's next step."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from retrorun.recording.history import PastSession, PlanStep, next_step, plan_steps

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import CliResult

DAY1 = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Real logs from the simulator: week 1 finished, week 2 ended by the safety key."""
    from retrorun.cli import run  # noqa: PLC0415

    folder = tmp_path_factory.mktemp("logs")
    made = {}
    for name, args in (
        ("week-1", ("six-week-1",)),
        ("week-2-key", ("six-week-2", "--sim-fault", "safety-key@300")),
    ):
        path = folder / f"{name}.jsonl"
        with pytest.raises(SystemExit):
            run(["run", *args, "--sim", "--fast", "--log", str(path)])
        made[name] = path.read_bytes()
    return made


@pytest.fixture
def sessions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    folder = tmp_path / "retrorun" / "sessions"
    folder.mkdir(parents=True)
    return folder


def local(moment: datetime) -> str:
    """How the history shows a start time: the runner's local time."""
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


def place(folder: Path, log: bytes, when: datetime, name: str) -> Path:
    """`log` as if it had started at `when`, saved in `folder`."""
    first, rest = log.split(b"\n", 1)
    header = json.loads(first)
    header["started_at"] = when.isoformat()
    path = folder / f"{when:%Y-%m-%dT%H-%M-%S}-{name}.jsonl"
    path.write_bytes(json.dumps(header).encode() + b"\n" + rest)
    return path


def test_sessions_are_listed_newest_first_with_their_totals(
    logs: dict[str, bytes], sessions: Path, cli: Callable[..., CliResult]
) -> None:
    place(sessions, logs["week-1"], DAY1, "w1")
    place(sessions, logs["week-2-key"], DAY1 + timedelta(days=2), "w2")
    result = cli("history")
    assert result.exit_code == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[0].split() == [
        "started", "profile", "time", "distance", "back", "turns", "ended"
    ]  # fmt: skip
    assert rows[1].startswith(f"{local(DAY1 + timedelta(days=2))}  Six-week plan, week 2")
    assert rows[1].endswith("interrupted (safety key pulled)")
    assert rows[2].startswith(f"{local(DAY1)}  Six-week plan, week 1")
    # 24:17 active, 3 minutes of it backward (six bouts of 30 s), 12 turns.
    assert rows[2].split()[-6:] == ["24:17", "1.67", "km", "12%", "12", "finished"]


def test_a_corrupt_log_is_named_in_one_line_and_skipped(
    logs: dict[str, bytes], sessions: Path, cli: Callable[..., CliResult]
) -> None:
    place(sessions, logs["week-1"], DAY1, "w1")
    (sessions / "broken.jsonl").write_bytes(b"\x00\x01 not a log\n")
    result = cli("history")
    assert result.exit_code == 0
    assert result.stderr.count("\n") == 1
    assert str(sessions / "broken.jsonl") + ":1" in result.stderr
    assert "skipped" in result.stderr
    assert "Six-week plan, week 1" in result.stdout


def test_hostile_files_among_the_logs_are_each_named_once_and_the_output_stays_bounded(
    logs: dict[str, bytes], sessions: Path, cli: Callable[..., CliResult]
) -> None:
    header = logs["week-1"].split(b"\n", 1)[0]
    huge = b'{"t": 1, "type": "summary", "outcome": "finished", "duration_s": 1e308, '
    huge += b'"distance_m": 1e308, "turns": 1e300, "backward": {"duration_s": 1e308}}'
    (sessions / "huge.jsonl").write_bytes(header + b"\n" + huge + b"\n")
    escape = logs["week-2-key"].replace(b"safety key pulled", b"\\u001b[2J" + b"x" * 5000)
    place(sessions, escape, DAY1 + timedelta(days=1), "escape")
    os.mkfifo(sessions / "pipe.jsonl")
    (sessions / "folder.jsonl").mkdir()
    place(sessions, logs["week-1"], DAY1, "w1")
    result = cli("history")
    assert result.exit_code == 0
    problems = result.stderr.splitlines()
    assert len(problems) == 3
    assert all(line.endswith("; skipped") for line in problems)
    assert "pipe.jsonl: not a regular file (a pipe)" in result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) < 160
    assert "\x1b" not in result.stdout


def test_a_log_cut_short_counts_as_interrupted(
    logs: dict[str, bytes], sessions: Path, cli: Callable[..., CliResult]
) -> None:
    # kill -9 mid-session: no summary, the last line cut part-way.
    path = place(sessions, logs["week-1"], DAY1, "w1")
    path.write_bytes(path.read_bytes()[:40_000])
    result = cli("history")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].endswith("interrupted")


def test_the_output_is_bounded_and_simulated_sessions_are_left_out_unless_asked(
    logs: dict[str, bytes], sessions: Path, cli: Callable[..., CliResult]
) -> None:
    for day in range(5):
        place(sessions, logs["week-1"], DAY1 + timedelta(days=day), f"w{day}")
    (sessions / "simulated").mkdir()
    place(sessions / "simulated", logs["week-2-key"], DAY1 + timedelta(days=9), "sim")
    result = cli("history", "--limit", "2")
    assert len([r for r in result.stdout.splitlines() if r.startswith("2026-")]) == 2
    assert "... 3 older sessions (--all lists them)" in result.stdout
    assert "week 2" not in result.stdout
    everything = cli("history", "--all", "--simulated")
    newest = everything.stdout.splitlines()[1]
    assert newest.startswith(f"{local(DAY1 + timedelta(days=9))}  Six-week plan, week 2")
    assert len([r for r in everything.stdout.splitlines() if r.startswith("2026-")]) == 6


def test_history_says_which_week_of_the_six_week_plan_is_next(
    logs: dict[str, bytes], sessions: Path, cli: Callable[..., CliResult]
) -> None:
    assert cli("history").stdout.splitlines()[-1] == (
        "six-week: not started; the first is six-week-1 (step 1 of 6)"
    )
    for day in range(2):
        place(sessions, logs["week-1"], DAY1 + timedelta(days=day), f"w{day}")
    assert cli("history").stdout.splitlines()[-1] == (
        "six-week: next is six-week-1 (step 1 of 6, session 3 of 3)"
    )
    place(sessions, logs["week-1"], DAY1 + timedelta(days=3), "w3")
    # A session ended by the safety key is not a finished week-2 session.
    place(sessions, logs["week-2-key"], DAY1 + timedelta(days=4), "w4")
    assert cli("history").stdout.splitlines()[-1] == (
        "six-week: next is six-week-2 (step 2 of 6, session 1 of 3)"
    )


def test_a_session_started_part_way_is_no_session_of_the_plan(
    logs: dict[str, bytes], sessions: Path, cli: Callable[..., CliResult]
) -> None:
    header, rest = logs["week-1"].split(b"\n", 1)
    parsed = json.loads(header)
    parsed["profile"]["start_at_s"] = 1200
    part_way = json.dumps(parsed).encode() + b"\n" + rest
    for day in range(3):
        place(sessions, part_way, DAY1 + timedelta(days=day), f"w{day}")
    result = cli("history")
    assert result.stdout.splitlines()[1].endswith("finished part-way (--start-at)")
    assert result.stdout.splitlines()[-1].startswith("six-week: not started")


def test_the_bundled_six_week_plan_has_six_steps_of_three_sessions(tmp_path: Path) -> None:
    plans = plan_steps(tmp_path)
    assert [(s.stem, s.step, s.sessions) for s in plans["six-week"]] == [
        (f"six-week-{n}", n, 3) for n in range(1, 7)
    ]


def _finished(stem: str, day: int, *, finished: bool = True) -> PastSession:
    return PastSession(
        path=Path(f"{stem}.jsonl"),
        started_at=DAY1 + timedelta(days=day),
        profile_name=stem,
        profile_stem=stem,
        active_s=60.0,
        distance_m=100.0,
        backward_s=30.0,
        turns=2,
        ended="finished" if finished else "stopped",
        finished=finished,
    )


STEPS = [PlanStep("p-1", 1, 2), PlanStep("p-2", 2, 1), PlanStep("p-3", 3, 1)]


@pytest.mark.parametrize(
    ("ran", "expected"),
    [
        ([], "plan: not started; the first is p-1 (step 1 of 3)"),
        ([("p-1", True)], "plan: next is p-1 (step 1 of 3, session 2 of 2)"),
        ([("p-1", True), ("p-1", True)], "plan: next is p-2 (step 2 of 3, session 1 of 1)"),
        ([("p-1", True), ("p-2", False)], "plan: next is p-1 (step 1 of 3, session 2 of 2)"),
        # Going back to an easier step for a day does not move the runner back in the plan.
        (
            [("p-1", True), ("p-1", True), ("p-2", True), ("p-1", True)],
            "plan: next is p-3 (step 3 of 3, session 1 of 1)",
        ),
        (
            [("p-1", True), ("p-1", True), ("p-2", True), ("p-3", True)],
            "plan: done (all 3 steps finished)",
        ),
        ([("other", True)], "plan: not started; the first is p-1 (step 1 of 3)"),
    ],
)
def test_the_next_step_follows_the_latest_finished_session(
    ran: list[tuple[str, bool]], expected: str
) -> None:
    past = [_finished(stem, day, finished=ok) for day, (stem, ok) in enumerate(ran)]
    assert next_step("plan", STEPS, list(reversed(past))).describe() == expected
