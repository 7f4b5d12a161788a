"""docs/export.md shows real output."""

from __future__ import annotations

import re
from pathlib import Path

from retrorun.recording.log_reader import parse_log
from retrorun.recording.summary import render_summary, summarize
from tests.recording.logs import bundled_plan, play

DOC = (Path(__file__).parents[2] / "docs" / "export.md").read_text(encoding="utf-8")


def test_the_summary_example_is_what_the_command_prints() -> None:
    (example,) = [
        block
        for block in re.findall(r"```text\n(.*?)```", DOC, flags=re.DOTALL)
        if "pauses:" in block
    ]
    # The documented session: the bundled alternation with one 40 s pause after 5 minutes.
    played = play(bundled_plan("one-minute-alternation"), pauses=((300.0, 40.0),))
    lines = render_summary(summarize(parse_log(played.text.encode(), "run.jsonl")))
    expected = example.splitlines()
    assert [line.rstrip() for line in lines[: len(expected)]] == expected


def test_every_command_in_the_table_exists() -> None:
    from retrorun.cli import main  # noqa: PLC0415 - the CLI is what is documented

    commands = set(re.findall(r"^\| `retrorun (\w+)", DOC, flags=re.MULTILINE))
    assert commands == {"export", "summary", "history", "workout", "import", "upload"}
    assert commands <= set(main.commands)
