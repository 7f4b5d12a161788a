"""Repeat blocks that end on a heart rate in the profile format: what `plan` shows, and bad
input as one line naming the place, exit 2."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

ROUNDS = """name: rounds
steps:
  - {{duration: 2m, speed: 6}}
  - repeat:
      {block}
      steps:
        - {{duration: 1m, speed: 9}}
        - {{direction: backward, duration: 1m, speed: 4}}
  - {{duration: 2m, speed: 6}}
"""


def test_plan_shows_the_block_with_its_most_rounds_and_its_condition(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    profile = tmp_path / "rounds.yaml"
    block = "times: 4\n      until_heart_rate: {below: 130}"
    profile.write_text(ROUNDS.format(block=block), encoding="utf-8")
    shown = cli("plan", str(profile))
    assert shown.exit_code == 0, shown.stderr
    ends = [line for line in shown.stdout.splitlines() if "round ends" in line]
    assert len(ends) == 4
    assert all(line.endswith("round ends: up to 4 rounds, until HR below 130)") for line in ends)
    assert all(" backward " in line for line in ends)  # each round's last step
    # The totals count every round: 4 x (1 + 1 min) of steps, 8 turns with the one after.
    assert "8 turns" in shown.stdout


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            "until_heart_rate: {above: 150}",
            ":4 steps[1].repeat.times: required but missing; add it",
        ),
        (
            "times: 3\n      until_heart_rate: {above: 250}",
            ":6 steps[1].repeat.until_heart_rate.above: 250 must be at most 230; change it to fit",
        ),
        (
            "times: 1\n      until_heart_rate: {below: 120}",
            (
                ":4 steps[1].repeat: a repeat with 'until_heart_rate' needs 'times' of at least 2: "
                "it is judged at the end of each round but the last"
            ),
        ),
        (
            "times: 3\n      until_heart_rate: {above: 150, below: 120}",
            ":6 steps[1].repeat.until_heart_rate: give exactly one of 'above' or 'below'",
        ),
    ],
)
def test_a_bad_block_is_one_line_and_exit_2(
    tmp_path: Path, cli: Callable[..., CliResult], block: str, message: str
) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text(ROUNDS.format(block=block), encoding="utf-8")
    for command in ("validate", "plan"):
        result = cli(command, str(profile))
        assert result.exit_code == 2
        lines = result.stderr.splitlines()
        assert len(lines) == 1, lines
        assert lines[0].endswith(f"{profile}{message}"), lines


def test_starting_part_way_keeps_the_condition_on_the_rounds_left() -> None:
    from retrorun.profiles.loader import parse_profile  # noqa: PLC0415
    from retrorun.profiles.models import RepeatStep  # noqa: PLC0415
    from retrorun.profiles.part_way import from_point  # noqa: PLC0415
    from retrorun.profiles.plan import compile_plan  # noqa: PLC0415

    text = ROUNDS.format(block="times: 4\n      until_heart_rate: {below: 130}")
    profile = parse_profile(text).profile
    plan = compile_plan(profile)
    second_round = next(seg for seg in plan.segments if seg.repeat_round == "2/4")
    rest = from_point(profile, plan, second_round.start_s + 20.0)
    (block,) = [step.repeat for step in rest.steps if isinstance(step, RepeatStep)]
    # The second round, part way, runs on its own; the two after it stay a block.
    assert block.times == 2
    assert block.until_heart_rate is not None
    assert block.until_heart_rate.below == 130
