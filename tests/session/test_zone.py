"""Zone steps: the control law on its own, then in the engine through the safety layer."""

from __future__ import annotations

import pytest

from retrorun.errors import ProfileErrors
from retrorun.profiles.heart_zones import HeartRateZones
from retrorun.profiles.loader import parse_profile
from retrorun.profiles.plan import compile_plan
from retrorun.profiles.safety import PersonalLimits
from retrorun.session.api import CommandKind, UserCommand
from retrorun.session.inputs import EngineOptions, HeartRateGuard, HeartRateReading
from retrorun.session.zone import ZONE_UPDATE_S, Decision, Zone, decide
from tests.session.belt import Drive

ZONE2 = Zone(114, 133, 6.0, 9.5)


@pytest.mark.parametrize(
    ("hr", "previous", "speed", "expected"),
    [
        (120, None, 8.0, Decision(8.0, "in_zone")),
        (129, 120, 8.0, Decision(8.0, "in_zone")),  # inside the dead band
        (131, None, 8.0, Decision(7.7, "above")),  # in the zone but by its edge
        (115, None, 8.0, Decision(8.3, "below")),  # in the zone but by its edge
        (100, None, 8.0, Decision(8.5, "below")),  # far below: the bigger step
        (110, 105, 8.0, Decision(8.0, "catching_up")),  # rising by 5: wait
        (140, None, 8.0, Decision(7.7, "above")),
        (150, 160, 8.0, Decision(8.0, "catching_up")),  # falling by 10: wait
        (100, None, 9.5, Decision(9.5, "at_max")),
        (150, None, 6.0, Decision(6.0, "at_min")),
        (100, None, 9.4, Decision(9.5, "below")),  # never past max_speed
        (None, 120, 8.0, Decision(8.0, "no_heart_rate")),
    ],
)
def test_the_control_law(
    hr: int | None, previous: int | None, speed: float, expected: Decision
) -> None:
    assert decide(ZONE2, hr, previous, speed) == expected


def test_backward_steps_are_small_whatever_the_error() -> None:
    zone = Zone(100, 115, 3.0, 5.0, backward=True)
    assert decide(zone, 80, None, 4.0) == Decision(4.2, "below")
    assert decide(zone, 140, None, 4.0) == Decision(3.8, "above")


FORWARD_ZONE = """
name: zone
steps:
  - {duration: 20m, heart_rate: {zone: 2}, min_speed: 6, max_speed: 9.5, speed: 7}
"""

BACKWARD_ZONE = """
name: backward zone
steps:
  - {duration: 2m, speed: 6}
  - {direction: backward, duration: 10m, incline: 2, heart_rate: {bpm: [100, 115]},
     min_speed: 3, max_speed: 5.5, speed: 3.5}
"""


def _drive(text: str, *, personal: PersonalLimits | None = None, **options: object) -> Drive:
    document = parse_profile(text)
    plan = compile_plan(
        document.profile, personal, where=document, zones=HeartRateZones.from_max(190)
    )
    return Drive.start(plan, options=EngineOptions(**options))  # type: ignore[arg-type]


def _zone_speeds(drive: Drive) -> list[tuple[float, float | None]]:
    reasons = {e.t: e.fields.get("reason") for e in drive.log("command") if "speed_kmh" in e.fields}
    return [
        (s.t, s.send.value)
        for s in drive.commands("speed")
        if str(reasons.get(s.t) or "").startswith("heart-rate zone")
    ]


def test_a_zone_step_speeds_up_below_the_zone_and_holds_in_it() -> None:
    drive = _drive(FORWARD_ZONE)
    drive.belt.heart_rate_bpm = 100
    drive.run_until(60.0)
    first = _zone_speeds(drive)
    assert [v for _, v in first] == [7.5, 8.0]  # far below: 0.5 km/h every 20 s
    assert first[1][0] - first[0][0] == pytest.approx(ZONE_UPDATE_S)
    drive.belt.heart_rate_bpm = 125
    drive.run_until(200.0)
    assert _zone_speeds(drive) == first  # in the zone: held
    texts = [str(c.fields["text"]) for c in drive.cues("override")]
    assert "Heart rate 100, below zone 2: speeding up to 7.5 km/h." in texts
    assert "In zone 2: holding 8 km/h." in texts
    verdicts = [e.fields["verdict"] for e in drive.log("zone")]
    assert verdicts[:2] == ["below", "below"]
    assert verdicts[-1] == "in_zone"


def test_a_backward_zone_step_above_the_runners_cap_is_refused() -> None:
    with pytest.raises(ProfileErrors, match=r"steps\[1\]\.max_speed: backward speed 5.5"):
        _drive(BACKWARD_ZONE, personal=PersonalLimits(backward_speed_max_kmh=4.5))


def test_a_zone_step_holds_on_a_stale_heart_rate_and_says_so() -> None:
    drive = _drive(FORWARD_ZONE)
    drive.belt.heart_rate_bpm = None
    for _ in range(70):  # a strap at 160: far above zone 2 (114-133)
        drive.feed(HeartRateReading(160))
        drive.run_until(drive.now + 1.0)
    slowed = _zone_speeds(drive)
    assert slowed
    assert slowed[-1][1] is not None
    assert slowed[-1][1] < 7.0
    drive.run_until(drive.now + 120.0)  # the strap went silent
    assert _zone_speeds(drive) == slowed  # nothing acted on the last 160 bpm
    alarms = [str(c.fields["text"]) for c in drive.cues("alarm")]
    assert any(text.startswith("No heart rate for 5 seconds: holding") for text in alarms)
    verdicts = {e.fields["verdict"] for e in drive.log("zone") if e.t > slowed[-1][0] + 6}
    assert verdicts == {"no_heart_rate"}


def test_a_backward_zone_step_walks_within_the_caps_and_never_moves_the_deck() -> None:
    drive = _drive(BACKWARD_ZONE)
    drive.belt.heart_rate_bpm = 80  # far below: it would go faster and faster
    drive.run_until(900.0)
    speeds = [v or 0.0 for _, v in _zone_speeds(drive)]
    assert speeds
    steps = [round(b - a, 2) for a, b in zip([3.5, *speeds], speeds, strict=False)]
    assert all(step <= 0.2 for step in steps)
    backward = [s.send.value or 0.0 for s in drive.commands("speed") if s.facing == "backward"]
    assert max(backward) == 5.5  # a walk: the step's max_speed, never more
    assert "at_max" in {e.fields["verdict"] for e in drive.log("zone")}
    inclines = [s for s in drive.commands("incline") if s.phase.value != "turn_window"]
    assert all(s.facing == "forward" for s in inclines)


def test_a_nudge_ends_the_zone_hold_for_that_step() -> None:
    drive = _drive(FORWARD_ZONE)
    drive.belt.heart_rate_bpm = 100
    drive.run_until(45.0)
    before = _zone_speeds(drive)
    drive.command(UserCommand(CommandKind.SPEED, amount=-0.5, source="test"))
    drive.run_until(300.0)
    assert _zone_speeds(drive) == before
    assert drive.log("zone")[-1].fields["verdict"] == "off"


def test_the_guard_wins_over_a_backward_zone_step() -> None:
    drive = _drive(BACKWARD_ZONE, heart_rate=HeartRateGuard(150, "step-down"))
    drive.belt.heart_rate_bpm = 160
    drive.run_until(400.0)
    reasons = [e.fields.get("reason") for e in drive.log("command") if "speed_kmh" in e.fields]
    assert any(str(reason).startswith("heart-rate guard") for reason in reasons)
    offs = [e.fields.get("reason") for e in drive.log("zone") if e.fields["verdict"] == "off"]
    assert "the speed was set by the heart-rate guard" in offs
