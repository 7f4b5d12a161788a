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

from retrorun.device.link import Advertisement, Link, find, scan
from retrorun.device.treadmill import Treadmill
from retrorun.errors import DecodeError, DeviceError
from retrorun.ftms import FTMS_SERVICE_UUID16, MachineType, decode_service_data

if TYPE_CHECKING:
    from bleak.backends.client import BaseBleakClient
    from bleak.backends.scanner import BaseBleakScanner

    from retrorun.clock import Clock
    from retrorun.device.ramp import RampRates

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

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "address": self.address,
            "rssi": self.rssi,
            "machine_type": self.machine_type,
            "available": self.available,
        }


@dataclass(frozen=True)
class Backends:
    """bleak backend classes to use instead of the platform's (the simulator's, in tests)."""

    client: type[BaseBleakClient] | None = None
    scanner: type[BaseBleakScanner] | None = None


def describe(advertisement: Advertisement) -> FoundTreadmill:
    """Read the FTMS service data of an advertisement (absent on some Sole machines)."""
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

    def wanted(adv: Advertisement) -> bool:
        return _advertises_ftms(adv) and matches(describe(adv), target)

    adv = await find(wanted, within_s=within_s, backend=backends.scanner)
    if adv is None:
        kind = "at address" if _ADDRESS.match(target.strip()) else "named"
        raise DeviceError(f"no treadmill {kind} {target!r} found in {within_s:g} s")
    return describe(adv)


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
) -> Treadmill:
    """Find (unless given), connect and open a treadmill that reconnects itself."""
    backends = backends or Backends()
    found = (
        target
        if isinstance(target, FoundTreadmill)
        else await find_treadmill(target, within_s=scan_timeout, backends=backends)
    )

    async def connect() -> Link:
        return await Link.connect(
            found.advertisement, clock=clock, backend=backends.client, attempts=attempts
        )

    async def reconnect() -> Link:
        # The device may come back with a new advertisement object (and, on some
        # platforms, a new handle); look for it again before connecting.
        again = await find_treadmill(found.address, within_s=scan_timeout, backends=backends)
        return await Link.connect(
            again.advertisement, clock=clock, backend=backends.client, attempts=attempts
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
