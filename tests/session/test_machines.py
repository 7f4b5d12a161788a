"""The engine's small machines on their own: lifecycle, turn, command tracker, ledger.

Plain synchronous tests, no event loop, no belt: each machine is fed its inputs directly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retrorun.errors import LocalProtocolError
from retrorun.profiles.loader import parse_profile
from retrorun.profiles.plan import Segment, compile_plan
from retrorun.session import tables
from retrorun.session.api import SessionState
from retrorun.session.commands import (
    MAX_TRIES,
    RETRY_S,
    CommandState,
    CommandTracker,
)
from retrorun.session.following import BeltWatch, Follow, Stalled
from retrorun.session.inputs import Done
from retrorun.session.ledger import Ledger
from retrorun.session.lifecycle import (
    ENDINGS,
    TRANSITIONS,
    Ending,
    Lifecycle,
    Stage,
    Trigger,
)
from retrorun.session.turn import (
    MAX_ARRIVAL_WAIT_S,
    ArrivalOverdue,
    Beep,
    Settling,
    Turn,
    TurnDone,
    TurnInput,
    TurnPhase,
    WindowOpened,
)

DOCS = Path(__file__).parents[2] / "docs" / "session.md"


def _turn_segment() -> Segment:
    """The turn from backward (4 km/h) back to forward: it ramps down before its window."""
    document = parse_profile(
        "name: t\nsteps:\n  - {duration: 1m, speed: 6}\n"
        "  - {direction: backward, duration: 1m, speed: 4}\n  - {duration: 1m, speed: 6}\n"
    )
    plan = compile_plan(document.profile, where=document)
    turn = plan.segments[3]
    assert turn.kind == "turn"
    assert turn.incline_offset_s > 0
    return turn


def _phase(turn: Turn) -> TurnPhase:
    return turn.phase


# ---------------------------------------------------------------------------- lifecycle


def test_every_ending_is_named_with_an_outcome_and_an_exit_code() -> None:
    assert set(ENDINGS) == set(Ending)
    for ending, info in ENDINGS.items():
        assert info.outcome in ("finished", "stopped", "interrupted"), ending
        assert (info.exit_code == 0) == (ending is Ending.FINISHED), ending
        assert info.exit_code in (0, 1, 3)


def test_every_live_stage_can_end_and_only_stopping_reaches_ended() -> None:
    for stage in (Stage.CONNECTING, Stage.COUNTDOWN, Stage.RUNNING, Stage.PAUSED):
        assert TRANSITIONS[stage, Trigger.END] is Stage.STOPPING
    into_ended = [pair for pair, stage in TRANSITIONS.items() if stage is Stage.ENDED]
    assert into_ended == [(Stage.STOPPING, Trigger.STOP_ANSWERED)]
    assert not [pair for pair in TRANSITIONS if pair[0] is Stage.ENDED]


def test_a_session_runs_pauses_resumes_and_ends() -> None:
    life = Lifecycle()
    for trigger in (Trigger.READY, Trigger.BELT_MOVING, Trigger.PAUSE, Trigger.RESUME):
        life.fire(trigger)
    assert life.state() is SessionState.COUNTDOWN
    life.fire(Trigger.BELT_MOVING)
    info = life.end(Ending.SAFETY_KEY)
    assert (info.outcome, info.exit_code, info.reason) == ("interrupted", 3, "safety key pulled")
    assert life.stage is Stage.STOPPING
    assert life.state() is SessionState.INTERRUPTED  # a stopping session shows how it ends
    assert not life.live
    assert life.fire(Trigger.STOP_ANSWERED) is Stage.ENDED


def test_what_the_table_does_not_allow_is_refused() -> None:
    life = Lifecycle()
    with pytest.raises(LocalProtocolError, match="connecting session cannot take resume"):
        life.fire(Trigger.RESUME)
    assert life.stage is Stage.CONNECTING
    life.end(Ending.CANCELLED)
    with pytest.raises(LocalProtocolError):
        life.end(Ending.FINISHED)  # a session ends once


def test_an_ending_with_a_detail_says_it() -> None:
    life = Lifecycle()
    life.fire(Trigger.READY)
    info = life.end(Ending.START_REFUSED, "operation failed")
    assert info.reason.startswith("the treadmill did not start (operation failed): press Start")


# ---------------------------------------------------------------------------- turn


def test_a_turn_on_time_opens_its_window_when_due_and_the_belt_is_there() -> None:
    seg = _turn_segment()
    turn = Turn.begin(seg, start=100.0)
    assert turn.window_at == 100.0 + seg.incline_offset_s
    assert turn.advance(100.0, 4.0) == []
    assert _phase(turn) is TurnPhase.APPROACH
    # The countdown to the window falls inside the turn's ramp-down: the turn says it.
    before = [turn.advance(turn.window_at - b, 3.0) for b in (3.0, 2.0, 1.0)]
    assert before == [[Beep(3)], [Beep(2)], [Beep(1)]]
    events = turn.advance(turn.window_at, 2.5)
    assert events == [WindowOpened(0.0)]
    assert _phase(turn) is TurnPhase.WINDOW
    window = seg.window_s or 0.0
    # One countdown per turn: the end of the window changes nothing the runner feels.
    assert turn.due() == [turn.window_at + window]
    assert turn.advance(turn.window_at + window - 1.0, 2.5) == []
    assert turn.advance(turn.window_at + window, 2.5) == [Settling()]
    end = turn.window_at + window + (seg.settle_s or 0.0)
    assert turn.advance(end, 2.5) == [TurnDone(end)]
    assert turn.phase is TurnPhase.DONE


def test_the_window_waits_for_the_belt_at_turn_speed() -> None:
    turn = Turn.begin(_turn_segment(), start=0.0)
    assert all(isinstance(e, Beep) for e in turn.advance(turn.window_at, 4.0))
    assert turn.phase is TurnPhase.ARRIVING
    assert turn.advance(turn.window_at + 3.0, 3.0) == []
    events = turn.advance(turn.window_at + 4.0, 2.6)
    assert events == [WindowOpened(4.0)]
    assert turn.window_start == turn.window_at + 4.0  # the window runs from "Turn around now"


def test_a_belt_that_never_arrives_never_gets_its_window() -> None:
    turn = Turn.begin(_turn_segment(), start=0.0)
    turn.advance(turn.window_at, 9.0)
    events = turn.advance(turn.window_at + MAX_ARRIVAL_WAIT_S, 9.0)
    assert events == [ArrivalOverdue(9.0)]
    assert turn.phase is TurnPhase.OVERDUE
    assert turn.advance(turn.window_at + 2 * MAX_ARRIVAL_WAIT_S, 9.0) == []
    turn.hold_again(200.0)  # paused, then resumed: the whole turn again
    assert turn.advance(200.0, 2.5) == [WindowOpened(0.0)]


def test_arrival_is_judged_against_the_turn_speed_actually_commanded() -> None:
    # A 2 mph floor: the turn is commanded at 3.2 km/h, not the plan's 2.5.
    turn = Turn.begin(_turn_segment(), start=0.0)
    turn.advance(turn.window_at - 3.0, 4.0)
    assert turn.advance(turn.window_at, 3.2, turn_kmh=3.2)[-1] == WindowOpened(0.0)


def test_a_pause_in_the_window_holds_the_whole_window_again() -> None:
    turn = Turn.begin(_turn_segment(), start=0.0)
    turn.advance(turn.window_at, 2.5)
    paused_at = turn.window_at + 4.0
    turn.hold_again(paused_at)
    assert turn.phase is TurnPhase.APPROACH
    assert (turn.window_at, turn.window_start) == (paused_at, None)
    events = turn.advance(paused_at, 2.5)
    assert events == [WindowOpened(0.0)]
    assert turn.window_end == paused_at + (turn.segment.window_s or 0.0)


def test_a_turn_refuses_what_its_table_does_not_allow() -> None:
    turn = Turn.begin(_turn_segment(), start=0.0)
    with pytest.raises(LocalProtocolError, match="approach turn cannot take settled"):
        turn.fire(TurnInput.SETTLED)
    assert turn.phase is TurnPhase.APPROACH


# ---------------------------------------------------------------------------- commands


def test_a_set_point_is_acknowledged_then_verified_by_telemetry() -> None:
    tracker = CommandTracker()
    send = tracker.issue("speed", 6.0)
    tracked = tracker.answer(Done(send.seq, "success", outcome="sent"), 1.0, live=True)
    assert tracked is not None
    assert tracked.state is CommandState.ACKNOWLEDGED
    tracker.measured(4.0, None)
    assert tracker.state_of("speed") is CommandState.ACKNOWLEDGED  # the belt is not there yet
    tracker.measured(5.9, None)
    assert tracker.state_of("speed") is CommandState.VERIFIED


def test_a_newer_set_point_replaces_one_not_yet_measured() -> None:
    tracker = CommandTracker()
    first = tracker.issue("speed", 6.0)
    first_tracked = tracker.answer(Done(first.seq, "success"), 1.0, live=True)
    second = tracker.issue("speed", 7.0)
    tracker.answer(Done(second.seq, "success"), 2.0, live=True)
    assert first_tracked is not None
    assert first_tracked.state is CommandState.REPLACED


def test_a_refused_set_point_is_retried_a_bounded_number_of_times() -> None:
    tracker = CommandTracker()
    now, retry, tries = 0.0, False, 0
    while True:
        send = tracker.issue("speed", 9.5, retry=retry)
        tries += 1
        tracker.answer(Done(send.seq, "operation_failed", reason="no"), now, live=True)
        if tracker.gave_up:
            break
        assert tracker.retry_at == now + RETRY_S
        assert tracker.due_retries(now + RETRY_S - 0.5) == set()
        now += RETRY_S
        assert tracker.due_retries(now) == {"speed"}
        retry = True
    assert tries == MAX_TRIES
    assert tracker.gave_up[0].state is CommandState.REJECTED


def test_answers_are_judged_by_their_result_code() -> None:
    tracker = CommandTracker()
    results = {"timeout": CommandState.TIMED_OUT, "failed": CommandState.FAILED}
    for result, state in results.items():
        send = tracker.issue("start")
        tracked = tracker.answer(Done(send.seq, result), 0.0, live=True)  # type: ignore[arg-type]
        assert tracked is not None
        assert tracked.state is state
    assert tracker.answer(Done(999, "success"), 0.0, live=True) is None  # not ours


# ---------------------------------------------------------------------------- ledger


def test_active_time_runs_only_while_running_and_extensions_move_the_end() -> None:
    ledger = Ledger(t0=10.0, now=10.0)
    ledger.tick(20.0, running=False, bucket=None)
    assert (ledger.t, ledger.active) == (10.0, 0.0)
    ledger.tick(50.0, running=True, bucket="forward")
    assert ledger.active == 30.0
    assert ledger.totals.duration_s["forward"] == 30.0
    seg = _turn_segment()
    ledger.begin_segment(30.0)
    assert ledger.planned_end(seg) == 30.0 + (seg.duration_s or 0.0)
    ledger.extend(seg, 30.0, 4.0)
    assert ledger.planned_end(seg) == 60.0 + (seg.duration_s or 0.0)


# ---------------------------------------------------------------------------- docs


def test_the_docs_show_the_tables_the_code_runs() -> None:
    text = DOCS.read_text(encoding="utf-8")
    start, end = text.index(tables.BEGIN), text.index(tables.END) + len(tables.END)
    assert text[start:end] == tables.render(), (
        "docs/session.md is out of date: paste `python -m retrorun.session.tables` into it"
    )


# ---------------------------------------------------------------------------- belt watch


def test_a_belt_closing_in_on_its_target_is_following() -> None:
    watch = BeltWatch()
    watch.target(6.0, 0.0, measured_kmh=2.0)
    for t in range(1, 9):
        assert watch.sample(2.0 + 0.5 * t, float(t), reaction_s=0.5) is None
    assert watch.state is Follow.AT_TARGET


def test_a_belt_that_does_not_move_is_stalled_after_its_reaction_delay_and_five_seconds() -> None:
    watch = BeltWatch()
    watch.target(5.0, 0.0, measured_kmh=1.0)
    assert [watch.sample(1.0, float(t), reaction_s=2.0) for t in range(1, 7)] == [None] * 6
    stalled = watch.sample(1.0, 7.0, reaction_s=2.0)
    assert stalled == Stalled(5.0, 1.0)
    assert stalled.mph is None
    assert watch.sample(1.0, 8.0, reaction_s=2.0) is None  # said once


def test_a_belt_at_one_point_six_times_its_target_reads_commands_as_mph() -> None:
    assert Stalled(4.0, 6.44).mph == "commands"
    assert Stalled(6.44, 4.0).mph == "reports"
    assert Stalled(4.0, 5.0).mph is None


def test_nothing_is_expected_of_a_belt_told_to_stop() -> None:
    watch = BeltWatch()
    watch.target(5.0, 0.0, measured_kmh=5.0)
    watch.reset()
    assert watch.sample(0.0, 100.0, reaction_s=0.0) is None
    assert watch.state is Follow.IDLE
