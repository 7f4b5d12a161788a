"""A bleak backend that talks to simulated treadmills instead of a radio.

``BleakClient(address, backend=SimulatorClient)`` and ``BleakScanner(backend=SimulatorScanner)``
go through bleak's real facade; only the last hop is simulated. The client finds a running
`SimulatedTreadmill` by address in the process-wide registry. Errors look like bleak's own:
ATT errors are `bleak.exc.BleakGATTProtocolError`, an address nobody answers at is
`bleak.exc.BleakDeviceNotFoundError`, calls on a dropped link raise `bleak.exc.BleakError`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from bleak.backends.client import BaseBleakClient
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.exc import BleakDeviceNotFoundError, BleakError, BleakGATTProtocolError

from retrorun.ftms import (
    FTMS_SERVICE_UUID,
    Characteristic,
    MachineType,
    ServiceData,
    encode_service_data,
)
from retrorun_sim import registry
from retrorun_sim.gatt import (
    CCCD_INDICATE,
    CCCD_NOTIFY,
    build_services,
    characteristic_of,
    properties,
)
from retrorun_sim.server import AttError
from retrorun_sim.treadmill import SimulatedTreadmill, TreadmillBusyError, TreadmillUnreachableError

if TYPE_CHECKING:
    from collections.abc import Callable

    from bleak.args import SizedBuffer
    from bleak.backends.characteristic import BleakGATTCharacteristic
    from bleak.backends.descriptor import BleakGATTDescriptor
    from bleak.backends.device import BLEDevice
    from bleak.backends.scanner import AdvertisementDataCallback

# What a scan reports for the radio link; there is none, so a strong, constant signal.
SIMULATED_RSSI_DBM = -50


def advertisement(treadmill: SimulatedTreadmill) -> AdvertisementData:
    """What ``treadmill`` advertises: its name and FTMS service data (FTMS §3.1)."""
    service_data = encode_service_data(
        ServiceData(available=True, machine_types=MachineType.TREADMILL)
    )
    return AdvertisementData(
        local_name=treadmill.name,
        manufacturer_data={},
        service_data={FTMS_SERVICE_UUID: service_data},
        service_uuids=[FTMS_SERVICE_UUID],
        tx_power=None,
        rssi=SIMULATED_RSSI_DBM,
        platform_data=(),
    )


class SimulatorClient(BaseBleakClient):
    """bleak client backend for simulated treadmills (``BleakClient(..., backend=...)``)."""

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
        self._treadmill: SimulatedTreadmill | None = None
        self._callbacks: dict[Characteristic, Callable[[bytearray], None]] = {}
        self._mtu = 23

    # ------------------------------------------------------------------ ClientLink

    def deliver(self, characteristic: Characteristic, data: bytes) -> None:
        callback = self._callbacks.get(characteristic)
        if callback is not None:
            callback(bytearray(data))

    def lost(self) -> None:
        """The treadmill dropped the link: disconnected, and the callback is scheduled."""
        self._treadmill = None
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
        return self._treadmill is not None

    async def connect(self, pair: bool, **kwargs: Any) -> None:  # noqa: ANN401, ARG002, FBT001
        """Connect to the treadmill at our address (no pairing: the link is not encrypted)."""
        treadmill = registry.find(self.address)
        if treadmill is None:
            raise BleakDeviceNotFoundError(
                self.address, f"no simulated treadmill at {self.address}"
            )
        services = build_services(treadmill.quirks)
        try:
            treadmill.attach(self)
        except TreadmillUnreachableError as exc:
            raise BleakDeviceNotFoundError(self.address, str(exc)) from exc
        except TreadmillBusyError as exc:
            raise BleakError(str(exc)) from exc
        self._treadmill = treadmill
        self._mtu = treadmill.quirks.mtu
        self.services = services

    async def disconnect(self) -> None:
        treadmill, self._treadmill = self._treadmill, None
        self._callbacks.clear()
        if treadmill is not None:
            treadmill.detach(self)

    async def pair(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        """Nothing to pair: FTMS works on unencrypted links (field notes §2.1)."""

    async def unpair(self) -> None:
        """Nothing was paired."""

    def _connected(self) -> SimulatedTreadmill:
        if self._treadmill is None:
            raise BleakError(f"Not connected to {self.address}")
        return self._treadmill

    # ------------------------------------------------------------------ GATT

    async def read_gatt_char(
        self,
        characteristic: BleakGATTCharacteristic,
        *,
        use_cached: bool = False,  # noqa: ARG002 - every read asks the treadmill
        **kwargs: Any,  # noqa: ANN401, ARG002 - bleak's signature
    ) -> bytearray:
        treadmill = self._connected()
        try:
            return bytearray(treadmill.read(characteristic_of(characteristic)))
        except AttError as exc:
            raise BleakGATTProtocolError(exc.code) from exc

    async def read_gatt_descriptor(
        self,
        descriptor: BleakGATTDescriptor,
        *,
        use_cached: bool = False,  # noqa: ARG002 - the CCCD is never cached
        **kwargs: Any,  # noqa: ANN401, ARG002 - bleak's signature
    ) -> bytearray:
        treadmill = self._connected()
        characteristic = characteristic_of(descriptor)
        value = 0
        if treadmill.server.is_subscribed(characteristic):
            indicate = "indicate" in properties(characteristic, treadmill.quirks)
            value = CCCD_INDICATE if indicate else CCCD_NOTIFY
        return bytearray(value.to_bytes(2, "little"))

    async def write_gatt_char(
        self,
        characteristic: BleakGATTCharacteristic,
        data: SizedBuffer,
        response: bool,  # noqa: FBT001 - bleak's signature
    ) -> None:
        treadmill = self._connected()
        try:
            treadmill.write(characteristic_of(characteristic), bytes(data), with_response=response)
        except AttError as exc:
            raise BleakGATTProtocolError(exc.code) from exc

    async def write_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, data: SizedBuffer
    ) -> None:
        """Writing a CCCD turns notifications on or off (there is no other descriptor)."""
        treadmill = self._connected()
        value = int.from_bytes(bytes(data)[:2], "little")
        treadmill.subscribe(characteristic_of(descriptor), enabled=value != 0)

    async def start_notify(
        self,
        characteristic: BleakGATTCharacteristic,
        callback: Callable[[bytearray], None],
        **kwargs: Any,  # noqa: ANN401, ARG002 - platform arguments
    ) -> None:
        treadmill = self._connected()
        if not {"notify", "indicate"} & set(characteristic.properties):
            raise BleakError(f"{characteristic.uuid} neither notifies nor indicates")
        which = characteristic_of(characteristic)
        self._callbacks[which] = callback
        treadmill.subscribe(which, enabled=True)

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        treadmill = self._connected()
        which = characteristic_of(characteristic)
        self._callbacks.pop(which, None)
        treadmill.subscribe(which, enabled=False)


class SimulatorScanner(BaseBleakScanner):
    """bleak scanner backend that hears every running, free simulated treadmill."""

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
        for treadmill in registry.advertising():
            self._heard(treadmill)

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

    def _heard(self, treadmill: SimulatedTreadmill) -> None:
        adv = advertisement(treadmill)
        if not self.is_allowed_uuid(adv.service_uuids):
            return
        device = self.create_or_update_device(
            treadmill.address, treadmill.address, treadmill.name, treadmill, adv
        )
        self.call_detection_callbacks(device, adv)
