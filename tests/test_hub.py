"""The event hub: every subscriber sees every event in order; laggards lose the oldest."""

from __future__ import annotations

from retrorun.hub import Hub


async def test_each_subscriber_gets_every_event_from_its_subscription_on() -> None:
    hub: Hub[int] = Hub()
    hub.publish(0)
    first = hub.subscribe()
    hub.publish(1)
    second = hub.subscribe()
    hub.publish(2)
    hub.close()
    assert [event async for event in first] == [1, 2]
    assert [event async for event in second] == [2]


async def test_a_slow_reader_loses_the_oldest_events_not_the_newest() -> None:
    hub: Hub[int] = Hub(backlog=3)
    subscription = hub.subscribe()
    for n in range(10):
        hub.publish(n)
    assert subscription.drain() == [7, 8, 9]


async def test_a_cancelled_subscription_receives_nothing_more() -> None:
    hub: Hub[int] = Hub()
    subscription = hub.subscribe()
    subscription.cancel()
    hub.publish(1)
    assert subscription.drain() == []


async def test_subscribing_after_close_ends_at_once() -> None:
    hub: Hub[int] = Hub()
    hub.close()
    assert [event async for event in hub.subscribe()] == []


async def test_a_subscription_for_one_type_is_offered_only_that_type() -> None:
    # A reader that wants only snapshots is not woken for every cue and sample.
    hub: Hub[int | str] = Hub()
    words = hub.subscribe(only=str)
    every = hub.subscribe()
    for event in (1, "one", 2, "two"):
        hub.publish(event)
    hub.close()
    assert [event async for event in words] == ["one", "two"]
    assert [event async for event in every] == [1, "one", 2, "two"]
