"""A bleak backend that talks to simulated devices instead of a radio.

``BleakClient(address, backend=SimulatorClient)`` and ``BleakScanner(backend=SimulatorScanner)``
go through bleak's real facade; only the last hop is simulated. The client finds a running
`Peripheral` (a `SimulatedTreadmill` or a `SimulatedHeartRateStrap`) by address in the
process-wide registry. Errors look like bleak's own:
ATT errors are `bleak.exc.BleakGATTProtocolError`, an address nobody answers at is
`bleak.exc.BleakDeviceNotFoundError`, calls on a dropped link raise `bleak.exc.BleakError`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from bleak.backends.client import BaseBleakClient
from bleak.backends.scanner import BaseBleakScanner
from bleak.exc import BleakDeviceNotFoundError, BleakError, BleakGATTProtocolError

from retrorun_sim import registry
from retrorun_sim.gatt import characteristic_of
from retrorun_sim.peripheral import PeripheralBusyError, PeripheralUnreachableError
from retrorun_sim.server import AttError

if TYPE_CHECKING:
    from collections.abc import Callable

    from bleak.args import SizedBuffer
    from bleak.backends.characteristic import BleakGATTCharacteristic
    from bleak.backends.descriptor import BleakGATTDescriptor
    from bleak.backends.device import BLEDevice
    from bleak.backends.scanner import AdvertisementDataCallback

    from retrorun.ftms import Characteristic
    from retrorun_sim.peripheral import Peripheral


class SimulatorClient(BaseBleakClient):
    """bleak client backend for simulated devices (``BleakClient(..., backend=...)``)."""

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        disconnected_callback: Callable[[], None] | None = None,
        timeout: float = 10.0,
        **kwargs: Any,  # noqa: ANN401 - bleak passes platform arguments this backend ignores
    ) -> None:
        super().__init__(
            address_or_ble_device,
            disconnected_callback=disconnected_callback,
            timeout=timeout,
            **kwargs,
        )
        self._peer: Peripheral | None = None
        self._callbacks: dict[Characteristic, Callable[[bytearray], None]] = {}
        self._mtu = 23
        self._paired = False

    # ------------------------------------------------------------------ ClientLink

    def deliver(self, characteristic: Characteristic, data: bytes) -> None:
        callback = self._callbacks.get(characteristic)
        if callback is not None:
            callback(bytearray(data))

    def lost(self) -> None:
        """The device dropped the link: disconnected, and the callback is scheduled."""
        self._peer = None
        self._callbacks.clear()
        if self._disconnected_callback is not None:
            asyncio.get_running_loop().call_soon(self._disconnected_callback)

    # ------------------------------------------------------------------ connection

    @property
    def name(self) -> str:
        found = registry.find(self.address)
        return found.name if found is not None else self.address

    @property
    def mtu_size(self) -> int:
        return self._mtu

    @property
    def is_connected(self) -> bool:
        return self._peer is not None

    @property
    def paired(self) -> bool:
        return self._paired

    async def connect(self, pair: bool, **kwargs: Any) -> None:  # noqa: ANN401, ARG002, FBT001
        """Connect to the device at our address; `pair` bonds first (BleakClient's
        ``pair=True``), which only a ``requires_pairing`` treadmill cares about."""
        self._paired = pair
        peer = registry.find(self.address)
        if peer is None:
            raise BleakDeviceNotFoundError(self.address, f"no simulated device at {self.address}")
        services = peer.services()
        try:
            peer.attach(self)
        except PeripheralUnreachableError as exc:
            raise BleakDeviceNotFoundError(self.address, str(exc)) from exc
        except PeripheralBusyError as exc:
            raise BleakError(str(exc)) from exc
        self._peer = peer
        self._mtu = peer.mtu
        self.services = services

    async def disconnect(self) -> None:
        peer, self._peer = self._peer, None
        self._callbacks.clear()
        if peer is not None:
            peer.detach(self)

    async def pair(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401, ARG002 - bleak's
        """Bond: FTMS mostly works on unencrypted links (field notes §2.1), but a
        ``requires_pairing`` treadmill refuses control-point writes until then."""
        self._paired = True

    async def unpair(self) -> None:
        """Nothing was paired."""

    def _connected(self) -> Peripheral:
        if self._peer is None:
            raise BleakError(f"Not connected to {self.address}")
        return self._peer

    # ------------------------------------------------------------------ GATT

    async def read_gatt_char(
        self,
        characteristic: BleakGATTCharacteristic,
        *,
        use_cached: bool = False,  # noqa: ARG002 - every read asks the treadmill
        **kwargs: Any,  # noqa: ANN401, ARG002 - bleak's signature
    ) -> bytearray:
        peer = self._connected()
        try:
            return bytearray(peer.read(characteristic_of(characteristic)))
        except AttError as exc:
            raise BleakGATTProtocolError(exc.code) from exc

    async def read_gatt_descriptor(
        self,
        descriptor: BleakGATTDescriptor,
        *,
        use_cached: bool = False,  # noqa: ARG002 - the CCCD is never cached
        **kwargs: Any,  # noqa: ANN401, ARG002 - bleak's signature
    ) -> bytearray:
        value = self._connected().cccd(characteristic_of(descriptor))
        return bytearray(value.to_bytes(2, "little"))

    async def write_gatt_char(
        self,
        characteristic: BleakGATTCharacteristic,
        data: SizedBuffer,
        response: bool,  # noqa: FBT001 - bleak's signature
    ) -> None:
        peer = self._connected()
        try:
            peer.write(characteristic_of(characteristic), bytes(data), with_response=response)
        except AttError as exc:
            raise BleakGATTProtocolError(exc.code) from exc

    async def write_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, data: SizedBuffer
    ) -> None:
        """Writing a CCCD turns notifications on or off (there is no other descriptor)."""
        peer = self._connected()
        value = int.from_bytes(bytes(data)[:2], "little")
        peer.subscribe(characteristic_of(descriptor), enabled=value != 0)

    async def start_notify(
        self,
        characteristic: BleakGATTCharacteristic,
        callback: Callable[[bytearray], None],
        **kwargs: Any,  # noqa: ANN401, ARG002 - platform arguments
    ) -> None:
        peer = self._connected()
        if not {"notify", "indicate"} & set(characteristic.properties):
            raise BleakError(f"{characteristic.uuid} neither notifies nor indicates")
        which = characteristic_of(characteristic)
        self._callbacks[which] = callback
        peer.subscribe(which, enabled=True)

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        peer = self._connected()
        which = characteristic_of(characteristic)
        self._callbacks.pop(which, None)
        peer.subscribe(which, enabled=False)


class SimulatorScanner(BaseBleakScanner):
    """bleak scanner backend that hears every running, free simulated device."""

    def __init__(
        self,
        detection_callback: AdvertisementDataCallback | None = None,
        service_uuids: list[str] | None = None,
        scanning_mode: str = "active",  # noqa: ARG002 - a simulated scan is always active
        **kwargs: Any,  # noqa: ANN401, ARG002 - platform arguments
    ) -> None:
        # Set first: the base class registers ``detection_callback`` through our override.
        self._stop_listening: Callable[[], None] | None = None
        super().__init__(detection_callback, service_uuids)

    async def start(self) -> None:
        self.seen_devices = {}
        self._stop_listening = registry.listen(self._heard)
        for peer in registry.advertising():
            self._heard(peer)

    async def stop(self) -> None:
        if self._stop_listening is not None:
            self._stop_listening()
            self._stop_listening = None

    def register_detection_callback(
        self, callback: AdvertisementDataCallback | None
    ) -> Callable[[], None]:
        """Register ``callback``; while scanning it hears the current advertisements soon.

        A real treadmill re-advertises every few hundred milliseconds, so a listener that
        joins a running scan (``BleakScanner.find_device_by_filter`` does) still hears it.
        """
        before = set(self._ad_callbacks)
        remove = super().register_detection_callback(callback)
        if self._stop_listening is not None:
            for token in set(self._ad_callbacks) - before:
                added = self._ad_callbacks[token]
                for device, adv in list(self.seen_devices.values()):
                    asyncio.get_running_loop().call_soon(added, device, adv)
        return remove

    def _heard(self, peer: Peripheral) -> None:
        adv = peer.advertisement()
        if not self.is_allowed_uuid(adv.service_uuids):
            return
        device = self.create_or_update_device(peer.address, peer.address, peer.name, peer, adv)
        self.call_detection_callbacks(device, adv)
