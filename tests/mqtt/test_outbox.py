"""The bounded publish queue: what is kept and what is dropped when the broker lags."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retrorun.mqtt.outbox import Lane, Outbox, Outgoing


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


def test_lanes_go_out_state_first_then_events_then_telemetry() -> None:
    outbox = Outbox()
    outbox.put(_message(Lane.TELEMETRY, "telemetry", 1))
    outbox.put(_message(Lane.EVENTS, "cue", 1))
    outbox.put(_message(Lane.LATEST, "state", 1))
    assert [m.lane for m in _drain(outbox)] == [Lane.LATEST, Lane.EVENTS, Lane.TELEMETRY]


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
        numbers = [int(m.payload) for m in sent if m.lane is lane]
        assert numbers == sorted(numbers)
