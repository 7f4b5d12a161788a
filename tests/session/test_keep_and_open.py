"""Keep and open steps in a session: the belt keeps what it runs; an open step ends on skip
(the lap button), or at its maximum when nobody presses it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrorun.session.api import CommandKind, UserCommand
from tests.recording.garmin import decode
from tests.session.belt import Drive
from tests.session.test_engine import plan_of, until_log

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

KEEP_OPEN = """
name: keep and open
steps:
  - {duration: 2m, speed: 8}
  - {duration: 5m, keep_speed: true, open: true, label: easy until warm}
  - {duration: 1m, speed: 10}
"""


def test_keep_speed_keeps_a_nudged_speed_and_sends_nothing() -> None:
    drive = Drive.start(plan_of(KEEP_OPEN))
    until_log(drive, "segment", 1)
    drive.run_until(drive.now + 30.0)
    drive.command(UserCommand(CommandKind.SPEED, amount=1.0, source="test"))
    until_log(drive, "segment", 2)
    started = drive.now
    drive.run_until(started + 60.0)
    assert [s.send.value for s in drive.commands("speed") if s.t >= started] == []
    assert drive.snapshot().target_speed_kmh == 9.0
    assert drive.snapshot().segment_label == "easy until warm"


def test_an_open_step_ends_on_skip() -> None:
    drive = Drive.start(plan_of(KEEP_OPEN))
    until_log(drive, "segment", 2)
    started = drive.now
    texts = [str(c.fields["text"]) for c in drive.cues("text")]
    assert "Press skip, the lap button, when you are ready to go on" in texts
    drive.run_until(started + 45.0)
    answer = drive.command(UserCommand(CommandKind.SKIP, source="test"))
    assert answer.accepted
    assert drive.log("segment")[-1].fields["index"] == 2
    assert drive.log("segment")[-1].t < started + 46.0


def test_an_open_step_nobody_ends_stops_at_its_maximum() -> None:
    drive = Drive.start(plan_of(KEEP_OPEN))
    until_log(drive, "segment", 2)
    started = drive.now
    until_log(drive, "segment", 3)
    assert drive.now - started <= 5 * 60 + 1.0


def test_plan_shows_keep_and_open_steps(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    profile = tmp_path / "keep.yaml"
    profile.write_text(KEEP_OPEN, encoding="utf-8")
    result = cli("plan", str(profile), "--config", str(tmp_path / "absent.toml"))
    assert result.exit_code == 2  # a named config file must exist
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    result = cli("plan", str(profile), "--config", str(config))
    assert result.exit_code == 0, result.stderr
    row = result.stdout.splitlines()[3]
    assert "≤5:00" in row
    assert " keep " in row
    assert "easy until warm (until skip/lap)" in row


def test_a_keep_step_is_exported_as_a_step_without_a_target_not_a_fixed_speed(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """A watch running the export keeps the belt's speed and waits for the lap button."""
    profile = tmp_path / "keep.yaml"
    profile.write_text(KEEP_OPEN, encoding="utf-8")
    out = tmp_path / "keep.fit"
    result = cli("workout", str(profile), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    steps = decode(out.read_bytes())["workout_step_mesgs"]
    kept = steps[1]
    assert kept["wkt_step_name"] == "FORWARD easy until warm"
    assert kept["target_type"] == "open"
    assert kept["duration_type"] == "open"
    assert "custom_target_speed_low" not in kept
    assert "at most" in kept["notes"]
