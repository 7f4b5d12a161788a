"""The bounded publish queue: what is kept and what is dropped when the broker lags."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrorun.mqtt.outbox import Lane, Outbox, Outgoing, SendPace


def _message(lane: Lane, topic: str, n: int) -> Outgoing:
    return Outgoing(topic, str(n).encode(), lane)


def _drain(outbox: Outbox) -> list[Outgoing]:
    out: list[Outgoing] = []
    while (message := outbox.pop()) is not None:
        out.append(message)
    return out


def test_latest_lane_keeps_only_the_newest_per_topic_in_its_place() -> None:
    outbox = Outbox()
    outbox.put(_message(Lane.LATEST, "a/state", 1))
    outbox.put(_message(Lane.LATEST, "a/status", 1))
    outbox.put(_message(Lane.LATEST, "a/state", 2))
    assert [(m.topic, m.payload) for m in _drain(outbox)] == [("a/state", b"2"), ("a/status", b"1")]
    assert outbox.dropped[Lane.LATEST] == 1


def test_full_lanes_drop_their_oldest() -> None:
    outbox = Outbox(events_limit=3, telemetry_limit=2)
    for n in range(5):
        outbox.put(_message(Lane.EVENTS, "cue", n))
        outbox.put(_message(Lane.TELEMETRY, "telemetry", n))
    sent = _drain(outbox)
    assert [m.payload for m in sent if m.lane is Lane.EVENTS] == [b"2", b"3", b"4"]
    assert [m.payload for m in sent if m.lane is Lane.TELEMETRY] == [b"3", b"4"]
    assert outbox.dropped == {Lane.LATEST: 0, Lane.EVENTS: 2, Lane.TELEMETRY: 3}


def test_lanes_take_turns_so_a_busy_state_never_starves_the_cues() -> None:
    outbox = Outbox()
    outbox.put(_message(Lane.TELEMETRY, "telemetry", 1))
    outbox.put(_message(Lane.EVENTS, "cue", 1))
    outbox.put(_message(Lane.EVENTS, "cue", 2))
    outbox.put(_message(Lane.LATEST, "state", 1))
    assert outbox.pop() == _message(Lane.LATEST, "state", 1)
    outbox.put(_message(Lane.LATEST, "state", 2))  # the session moved on meanwhile
    assert outbox.pop() == _message(Lane.EVENTS, "cue", 1)
    assert outbox.pop() == _message(Lane.TELEMETRY, "telemetry", 1)
    assert outbox.pop() == _message(Lane.LATEST, "state", 2)
    assert outbox.pop() == _message(Lane.EVENTS, "cue", 2)
    assert outbox.pop() is None


@given(
    st.lists(
        st.tuples(st.sampled_from(list(Lane)), st.sampled_from(["x/state", "x/status", "x/cue"])),
        max_size=300,
    )
)
def test_the_outbox_never_holds_more_than_its_bounds(puts: list[tuple[Lane, str]]) -> None:
    outbox = Outbox(events_limit=5, telemetry_limit=3)
    for n, (lane, topic) in enumerate(puts):
        outbox.put(_message(lane, topic, n))
        assert len(outbox) <= 5 + 3 + 3
    sent = _drain(outbox)
    assert len(sent) + sum(outbox.dropped.values()) == len(puts)
    # Within a lane the order of arrival is kept.
    for lane in (Lane.EVENTS, Lane.TELEMETRY):
        numbers = [int(m.body()) for m in sent if m.lane is lane]
        assert numbers == sorted(numbers)


def test_a_payload_function_is_only_called_when_sent() -> None:
    calls: list[int] = []

    def build(n: int) -> bytes:
        calls.append(n)
        return str(n).encode()

    outbox = Outbox()
    for n in range(100):
        outbox.put(Outgoing("x/state", functools.partial(build, n), Lane.LATEST))
    message = outbox.pop()
    assert message is not None
    assert message.body() == b"99"
    assert calls == [99]


def test_send_pace_allows_a_burst_then_the_rate() -> None:
    pace = SendPace(rate_hz=10, burst=3)
    for _ in range(3):
        assert pace.delay_s(now=0.0) == 0.0
        pace.sent(now=0.0)
    assert pace.delay_s(now=0.0) == pytest.approx(0.1)
    assert pace.delay_s(now=0.05) == pytest.approx(0.05)
    assert pace.delay_s(now=0.1) == 0.0
    pace.sent(now=0.1)
    assert pace.delay_s(now=10.0) == 0.0  # idle time refills up to the burst, no further
    for _ in range(3):
        pace.sent(now=10.0)
    assert pace.delay_s(now=10.0) > 0
