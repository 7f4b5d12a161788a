"""Steps that end on a heart rate: the rule on its own, then in the engine with a simulated
runner's heart rate, and `run` without any heart-rate source."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from retrorun.profiles.timeline import UntilHold
from retrorun.session.conditions import JUDGED_FROM_S, UntilWatch
from retrorun.session.inputs import HeartRateReading
from tests.session.belt import Drive
from tests.session.test_engine import plan_of, until_log

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

ABOVE_150 = UntilHold(150, above=True)


@pytest.mark.parametrize(
    ("until", "bpm", "verdict"),
    [
        (ABOVE_150, 150, "waiting"),  # at the value is not above it
        (ABOVE_150, 151, "met"),
        (UntilHold(120, above=False), 120, "waiting"),
        (UntilHold(120, above=False), 119, "met"),
        (ABOVE_150, None, "no_heart_rate"),
    ],
)
def test_the_condition(until: UntilHold, bpm: int | None, verdict: str) -> None:
    assert UntilWatch().judge(until, bpm, JUDGED_FROM_S) == verdict


def test_no_heart_rate_is_told_once_per_step() -> None:
    watch = UntilWatch()
    verdicts = [watch.judge(ABOVE_150, bpm, 10.0) for bpm in (None, None, 140, None, 151)]
    assert verdicts == ["no_heart_rate", "waiting", "waiting", "waiting", "met"]


def test_nothing_is_judged_in_the_first_seconds_of_a_step() -> None:
    watch = UntilWatch()
    assert watch.judge(ABOVE_150, 170, JUDGED_FROM_S - 1.0) == "waiting"
    assert watch.judge(ABOVE_150, None, JUDGED_FROM_S - 1.0) == "waiting"
    assert watch.judge(ABOVE_150, 170, JUDGED_FROM_S) == "met"


BUILD_THEN_BACKWARD = """
name: build
steps:
  - {duration: 2m, speed: 6}
  - {duration: 10m, speed: 9, until_heart_rate: {above: 150}, label: build}
  - {direction: backward, duration: 3m, speed: 4, until_heart_rate: {below: 120}}
  - {duration: 2m, speed: 6}
"""


def _step_times(drive: Drive) -> dict[int, float]:
    return {int(e.fields["index"]): e.t for e in drive.log("segment")}


def test_a_rising_heart_rate_ends_the_step_early_and_the_turn_runs_as_always() -> None:
    drive = Drive.start(plan_of(BUILD_THEN_BACKWARD))
    drive.belt.heart_rate_bpm = 130
    until_log(drive, "segment", 2)  # the build step
    started = drive.now
    drive.run_until(started + 90.0)
    assert len(drive.log("segment")) == 2  # 130 bpm: it goes on
    drive.belt.heart_rate_bpm = 155  # the runner's heart rate rose
    until_log(drive, "segment", 3)
    assert drive.now - started < 95.0  # ended at the next reading, not after 10 min
    (met,) = drive.log("condition")
    assert met.fields == {"outcome": "met", "until": {"above": 150}, "heart_rate_bpm": 155}
    texts = [str(c.fields["text"]) for c in drive.cues("text")]
    assert "Until your heart rate is above 150, at most 10 minutes." in texts
    assert "Heart rate 155, above 150: step over." in texts
    # The next segment is the turn: slowed to turn speed, the runner turns in its window.
    turn = drive.log("segment")[-1]
    assert (turn.fields["kind"], turn.fields["direction"]) == ("turn", "backward")
    drive.belt.heart_rate_bpm = 140  # not below 120: the backward step runs its 3 minutes
    drive.run_to_end()
    times = _step_times(drive)
    phases = [
        (e.fields["phase"], e.fields["facing"])
        for e in drive.log("phase")
        if met.t <= e.t < times[3]
    ]
    # Slowed facing forward, turned in the window, settled: the turn as a skip runs it.
    assert phases == [("approach", "forward"), ("turn_window", "backward"), ("settle", "backward")]
    approach = [s.send.value for s in drive.commands("speed") if met.t <= s.t < times[3]]
    assert approach == [2.5]  # the turn speed, before anyone turns
    assert times[3] - times[2] >= 10.0 + 5.0  # the window and the settle, in full
    assert times[4] - times[3] >= 180.0
    outcomes = [e.fields["outcome"] for e in drive.log("condition")]
    assert outcomes == ["met", "duration"]


def test_a_stale_heart_rate_never_ends_the_step() -> None:
    # A strap at 100 bpm (below 120) during the first step, silent from 10 s before the
    # backward step: its last reading would end that step at once if it were acted on.
    drive = Drive.start(plan_of(BUILD_THEN_BACKWARD))
    drive.belt.heart_rate_bpm = None
    until_log(drive, "segment", 2)
    build_started = drive.now
    while drive.now < build_started + 100.0:
        drive.feed(HeartRateReading(140))  # fresh, not above 150: the build goes on
        drive.run_until(drive.now + 1.0)
    until_log(drive, "segment", 3)  # the strap went silent: the build runs its 10 min
    assert drive.now - build_started >= 600.0
    until_log(drive, "segment", 4)
    backward_started = drive.now
    until_log(drive, "segment", 5)
    assert drive.now - backward_started >= 180.0
    said = [str(c.fields["text"]) for c in drive.cues("text")]
    no_heart_rate = [text for text in said if text.startswith("No heart rate: this step runs")]
    assert len(no_heart_rate) == 2  # once per step, not at every reading
    outcomes = [e.fields["outcome"] for e in drive.log("condition")]
    assert outcomes == ["no_heart_rate", "duration", "no_heart_rate", "duration"]


def test_a_stale_reading_below_the_value_does_not_end_a_recovery_step() -> None:
    drive = Drive.start(plan_of(BUILD_THEN_BACKWARD))
    drive.belt.heart_rate_bpm = 160  # the build ends at once (above 150)
    until_log(drive, "segment", 3)
    drive.belt.heart_rate_bpm = None
    for _ in range(5):
        drive.feed(HeartRateReading(100))  # below 120, then nothing for the whole turn
        drive.run_until(drive.now + 1.0)
    until_log(drive, "segment", 4)
    started = drive.now
    until_log(drive, "segment", 5)
    assert drive.now - started >= 180.0
    assert drive.log("condition")[-1].fields["outcome"] == "duration"


def test_a_skip_is_logged_as_a_skip() -> None:
    from retrorun.session.api import CommandKind, UserCommand  # noqa: PLC0415

    drive = Drive.start(plan_of(BUILD_THEN_BACKWARD))
    drive.belt.heart_rate_bpm = 130
    until_log(drive, "segment", 2)
    drive.run_until(drive.now + 30.0)
    assert drive.command(UserCommand(CommandKind.SKIP, source="test")).accepted
    assert drive.log("condition")[-1].fields == {"outcome": "skipped", "until": {"above": 150}}


def test_run_without_a_strap_says_so_in_one_line(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    profile = tmp_path / "build.yaml"
    profile.write_text(BUILD_THEN_BACKWARD, encoding="utf-8")
    log = tmp_path / "s.jsonl"
    result = cli("run", str(profile), "--sim", "--headless", "--fast", "--log", str(log))
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "until_heart_rate" in line]
    assert notes == [
        (
            f"retrorun: note: {profile}:5 steps[1].until_heart_rate: this step ends on a heart "
            "rate, but no strap is named (--hr, or [heart_rate] device in the config): unless "
            "the treadmill relays a heart rate, it runs to its duration"
        )
    ]
    with_strap = cli(
        "run", str(profile), "--sim", "--headless", "--fast", "--hr", "Strap", "--no-log"
    )
    assert with_strap.exit_code == 0, with_strap.stderr
    assert "until_heart_rate" not in with_strap.stderr


BACKWARD_UNTIL_THEN_FORWARD = """
name: backward until
steps:
  - {duration: 1m, speed: 6}
  - {direction: backward, duration: 2m, speed: 2.5, until_heart_rate: {above: 80}}
  - {duration: 1m, speed: 5}
"""


def test_a_turn_reached_sooner_is_announced_as_far_ahead_as_a_planned_one() -> None:
    # The backward walk is already at turn speed: before, "Forward in 1 second" and "Turn
    # around now" came within two seconds of the step ending on the heart rate.
    plan = plan_of(BACKWARD_UNTIL_THEN_FORWARD)
    drive = Drive.start(plan)
    drive.belt.heart_rate_bpm = 70
    until_log(drive, "segment", 3)  # the backward walk
    drive.run_until(drive.now + 30.0)
    drive.belt.heart_rate_bpm = 95
    until_log(drive, "segment", 4)  # the turn to forward
    drive.run_to_end()
    (met,) = [e for e in drive.log("condition") if e.fields["outcome"] == "met"]
    warning = next(c for c in drive.cues("turn_warning") if c.t >= met.t)
    turn_now = next(c for c in drive.cues("turn_now") if c.t >= met.t)
    assert turn_now.t - warning.t >= plan.limits.turn_warning_s
    assert str(warning.fields["text"]).startswith("Forward in 10 seconds")
