"""The bleak seam: one GATT connection as plain async calls and a queue of notifications.

This is the only module in ``src/`` that imports bleak. It calls the real
`bleak.BleakClient` and `bleak.BleakScanner`; tests pass the simulator's backend classes
through bleak's own ``backend=`` parameter, so everything above the radio runs exactly as it
does against hardware.

Bleak's notification callbacks only feed a queue here; everything above reads it with
``async for`` (no callbacks cross layers). Library exceptions are translated into
`DeviceError` with a sentence a runner can act on.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bleak import BleakClient, BleakScanner
from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakDeviceNotFoundError,
    BleakError,
    BleakGATTProtocolError,
)
from bleak_retry_connector import establish_connection

from retrorun import platforms
from retrorun.errors import DeviceError
from retrorun.ftms import FTMS_SERVICE_UUID16, uuid16_of, uuid128

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from bleak.backends.characteristic import BleakGATTCharacteristic
    from bleak.backends.client import BaseBleakClient
    from bleak.backends.device import BLEDevice
    from bleak.backends.scanner import AdvertisementData, BaseBleakScanner

    from retrorun.clock import Clock
    from retrorun.device.trace import GattTrace


@dataclass(frozen=True)
class Advertisement:
    """One device seen by a scan: what the radio told us about it."""

    address: str
    name: str | None
    rssi: int | None
    service_uuids: tuple[int, ...]
    service_data: dict[int, bytes]
    device: object
    """The backend's `BLEDevice`, handed back to `Link.connect` to connect without a rescan."""
    manufacturer_data: dict[int, bytes] = field(default_factory=dict)
    """Manufacturer-specific data by company identifier."""
    tx_power: int | None = None
    service_uuids_full: tuple[str, ...] = ()
    """Every advertised service UUID as text (128-bit ones included, which
    `service_uuids` leaves out)."""

    def to_json(self) -> dict[str, object]:
        """The scan record as data (for ``retrorun scan --json`` and ``retrorun doctor``)."""
        return {
            "address": self.address,
            "name": self.name,
            "rssi": self.rssi,
            "tx_power": self.tx_power,
            "service_uuids": list(self.service_uuids_full)
            or [f"{uuid:04x}" for uuid in self.service_uuids],
            "service_data": {f"{uuid:04x}": data.hex() for uuid, data in self.service_data.items()},
            "manufacturer_data": {
                f"{company:04x}": data.hex() for company, data in self.manufacturer_data.items()
            },
        }


@dataclass(frozen=True)
class Notification:
    """Bytes notified or indicated on a characteristic, stamped with the clock's time."""

    uuid: int
    data: bytes
    received_at: float


@dataclass(frozen=True)
class LinkLost:
    """The connection went away (reported once, then the queue ends)."""

    received_at: float
    reason: str


LinkEvent = Notification | LinkLost


async def scan(
    *,
    duration_s: float,
    service_uuid: int | None,
    backend: type[BaseBleakScanner] | None = None,
) -> list[Advertisement]:
    """Scan for ``duration_s`` seconds; return devices that advertise ``service_uuid``
    (None: every device heard), strongest first.

    A device counts when the UUID is in its service list *or* its service data (some
    treadmills send one without the other).
    """
    wanted = None if service_uuid is None else uuid128(service_uuid)
    try:
        only = _platform_filter(service_uuid)
        if backend is None and only:
            found = await BleakScanner.discover(
                timeout=duration_s, return_adv=True, service_uuids=only
            )
        elif backend is None:
            found = await BleakScanner.discover(timeout=duration_s, return_adv=True)
        else:
            found = await BleakScanner.discover(
                timeout=duration_s, return_adv=True, backend=backend
            )
    except (BleakBluetoothNotAvailableError, OSError) as exc:
        raise DeviceError(_no_bluetooth(exc)) from exc
    except BleakError as exc:
        raise DeviceError(f"scanning failed: {exc}") from exc
    result = []
    for device, adv in found.values():
        if wanted is None or wanted in adv.service_uuids or wanted in adv.service_data:
            result.append(_advertisement(device, adv))
    return sorted(result, key=lambda a: -(a.rssi if a.rssi is not None else -999))


def _platform_filter(service_uuid: int | None) -> list[str]:
    """The scan's service filter where the platform hears nothing without one (macOS
    12.0-12.2): the service asked for, else FTMS (then only FTMS devices are heard);
    empty elsewhere."""
    if not platforms.scan_needs_service_filter():
        return []
    return [uuid128(service_uuid or FTMS_SERVICE_UUID16)]


async def find(
    match: Callable[[Advertisement], bool],
    *,
    within_s: float,
    backend: type[BaseBleakScanner] | None = None,
    service_uuid: int | None = None,
) -> Advertisement | None:
    """The first device whose advertisement satisfies ``match``, as soon as it is heard.

    Returns None when none is heard within ``within_s`` seconds.
    """
    heard: list[Advertisement] = []

    def wanted(device: BLEDevice, adv: AdvertisementData) -> bool:
        candidate = _advertisement(device, adv)
        if match(candidate):
            heard.append(candidate)
            return True
        return False

    try:
        only = _platform_filter(service_uuid)
        if backend is None and only:
            device = await BleakScanner.find_device_by_filter(
                wanted, timeout=within_s, service_uuids=only
            )
        elif backend is None:
            device = await BleakScanner.find_device_by_filter(wanted, timeout=within_s)
        else:
            device = await BleakScanner.find_device_by_filter(
                wanted, timeout=within_s, backend=backend
            )
    except (BleakBluetoothNotAvailableError, OSError) as exc:
        raise DeviceError(_no_bluetooth(exc)) from exc
    except BleakError as exc:
        raise DeviceError(f"scanning failed: {exc}") from exc
    return heard[-1] if device is not None and heard else None


def _advertisement(device: BLEDevice, adv: AdvertisementData) -> Advertisement:
    uuids = tuple(u for u in (uuid16_of(s) for s in adv.service_uuids) if u is not None)
    data = {u: bytes(v) for k, v in adv.service_data.items() if (u := uuid16_of(k)) is not None}
    return Advertisement(
        address=device.address,
        name=adv.local_name or device.name,
        rssi=adv.rssi,
        service_uuids=uuids,
        service_data=data,
        device=device,
        manufacturer_data={k: bytes(v) for k, v in adv.manufacturer_data.items()},
        tx_power=adv.tx_power,
        service_uuids_full=tuple(adv.service_uuids),
    )


def _no_bluetooth(exc: BaseException) -> str:
    """The sentence for "there is no usable Bluetooth here", with the system's reason."""
    if isinstance(exc, BleakBluetoothNotAvailableError):
        return f"Bluetooth is off or unavailable ({exc})"
    # bleak reaches BlueZ over D-Bus on Linux; a missing socket means no BlueZ service.
    return (
        "Bluetooth is not available: the Bluetooth service (BlueZ over D-Bus) could not be "
        f"reached ({exc.strerror or exc}); use --sim to run against the simulator"
        if isinstance(exc, OSError)
        else str(exc)
    )


class Link:
    """One connected GATT server.

    Create with `Link.connect`. `events()` yields every `Notification` from the
    characteristics that were `subscribe`d, and one final `LinkLost` when the connection
    drops; it then ends.
    """

    def __init__(
        self, client: BleakClient, *, clock: Clock, name: str, trace: GattTrace | None = None
    ) -> None:
        self._client = client
        self._clock = clock
        self.name = name
        self._queue: asyncio.Queue[LinkEvent] = asyncio.Queue()
        self._lost = False
        self._trace = trace
        self.address = name
        """The device's address (as scanned), for the hints that name it."""

    @classmethod
    async def connect(
        cls,
        target: Advertisement,
        *,
        clock: Clock,
        backend: type[BaseBleakClient] | None = None,
        attempts: int = 3,
        trace: GattTrace | None = None,
        pair: bool = False,
    ) -> Link:
        """Connect to an advertised device, retrying transient failures; `trace` records
        every crossing of the link; `pair` bonds with it first (some treadmills refuse
        control-point writes on a link that is not encrypted)."""
        link: Link | None = None

        def on_disconnect(_client: BleakClient) -> None:
            if link is not None:
                link.mark_lost("the device disconnected")

        name = target.name or target.address
        try:
            client = await establish_connection(
                BleakClient,
                target.device,  # type: ignore[arg-type]
                name,
                disconnected_callback=on_disconnect,
                max_attempts=attempts,
                backend=backend,
                pair=pair,
            )
        except (BleakBluetoothNotAvailableError, OSError) as exc:
            raise DeviceError(_no_bluetooth(exc), device=name) from exc
        except BleakDeviceNotFoundError as exc:
            raise DeviceError("the device is out of range or switched off", device=name) from exc
        except BleakError as exc:
            raise DeviceError(f"connection refused by device ({exc})", device=name) from exc
        except TimeoutError as exc:
            raise DeviceError("the device did not answer the connection", device=name) from exc
        link = cls(client, clock=clock, name=name, trace=trace)
        link.address = target.address
        if trace is not None:
            trace.record("connect", note=f"{name} {target.address} mtu {client.mtu_size}")
        return link

    @property
    def is_connected(self) -> bool:
        return not self._lost and self._client.is_connected

    def has(self, uuid: int) -> bool:
        """Whether the server has this characteristic."""
        return self._characteristic(uuid) is not None

    def gatt_table(self) -> list[dict[str, object]]:
        """Every service, characteristic (with its properties) and descriptor the server
        offers, as data."""
        return [
            {
                "uuid": service.uuid,
                "handle": service.handle,
                "description": service.description,
                "characteristics": [
                    {
                        "uuid": char.uuid,
                        "handle": char.handle,
                        "description": char.description,
                        "properties": list(char.properties),
                        "descriptors": [
                            {"uuid": d.uuid, "handle": d.handle} for d in char.descriptors
                        ],
                    }
                    for char in service.characteristics
                ],
            }
            for service in self._client.services
        ]

    def properties(self, uuid: int) -> frozenset[str]:
        """The GATT properties of a characteristic (``read``, ``write``, ``notify``, ...)."""
        char = self._characteristic(uuid)
        return frozenset(char.properties) if char is not None else frozenset()

    async def read(self, uuid: int) -> bytes:
        char = self._require(uuid)
        async with self._translated(f"reading {uuid:#06x}"):
            data = bytes(await self._client.read_gatt_char(char))
        if self._trace is not None:
            self._trace.record("read", uuid, data)
        return data

    async def write(self, uuid: int, data: bytes) -> None:
        """Write, with response when the characteristic allows it, else without.

        Some treadmills expose the control point as write-without-response only; their
        answer still arrives as a notification or indication.
        """
        char = self._require(uuid)
        with_response = "write" in char.properties
        if self._trace is not None:
            self._trace.record("write" if with_response else "write-cmd", uuid, data)
        async with self._translated(f"writing {uuid:#06x}"):
            await self._client.write_gatt_char(char, data, response=with_response)

    async def subscribe(self, uuid: int) -> None:
        """Start notifications or indications; their bytes arrive through `events()`."""
        char = self._require(uuid)
        # bleak does not say which of the two arrived; a characteristic that only
        # indicates can only have indicated.
        kind = "indicate" if "notify" not in char.properties else "notify"

        def on_value(_char: BleakGATTCharacteristic, data: bytearray) -> None:
            if self._trace is not None:
                self._trace.record(kind, uuid, bytes(data))
            self._queue.put_nowait(Notification(uuid, bytes(data), self._clock.now()))

        if self._trace is not None:
            self._trace.record("subscribe", uuid)
        async with self._translated(f"subscribing to {uuid:#06x}"):
            await self._client.start_notify(char, on_value)

    async def events(self) -> AsyncIterator[LinkEvent]:
        """Every notification in arrival order, then one `LinkLost`, then the end."""
        while True:
            event = await self._queue.get()
            yield event
            if isinstance(event, LinkLost):
                return

    def mark_lost(self, reason: str) -> None:
        """Report the connection as lost (once), e.g. when notifications stop arriving."""
        if not self._lost:
            self._lost = True
            if self._trace is not None:
                self._trace.record("disconnect", note=reason)
            self._queue.put_nowait(LinkLost(self._clock.now(), reason))

    async def drop(self, reason: str) -> None:
        """Give up on a link that still looks connected but no longer works (it went
        silent): report it lost with ``reason``, then disconnect so that the device is free
        to be found and connected again."""
        self.mark_lost(reason)
        with contextlib.suppress(BleakError, TimeoutError, OSError):
            await self._client.disconnect()

    async def disconnect(self) -> None:
        with contextlib.suppress(BleakError, TimeoutError, OSError):
            await self._client.disconnect()
        self.mark_lost("disconnected by us")

    def _characteristic(self, uuid: int) -> BleakGATTCharacteristic | None:
        return self._client.services.get_characteristic(uuid128(uuid))

    def _require(self, uuid: int) -> BleakGATTCharacteristic:
        char = self._characteristic(uuid)
        if char is None:
            raise DeviceError(
                f"the device has no characteristic {uuid:#06x}{stale_cache_hint(self.address)}",
                device=self.name,
            )
        return char

    @contextlib.asynccontextmanager
    async def _translated(self, doing: str) -> AsyncIterator[None]:
        try:
            yield
        except BleakGATTProtocolError as exc:
            hint = bluetooth_hint(int(exc.code), str(exc), self.address)
            raise GattRefusedError(doing, int(exc.code), f"{exc}{hint}", device=self.name) from exc
        except BleakError as exc:
            if not self._client.is_connected:
                self.mark_lost(str(exc))
            hint = bluetooth_hint(None, str(exc), self.address)
            raise DeviceError(f"{doing} failed: {exc}{hint}", device=self.name) from exc


# ATT error codes (Core Spec Vol 3 Part F §3.4.1.1) that mean "pair with me first".
_ATT_INVALID_HANDLE = 0x01
_ATT_NEEDS_PAIRING = frozenset({0x05, 0x08, 0x0C, 0x0F})
"""Insufficient Authentication, Authorization, Encryption Key Size, Encryption."""
_PAIRING_WORDS = ("not paired", "insufficient encryption", "insufficient authentication")
_STALE_WORDS = ("invalid handle", "characteristic not found")


def stale_cache_hint(address: str) -> str:
    """What to do when the GATT table retrorun sees may be an old one BlueZ kept."""
    return (
        "; if the treadmill's firmware changed, BlueZ may hold a stale copy of its GATT "
        f"table: run 'bluetoothctl remove {address}' and try again"
    )


def bluetooth_hint(code: int | None, text: str, address: str) -> str:
    """A hint for a refused or failed GATT request ("" when none applies): pairing for
    "not paired" and insufficient authentication or encryption, the stale BlueZ cache for
    an invalid handle or a characteristic that is not found."""
    lowered = text.lower()
    if code in _ATT_NEEDS_PAIRING or any(word in lowered for word in _PAIRING_WORDS):
        return (
            "; the treadmill wants to be paired first: run again with --pair, or pair it "
            f"once (for example 'bluetoothctl pair {address}', or the system's Bluetooth "
            "settings) and try again"
        )
    if code == _ATT_INVALID_HANDLE or any(word in lowered for word in _STALE_WORDS):
        return stale_cache_hint(address)
    return ""


class GattRefusedError(DeviceError):
    """The server answered an ATT request with an error code (e.g. 0xFE: busy)."""

    def __init__(self, doing: str, code: int, text: str, *, device: str | None) -> None:
        self.code = code
        super().__init__(f"{doing} refused: {text}", device=device)
