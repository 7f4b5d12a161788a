"""The verdict rules on hand-made findings: no treadmill needed."""

from __future__ import annotations

from retrorun.check.judge import Follow
from retrorun.check.report import Findings, Verdict, verdict_of

FOLLOWED = [Follow.FOLLOWED] * 3


def finished(**changes: object) -> Findings:
    findings = Findings(address="AA", name="T", follows=list(FOLLOWED))
    findings.stop_works = True
    findings.belt_at_rest = True
    for name, value in changes.items():
        setattr(findings, name, value)
    return findings


def test_a_belt_that_does_everything_is_ok() -> None:
    assert verdict_of(finished()) is Verdict.OK
    assert finished().mph_mode is None


def test_without_distance_the_runners_answer_finds_mph_both_ways() -> None:
    assert finished(console_units="mph").mph_mode == "mph"
    assert finished(console_units="kmh").mph_mode is None
    # A distance that says km/h outweighs the answer (the firmware converts on the wire).
    assert finished(console_units="mph", distance_ratio=1.0).mph_mode is None
    assert finished(distance_ratio=1.61).mph_mode == "mph"


def test_a_belt_that_follows_only_sometimes_is_unsafe() -> None:
    mixed = finished(
        follows=[Follow.FOLLOWED, Follow.MPH_COMMANDS, Follow.FOLLOWED],
        settled=[(2.0, 2.0), (4.0, 6.44), (2.0, 2.0)],
    )
    assert verdict_of(mixed) is Verdict.UNSAFE
    assert mixed.problems() == [
        "its belt does not settle at the speed asked (km/h: 2 for 2, 6.44 for 4, 2 for 2)"
    ]
    assert mixed.mph_mode is None


def test_a_check_that_did_not_finish_concludes_nothing() -> None:
    assert verdict_of(finished(interrupted="interrupted")) is Verdict.INCOMPLETE
    assert verdict_of(finished(stop_works=None)) is Verdict.INCOMPLETE
    # ...unless what it saw already makes the belt unsafe.
    assert verdict_of(finished(interrupted="x", stop_works=False)) is Verdict.UNSAFE
