"""A Bluetooth heart-rate strap (Heart Rate Service 0x180D) as an optional second device.

Many treadmills report no heart rate, or a poor one from hand grips the runner lets go of
while facing backward; a chest strap is the reliable source. `open_heart_rate_strap` finds
one by address or name and returns a `HeartRateStrap` whose `measurements()` yields each
Heart Rate Measurement (0x2A37) as it arrives, stamped on the injected clock.
`follow_heart_rate_strap` keeps one for a whole session: it connects, yields what the strap
measures, and when the strap is lost (out of range, battery, a dropped link) says so and
finds it again with backoff, like the treadmill reconnects, until it is cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun.device.link import Advertisement, Link, LinkLost, find
from retrorun.device.timing import backoff
from retrorun.errors import DecodeError, DeviceError
from retrorun.ftms import HEART_RATE_SERVICE_UUID16, Characteristic, decode_heart_rate

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterator

    from retrorun.clock import Clock
    from retrorun.device.connection import Backends


@dataclass(frozen=True)
class HeartRateSample:
    """One measurement from the strap."""

    at: float
    heart_rate_bpm: int
    sensor_contact: bool | None
    """False when the strap says it has lost skin contact (the value is then unreliable)."""


class HeartRateStrap:
    """A connected heart-rate strap."""

    def __init__(self, link: Link) -> None:
        self._link = link

    @property
    def name(self) -> str:
        return self._link.name

    @property
    def connected(self) -> bool:
        return self._link.is_connected

    async def measurements(self) -> AsyncIterator[HeartRateSample]:
        """Each measurement as it arrives; ends when the strap disconnects."""
        async for event in self._link.events():
            if isinstance(event, LinkLost):
                return
            if event.uuid != Characteristic.HEART_RATE_MEASUREMENT:
                continue
            try:
                measurement = decode_heart_rate(event.data)
            except DecodeError:
                continue
            if measurement.heart_rate_bpm is None:
                continue
            # Each reading is stamped and handed on, never kept here: how old a heart rate
            # may be before nothing acts on it is the session's rule (stale after 5 s).
            yield HeartRateSample(
                event.received_at, measurement.heart_rate_bpm, measurement.sensor_contact
            )

    async def close(self) -> None:
        await self._link.disconnect()


def _is_strap(adv: Advertisement) -> bool:
    return HEART_RATE_SERVICE_UUID16 in adv.service_uuids


async def open_heart_rate_strap(
    target: str, *, clock: Clock, within_s: float = 10.0, backends: Backends | None = None
) -> HeartRateStrap:
    """Find the strap with this address or name, connect, and subscribe to its measurements.

    Raises `DeviceError` ("no heart-rate strap named X found in 10 s") when none is heard.
    """
    wanted = target.strip().lower()

    def matches(adv: Advertisement) -> bool:
        name = (adv.name or "").strip().lower()
        return _is_strap(adv) and wanted in (adv.address.lower(), name)

    scanner = backends.scanner if backends is not None else None
    client = backends.client if backends is not None else None
    adv = await find(
        matches, within_s=within_s, backend=scanner, service_uuid=HEART_RATE_SERVICE_UUID16
    )
    if adv is None:
        raise DeviceError(f"no heart-rate strap named {target!r} found in {within_s:g} s")
    link = await Link.connect(adv, clock=clock, backend=client)
    try:
        await link.subscribe(Characteristic.HEART_RATE_MEASUREMENT)
    except DeviceError:
        await link.disconnect()
        raise
    return HeartRateStrap(link)


@dataclass(frozen=True)
class StrapConnected:
    """The strap is connected (the first time, or again after it was lost)."""

    name: str
    attempts: int


@dataclass(frozen=True)
class StrapLost:
    """The strap is not connected: lost, or not found yet; `follow_heart_rate_strap` keeps
    looking."""

    reason: str


StrapEvent = HeartRateSample | StrapConnected | StrapLost

RECONNECT_CAP_S = 10.0
"""The longest wait between two attempts to find the strap again (as for the treadmill)."""


async def follow_heart_rate_strap(
    target: str, *, clock: Clock, backends: Backends | None = None
) -> AsyncGenerator[StrapEvent]:
    """The strap's measurements for as long as the caller iterates, across losses.

    Never ends on its own: a strap not found, or lost, gives one `StrapLost` and is looked
    for again after 0.5, 1, 2 ... up to `RECONNECT_CAP_S` seconds (on ``clock``).
    """
    attempt = 0
    told_lost = False
    while True:
        try:
            strap = await open_heart_rate_strap(target, clock=clock, backends=backends)
        except DeviceError as exc:
            if not told_lost:
                told_lost = True
                yield StrapLost(str(exc))
            await clock.sleep(backoff(attempt, cap=RECONNECT_CAP_S))
            attempt += 1
            continue
        told_lost = False
        yield StrapConnected(strap.name, attempt + 1)
        measured = False
        try:
            async for sample in strap.measurements():
                measured = True
                yield sample
        finally:
            await strap.close()
        # A strap that drops before it measured anything backs off like one not found.
        attempt = 0 if measured else attempt + 1
        told_lost = True
        yield StrapLost(f"heart-rate strap {strap.name!r} disconnected")
        await clock.sleep(backoff(attempt, cap=RECONNECT_CAP_S))
