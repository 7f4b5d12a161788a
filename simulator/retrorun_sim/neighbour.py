"""`SimulatedNeighbour`: a Bluetooth device in range that is not an FTMS treadmill.

A real scan hears far more than treadmills: phones, watches, earbuds, and treadmills that
speak only a proprietary protocol (an old WalkingPad's service 0xFE00, a Horizon's 0xFFF3,
iFit machines). A neighbour advertises a name, service UUIDs and manufacturer data, and
takes a connection (its GATT table holds its advertised services, without characteristics),
but offers nothing to read, write or subscribe. `NEIGHBOURHOOD` is what ``retrorun scan
--sim`` puts beside the simulated treadmill.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

from bleak.backends.scanner import AdvertisementData
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection

from retrorun.ftms.uuids import HEART_RATE_SERVICE_UUID16, uuid128
from retrorun_sim import registry
from retrorun_sim.peripheral import ClientLink, PeripheralBusyError, PeripheralUnreachableError
from retrorun_sim.server import AttError, AttErrorCode

if TYPE_CHECKING:
    from types import TracebackType

    from retrorun.ftms import Characteristic

_addresses = itertools.count(1)
_MTU = 23


@dataclass(frozen=True)
class Advertised:
    """What a neighbour says over the air."""

    name: str | None
    service_uuids: tuple[int, ...] = ()
    manufacturer_data: dict[int, bytes] = field(default_factory=dict)
    rssi: int = -70


NEIGHBOURHOOD = (
    Advertised("WalkingPad A1", (0xFE00,), {0x0A51: b"\x01\x02"}, rssi=-58),
    Advertised("Polar H10 0A1B2C3D", (HEART_RATE_SERVICE_UUID16,), rssi=-66),
    Advertised(None, (), {0x004C: bytes.fromhex("1005031c")}, rssi=-80),
)
"""A proprietary walking pad, a heart-rate strap and a nameless phone."""


class Unreadable:
    """A peripheral whose characteristics can be neither read nor written."""

    def read(self, characteristic: Characteristic) -> bytes:
        raise AttError(AttErrorCode.READ_NOT_PERMITTED, characteristic)

    def write(self, characteristic: Characteristic, data: bytes, *, with_response: bool) -> None:
        del data, with_response
        raise AttError(AttErrorCode.WRITE_NOT_PERMITTED, characteristic)


class SimulatedNeighbour(Unreadable):
    """A device a scan hears; reachable through bleak while started."""

    def __init__(self, advertised: Advertised, *, address: str | None = None) -> None:
        self.advertised = advertised
        number = next(_addresses)
        self._address = address or f"5E:1A:4E:42:{number >> 8 & 0xFF:02X}:{number & 0xFF:02X}"
        self._link: ClientLink | None = None
        self._on = False

    def start(self) -> None:
        """Switch it on: it advertises (no task: it only answers)."""
        registry.register(self)
        self._on = True
        registry.announce(self)

    def stop(self) -> None:
        link, self._link = self._link, None
        self._on = False
        if link is not None:
            link.lost()
        registry.unregister(self)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ Peripheral

    @property
    def address(self) -> str:
        return self._address

    @property
    def name(self) -> str:
        return self.advertised.name or ""

    @property
    def advertising(self) -> bool:
        return self._on and self._link is None

    @property
    def mtu(self) -> int:
        return _MTU

    def advertisement(self) -> AdvertisementData:
        return AdvertisementData(
            local_name=self.advertised.name,
            manufacturer_data=dict(self.advertised.manufacturer_data),
            service_data={},
            service_uuids=[uuid128(uuid) for uuid in self.advertised.service_uuids],
            tx_power=None,
            rssi=self.advertised.rssi,
            platform_data=(),
        )

    def services(self) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        for number, uuid in enumerate(self.advertised.service_uuids):
            collection.add_service(BleakGATTService(None, 0x10 + 0x10 * number, uuid128(uuid)))
        return collection

    def attach(self, link: ClientLink) -> None:
        if not self._on:
            raise PeripheralUnreachableError("switched off", device=self._address)
        if self._link is not None:
            raise PeripheralBusyError("already connected to another client", device=self._address)
        self._link = link

    def detach(self, link: ClientLink) -> None:
        if link is self._link:
            self._link = None
            registry.announce(self)

    def subscribe(self, characteristic: Characteristic, *, enabled: bool) -> None:
        del characteristic, enabled

    def cccd(self, characteristic: Characteristic) -> int:
        del characteristic
        return 0
