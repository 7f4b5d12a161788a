"""The examples in docs/profiles.md are real profiles and config files."""

from __future__ import annotations

import re
from pathlib import Path

from retrorun.config import parse_config
from retrorun.profiles.loader import parse_profile
from retrorun.profiles.plan import compile_plan
from retrorun.profiles.safety import safety_table_markdown

DOC = (Path(__file__).parents[2] / "docs" / "profiles.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.DOTALL)


def test_profile_examples_validate_and_plan() -> None:
    examples = [block for block in _blocks("yaml") if block.lstrip().startswith(("#", "name"))]
    examples = [block for block in examples if "name:" in block]
    assert examples
    for block in examples:
        plan = compile_plan(parse_profile(block).profile)
        assert plan.turns > 0


def test_repeat_examples_are_valid_step_lists() -> None:
    repeat, until = [block for block in _blocks("yaml") if block.startswith("- repeat:")]
    assert (
        compile_plan(parse_profile(f"name: r\nsteps:\n{repeat}").profile).turns == 6
    )  # ends backward, so a last turn to forward
    plan = compile_plan(parse_profile(f"name: r\nsteps:\n{until}").profile)
    ends = [end for seg in plan.segments for end in seg.round_ends]
    assert [end.describe() for end in ends] == ["up to 6 rounds, until HR above 125"] * 6
    # Six backward rounds back to back, then the turn to forward the doc speaks of.
    assert {end.skip_to for end in ends} == {7}
    assert plan.segments[7].label == "turn to forward"


def test_config_examples_are_valid() -> None:
    limits_example, paces_example = _blocks("toml")
    limits = parse_config(limits_example, Path("config.toml")).limits
    assert limits.backward_speed_max_kmh == 6.0
    paces = parse_config(paces_example, Path("config.toml")).paces
    assert paces == ("5k=5:00/km", "10k=5:15/km", "half=5:30/km")


def test_the_safety_docs_show_the_one_table_of_safety_numbers() -> None:
    text = (Path(__file__).parents[2] / "docs" / "safety.md").read_text(encoding="utf-8")
    assert safety_table_markdown() in text
