"""The heart rate a session acts on: the chest strap first, the treadmill's as the fallback,
and never one that has gone stale (`retrorun.session.heart`)."""

from __future__ import annotations

from retrorun.session.heart import HR_STALE_S, HeartRateSources
from retrorun.session.inputs import EngineOptions, HeartRateGuard, HeartRateReading, StrapLink
from tests.session.belt import Drive
from tests.session.test_engine import ALT, plan_of, until_log


def test_the_strap_wins_while_fresh_then_the_treadmill_then_nothing() -> None:
    sources = HeartRateSources()
    assert sources.freshness(0.0) == "none"
    sources.feed(120, "treadmill", 0.0)
    sources.feed(131, "strap", 1.0)
    current = sources.current(2.0)
    assert current is not None
    assert (current.bpm, current.source) == (131, "strap")
    sources.feed(125, "treadmill", 6.5)
    # The strap's reading is 5.5 s old: the treadmill's newer one is used.
    current = sources.current(6.5)
    assert current is not None
    assert (current.bpm, current.source) == (125, "treadmill")
    assert sources.current(6.5 + HR_STALE_S + 0.1) is None
    assert sources.freshness(6.5 + HR_STALE_S + 0.1) == "stale"
    sources.feed(None, "strap", 20.0)  # no contact, no reading: nothing changes
    assert sources.freshness(20.0) == "stale"


def _backward_with_guard() -> Drive:
    guard = HeartRateGuard(150, "step-down")
    drive = Drive.start(plan_of(ALT), options=EngineOptions(heart_rate=guard))
    until_log(drive, "segment", 3)  # the backward walk
    drive.run_until(drive.now + 12.0)  # the ramp to 4.5 km/h is done
    return drive


def test_a_heart_rate_that_stops_coming_is_not_kept_and_the_guard_holds() -> None:
    drive = _backward_with_guard()
    drive.belt.heart_rate_bpm = 170
    drive.run_until(drive.now + 3.0)
    guarded = [s for s in drive.commands("speed") if s.send.value == 4.0]
    assert guarded, "the guard stepped down on a fresh heart rate"
    # The grips are let go: no more heart rate from the treadmill.
    drive.belt.heart_rate_bpm = None
    lost_at = drive.now
    drive.run_until(drive.now + 40.0)
    stale = [e for e in drive.log("heart_rate") if e.fields["state"] == "stale"]
    assert len(stale) == 1
    assert lost_at + HR_STALE_S - 1.0 <= stale[0].t <= lost_at + HR_STALE_S + 1.0
    alarm = [c for c in drive.cues("alarm") if "No heart rate" in str(c.fields["text"])]
    assert alarm
    assert "holding 4 km/h" in str(alarm[0].fields["text"])
    # Held: the guard never acted on the last value it saw, which stays above the ceiling.
    after = [s for s in drive.commands("speed") if s.t > stale[0].t]
    assert after == []
    snap = drive.snapshot()
    assert (snap.heart_rate_bpm, snap.heart_rate_state) == (None, "stale")


def test_the_strap_feeds_the_guard_and_its_loss_falls_back_to_the_treadmill() -> None:
    drive = _backward_with_guard()
    drive.belt.heart_rate_bpm = 120  # what the grips say
    drive.feed(StrapLink(connected=True, name="Chest Strap"))
    for _ in range(5):
        drive.feed(HeartRateReading(171))
        drive.run_until(drive.now + 1.0)
    assert drive.snapshot().heart_rate_bpm == 171
    sources = [e.fields.get("source") for e in drive.log("heart_rate")]
    assert sources[-1] == "strap"
    assert any(s.send.value == 4.0 for s in drive.commands("speed"))
    drive.feed(StrapLink(connected=False, detail="heart-rate strap 'Chest Strap' disconnected"))
    drive.run_until(drive.now + HR_STALE_S + 2.0)
    assert drive.snapshot().heart_rate_bpm == 120
    assert [e.fields.get("source") for e in drive.log("heart_rate")][-1] == "treadmill"
    statuses = [e.fields["status"] for e in drive.log("status")]
    assert statuses[-2:] == ["strap_connected", "strap_lost"]
