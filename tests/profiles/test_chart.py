"""The text chart shows speed over time with the direction of each stretch."""

from __future__ import annotations

from retrorun.profiles.chart import LEGEND, render
from retrorun.profiles.loader import parse_profile
from retrorun.profiles.plan import compile_plan


def test_chart_shows_direction_height_and_time_axis() -> None:
    plan = compile_plan(
        parse_profile(
            "name: c\nsteps:\n  - {duration: 10m, speed: 10}\n"
            "  - {direction: backward, duration: 10m, speed: 5}\n"
        ).profile
    )
    lines = render(plan, width=40, height=4)
    bars = [line.split("┤", 1)[1] for line in lines[:4]]
    assert bars[0][:19] == "█" * 19  # the forward half reaches the top (10 km/h)
    assert set(bars[0][21:]) == {" "}  # backward at 5 km/h stays in the lower half
    assert set(bars[3][21:-1]) == {"▒"}
    assert "·" in bars[3][:21]  # the turn between them
    assert bars[3][-1] == "·"  # and the last turn, to forward, before the belt stops
    assert lines[0].startswith(" 10.0")
    total = int(plan.total_duration_s)  # 20 min, the turn and the ramps
    assert lines[-2].rstrip().endswith(f"{total // 60}:{total % 60:02d}")
    assert lines[-1].strip() == LEGEND
