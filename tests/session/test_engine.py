"""Engine scenarios: plain synchronous tests with explicit time, against a fake belt."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pytest

from retrorun.device import (
    BeltStopped,
    ConnectionLost,
    ConsoleSpeedChanged,
    ControlLost,
    Reconnected,
)
from retrorun.profiles.loader import parse_profile
from retrorun.profiles.plan import Plan, compile_plan
from retrorun.profiles.safety import SAFETY_NUMBERS
from retrorun.profiles.words import CueGroup, CueSettings, Verbosity
from retrorun.session.api import CommandKind, Phase, SessionEnded, SessionState, UserCommand
from retrorun.session.cues import turn_warning_text
from retrorun.session.engine import STOP_ANSWER_WAIT_S
from retrorun.session.inputs import Done, EngineOptions, HeartRateGuard
from retrorun.session.turn import ARRIVAL_TOLERANCE_KMH
from tests.session.belt import Drive, FakeBelt

if TYPE_CHECKING:
    from collections.abc import Callable

TURN_KMH = SAFETY_NUMBERS["turn_speed_default"].value
RAMP_KMH_PER_S = SAFETY_NUMBERS["backward_ramp_default"].value

ALT = """
name: alt
steps:
  - {duration: 2m, speed: 9, label: forward run, cue: Relax your shoulders}
  - {direction: backward, duration: 1m, speed: 4.5, label: backward walk}
  - {duration: 1m, speed: 8, label: forward again}
"""


def laggy() -> FakeBelt:
    """A slow belt: 2 s reaction, 0.3 km/h per s both ways (the simulator's `laggy`)."""
    return FakeBelt(accel_kmh_per_s=0.3, decel_kmh_per_s=0.3, reaction_s=2.0)


def plan_of(text: str) -> Plan:
    document = parse_profile(text)
    return compile_plan(document.profile, where=document)


def until_log(drive: Drive, type_: str, count: int = 1, limit: float = 5000.0) -> None:
    """Run until the ``count``-th log line of ``type_`` (a `segment`, a `cue`, ...)."""
    while len(drive.log(type_)) < count and drive.now < limit and drive.engine.ended is None:
        drive.run_until(drive.now + 0.5)


def segment_times(drive: Drive) -> dict[int, float]:
    return {int(e.fields["index"]): e.t for e in drive.log("segment")}


def counted_times(drive: Drive) -> dict[int, float]:
    """Each interval's counted time: from its clock's start (the belt at its speed) to the
    next segment, by the log."""
    starts = [e for e in drive.log("phase") if e.fields.get("clock") == "started"]
    segments = drive.log("segment")
    counted = {}
    for start in starts:
        current = [e for e in segments if e.t <= start.t][-1]
        following = [e.t for e in segments if e.t > start.t]
        if following:
            counted[int(current.fields["index"])] = following[0] - start.t
    return counted


WARM_UP_RAMP = """
name: warm
steps:
  - {duration: 3m, ramp: {from: 5, to: 8}}
  - {duration: 1m, speed: 9}
"""


def cmd(kind: CommandKind, amount: float | None = None) -> UserCommand:
    return UserCommand(kind, amount, source="test")


# ---------------------------------------------------------------------------- start, finish


def test_start_waits_for_the_belt_then_runs_the_first_segment() -> None:
    drive = Drive.start(plan_of(ALT))
    assert drive.sends[0].send.request == "start"
    assert drive.engine.state is SessionState.COUNTDOWN
    drive.run_until(2.0)
    assert drive.engine.state is SessionState.COUNTDOWN  # the belt counts down 3 s
    drive.run_until(5.0)
    assert drive.snapshot().state is SessionState.RUNNING
    assert drive.log("segment")[0].fields["index"] == 0
    assert [s.send.value for s in drive.commands("speed")] == [9.0]


def test_a_plan_runs_to_its_end_stops_the_belt_and_sums_up_per_direction() -> None:
    drive = Drive.start(plan_of(ALT))
    ended = drive.run_to_end()
    assert ended.outcome == "finished"
    assert ended.exit_code == 0
    assert drive.sends[-1].send.request == "stop"
    assert drive.events[-1] == ended  # published after the Stop was answered
    assert ended.totals.turns == 2
    # Each interval's time counts at its speed; the ramps up to them come on top.
    assert counted_times(drive) == pytest.approx({0: 120.0, 2: 60.0})
    assert 180.0 < ended.totals.forward.duration_s < 180.0 + 2 * 25.0
    assert 60.0 < ended.totals.backward.duration_s < 60.0 + 10.0
    assert ended.totals.backward.distance_m > 0
    assert drive.cues("finish")


# ---------------------------------------------------------------------------- turns


@pytest.mark.parametrize("belt", [FakeBelt, laggy], ids=["default", "laggy"])
def test_the_belt_arrives_at_turn_speed_when_the_turn_is_due(belt: Callable[[], FakeBelt]) -> None:
    drive = Drive.start(plan_of(ALT), belt=belt())
    drive.run_to_end()
    turns = drive.cues("turn_now")
    assert len(turns) == 2
    for cue in turns:
        assert cue.fields["speed_kmh"] == pytest.approx(TURN_KMH, abs=ARRIVAL_TOLERANCE_KMH)
        assert cue.fields["late_s"] == 0.0
    # The forward run ran its whole time at its speed: the slow-down is the turn's.
    first_turn_at = segment_times(drive)[1]
    assert [s.send.value for s in drive.commands("speed") if s.t < first_turn_at] == [9.0]


def test_with_unknown_rates_the_window_waits_for_the_belt_never_cues_early() -> None:
    drive = Drive.start(plan_of(ALT), belt=laggy(), rates_known=False)
    drive.run_to_end()
    turns = drive.cues("turn_now")
    assert [
        c.fields["speed_kmh"] == pytest.approx(TURN_KMH, abs=ARRIVAL_TOLERANCE_KMH) for c in turns
    ] == [True, True]
    assert turns[0].fields["late_s"] > 0  # defaults believe in a faster belt


def test_the_window_holds_turn_speed_and_settles_then_ramps_in_steps() -> None:
    drive = Drive.start(plan_of(ALT))
    drive.run_to_end()
    held = [s for s in drive.commands("speed") if s.phase in (Phase.TURN_WINDOW, Phase.SETTLE)]
    assert held == []
    assert any("Settle in" in c.fields["text"] for c in drive.cues("start"))
    backward = [s for s in drive.commands("speed") if s.facing == "backward"]
    assert backward[-1].send.value == TURN_KMH  # the ramp down before turning forward again
    for a, b in itertools.pairwise(backward):
        step = abs((b.send.value or 0) - (a.send.value or 0))
        assert step <= SAFETY_NUMBERS["backward_ramp_step"].value + 1e-9
        assert step <= RAMP_KMH_PER_S * (b.t - a.t) + 1e-6  # the default backward ramp


def test_backward_incline_only_moves_in_the_turn_window() -> None:
    drive = Drive.start(
        plan_of("""
name: hill
steps:
  - {duration: 1m, speed: 6}
  - {direction: backward, duration: 2m, speed: 4, incline: 4}
  - {direction: backward, duration: 2m, speed: 4, incline: 2}
""")
    )
    drive.run_to_end()
    backward = [s for s in drive.commands("incline") if s.facing == "backward"]
    assert [s.send.value for s in backward] == [4.0, 2.0]
    assert {s.phase for s in backward} == {Phase.TURN_WINDOW}


def test_interval_time_counts_from_the_belt_at_its_speed_after_the_turn() -> None:
    drive = Drive.start(plan_of(ALT))
    drive.run_to_end()
    times = segment_times(drive)
    window = drive.cues("turn_now")[0].t
    assert times[2] == pytest.approx(window + 15.0)  # 10 s window + 5 s settle
    # 2.5 -> 4.5 km/h backward in 0.5 km/h steps a second, then a minute at 4.5.
    ramp_in = times[3] - times[2] - 60.0
    assert 4.0 <= ramp_in <= 7.0
    assert counted_times(drive)[2] == pytest.approx(60.0)


def test_skip_never_skips_a_turn() -> None:
    drive = Drive.start(plan_of(ALT))
    drive.run_until(20.0)
    result = drive.command(cmd(CommandKind.SKIP))
    assert result.accepted
    assert drive.log("segment")[-1].fields["kind"] == "turn"
    assert drive.command(cmd(CommandKind.SKIP)).accepted is False  # not during a turn
    until_log(drive, "segment", 3)
    turn_now = drive.cues("turn_now")[0]
    assert turn_now.fields["speed_kmh"] == pytest.approx(TURN_KMH, abs=ARRIVAL_TOLERANCE_KMH)
    assert turn_now.t < drive.log("segment")[2].t


@pytest.mark.parametrize("reports", [True, False], ids=["reported", "integrated"])
def test_distance_steps_end_on_the_reported_or_integrated_distance(reports: bool) -> None:
    drive = Drive.start(
        plan_of("""
name: distance
steps:
  - {distance: 400m, speed: 10}
  - {duration: 1m, speed: 6}
"""),
        belt=FakeBelt(reports_distance=reports),
    )
    until_log(drive, "segment", 2)
    # Every metre counts, the ramp up to 10 km/h too.
    forward = drive.engine.totals.distance_m["forward"]
    assert 400.0 <= forward < 404.0


def test_cues_say_text_halfway_countdown_last_interval_and_finish() -> None:
    drive = Drive.start(
        plan_of("""
name: rounds
steps:
  - repeat:
      times: 2
      steps:
        - {duration: 2m, speed: 8, cue: Tall posture}
        - {duration: 2m, speed: 6}
""")
    )
    drive.run_to_end()
    kinds = [c.fields["kind"] for c in drive.cues()]
    texts = [c.fields["text"] for c in drive.cues()]
    assert "Tall posture" in texts
    assert kinds.count("halfway") == 4
    assert "Change in 10 seconds" in texts
    assert kinds.count("last_interval") == 1
    assert kinds[-2:] == ["finish", "pause"]  # then "The belt has stopped. You can step off."
    start = next(e.t for e in drive.log("phase") if e.fields.get("clock") == "started")
    halfway = drive.cues("halfway")[0]
    assert halfway.t == pytest.approx(start + 60.0)


# ---------------------------------------------------------------------------- commands


def test_pause_stops_the_clock_and_resume_restarts_the_belt() -> None:
    drive = Drive.start(plan_of(ALT))
    drive.run_until(30.0)
    active = drive.engine.active_s
    assert drive.command(cmd(CommandKind.PAUSE)).accepted
    assert drive.sends[-1].send.request == "pause"
    drive.run_until(90.0)
    assert drive.engine.active_s == active
    assert drive.snapshot().state is SessionState.PAUSED
    assert drive.command(cmd(CommandKind.RESUME)).accepted
    drive.run_until(100.0)
    assert drive.engine.state is SessionState.RUNNING
    assert "resumed" in drive.state_changes()
    assert drive.commands("speed")[-1].send.value == 9.0  # targets re-sent after the pause
    ended = drive.run_to_end()
    # Active time: the plan's estimate of turns and ramps is close on this belt.
    assert ended.totals.duration_s == pytest.approx(drive.engine.plan.total_duration_s, abs=10.0)
    assert ended.t >= ended.totals.duration_s + 60.0  # the session clock ran on while paused


def test_pause_inside_the_turn_window_holds_the_whole_window_again() -> None:
    drive = Drive.start(plan_of(ALT))
    until_log(drive, "cue", 1)
    until_log(drive, "segment", 2)
    while not drive.cues("turn_now"):
        drive.run_until(drive.now + 0.5)
    drive.run_until(drive.now + 4.0)
    drive.command(cmd(CommandKind.PAUSE))
    drive.run_until(drive.now + 30.0)
    drive.command(cmd(CommandKind.RESUME))
    until_log(drive, "segment", 3)
    turns = drive.cues("turn_now")
    assert len(turns) == 2
    assert turns[1].fields["speed_kmh"] == pytest.approx(TURN_KMH, abs=ARRIVAL_TOLERANCE_KMH)
    assert drive.log("segment")[2].t >= turns[1].t + 15.0


def test_extend_adds_thirty_seconds_to_the_interval() -> None:
    drive = Drive.start(plan_of(ALT))
    drive.run_until(40.0)
    assert drive.command(cmd(CommandKind.EXTEND)).accepted
    until_log(drive, "segment", 2)
    assert counted_times(drive)[0] == pytest.approx(150.0, abs=0.01)


def test_nudges_go_through_the_safety_layer() -> None:
    drive = Drive.start(
        plan_of("""
name: fast backward
steps:
  - {duration: 1m, speed: 6}
  - {direction: backward, duration: 3m, speed: 7.8}
""")
    )
    drive.run_until(20.0)
    assert drive.command(cmd(CommandKind.SPEED, 0.5)).reason == "speed 6.5 km/h"
    assert drive.commands("speed")[-1].send.value == 6.5
    until_log(drive, "segment", 3)
    drive.run_until(drive.now + 60.0)
    result = drive.command(cmd(CommandKind.SPEED, 0.5))
    assert result.accepted
    assert "limited" in result.reason
    assert drive.engine.speed_target == 8.0
    refused = drive.command(cmd(CommandKind.INCLINE, 0.5))
    assert refused.accepted is False
    assert "turn window" in refused.reason


def test_plus_during_a_warm_up_ramp_raises_the_rest_of_the_ramp_instead_of_freezing_it() -> None:
    drive = Drive.start(plan_of(WARM_UP_RAMP))
    drive.run_until(64.0)  # about a third of the way up
    before = drive.engine.speed_target
    assert before is not None
    assert 5.5 < before < 7.0
    result = drive.command(cmd(CommandKind.SPEED, 0.5))
    assert result.reason == f"speed {before + 0.5:.1f} km/h, the ramp goes on to 8.5 km/h"
    drive.run_until(drive.now + 30.0)
    assert (drive.engine.speed_target or 0.0) > before + 0.5 + 0.5  # still climbing
    until_log(drive, "segment", 2)
    ramp = [c.send.value for c in drive.commands("speed") if c.send.value is not None]
    assert max(ramp[:-1]) == pytest.approx(8.5, abs=0.05)  # the end moved up by the nudge


def test_plus_during_the_climb_to_a_backward_speed_keeps_climbing_at_the_ramp_rate() -> None:
    drive = Drive.start(
        plan_of("""
name: back
steps:
  - {duration: 1m, speed: 5}
  - {direction: backward, duration: 2m, speed: 5}
""")
    )
    until_log(drive, "segment", 3)  # the backward interval: the belt climbs from turn speed
    drive.run_until(drive.now + 2.0)
    climbing = drive.engine.speed_target
    assert climbing is not None
    assert climbing < 5.0
    drive.command(cmd(CommandKind.SPEED, 0.1))
    drive.run_until(drive.now + 20.0)
    assert drive.engine.speed_target == pytest.approx(5.1)
    sent = [(c.t, c.send.value) for c in drive.commands("speed")]
    after = [(t, v) for t, v in sent if v is not None and v > climbing]
    for (t0, v0), (t1, v1) in itertools.pairwise(after):
        assert v1 - v0 <= RAMP_KMH_PER_S * (t1 - t0) + 0.1 + 1e-6  # the backward ramp rate


def test_a_console_speed_change_is_kept_for_the_rest_of_the_interval() -> None:
    drive = Drive.start(plan_of(WARM_UP_RAMP))
    drive.run_until(60.0)
    drive.belt.target_kmh = 7.0  # someone presses the console's buttons
    drive.feed(ConsoleSpeedChanged(drive.now, 7.0))
    before = len(drive.commands("speed"))
    until_log(drive, "segment", 2)
    drive.run_until(drive.now + 1.0)
    after = drive.commands("speed")[before:]
    assert [s.send.value for s in after] == [9.0]  # no more ramp steps; the next interval's
    assert drive.log("status")[0].fields == {"status": "console_speed", "speed_kmh": 7.0}
    assert drive.cues("override")


def test_safety_key_pauses_and_nothing_restarts_the_belt_without_resume() -> None:
    drive = Drive.start(plan_of(ALT), options=EngineOptions(interactive=True))
    drive.run_until(50.0)
    drive.belt.running = False
    drive.feed(BeltStopped(drive.now, by_safety_key=True, paused=False))
    assert drive.engine.state is SessionState.PAUSED
    assert drive.engine.reason == "safety key pulled"
    sent = len(drive.sends)
    drive.run_until(500.0)
    assert [s.send.request for s in drive.sends[sent:]] == []
    drive.command(cmd(CommandKind.RESUME))
    assert drive.sends[sent].send.request == "start"


def test_safety_key_ends_the_session_when_nobody_can_resume() -> None:
    drive = Drive.start(plan_of(ALT), options=EngineOptions(interactive=False))
    drive.run_until(50.0)
    drive.belt.running, drive.belt.target_kmh = False, 0.0
    drive.feed(BeltStopped(drive.now, by_safety_key=True, paused=False))
    assert drive.sends[-1].send.request == "stop"
    ended = drive.run_to_end()  # ended once the belt is measured at rest
    assert (ended.outcome, ended.reason, ended.exit_code) == ("interrupted", "safety key pulled", 3)
    assert drive.belt.speed_kmh == 0.0


def _disconnect_in_turn(options: EngineOptions) -> Drive:
    drive = Drive.start(plan_of(ALT), options=options)
    while not drive.cues("turn_now"):
        drive.run_until(drive.now + 0.5)
    drive.feed(ConnectionLost(drive.now, "link lost"))
    assert drive.engine.state is SessionState.RECONNECTING
    active = drive.engine.active_s
    drive.run_until(drive.now + 8.0)
    assert drive.engine.active_s == active
    drive.feed(Reconnected(drive.now, attempts=2))
    return drive


def test_headless_disconnect_mid_turn_resumes_when_the_belt_kept_its_speed() -> None:
    drive = _disconnect_in_turn(EngineOptions(headless=True))
    drive.run_until(drive.now + 1.5)
    assert drive.engine.state is SessionState.RUNNING
    assert drive.run_to_end().outcome == "finished"


def test_headless_disconnect_ends_the_session_when_the_belt_stopped() -> None:
    drive = _disconnect_in_turn(EngineOptions(headless=True))
    drive.belt.running, drive.belt.speed_kmh = False, 0.0
    ended = drive.run_to_end()
    assert (ended.outcome, ended.exit_code) == ("interrupted", 3)
    assert "connection lost" in ended.reason


def test_a_view_that_takes_a_resume_goes_on_when_the_belt_kept_its_speed() -> None:
    # Never PAUSED over a running belt: the TUI judges the belt like the line view does.
    drive = _disconnect_in_turn(EngineOptions(headless=False))
    drive.run_until(drive.now + 1.5)
    assert drive.engine.state is SessionState.RUNNING
    assert "kept its speed" in str(drive.log("state")[-1].fields.get("reason"))


def test_a_view_that_takes_a_resume_waits_when_the_belt_stopped_during_the_outage() -> None:
    drive = _disconnect_in_turn(EngineOptions(headless=False))
    drive.belt.running, drive.belt.speed_kmh = False, 0.0
    drive.run_until(drive.now + 100.0)
    assert drive.engine.state is SessionState.PAUSED
    assert drive.engine.ended is None
    assert "the belt had stopped" in (drive.engine.reason or "")


def test_lost_control_pauses_and_goes_on_once_taken_back_with_the_belt_at_speed() -> None:
    drive = Drive.start(plan_of(ALT), options=EngineOptions(interactive=False))
    drive.run_until(30.0)
    drive.feed(ControlLost(drive.now, "another app took control"))
    states = drive.state_changes()
    assert states[-2:] == ["paused", "resumed"]  # request_control answered, belt at 9 km/h
    assert drive.sends[-1].send.request == "request_control"
    assert drive.cues("alarm")[0].fields["text"].startswith("Control of the treadmill was lost")
    assert drive.engine.state is SessionState.RUNNING


def test_a_rejected_set_point_is_sent_again() -> None:
    drive = Drive.start(plan_of(ALT))
    drive.run_until(10.0)
    drive.belt.reject_next = True
    drive.command(cmd(CommandKind.SPEED, 0.5))
    rejected = [r for r in drive.log("response") if r.fields["result"] == "operation_failed"]
    assert rejected
    drive.run_until(drive.now + 2.5)
    retry = drive.commands("speed")[-1]
    assert retry.send.value == 9.5
    assert retry.t == pytest.approx(rejected[0].t + 2.0)
    assert drive.log("command")[-1].fields["reason"] == "retry"


@pytest.mark.parametrize("action", ["step-down", "end-bout"])
def test_heart_rate_guard_slows_or_ends_the_backward_bout(action: str) -> None:
    guard = HeartRateGuard(150, "step-down" if action == "step-down" else "end-bout")
    drive = Drive.start(plan_of(ALT), options=EngineOptions(heart_rate=guard))
    until_log(drive, "segment", 3)
    drive.run_until(drive.now + 12.0)  # the ramp to 4.5 km/h is done
    drive.belt.heart_rate_bpm = 170
    if action == "end-bout":
        drive.run_until(drive.now + 2.0)
        assert drive.log("segment")[-1].fields["kind"] == "turn"
        assert "bout over" in drive.cues("alarm")[0].fields["text"]
        return
    drive.run_until(drive.now + 35.0)
    guarded = [s for s in drive.sends if drive_reason(drive, s.t) == "heart-rate guard"]
    speeds = [s.send.value for s in guarded]
    assert speeds[:2] == [4.0, 3.5]
    assert guarded[1].t - guarded[0].t >= 10.0
    assert "Heart rate 170 above 150" in drive.cues("alarm")[0].fields["text"]


def drive_reason(drive: Drive, t: float) -> str | None:
    for line in drive.log("command"):
        if line.t == t and "speed_kmh" in line.fields:
            return line.fields.get("reason")
    return None


def test_stop_ends_the_session_with_the_belt_stopped() -> None:
    drive = Drive.start(plan_of(ALT))
    drive.run_until(40.0)
    assert drive.command(cmd(CommandKind.STOP)).accepted
    assert drive.sends[-1].send.request == "stop"
    assert drive.command(cmd(CommandKind.PAUSE)).accepted is False
    assert drive.engine.ended is None  # not before the belt is measured at rest
    ended = drive.run_to_end()
    assert (ended.outcome, ended.reason, ended.exit_code) == ("stopped", "stopped by you", 3)
    assert drive.belt.speed_kmh == 0.0
    assert drive.cues()[-1].fields["text"] == "The belt has stopped. You can step off."


def test_the_snapshot_counts_down_from_the_engine_not_a_watcher_timer() -> None:
    drive = Drive.start(plan_of(ALT))
    drive.run_until(30.0)
    snap = drive.engine.snapshot(drive.now + 0.5)
    now_left = drive.snapshot().segment_remaining_s
    assert now_left is not None
    assert snap.segment_remaining_s == pytest.approx(now_left - 0.5)
    assert snap.next_segment is not None
    assert snap.next_segment.kind == "turn"
    assert snap.to_json()["totals"]["duration_s"] == pytest.approx(snap.elapsed_s)


def _said_before_each_turn(drive: Drive) -> list[tuple[float, list[str], float]]:
    """For each "Turn around now": the warning's number, the digits said in the ten
    seconds before it, and how long before it the last digit came."""
    cues = drive.cues()
    found = []
    for turn in drive.cues("turn_now"):
        before = [c for c in cues if turn.t - 45 <= c.t < turn.t]
        warning = [c for c in before if c.fields["kind"] == "turn_warning"]
        digits = [c for c in before if c.fields["kind"] == "countdown" and turn.t - c.t <= 3.5]
        number = float(warning[-1].fields["text"].split(" in ")[1].split()[0]) if warning else -1
        found.append(
            (
                number - (turn.t - warning[-1].t) if warning else -99.0,
                [c.fields["text"] for c in digits],
                turn.t - digits[-1].t if digits else -1.0,
            )
        )
    return found


@pytest.mark.parametrize("belt", [FakeBelt, laggy], ids=["default", "laggy"])
def test_every_countdown_leads_into_the_turn_whichever_way_it_turns(
    belt: Callable[[], FakeBelt],
) -> None:
    # Turning back to forward, the belt first steps down at the backward ramp rate inside
    # the turn; the warning and the 3-2-1 must still count to "Turn around now".
    drive = Drive.start(plan_of(ALT), belt=belt())
    drive.run_to_end()
    said = _said_before_each_turn(drive)
    assert len(said) == 2
    for warning_error_s, digits, last_digit_before_s in said:
        assert abs(warning_error_s) <= 1.0  # "Forward in 10 seconds" means ten
        assert digits == ["3", "2", "1"]
        assert last_digit_before_s == pytest.approx(1.0, abs=0.05)


def test_a_turn_has_one_countdown_and_it_ends_when_the_runner_turns() -> None:
    # A second 3-2-1 inside the window would end in nothing the runner feels (the belt
    # stays at turn speed): the only countdown of a turn ends at "Turn around now".
    drive = Drive.start(plan_of(ALT))
    drive.run_to_end()
    digits = [c for c in drive.cues("countdown") if c.fields.get("beeps") == 1]
    turns_now = [c.t for c in drive.cues("turn_now")]
    settles = [c.t for c in drive.cues("start") if "Settle in" in c.fields["text"]]
    assert len(turns_now) == len(settles) == 2
    for turn_at, settle_at in zip(turns_now, settles, strict=True):
        assert not [d for d in digits if turn_at <= d.t <= settle_at]
        before = [d for d in digits if turn_at - 3.5 < d.t < turn_at]
        assert [d.fields["text"] for d in before] == ["3", "2", "1"]
        assert turn_at - before[-1].t == pytest.approx(1.0, abs=0.05)
    # Every countdown of the session leads into a turn or a change of speed: in threes.
    assert len(digits) == 3 * (len(turns_now) + 1)


SHORT_BACKWARD = """
name: short backward bout
steps:
  - {duration: 3m, speed: 4.5, label: easy walk}
  - {direction: backward, duration: 45s, speed: 2.5, label: backward walk, cue: Short steps}
  - {duration: 3m, speed: 4.5, label: forward walk}
  - {duration: 2m, speed: 6, label: faster}
"""


def _bout_cues(settings: CueSettings) -> tuple[list[str], list[str]]:
    """What is said from the start of the 45 s backward bout to "Turn around now" back to
    forward, and the whole session's texts."""
    drive = Drive.start(plan_of(SHORT_BACKWARD), options=EngineOptions(cues=settings))
    drive.run_to_end()
    bout_at = next(e.t for e in drive.log("segment") if e.fields["label"] == "backward walk")
    back_at = drive.cues("turn_now")[1].t
    texts = [c.fields["text"] for c in drive.cues()]
    return [c.fields["text"] for c in drive.cues() if bout_at <= c.t < back_at], texts


def test_a_short_backward_bout_says_only_what_a_runner_facing_away_needs() -> None:
    bout, texts = _bout_cues(CueSettings())
    # The heads-up and the countdown into the turn: no name (the turn just said "facing
    # backward"), no halfway, and its own words were said before the turn into it, while
    # the runner still faced the console. The belt is already at turn speed (2.5 km/h
    # backward): nothing to say about slowing.
    assert bout == ["Forward in 10 seconds. Hold the rails.", "3", "2", "1"]
    assert texts.index("Next, backward: Short steps") < texts.index("Turn around now.")
    chatty, _ = _bout_cues(CueSettings(Verbosity.CHATTY))
    assert chatty == ["backward walk", "Halfway", *bout]


def test_quiet_cues_and_groups_turned_off_never_silence_a_safety_cue() -> None:
    everything = set(_bout_cues(CueSettings(Verbosity.CHATTY))[1])
    quiet = set(_bout_cues(CueSettings(Verbosity.QUIET))[1])
    no_groups = set(_bout_cues(CueSettings(off=frozenset(CueGroup) - {CueGroup.SAFETY}))[1])
    safety = {
        "Starting short backward bout. The belt starts moving.",
        "Backward in 10 seconds. The belt is slowing — hold the rails.",
        "Forward in 10 seconds. Hold the rails.",
        "Turn around now.",
        "Settle in, facing backward.",
        "Settle in, facing forward.",
        "3",
        "Workout complete. Well done!",
        "The belt has stopped. You can step off.",
    }
    assert safety <= quiet
    assert quiet == no_groups == safety | {"2", "1"}
    # The 3-2-1 into the last change of speed is a countdown a runner can turn off.
    assert {
        "easy walk",
        "Next, backward: Short steps",
        "Halfway",
        "Change in 10 seconds",
    } <= everything - quiet


def test_a_belt_that_never_stops_ends_in_bounded_time_and_never_as_a_success() -> None:
    # The treadmill ignores Stop: the session keeps telling it, tells the runner what to do,
    # and ends after a bounded wait saying plainly that the belt did not stop.
    drive = Drive.start(plan_of(ALT), belt=FakeBelt(unanswered=frozenset({"stop"})))
    drive.run_until(40.0)
    drive.command(cmd(CommandKind.STOP))
    stopped_at = drive.now
    ended = drive.run_to_end()
    assert (ended.outcome, ended.exit_code) == ("interrupted", 1)
    assert "not measured at rest" in ended.reason
    assert ended.t - stopped_at == pytest.approx(STOP_ANSWER_WAIT_S, abs=1.0)
    assert len(drive.commands("stop")) >= 2  # told again
    alarms = [c.fields["text"] for c in drive.cues("alarm")]
    assert any("still running" in text for text in alarms)
    assert "did not stop" in alarms[-1]


def test_asking_to_stop_again_while_stopping_ends_at_once() -> None:
    # A second Ctrl-C must never be ignored, whatever the treadmill does with the first.
    drive = Drive.start(plan_of(ALT), belt=FakeBelt(unanswered=frozenset({"stop"})))
    drive.run_until(40.0)
    drive.command(cmd(CommandKind.STOP))
    assert drive.engine.state is SessionState.STOPPED
    assert not drive.events or not isinstance(drive.events[-1], SessionEnded)
    again = drive.command(UserCommand(CommandKind.STOP, source="signal"))
    assert again.accepted
    ended = drive.events[-1]
    assert isinstance(ended, SessionEnded)
    assert ended.t == pytest.approx(40.0)
    assert ended.exit_code == 1  # the belt was still running: never a success


def test_every_command_in_the_log_follows_a_phase_line_saying_which_way_the_runner_faced() -> None:
    drive = Drive.start(plan_of(ALT))
    drive.run_to_end()
    facing = None
    for line in drive.log():
        if line.type == "phase":
            facing = line.fields["facing"]
        elif line.type == "command" and "incline_pct" in line.fields and facing == "backward":
            phases = [p for p in drive.log("phase") if p.t <= line.t]
            assert phases[-1].fields["phase"] == "turn_window"
    assert facing == "forward"
    assert [p.fields["facing"] for p in drive.log("phase")].count("backward") >= 2


FAST_BACKWARD = """
name: fast backward
steps:
  - {duration: 1m, speed: 6}
  - {direction: backward, duration: 3m, speed: 7}
"""


def test_a_console_speed_above_the_backward_cap_is_answered_at_once_in_one_step() -> None:
    drive = Drive.start(plan_of(FAST_BACKWARD))
    until_log(drive, "segment", 3)
    drive.run_until(drive.now + 40.0)
    drive.belt.target_kmh = 12.0  # someone holds the console's speed key
    before = len(drive.commands("speed"))
    drive.feed(ConsoleSpeedChanged(drive.now, 12.0))
    answer = drive.commands("speed")[before:]
    assert [s.send.value for s in answer] == [8.0]  # the cap, at once, not a ramp from 12
    assert answer[0].t == drive.now
    assert "back to 8 km/h" in drive.cues("alarm")[-1].fields["text"]


def test_slowing_for_a_turn_never_speeds_a_slower_runner_up() -> None:
    drive = Drive.start(
        plan_of("""
name: slow backward
steps:
  - {duration: 1m, speed: 6}
  - {direction: backward, duration: 2m, speed: 1.5}
  - {duration: 1m, speed: 6}
""")
    )
    drive.run_to_end()
    backward = [s.send.value or 0.0 for s in drive.commands("speed") if s.facing == "backward"]
    at_pace = backward.index(1.5)
    assert backward[at_pace:] == [1.5]  # never back up to the 2.5 km/h turn speed
    turn_now = drive.cues("turn_now")[1]
    assert turn_now.fields["speed_kmh"] <= 1.5 + ARRIVAL_TOLERANCE_KMH


def test_a_backward_resume_starts_at_turn_speed_and_ramps_in_half_km_h_steps() -> None:
    drive = Drive.start(plan_of(FAST_BACKWARD))
    until_log(drive, "segment", 3)
    drive.run_until(drive.now + 60.0)
    drive.command(cmd(CommandKind.PAUSE))
    drive.run_until(drive.now + 120.0)
    resumed_at = len(drive.sends)
    drive.command(cmd(CommandKind.RESUME))
    drive.run_until(drive.now + 60.0)
    after = [s for s in drive.sends[resumed_at:] if s.send.request == "speed"]
    speeds = [s.send.value or 0.0 for s in after]
    assert speeds[0] == TURN_KMH  # from rest, never straight back to 7 km/h
    assert speeds[-1] == 7.0
    for a, b in itertools.pairwise(after):
        assert abs((b.send.value or 0.0) - (a.send.value or 0.0)) <= 0.5 + 1e-9, (a, b)
        assert b.t - a.t >= 2.0 - 1e-6  # 0.5 km/h at most every 2 s (0.25 km/h per s)


def test_a_belt_stopped_without_a_word_pauses_the_session() -> None:
    drive = Drive.start(plan_of(ALT), options=EngineOptions(interactive=True))
    drive.run_until(50.0)
    drive.belt.running, drive.belt.target_kmh = False, 0.0  # no BeltStopped status at all
    drive.run_until(70.0)
    assert drive.engine.state is SessionState.PAUSED
    assert "said nothing" in (drive.engine.reason or "")
    sent = len(drive.sends)
    drive.run_until(300.0)
    assert drive.sends[sent:] == []  # nothing more is sent to it until the runner resumes


def test_a_belt_that_ignores_speed_commands_is_an_alarm_not_a_workout() -> None:
    drive = Drive.start(plan_of(ALT), options=EngineOptions(interactive=True))
    drive.run_until(30.0)
    drive.belt.pending.clear()
    ignored = drive.belt.perform
    drive.belt.perform = lambda send, now: (  # type: ignore[method-assign]
        ignored(send, now) if send.request != "speed" else Done(send.seq, "success")
    )
    drive.command(cmd(CommandKind.SPEED, 0.5))  # acknowledged, and nothing happens
    drive.run_until(45.0)
    assert drive.engine.state is SessionState.PAUSED
    assert "did not follow" in (drive.engine.reason or "")
    assert drive.sends[-1].send.request == "pause"


def test_a_pause_that_leaves_the_belt_creeping_is_told_to_stop_and_said() -> None:
    drive = Drive.start(plan_of(ALT), belt=FakeBelt(pause_speed_kmh=1.6))
    drive.run_until(40.0)
    drive.command(cmd(CommandKind.PAUSE))
    drive.run_until(70.0)
    alarm = drive.cues("alarm")[-1].fields["text"]
    assert alarm.startswith("The belt did not stop: it runs 1.6 km/h")
    assert drive.sends[-1].send.request == "stop"
    assert drive.belt.speed_kmh == 0.0  # measured at rest at last
    assert drive.engine.state is SessionState.PAUSED


def test_a_distance_interval_slows_for_its_turn_by_metres_and_says_when_it_comes() -> None:
    # The approach of a distance interval starts the metres before its end that slowing to
    # turn speed covers, so the last metres are not walked at turn speed, and "Backward in
    # N seconds" (once the belt's deceleration is known) is right within 2 s.
    drive = Drive.start(
        plan_of("""
name: track
steps:
  - repeat:
      times: 3
      steps:
        - {distance: 400m, speed: 11}
        - {direction: backward, distance: 200m, speed: 5}
""")
    )
    drive.run_to_end()
    warnings = drive.cues("turn_warning")
    turns_now = drive.cues("turn_now")
    backward = [
        (w, t) for w, t in zip(warnings, turns_now, strict=True) if "Backward" in w.fields["text"]
    ]
    for warning, turn_now in backward[1:]:  # the first slowing teaches the deceleration
        said = float(warning.fields["text"].split(" in ")[1].split()[0])
        assert abs((turn_now.t - warning.t) - said) <= 2.0, (warning, turn_now)


def test_a_stop_is_judged_by_a_sample_taken_after_it_not_before() -> None:
    # Stopped while the belt counts down to its start: the last sample (0 km/h, from before
    # the Stop) must not count as the belt at rest; it may be about to move.
    drive = Drive.start(plan_of(ALT))
    drive.run_until(1.5)
    assert drive.engine.state is SessionState.COUNTDOWN
    assert drive.engine.measured_speed == 0.0
    drive.command(cmd(CommandKind.STOP))
    stop_at = drive.commands("stop")[-1].t
    drive.run_to_end()
    (rest,) = [c for c in drive.cues("pause") if "stopped" in c.fields["text"]]
    assert rest.t > stop_at


def test_a_turn_warning_counts_in_words_a_runner_hears_right() -> None:
    turn = plan_of(ALT).segments[1]
    assert turn_warning_text(turn, 1.2).startswith("Backward in 1 second.")
    assert turn_warning_text(turn, 14.6).startswith("Backward in 15 seconds.")
