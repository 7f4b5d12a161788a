"""docs/simulator.md: its ten-line bleak example runs and does what the text says."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from retrorun_sim import PRESETS, SWITCH_NAMES, FaultKind

if TYPE_CHECKING:
    import pytest

DOC = Path(__file__).parents[2] / "docs" / "simulator.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)


async def test_the_plain_bleak_example_shows_the_belt_ramp(
    capsys: pytest.CaptureFixture[str],
) -> None:
    namespace: dict[str, object] = {"__name__": "docs_example"}
    exec(compile(python_blocks()[0], str(DOC), "exec"), namespace)  # noqa: S102 - our own docs
    main = namespace["main"]
    assert callable(main)
    await main()
    lines = capsys.readouterr().out.splitlines()
    answers = [line for line in lines if line.startswith("answer")]
    assert answers == ["answer 800001", "answer 800701", "answer 800201"]
    speeds = [float(line.split()[2]) for line in lines if not line.startswith("answer")]
    assert speeds[:3] == [0.0, 0.0, 0.0]  # the start countdown
    assert speeds == sorted(speeds)
    assert speeds[-1] == 8.0


def test_the_example_is_about_ten_lines_of_bleak() -> None:
    body = python_blocks()[0].split("async def main", 1)[1].split("if __name__")[0]
    code = [line for line in body.splitlines()[1:] if line.strip() and "def on_data" not in line]
    assert len(code) <= 15


def test_every_preset_fault_and_quirk_is_documented() -> None:
    text = DOC.read_text()
    for name in PRESETS:
        assert f"| `{name}` |" in text
    for kind in FaultKind:
        assert f"| `{kind}@S" in text
    for switch in SWITCH_NAMES:
        assert f"`{switch}`" in text
