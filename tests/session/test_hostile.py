"""``retrorun run`` on simulated treadmills that do not do what they acknowledge.

Each row is a real machine (docs/simulator.md, notes on real treadmills): the session must
either finish over a belt that really did the workout, or stop with the right reason, and
its log must pass the independent auditor (`retrorun audit`) either way. Nobody can resume
(stdin is not a terminal), so a session that would pause for the runner ends instead.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from retrorun.recording.audit import audit
from retrorun.recording.log_reader import read_log
from tests.session.logcheck import check_log

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

# preset, extra options, profile, exit code, words in the reason (None: finished)
CASES = [
    ("ignores-speed", (), "one-minute-alternation", 3, "the belt did not follow"),
    ("mph-commands", (), "one-minute-alternation", 3, "--mph-commands"),
    ("mph-commands", ("--mph-commands",), "one-minute-alternation", 0, None),
    # mph both ways: the speed reads right, the distance counter gives it away.
    ("mph", (), "one-minute-alternation", 3, "--mph-in-kmh-fields"),
    ("mph", ("--mph-in-kmh-fields",), "one-minute-alternation", 0, None),
    ("ignores-stop", (), "first-backward-walk", 1, "not measured at rest"),
    ("slow-stop", (), "first-backward-walk", 0, None),
    ("silent-stop", ("--sim-fault", "console-stop@200"), "one-minute-alternation", 3, "stopped"),
    ("pause-creeps", (), "first-backward-walk", 0, None),
    ("resume-at-minimum", (), "first-backward-walk", 0, None),
    ("no-data", (), "first-backward-walk", 1, "start the belt on its console"),
    ("console-start", (), "first-backward-walk", 3, "press Start on its console"),
    ("floor-2mph", (), "backward-hill-repeats", 0, None),
    ("slow-incline", (), "backward-hill-repeats", 0, None),
    ("rejects-incline", (), "backward-hill-repeats", 3, "the deck did not reach"),
    ("start-toggles", (), "first-backward-walk", 0, None),
]


@pytest.mark.parametrize(
    ("preset", "extra", "profile", "code", "words"),
    CASES,
    ids=[" ".join((c[0], *c[1])) for c in CASES],
)
def test_a_misbehaving_treadmill_never_gets_a_false_success(
    cli: Callable[..., CliResult],
    tmp_path: Path,
    preset: str,
    extra: tuple[str, ...],
    profile: str,
    code: int,
    words: str | None,
) -> None:
    log = tmp_path / "session.jsonl"
    result = cli(
        "run", profile, "--sim", "--sim-preset", preset, *extra, "--headless", "--fast",
        "--log", str(log),
    )  # fmt: skip
    assert result.exit_code == code, result.stdout[-1500:]
    lines = check_log(log)
    summary = lines[-1]
    if words is None:
        assert summary["outcome"] == "finished"
    else:
        assert summary["outcome"] != "finished"
        assert words in summary["reason"]
    if any(line["type"] == "telemetry" for line in lines):  # else there is nothing to audit
        violations = audit(read_log(log))
        assert violations == [], [v.message for v in violations]


def test_a_belt_that_ignores_speed_is_caught_within_seconds_not_after_the_workout(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    log = tmp_path / "session.jsonl"
    cli(
        "run", "one-minute-alternation", "--sim", "--sim-preset", "ignores-speed",
        "--headless", "--fast", "--log", str(log),
    )  # fmt: skip
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    first_speed = next(
        line["t"] for line in lines if "speed_kmh" in line and line["type"] == "command"
    )
    alarm = next(line for line in lines if line.get("kind") == "alarm")
    assert alarm["t"] - first_speed < 15.0
    assert "does not follow" in alarm["text"]
