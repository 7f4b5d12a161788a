"""The simulated treadmill on the air: a BLE FTMS peripheral through Google's Bumble.

`AirTreadmill` serves a `SimulatedTreadmill` (the same physics, presets, faults and trace as
the in-process bleak backend) from a Bumble host: the GATT table comes from
`retrorun_sim.gatt.gatt_table` and the advertisement from the treadmill's own
`advertisement()`, so both transports describe the same machine. Reads, writes and CCCD
writes arriving over the air go to the treadmill's ``read`` / ``write`` / ``subscribe``; what
it notifies or indicates goes out in order on the one connection it takes.

`open_air` opens a Bumble transport by name. ``usb:0``, ``serial:/dev/ttyACM0,1000000`` and
the like are controllers that Bumble drives as their host. ``vhci`` is the other way round:
Linux's virtual HCI driver wants a *controller*, so Bumble gives the local BlueZ a virtual
controller and joins it to a second virtual controller, which hosts the treadmill, through
an in-process `LocalLink`.

Only this module imports Bumble; ``pip install retrorun[ble-sim]`` brings it.
"""

from __future__ import annotations

import asyncio
import contextlib
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Final

from bumble import hci
from bumble.att import ATT_Error, Attribute
from bumble.controller import Controller
from bumble.core import AdvertisingData, BaseBumbleError
from bumble.device import Connection, Device
from bumble.gatt import Characteristic as BumbleCharacteristic
from bumble.gatt import CharacteristicValue, Service
from bumble.link import LocalLink
from bumble.transport import open_transport

from retrorun.errors import InputError
from retrorun.ftms import Characteristic, uuid16_of
from retrorun_sim import registry
from retrorun_sim.gatt import gatt_table
from retrorun_sim.peripheral import PeripheralBusyError, PeripheralUnreachableError
from retrorun_sim.server import AttError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from bleak.assigned_numbers import CharacteristicPropertyName
    from bleak.backends.scanner import AdvertisementData
    from bumble.transport.common import TransportSink, TransportSource

    from retrorun_sim.peripheral import Peripheral
    from retrorun_sim.treadmill import SimulatedTreadmill

_PROPERTY_FLAGS: Final[dict[CharacteristicPropertyName, BumbleCharacteristic.Properties]] = {
    "read": BumbleCharacteristic.Properties.READ,
    "write": BumbleCharacteristic.Properties.WRITE,
    "write-without-response": BumbleCharacteristic.Properties.WRITE_WITHOUT_RESPONSE,
    "notify": BumbleCharacteristic.Properties.NOTIFY,
    "indicate": BumbleCharacteristic.Properties.INDICATE,
}
# Bumble hands a write's value to the attribute without saying whether it came as a Write
# Request or a Write Command; the server's two handlers set this around their dispatch (the
# task each one spawns copies the context), so the treadmill sees the real write type.
_WITH_RESPONSE: ContextVar[bool] = ContextVar("with_response", default=True)
VHCI = "vhci"
# Masked off on the controller BlueZ sees: with them BlueZ turns on LL privacy and extended
# advertising paths that Bumble's virtual controller does not carry through (bumble #841).
_MASKED_FOR_BLUEZ = hci.LeFeatureMask.LL_PRIVACY | hci.LeFeatureMask.LE_EXTENDED_ADVERTISING
# What one legacy advertising PDU (or scan response) holds (Core Vol 6 Part B §2.3.1).
LEGACY_PAYLOAD_BYTES = 31
# The advertising interval a treadmill uses (a few hundred milliseconds).
ADVERTISING_INTERVAL_MS = 200.0


def advertising_payloads(advertisement: AdvertisementData) -> tuple[bytes, bytes]:
    """(advertising data, scan response) for ``advertisement``: what goes on the air.

    The advertising PDU carries the flags and the FTMS service data (FTMS §3.1: flags and
    machine type), then the local name and the 16-bit service UUIDs while they fit its 31
    bytes; what does not fit goes in the scan response. With the default name, the UUID list
    is in the scan response: a scanner that does not scan actively (or Bumble's virtual
    radio, which forwards no scan response) still finds the machine by name and service data.
    """
    flags = AdvertisingData.Flags.LE_GENERAL_DISCOVERABLE_MODE
    flags |= AdvertisingData.Flags.BR_EDR_NOT_SUPPORTED
    structures: list[tuple[int, bytes]] = [(AdvertisingData.Type.FLAGS, bytes([flags]))]
    for uuid, data in advertisement.service_data.items():
        payload = _uuid16_bytes(uuid) + data
        structures.append((AdvertisingData.Type.SERVICE_DATA_16_BIT_UUID, payload))
    name = (advertisement.local_name or "").encode()
    uuids = b"".join(_uuid16_bytes(uuid) for uuid in advertisement.service_uuids)
    optional = [(AdvertisingData.Type.COMPLETE_LOCAL_NAME, name)] if name else []
    if uuids:
        optional.append((AdvertisingData.Type.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS, uuids))
    response: list[tuple[int, bytes]] = []
    for structure in optional:
        if len(bytes(AdvertisingData([*structures, structure]))) <= LEGACY_PAYLOAD_BYTES:
            structures.append(structure)
        else:
            response.append(structure)
    return bytes(AdvertisingData(structures)), bytes(AdvertisingData(response))


def _uuid16_bytes(uuid: str) -> bytes:
    value = uuid16_of(uuid)
    if value is None:
        raise ValueError(f"{uuid} is not a 16-bit SIG UUID")
    return value.to_bytes(2, "little")


class AirTreadmill:
    """A `SimulatedTreadmill` served over the air by a Bumble host on ``hci_source/sink``.

    ``on_event`` hears one line per link event (connected, disconnected, refused).
    """

    def __init__(
        self,
        treadmill: SimulatedTreadmill,
        hci_source: TransportSource,
        hci_sink: TransportSink,
        *,
        on_event: Callable[[str], None] | None = None,
    ) -> None:
        self.treadmill = treadmill
        self.address = hci.Address.generate_static_address()
        self.device = Device.with_hci(treadmill.name, self.address, hci_source, hci_sink)
        self._on_event = on_event or (lambda _line: None)
        self._attributes: dict[Characteristic, BumbleCharacteristic[bytes]] = {}
        self._by_attribute: dict[int, Characteristic] = {}
        self._connection: Connection | None = None
        self._outbox: asyncio.Queue[tuple[Characteristic, bytes, bool]] = asyncio.Queue()
        self._sender: asyncio.Task[None] | None = None
        self._stop_listening: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._advertising = asyncio.Lock()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Power the radio and the treadmill on and start advertising."""
        device = self.device
        device.add_services([self._service()])
        # The ATT MTU the treadmill accepts is its own (23 by default: 20-byte records).
        device.gatt_server.max_mtu = self.treadmill.mtu
        self._wrap_write_handlers()
        device.on(device.EVENT_CONNECTION, self._on_connection)
        device.on("characteristic_subscription", self._on_subscription)
        await device.power_on()
        await self.treadmill.start()
        self._stop_listening = registry.listen(self._on_announced)
        self._sender = asyncio.get_running_loop().create_task(self._send_loop())
        await self._advertise()

    async def stop(self) -> None:
        """Stop advertising, drop the link and power the treadmill off."""
        if self._stop_listening is not None:
            self._stop_listening()
            self._stop_listening = None
        if self._sender is not None:
            self._sender.cancel()
            await asyncio.gather(self._sender, return_exceptions=True)
            self._sender = None
        with contextlib.suppress(BaseBumbleError, asyncio.TimeoutError):
            await self.device.stop_advertising()
        connection, self._connection = self._connection, None
        await self.treadmill.stop()
        if connection is not None:
            with contextlib.suppress(BaseBumbleError, asyncio.TimeoutError):
                await connection.disconnect()
        tasks, self._tasks = self._tasks, set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ------------------------------------------------------------------ ClientLink

    def deliver(
        self, characteristic: Characteristic, data: bytes, *, indication: bool = False
    ) -> None:
        """Queue a notification or indication for the connected client, in order."""
        self._outbox.put_nowait((characteristic, data, indication))

    def lost(self) -> None:
        """The treadmill dropped the link (a fault, power off): disconnect on the air."""
        connection, self._connection = self._connection, None
        if connection is not None:
            self._on_event(f"dropping the link to {connection.peer_address}")
            self._spawn(self._disconnect(connection))

    # ------------------------------------------------------------------ GATT

    def _service(self) -> Service:
        characteristics: list[BumbleCharacteristic[bytes]] = []
        for entry in gatt_table(self.treadmill.quirks):
            which = entry.characteristic
            flags = BumbleCharacteristic.Properties(0)
            for name in entry.properties:
                flags |= _PROPERTY_FLAGS[name]
            permissions = Attribute.Permissions(0)
            if "read" in entry.properties:
                permissions |= Attribute.Permissions.READABLE
            if flags & (
                BumbleCharacteristic.Properties.WRITE
                | BumbleCharacteristic.Properties.WRITE_WITHOUT_RESPONSE
            ):
                permissions |= Attribute.Permissions.WRITEABLE
            value: CharacteristicValue[bytes] = CharacteristicValue(
                read=lambda _connection, which=which: self._read(which),
                write=lambda _connection, data, which=which: self._write(which, data),
            )
            attribute: BumbleCharacteristic[bytes] = BumbleCharacteristic(
                which.uuid, flags, permissions, value
            )
            self._attributes[which] = attribute
            self._by_attribute[id(attribute)] = which
            characteristics.append(attribute)
        return Service(self.treadmill.advertisement().service_uuids[0], characteristics)

    def _read(self, which: Characteristic) -> bytes:
        try:
            return self.treadmill.read(which)
        except AttError as exc:
            raise ATT_Error(int(exc.code)) from exc

    def _write(self, which: Characteristic, data: bytes) -> None:
        try:
            self.treadmill.write(which, bytes(data), with_response=_WITH_RESPONSE.get())
        except AttError as exc:
            raise ATT_Error(int(exc.code)) from exc

    def _wrap_write_handlers(self) -> None:
        server = self.device.gatt_server
        for name, with_response in (
            ("on_att_write_request", True),
            ("on_att_write_command", False),
        ):
            handler = getattr(server, name)

            def wrapped(
                *args: Any,  # noqa: ANN401 - Bumble's (bearer, pdu)
                handler: Callable[..., None] = handler,
                with_response: bool = with_response,
            ) -> None:
                token = _WITH_RESPONSE.set(with_response)
                try:
                    handler(*args)
                finally:
                    _WITH_RESPONSE.reset(token)

            setattr(server, name, wrapped)

    def _on_subscription(
        self,
        connection: Connection,
        attribute: BumbleCharacteristic[bytes],
        notify_enabled: bool,  # noqa: FBT001 - Bumble's event arguments
        indicate_enabled: bool,  # noqa: FBT001
    ) -> None:
        which = self._by_attribute.get(id(attribute))
        if which is not None and connection is self._connection:
            self.treadmill.subscribe(which, enabled=notify_enabled or indicate_enabled)

    async def _send_loop(self) -> None:
        while True:
            which, data, indication = await self._outbox.get()
            connection = self._connection
            if connection is None:
                continue
            attribute = self._attributes[which]
            try:
                if indication:
                    await self.device.indicate_subscriber(connection, attribute, data, force=True)
                else:
                    await self.device.notify_subscriber(connection, attribute, data, force=True)
            except (TimeoutError, BaseBumbleError) as exc:
                self._on_event(f"{which.cli_name}: not delivered ({exc})")

    # ------------------------------------------------------------------ links

    @property
    def paired(self) -> bool:
        """Whether the client's link is encrypted, as it is once the client paired."""
        connection = self._connection
        return connection is not None and bool(connection.is_encrypted)

    def _on_connection(self, connection: Connection) -> None:
        try:
            self.treadmill.attach(self)
        except (PeripheralUnreachableError, PeripheralBusyError) as exc:
            self._on_event(f"refused {connection.peer_address}: {exc}")
            self._spawn(self._disconnect(connection))
            return
        self._connection = connection
        self._on_event(f"connected to {connection.peer_address}")
        connection.on(connection.EVENT_DISCONNECTION, lambda _reason: self._on_gone(connection))

    def _on_gone(self, connection: Connection) -> None:
        if connection is self._connection:
            self._connection = None
            self.treadmill.detach(self)
            self._on_event(f"{connection.peer_address} disconnected")
        self._spawn(self._advertise())

    def _on_announced(self, peripheral: Peripheral) -> None:
        if peripheral is self.treadmill:
            self._spawn(self._advertise())

    async def _advertise(self) -> None:
        # A link's end and the treadmill's own announcement both ask: one at a time, or the
        # second would tear down the advertising set the first is creating.
        async with self._advertising:
            if not self.treadmill.advertising or self.device.is_advertising:
                return
            data, response = advertising_payloads(self.treadmill.advertisement())
            await self.device.start_advertising(
                advertising_data=data,
                scan_response_data=response,
                advertising_interval_min=ADVERTISING_INTERVAL_MS,
                advertising_interval_max=ADVERTISING_INTERVAL_MS,
            )

    async def _disconnect(self, connection: Connection) -> None:
        with contextlib.suppress(BaseBumbleError, asyncio.TimeoutError):
            await connection.disconnect()

    def _spawn(self, coroutine: Any) -> None:  # noqa: ANN401 - any coroutine
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class _OneAddressController(Controller):
    """A virtual controller that sends from its public address whatever random one it is given.

    Bumble's virtual link sends a controller's LE data from its random address, whatever
    address the connection was made from. The kernel scans from a random address and then
    connects from its public one, so the treadmill would not know whose data it gets; with
    one address for both, it does.
    """

    @property
    def random_address(self) -> hci.Address:
        return self.public_address

    @random_address.setter
    def random_address(self, address: hci.Address | str) -> None:
        """Ignored: see the class docstring."""


def bluez_facing_controller(
    name: str, source: TransportSource, sink: TransportSink, link: LocalLink
) -> Controller:
    """A virtual controller for the local BlueZ on ``source/sink``, joined to ``link``.

    It has a public address (a fresh one each run), as a dongle does: BlueZ ignores a
    controller without one when it cannot make itself a static address.
    """
    address = hci.Address.generate_static_address().to_string(with_type_qualifier=False)
    controller = _OneAddressController(
        name, host_source=source, host_sink=sink, link=link, public_address=address
    )
    controller.le_features = hci.LeFeatureMask(controller.le_features & ~_MASKED_FOR_BLUEZ)
    return controller


@contextlib.asynccontextmanager
async def open_air(
    treadmill: SimulatedTreadmill,
    transport: str,
    *,
    on_event: Callable[[str], None] | None = None,
) -> AsyncIterator[AirTreadmill]:
    """Serve ``treadmill`` on the Bumble transport named ``transport`` until the block ends.

    Raises `InputError` (one line saying what to do) when the transport cannot be opened.
    """
    hci_transport = await _open(transport)
    async with hci_transport:
        source: Any = hci_transport.source
        sink: Any = hci_transport.sink
        if transport.split(":", 1)[0] == VHCI:
            link = LocalLink()  # type: ignore[no-untyped-call] # Bumble leaves it unannotated
            bluez_facing_controller("retrorun-bluez", source, sink, link)
            peripheral = Controller("retrorun-treadmill", link=link)
            source = sink = peripheral
        air = AirTreadmill(treadmill, source, sink, on_event=on_event)
        try:
            await air.start()
        except (TimeoutError, BaseBumbleError) as exc:
            raise InputError(f"the controller did not start: {exc}", location=transport) from exc
        try:
            yield air
        finally:
            await air.stop()


async def _open(transport: str) -> Any:  # noqa: ANN401 - Bumble's Transport
    """Bumble's transport named ``transport``, or one line saying what to do."""
    scheme = transport.split(":", 1)[0]
    try:
        return await open_transport(transport)
    except FileNotFoundError as exc:
        hint = (
            "no /dev/vhci: load the virtual HCI driver first (sudo modprobe hci_vhci)"
            if scheme == VHCI
            else f"no such device ({exc.filename})"
        )
        raise InputError(hint, location=transport) from exc
    except PermissionError as exc:
        raise InputError(
            f"no permission to open {exc.filename or transport} (run as root, or give your user "
            "access to the device)",
            location=transport,
        ) from exc
    except Exception as exc:
        text = str(exc) or type(exc).__name__
        if "busy" in text.lower():
            text = (
                f"{text}: the adapter is held by the operating system's Bluetooth stack; take it "
                "from BlueZ first (sudo hciconfig hciN down, or stop bluetooth.service)"
            )
        elif "access" in text.lower():
            text = f"{text}: no permission to open the adapter (run as root, or add a udev rule)"
        elif scheme not in _KNOWN_SCHEMES:
            text = f"unknown transport '{scheme}' (use usb:N, serial:PORT[,BAUD], vhci, ...)"
        elif scheme in {"usb", "pyusb"}:
            text = f"no USB Bluetooth adapter could be opened ({text}); bumble-usb-probe lists them"
        raise InputError(text, location=transport) from exc


_KNOWN_SCHEMES = frozenset(
    {
        "usb",
        "pyusb",
        "serial",
        "vhci",
        "hci-socket",
        "tcp-client",
        "tcp-server",
        "udp",
        "unix",
        "file",
        "pty",
        "ws-client",
        "ws-server",
        "android-emulator",
        "android-netsim",
    }
)
