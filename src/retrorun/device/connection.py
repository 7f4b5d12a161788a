"""Finding a treadmill and opening it: scan, connect by address or name, reconnect.

`scan_treadmills` lists FTMS treadmills in range. `open_treadmill` finds one by address or
name, connects with retries, and returns an open `Treadmill` whose reconnect function
finds and connects the same device again after a drop. Failures are one sentence:
"no treadmill named X found in 10 s", "Bluetooth is off or unavailable", "connection refused
by device".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun.device.link import Advertisement, Link, find, scan, stale_cache_hint
from retrorun.device.treadmill import Treadmill
from retrorun.errors import DecodeError, DeviceError, InputError
from retrorun.ftms import FTMS_SERVICE_UUID16, Characteristic, MachineType, decode_service_data

if TYPE_CHECKING:
    from bleak.backends.client import BaseBleakClient
    from bleak.backends.scanner import BaseBleakScanner

    from retrorun.clock import Clock
    from retrorun.device.ramp import RampRates
    from retrorun.device.trace import GattTrace

_ADDRESS = re.compile(r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f-]{36}$")


@dataclass(frozen=True)
class FoundTreadmill:
    """One FTMS device seen by a scan."""

    name: str | None
    address: str
    rssi: int | None
    machine_type: str
    """``treadmill``, another FTMS type, or ``unknown`` when the service data is missing."""
    available: bool | None
    advertisement: Advertisement
    ftms: bool = True
    """Whether it advertises the Fitness Machine Service (``scan --all`` lists others too)."""

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "address": self.address,
            "rssi": self.rssi,
            "machine_type": self.machine_type,
            "available": self.available,
            "ftms": self.ftms,
        }


@dataclass(frozen=True)
class Backends:
    """bleak backend classes to use instead of the platform's (the simulator's, in tests)."""

    client: type[BaseBleakClient] | None = None
    scanner: type[BaseBleakScanner] | None = None


def describe(advertisement: Advertisement) -> FoundTreadmill:
    """Read the FTMS service data of an advertisement (absent on some Sole machines)."""
    if not _advertises_ftms(advertisement):
        return FoundTreadmill(
            advertisement.name,
            advertisement.address,
            advertisement.rssi,
            "-",
            None,
            advertisement,
            ftms=False,
        )
    machine_type = "unknown"
    available: bool | None = None
    data = advertisement.service_data.get(FTMS_SERVICE_UUID16)
    if data is not None:
        try:
            service = decode_service_data(data)
        except DecodeError:
            service = None
        if service is not None:
            available = service.available
            types = service.machine_types
            machine_type = (
                "treadmill"
                if types & MachineType.TREADMILL
                else ", ".join((t.name or "").lower() for t in MachineType if t in types)
                or "unknown"
            )
    return FoundTreadmill(
        advertisement.name,
        advertisement.address,
        advertisement.rssi,
        machine_type,
        available,
        advertisement,
    )


async def scan_treadmills(
    *, duration_s: float, backends: Backends | None = None
) -> list[FoundTreadmill]:
    """Every FTMS fitness machine heard within ``duration_s`` seconds, strongest first."""
    backends = backends or Backends()
    found = await scan(
        duration_s=duration_s, service_uuid=FTMS_SERVICE_UUID16, backend=backends.scanner
    )
    return [describe(adv) for adv in found]


async def scan_devices(
    *, duration_s: float, backends: Backends | None = None
) -> list[FoundTreadmill]:
    """Every device heard within ``duration_s`` seconds, FTMS or not, strongest first."""
    backends = backends or Backends()
    found = await scan(duration_s=duration_s, service_uuid=None, backend=backends.scanner)
    return [describe(adv) for adv in found]


def matches(found: FoundTreadmill, target: str) -> bool:
    """Whether ``target`` (an address, or a name, case-insensitive) names this device."""
    wanted = target.strip().lower()
    if found.address.lower() == wanted:
        return True
    return found.name is not None and found.name.strip().lower() == wanted


async def find_treadmill(
    target: str, *, within_s: float, backends: Backends | None = None
) -> FoundTreadmill:
    """The FTMS device with this address or name, as soon as it is heard.

    Raises `DeviceError` ("no treadmill named X found in 10 s") when none is.
    """
    backends = backends or Backends()

    # A device that matches but does not advertise FTMS is taken too: some treadmills
    # leave the service out of a crowded advertisement. Connecting tells (`Link.connect`).
    def wanted(adv: Advertisement) -> bool:
        return matches(describe(adv), target)

    adv = await find(
        wanted, within_s=within_s, backend=backends.scanner, service_uuid=FTMS_SERVICE_UUID16
    )
    if adv is None:
        kind = "at address" if _ADDRESS.match(target.strip()) else "named"
        raise DeviceError(
            f"no treadmill {kind} {target!r} found in {within_s:g} s (is another app "
            "connected to it? close it; 'retrorun scan --all' lists what is heard)"
        )
    return describe(adv)


def not_a_treadmill(found: FoundTreadmill) -> InputError:
    """The device named offers no FTMS treadmill: the wrong device, or a proprietary one."""
    name = f"{found.name} ({found.address})" if found.name else found.address
    if found.ftms:  # it says FTMS over the air: the table seen may be an old one
        return InputError(
            f"{name} advertises FTMS but offers no Treadmill Data (0x2ACD)"
            f"{stale_cache_hint(found.address)}",
            location="--device",
        )
    return InputError(
        f"{name} is not an FTMS treadmill: it offers no Treadmill Data (0x2ACD); name "
        "another device ('retrorun scan' lists FTMS treadmills), or the machine may use a "
        "proprietary protocol that retrorun does not speak",
        location="--device",
    )


def _advertises_ftms(adv: Advertisement) -> bool:
    return FTMS_SERVICE_UUID16 in adv.service_uuids or FTMS_SERVICE_UUID16 in adv.service_data


async def open_treadmill(  # noqa: PLR0913 - one keyword per treadmill setting
    target: str | FoundTreadmill,
    *,
    clock: Clock,
    scan_timeout: float = 10.0,
    backends: Backends | None = None,
    mph_in_kmh_fields: bool = False,
    mph_commands: bool = False,
    speed_factor: float = 1.0,
    ramp_rates: RampRates | None = None,
    attempts: int = 3,
    trace: GattTrace | None = None,
    pair: bool = False,
) -> Treadmill:
    """Find (unless given), connect and open a treadmill that reconnects itself; `trace`
    records every byte crossing GATT, over reconnections too; `pair` bonds first."""
    backends = backends or Backends()
    found = (
        target
        if isinstance(target, FoundTreadmill)
        else await find_treadmill(target, within_s=scan_timeout, backends=backends)
    )

    async def link_to(device: FoundTreadmill) -> Link:
        return await Link.connect(
            device.advertisement,
            clock=clock,
            backend=backends.client,
            attempts=attempts,
            trace=trace,
            pair=pair,
        )

    async def connect() -> Link:
        link = await link_to(found)
        if not link.has(Characteristic.TREADMILL_DATA.uuid16):
            await link.disconnect()
            raise not_a_treadmill(found)
        return link

    async def reconnect() -> Link:
        # The device may come back with a new advertisement object (and, on some
        # platforms, a new handle); look for it again before connecting.
        return await link_to(
            await find_treadmill(found.address, within_s=scan_timeout, backends=backends)
        )

    treadmill = Treadmill(
        await connect(),
        clock=clock,
        reconnect=reconnect,
        mph_in_kmh_fields=mph_in_kmh_fields,
        mph_commands=mph_commands,
        speed_factor=speed_factor,
        ramp_rates=ramp_rates,
    )
    try:
        await treadmill.open()
    except BaseException:
        await treadmill.close()
        raise
    return treadmill
