"""What the bleak backend needs from a simulated device: the `Peripheral` protocol.

A simulated treadmill and a simulated heart-rate strap are both peripherals: they sit in
the process-wide registry at an address, advertise while free, publish a GATT table, and
serve reads, writes and subscriptions for the one client attached to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from retrorun.errors import DeviceError

if TYPE_CHECKING:
    from bleak.backends.scanner import AdvertisementData
    from bleak.backends.service import BleakGATTServiceCollection

    from retrorun.ftms import Characteristic

# What a scan reports for the radio link; there is none, so a strong, constant signal.
SIMULATED_RSSI_DBM = -50


class ClientLink(Protocol):
    """The client end of a connection: where a peripheral sends bytes and link loss."""

    def deliver(self, characteristic: Characteristic, data: bytes) -> None: ...

    def lost(self) -> None: ...

    @property
    def paired(self) -> bool:
        """Whether the client paired (bonded) with the device, as an encrypted link does."""
        ...


class PeripheralUnreachableError(DeviceError):
    """Nothing answers at this address: not started, stopped, or in an outage."""


class PeripheralBusyError(DeviceError):
    """The device already has a client (it takes one connection, like most do)."""


class Peripheral(Protocol):
    """A simulated BLE device the backend can scan, connect to and talk GATT with."""

    @property
    def address(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def advertising(self) -> bool:
        """Whether a scan hears it now (started, reachable and free)."""
        ...

    @property
    def mtu(self) -> int: ...

    def advertisement(self) -> AdvertisementData: ...

    def services(self) -> BleakGATTServiceCollection:
        """A fresh GATT table; each characteristic's ``obj`` is its `Characteristic`."""
        ...

    def attach(self, link: ClientLink) -> None:
        """A client connects; raises `PeripheralUnreachableError` or `PeripheralBusyError`."""
        ...

    def detach(self, link: ClientLink) -> None:
        """The client disconnects on purpose."""
        ...

    def read(self, characteristic: Characteristic) -> bytes: ...

    def write(
        self, characteristic: Characteristic, data: bytes, *, with_response: bool
    ) -> None: ...

    def subscribe(self, characteristic: Characteristic, *, enabled: bool) -> None: ...

    def cccd(self, characteristic: Characteristic) -> int:
        """The Client Characteristic Configuration value in force (0: off)."""
        ...
