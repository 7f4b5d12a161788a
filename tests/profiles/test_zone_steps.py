"""Zone, keep and open steps in the profile format: what is accepted, what is refused and
where, and what the plan makes of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from retrorun.errors import ProfileErrors
from retrorun.profiles.heart_zones import HeartRateZones, step_needing_zones
from retrorun.profiles.loader import parse_profile
from retrorun.profiles.plan import compile_plan

if TYPE_CHECKING:
    from retrorun.profiles.plan import Plan


def _plan(steps: str, zones: HeartRateZones | None = None) -> Plan:
    document = parse_profile(f"name: t\nsteps:\n{steps}", file="t.yaml")
    return compile_plan(document.profile, where=document, zones=zones)


@pytest.mark.parametrize(
    ("step", "words"),
    [
        ("{duration: 5m, heart_rate: {zone: 2}}", "needs 'min_speed' below 'max_speed'"),
        ("{duration: 5m, heart_rate: {zone: 2}, min_speed: 9, max_speed: 6}", "below"),
        ("{duration: 5m, heart_rate: {zone: 6}, min_speed: 6, max_speed: 9}", "zone"),
        ("{duration: 5m, heart_rate: {bpm: [150, 120]}, min_speed: 6, max_speed: 9}", "bpm"),
        ("{duration: 5m, heart_rate: {zone: 2, bpm: [1, 2]}, min_speed: 6, max_speed: 9}", "one"),
        ("{duration: 5m, heart_rate: {zone: 2}, min_speed: 6, max_speed: 9, speed: 10}", "between"),
        ("{duration: 5m, speed: 8, max_speed: 9}", "belong to a 'heart_rate' step"),
        ("{duration: 5m, keep_speed: true, speed: 8}", "'keep_speed' takes no"),
        ("{distance: 1km, speed: 8, open: true}", "an open step needs 'duration'"),
    ],
)
def test_bad_zone_keep_and_open_steps_name_the_step(step: str, words: str) -> None:
    with pytest.raises(ProfileErrors) as caught:
        _plan(f"  - {{duration: 1m, speed: 8}}\n  - {step}\n")
    text = str(caught.value)
    assert text.startswith("t.yaml:4 steps[1]"), text
    assert words in text


def test_zone_targets_resolve_against_the_runners_zones() -> None:
    zones = HeartRateZones.from_max(190)
    plan = _plan(
        "  - {duration: 5m, heart_rate: {zone: 2}, min_speed: 6, max_speed: 9}\n"
        "  - {duration: 5m, heart_rate: {percent_max: [70, 80]}, min_speed: 6, max_speed: 9}\n"
        "  - {duration: 5m, heart_rate: {bpm: [120, 135]}, min_speed: 6, max_speed: 9}\n",
        zones,
    )
    holds = [seg.heart_rate for seg in plan.segments]
    assert [(h.low_bpm, h.high_bpm) for h in holds if h] == [(114, 133), (133, 152), (120, 135)]
    assert plan.segments[0].label == "forward zone 2"
    assert plan.segments[0].speed_steps[-1].speed_kmh == 6.0  # starts at min_speed


def test_without_zones_only_a_bpm_target_resolves() -> None:
    text = (
        "name: t\nsteps:\n"
        "  - {duration: 5m, heart_rate: {bpm: [120, 135]}, min_speed: 6, max_speed: 9}\n"
        "  - {duration: 5m, heart_rate: {zone: 2}, min_speed: 6, max_speed: 9}\n"
    )
    document = parse_profile(text)
    plan = compile_plan(document.profile)
    assert plan.segments[1].heart_rate is not None
    assert plan.segments[1].heart_rate.low_bpm is None
    assert step_needing_zones(document.profile) == ("steps", 1, "heart_rate")


def test_a_backward_zone_step_walks() -> None:
    with pytest.raises(ProfileErrors, match=r"steps\[0\]\.max_speed: a backward zone step walks"):
        _plan(
            "  - {direction: backward, duration: 5m, heart_rate: {bpm: [100, 120]},"
            " min_speed: 3, max_speed: 6.5}\n"
        )


def test_keep_speed_takes_the_speed_before_it_and_needs_one() -> None:
    plan = _plan("  - {duration: 2m, speed: 8}\n  - {duration: 3m, keep_speed: true, open: true}\n")
    kept = plan.segments[1]
    assert (kept.keep_speed, kept.open_ended, kept.speed_kmh) == (True, True, 8.0)
    assert kept.estimated_duration_s == 180.0  # no ramp-in: the belt is already there
    assert any("Press skip" in cue.text for cue in kept.cues)
    with pytest.raises(ProfileErrors, match=r"t.yaml:4 steps\[1\]\.keep_speed: a keep_speed step"):
        _plan(
            "  - {duration: 2m, speed: 8}\n"
            "  - {direction: backward, duration: 3m, keep_speed: true}\n"
        )
    with pytest.raises(ProfileErrors, match=r"steps\[0\]\.keep_speed"):
        _plan("  - {duration: 3m, keep_speed: true}\n")
