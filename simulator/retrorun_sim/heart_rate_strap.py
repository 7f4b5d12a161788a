"""`SimulatedHeartRateStrap`: a Bluetooth heart-rate strap worn by the simulated runner.

It advertises the Heart Rate Service (0x180D) and notifies Heart Rate Measurement (0x2A37,
Heart Rate Service 1.0 §3.1) once a second with the heart rate of the runner on a
`SimulatedTreadmill`, so the heart rate follows speed, incline and direction exactly as
that treadmill's runner model says. One client at a time, like real straps.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import TYPE_CHECKING, Self

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.scanner import AdvertisementData
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection

from retrorun.ftms import (
    HEART_RATE_SERVICE_UUID,
    Characteristic,
    HeartRateMeasurement,
    encode_heart_rate,
)
from retrorun_sim import registry
from retrorun_sim.gatt import CCCD_NOTIFY, CCCD_UUID
from retrorun_sim.neighbour import Unreadable
from retrorun_sim.peripheral import (
    SIMULATED_RSSI_DBM,
    ClientLink,
    PeripheralBusyError,
    PeripheralUnreachableError,
)

if TYPE_CHECKING:
    from types import TracebackType

    from retrorun_sim.treadmill import SimulatedTreadmill

_addresses = itertools.count(1)
_SERVICE_HANDLE = 0x0040
_MTU = 23


def _next_address() -> str:
    number = next(_addresses)
    return f"5E:1A:48:52:{number >> 8 & 0xFF:02X}:{number & 0xFF:02X}"


class SimulatedHeartRateStrap(Unreadable):
    """A heart-rate strap on the runner of ``wearer``; reachable through bleak while started."""

    def __init__(
        self,
        wearer: SimulatedTreadmill,
        *,
        name: str = "RetroRun HRM",
        address: str | None = None,
        interval_s: float = 1.0,
    ) -> None:
        self.wearer = wearer
        self.clock = wearer.clock
        self._name = name
        self._address = address or _next_address()
        self.interval_s = interval_s
        self._link: ClientLink | None = None
        self._subscribed = False
        self._task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Put the strap on: it advertises and starts measuring."""
        registry.register(self)
        self._task = asyncio.ensure_future(self._measure())
        registry.announce(self)

    async def stop(self) -> None:
        """Take it off: any client is dropped, nothing answers at its address."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        link, self._link = self._link, None
        if link is not None:
            link.lost()
        registry.unregister(self)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ Peripheral

    @property
    def address(self) -> str:
        return self._address

    @property
    def name(self) -> str:
        return self._name

    @property
    def advertising(self) -> bool:
        return self._task is not None and self._link is None

    @property
    def mtu(self) -> int:
        return _MTU

    def advertisement(self) -> AdvertisementData:
        return AdvertisementData(
            local_name=self._name,
            manufacturer_data={},
            service_data={},
            service_uuids=[HEART_RATE_SERVICE_UUID],
            tx_power=None,
            rssi=SIMULATED_RSSI_DBM,
            platform_data=(),
        )

    def services(self) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        service = BleakGATTService(None, _SERVICE_HANDLE, HEART_RATE_SERVICE_UUID)
        collection.add_service(service)
        measurement = Characteristic.HEART_RATE_MEASUREMENT
        char = BleakGATTCharacteristic(
            measurement,
            _SERVICE_HANDLE + 2,
            measurement.uuid,
            ["notify"],
            lambda: _MTU - 3,
            service,
        )
        collection.add_characteristic(char)
        collection.add_descriptor(
            BleakGATTDescriptor(measurement, _SERVICE_HANDLE + 3, CCCD_UUID, char)
        )
        return collection

    def attach(self, link: ClientLink) -> None:
        if self._task is None:
            raise PeripheralUnreachableError("the strap is not worn", device=self._address)
        if self._link is not None:
            raise PeripheralBusyError("already paired with another client", device=self._address)
        self._link = link
        self._subscribed = False

    def detach(self, link: ClientLink) -> None:
        if link is self._link:
            self._link = None
            self._subscribed = False
            registry.announce(self)

    def subscribe(self, characteristic: Characteristic, *, enabled: bool) -> None:
        if characteristic is Characteristic.HEART_RATE_MEASUREMENT:
            self._subscribed = enabled

    def cccd(self, characteristic: Characteristic) -> int:
        subscribed = characteristic is Characteristic.HEART_RATE_MEASUREMENT and self._subscribed
        return CCCD_NOTIFY if subscribed else 0

    # ------------------------------------------------------------------ internals

    def measurement(self) -> HeartRateMeasurement:
        """What the strap measures now."""
        return HeartRateMeasurement(round(self.wearer.heart_rate_bpm), sensor_contact=True)

    async def _measure(self) -> None:
        deadline = self.clock.now()
        while True:
            deadline += self.interval_s
            await self.clock.sleep_until(deadline)
            link = self._link
            silent = self.clock.now() < self.wearer.strap_silent_until_s  # a strap-silent fault
            if link is not None and self._subscribed and not silent:
                link.deliver(
                    Characteristic.HEART_RATE_MEASUREMENT, encode_heart_rate(self.measurement())
                )
