"""Repeat blocks that end on a heart rate: judged at the end of each round on a fresh heart
rate, on the manual clock with a runner whose heart rate follows the effort; the rounds
skipped, the turn after the block run in full, and the log clean by the independent audit."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from retrorun.profiles.timeline import RoundEnd, UntilHold
from retrorun.recording.audit import audit
from retrorun.recording.log_reader import read_log
from retrorun.recording.session_log import SessionLogWriter
from retrorun.session.api import SessionStarted
from retrorun.session.conditions import judge_rounds
from retrorun.session.runner import limits_json
from tests.session.belt import Drive, FakeBelt
from tests.session.logcheck import check_log
from tests.session.test_engine import plan_of, until_log

if TYPE_CHECKING:
    from collections.abc import Callable

    from retrorun.device import Telemetry
    from tests.conftest import CliResult

ABOVE_150 = UntilHold(150, above=True)


@dataclass
class EffortBelt(FakeBelt):
    """A runner on the belt whose heart rate follows the effort: it settles towards 60 bpm
    plus 9 bpm per km/h (backward counts 1.6 times: it is harder), with a lag of 60 s."""

    heart: float = 70.0
    facing_backward: bool = False

    def sample(self, now: float) -> Telemetry:
        effort = self.speed_kmh * (1.6 if self.facing_backward else 1.0)
        self.heart += (60.0 + 9.0 * effort - self.heart) / 60.0
        self.heart_rate_bpm = round(self.heart)
        return super().sample(now)


def _drive(text: str) -> Drive:
    """A session of `text` on an `EffortBelt` that knows which way the runner faces."""
    return Drive.start(plan_of(text), belt=EffortBelt())


def _run(drive: Drive) -> None:
    belt = drive.belt
    assert isinstance(belt, EffortBelt)
    while drive.engine.ended is None and drive.now < 10_000:
        belt.facing_backward = drive.engine.facing == "backward"
        drive.run_until(drive.now + 1.0)


def _audited(drive: Drive) -> list[str]:
    """The session log as written, checked by the log checker and the auditor."""
    plan = drive.engine.plan
    with tempfile.TemporaryDirectory() as folder:
        writer = SessionLogWriter(Path(folder) / "session.jsonl")
        header = SessionStarted("2026-11-21T06:00:00Z", {"name": plan.name}, {"name": "fake"})
        writer.write(replace(header, limits=limits_json(plan.limits)))
        for event in drive.events:
            writer.write(event)
        writer.close()
        check_log(writer.path)
        return [f"{v.t:.1f} {v.rule}: {v.message}" for v in audit(read_log(writer.path))]


def _end(round_no: int, times: int = 4) -> RoundEnd:
    return RoundEnd(ABOVE_150, round_no, times, 99, "steps[1].repeat")


def test_the_rule_at_the_end_of_a_round() -> None:
    verdicts = [v.outcome for v in judge_rounds((_end(2),), 151)]
    assert verdicts == ["met"]
    assert [v.outcome for v in judge_rounds((_end(2),), 150)] == ["not_met"]
    assert [v.outcome for v in judge_rounds((_end(2),), None)] == ["no_heart_rate"]
    # The last round is not judged: the block is over anyway.
    assert [v.outcome for v in judge_rounds((_end(4),), 170)] == ["rounds"]
    # An outer block met ends the inner one with it: the inner is not judged.
    inner = RoundEnd(UntilHold(120, above=False), 1, 3, 50, "steps[1].repeat.steps[0].repeat")
    assert [v.outcome for v in judge_rounds((_end(2), inner), 151)] == ["met"]
    assert [v.outcome for v in judge_rounds((_end(2), inner), 110)] == ["not_met", "met"]


BACKWARD_ROUNDS = """
name: backward until warm
steps:
  - {duration: 2m, speed: 6}
  - repeat:
      times: 6
      until_heart_rate: {above: 125}
      steps:
        - {direction: backward, duration: 1m, speed: 5}
  - {duration: 2m, speed: 6}
"""


def test_a_backward_round_ending_the_block_turns_before_the_forward_step() -> None:
    plan = plan_of(BACKWARD_ROUNDS)
    # All six rounds are planned, back to back without turns; the turn to forward is after
    # the sixth.
    kinds = [(seg.kind, seg.direction) for seg in plan.segments]
    assert kinds == [
        ("interval", "forward"),
        ("turn", "backward"),
        *[("interval", "backward")] * 6,
        ("turn", "forward"),
        ("interval", "forward"),
    ]
    drive = _drive(BACKWARD_ROUNDS)
    _run(drive)
    assert drive.engine.ended is not None
    assert drive.engine.ended.outcome == "finished"
    conditions = [e.fields for e in drive.log("condition")]
    # Backward at 5 km/h the heart climbs past 125 within a few rounds, not at the first.
    assert [c["outcome"] for c in conditions][-1] == "met"
    assert "not_met" in [c["outcome"] for c in conditions]
    met = conditions[-1]
    assert int(met["heart_rate_bpm"]) > 125
    assert met["block"] == "steps[1].repeat"
    rounds_run = int(met["round"])
    assert rounds_run < 6
    indices = [int(e.fields["index"]) for e in drive.log("segment")]
    assert indices == [0, 1, *range(2, 2 + rounds_run), 8, 9]  # the rounds left skipped
    # The turn after the block ran in full, on the physical belt: slowed to turn speed
    # before "Turn around now", the window and the settle, then the forward step.
    turn_start = next(e.t for e in drive.log("segment") if e.fields["index"] == 8)
    forward_start = next(e.t for e in drive.log("segment") if e.fields["index"] == 9)
    (turn_now,) = [c for c in drive.cues("turn_now") if turn_start <= c.t < forward_start]
    assert float(turn_now.fields["speed_kmh"]) <= plan.limits.turn_speed_kmh + 0.2
    assert forward_start - turn_now.t >= plan.limits.turn_window_s + plan.limits.settle_s - 0.5
    phases = [
        (e.fields["phase"], e.fields["facing"])
        for e in drive.log("phase")
        if turn_start <= e.t < forward_start
    ]
    assert phases == [
        ("approach", "backward"),
        ("turn_window", "forward"),
        ("settle", "forward"),
    ]
    backward_speeds = [
        s.send.value or 0.0 for s in drive.commands("speed") if s.facing == "backward"
    ]
    assert max(backward_speeds) <= 5.0
    said = [str(c.fields["text"]) for c in drive.cues()]
    assert f"Heart rate {met['heart_rate_bpm']}, above 125: that was the last round." in said
    assert _audited(drive) == []


MIXED_ROUNDS = """
name: mixed until warm
steps:
  - repeat:
      times: 5
      until_heart_rate: {above: 120}
      steps:
        - {duration: 1m, speed: 9}
        - {direction: backward, duration: 1m, speed: 4.5}
  - {direction: backward, duration: 1m, speed: 4}
"""


def test_a_block_met_goes_on_through_the_plans_own_turn_after_it() -> None:
    # Each round ends backward; the next round would turn to forward, what follows the
    # block stays backward: met, no turn is run, and no turn is missing either.
    drive = _drive(MIXED_ROUNDS)
    _run(drive)
    assert drive.engine.ended is not None
    assert drive.engine.ended.outcome == "finished"
    outcomes = [e.fields["outcome"] for e in drive.log("condition")]
    assert outcomes[-1] == "met"
    plan = drive.engine.plan
    segments = [plan.segments[int(e.fields["index"])] for e in drive.log("segment")]
    met_round = next(seg for seg in segments if seg.round_ends and seg.repeat_round == "2/5")
    following = segments[segments.index(met_round) + 1]
    # Straight on to the backward step after the block, facing the same way: the turn to
    # forward the third round would have begun with is not run, and none is missing.
    assert (following.source_path, following.kind, following.direction) == (
        "steps[1]",
        "interval",
        "backward",
    )
    assert [seg.kind for seg in segments[-2:]] == ["interval", "turn"]  # the finish turn
    assert drive.log("condition")[-1].fields["round"] == 2
    # The round announced the turn its next round would have begun with: taken back.
    texts = [(str(c.fields["kind"]), str(c.fields["text"])) for c in drive.cues()]
    taken_back = texts.index(("text", "No turn after all: keep facing backward."))
    assert texts[taken_back - 2][0] == "turn_warning"
    assert texts[taken_back - 1][1].endswith("that was the last round.")
    assert texts[taken_back + 1] == ("start", "backward 4.0 km/h")
    assert _audited(drive) == []


def test_without_a_heart_rate_every_round_runs_and_the_runner_is_told_once() -> None:
    drive = Drive.start(plan_of(BACKWARD_ROUNDS))  # the belt relays no heart rate
    drive.run_to_end()
    outcomes = [e.fields["outcome"] for e in drive.log("condition")]
    assert outcomes == ["no_heart_rate"] * 5 + ["rounds"]
    said = [str(c.fields["text"]) for c in drive.cues()]
    assert said.count("No heart rate: the rounds go on, 6 at most.") == 1
    indices = [int(e.fields["index"]) for e in drive.log("segment")]
    assert indices == list(range(10))
    assert _audited(drive) == []


def test_run_on_the_simulator_with_its_strap_ends_the_block_and_turns(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    # The simulated runner's heart rate rises slowly walking backward at 5 km/h: past 111
    # after a round or two, well before six.
    profile = tmp_path / "rounds.yaml"
    profile.write_text(BACKWARD_ROUNDS.replace("above: 125", "above: 111"), encoding="utf-8")
    log = tmp_path / "s.jsonl"
    result = cli(
        "run", str(profile), "--sim", "--headless", "--fast", "--hr", "Strap", "--log", str(log)
    )
    assert result.exit_code == 0, result.stderr
    lines = check_log(log)
    conditions = [line for line in lines if line["type"] == "condition"]
    assert conditions[-1]["outcome"] == "met"
    assert conditions[-1]["round"] < 6
    segments = [line for line in lines if line["type"] == "segment"]
    assert [(s["kind"], s["direction"]) for s in segments[-2:]] == [
        ("turn", "forward"),
        ("interval", "forward"),
    ]
    audited = cli("audit", str(log))
    assert (audited.exit_code, audited.stdout.strip()) == (0, "clean")


def test_run_without_a_strap_says_the_block_runs_all_its_rounds(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    profile = tmp_path / "rounds.yaml"
    profile.write_text(BACKWARD_ROUNDS, encoding="utf-8")
    result = cli("run", str(profile), "--sim", "--headless", "--fast", "--no-log")
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "until_heart_rate" in line]
    assert notes == [
        (
            f"retrorun: note: {profile}:7 steps[1].repeat.until_heart_rate: this repeat ends on "
            "a heart rate, but no strap is named (--hr, or [heart_rate] device in the config): "
            "unless the treadmill relays a heart rate, it runs all its rounds"
        )
    ]


def test_skipping_the_last_step_of_a_round_ends_the_round_and_is_judged() -> None:
    from retrorun.session.api import CommandKind, UserCommand  # noqa: PLC0415

    drive = Drive.start(plan_of(BACKWARD_ROUNDS))
    drive.belt.heart_rate_bpm = 140  # fresh, above 125
    until_log(drive, "segment", 3)  # the first round
    drive.run_until(drive.now + 20.0)
    answer = drive.command(UserCommand(CommandKind.SKIP, source="test"))
    # The next round would have needed no turn; the block ends, and the turn after it runs.
    assert (answer.accepted, answer.reason) == (True, "skipped to the turn")
    (met,) = drive.log("condition")
    assert (met.fields["outcome"], met.fields["round"]) == ("met", 1)
    assert drive.log("segment")[-1].fields["index"] == 8


FORWARD_BACKWARD_ROUNDS = """
name: rounds
steps:
  - {duration: 1m, speed: 6}
  - repeat:
      times: 6
      until_heart_rate: {above: 100}
      steps:
        - {duration: 1m, speed: 8}
        - {direction: backward, duration: 1m, speed: 4}
  - {duration: 1m, speed: 5}
"""


def test_the_turn_after_a_block_that_was_announced_for_the_next_round_is_said_once() -> None:
    # Each round ends backward and the next round, like what follows the block, begins
    # with a turn to forward: the turn announced before the round ended is that same turn.
    drive = Drive.start(plan_of(FORWARD_BACKWARD_ROUNDS))
    drive.belt.heart_rate_bpm = 120
    drive.run_to_end()
    (met,) = [e for e in drive.log("condition") if e.fields["outcome"] == "met"]
    turn_now = next(c for c in drive.cues("turn_now") if c.t > met.t)
    warnings = [c for c in drive.cues("turn_warning") if met.t - 15.0 <= c.t <= turn_now.t]
    assert len(warnings) == 1, [c.fields["text"] for c in warnings]
