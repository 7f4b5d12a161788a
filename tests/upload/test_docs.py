"""docs/upload.md says what the code does: settings, Garmin Connect, the description."""

from __future__ import annotations

import re
from pathlib import Path

from retrorun.upload.settings import ENV

DOC = (Path(__file__).parents[2] / "docs" / "upload.md").read_text(encoding="utf-8")


def test_every_setting_and_variable_is_documented() -> None:
    for table, keys in ENV.items():
        rows = re.findall(r"^\| `([a-z_]+)`(?:, `([a-z_]+)`, `([a-z_]+)`)? \|", DOC, re.MULTILINE)
        documented = {name for row in rows for name in row if name}
        assert set(keys) <= documented, (table, set(keys) - documented)
        for variable in keys.values():
            short = variable.replace("RETRORUN_STRAVA_", "…_")
            assert variable in DOC or short in DOC, variable


def test_garmin_connect_is_answered_honestly() -> None:
    assert "Garmin Connect has no public upload API for individuals" in DOC


def test_the_description_example_is_what_strava_gets() -> None:
    from retrorun.recording.log_reader import parse_log  # noqa: PLC0415
    from retrorun.upload.session_file import describe  # noqa: PLC0415
    from tests.recording.logs import bundled_plan, play  # noqa: PLC0415

    (example,) = [
        block
        for block in re.findall(r"```text\n(.*?)```", DOC, flags=re.DOTALL)
        if block.startswith("Treadmill run")
    ]
    played = play(bundled_plan("one-minute-alternation"), pauses=((300.0, 40.0),))
    real = played.text.replace('"simulated": true', '"simulated": false')
    assert describe(parse_log(real.encode(), "run.jsonl")) + "\n" == example
