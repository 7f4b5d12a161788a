"""One browser's queue: bounded whatever the browser does, newest state wins; the PIN gate."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retrorun.session.api import Phase, SessionState
from retrorun.web.access import MAX_WRONG_PINS, Gate
from retrorun.web.outbox import ClientOutbox
from tests.web.snapshots import snapshot


def _encode(snap: object) -> str:
    return f"state {getattr(snap, 't', None)}"


def test_the_newest_state_wins_and_skipped_ones_are_never_encoded() -> None:
    encoded: list[float] = []

    def encode(snap: object) -> str:
        encoded.append(getattr(snap, "t", 0.0))
        return _encode(snap)

    outbox = ClientOutbox(encode)
    for t in range(100):
        outbox.offer_state(snapshot(t=float(t)))
    assert len(outbox) == 1
    assert outbox.take(now=0.0) == ["state 99.0"]
    assert encoded == [99.0]
    assert outbox.dropped == 99
    assert outbox.take(now=1.0) == []


def test_events_keep_their_order_ahead_of_the_state_and_the_oldest_go_first() -> None:
    outbox = ClientOutbox(_encode, events_limit=3)
    outbox.offer_state(snapshot(t=1.0))
    for cue in ("a", "b", "c", "d"):
        outbox.offer_event(cue)
    assert outbox.take(now=0.0) == ["b", "c", "d", "state 1.0"]
    assert outbox.dropped == 1


def test_ticking_numbers_are_paced_but_a_change_the_runner_must_see_is_not() -> None:
    outbox = ClientOutbox(_encode, min_gap_s=0.05)
    outbox.offer_state(snapshot(t=1.0))
    assert outbox.take(now=10.0) == ["state 1.0"]
    outbox.offer_state(snapshot(t=1.25))
    assert outbox.take(now=10.01) == []  # only the countdown moved: wait for the gap
    assert outbox.waiting
    assert outbox.take(now=10.06) == ["state 1.25"]
    for changed in (
        snapshot(t=1.5, state=SessionState.PAUSED),
        snapshot(t=1.75, phase=Phase.APPROACH),
        snapshot(t=2.0, direction="backward"),
        snapshot(t=2.25, segment_index=1),
    ):
        outbox.offer_state(changed)
        assert outbox.take(now=10.061) == [f"state {changed.t}"]


@given(st.lists(st.sampled_from(["state", "event", "take"]), max_size=300))
def test_the_outbox_never_holds_more_than_its_limit(steps: list[str]) -> None:
    outbox = ClientOutbox(_encode, events_limit=8)
    for number, step in enumerate(steps):
        if step == "state":
            outbox.offer_state(snapshot(t=float(number)))
        elif step == "event":
            outbox.offer_event(str(number))
        else:
            outbox.take(now=float(number))
        assert len(outbox) <= 8 + 1


def test_the_pin_gate() -> None:
    assert Gate(None).refusal(None) is None
    assert Gate(None).refusal("anything") is None
    gate = Gate("4821")
    assert gate.needs_pin
    assert gate.refusal(None) == "PIN required"
    assert gate.refusal("1234") == "wrong PIN"
    assert gate.refusal("4821") is None
    assert gate.wrong == 1


def test_guessing_pins_is_stopped_after_a_few_tries() -> None:
    gate = Gate("4821")
    for guess in range(MAX_WRONG_PINS):
        assert gate.refusal(f"{guess:04d}") == "wrong PIN"
    assert gate.refusal("4821") == "too many wrong PINs: restart the session for a new one"
