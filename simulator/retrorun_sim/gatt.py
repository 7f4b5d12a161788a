"""The simulated treadmill's GATT table: one description, served over two transports.

One Fitness Machine Service (0x1826) with the seven treadmill characteristics of FTMS §4
Table 4.1; every characteristic that notifies or indicates has its Client Characteristic
Configuration Descriptor (0x2902) one handle later. Properties follow the quirks: Urevo's
control point is WriteWithoutResponse|Indicate (field notes §3.6).

`gatt_table` is the description; `build_services` turns it into bleak's service collection
(the in-process backend) and `retrorun_sim.air` into Bumble's GATT server (on the air).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection

from retrorun.ftms import FTMS_SERVICE_UUID, Characteristic, uuid128

if TYPE_CHECKING:
    from bleak.assigned_numbers import CharacteristicPropertyName

    from retrorun_sim.quirks import Quirks

CCCD_UUID = uuid128(0x2902)
# CCCD values (Core Vol 3 Part G §3.3.3.3).
CCCD_NOTIFY = 0x0001
CCCD_INDICATE = 0x0002
_SERVICE_HANDLE = 0x0010
# Characteristic table order (FTMS §4, Table 4.1).
_ORDER = (
    Characteristic.FEATURE,
    Characteristic.TREADMILL_DATA,
    Characteristic.TRAINING_STATUS,
    Characteristic.SPEED_RANGE,
    Characteristic.INCLINATION_RANGE,
    Characteristic.CONTROL_POINT,
    Characteristic.MACHINE_STATUS,
)


@dataclass(frozen=True, slots=True)
class GattEntry:
    """One characteristic of the table: what it is and its GATT properties."""

    characteristic: Characteristic
    properties: tuple[CharacteristicPropertyName, ...]

    @property
    def has_cccd(self) -> bool:
        """Whether it notifies or indicates (and so has a CCCD)."""
        return "notify" in self.properties or "indicate" in self.properties


def properties(characteristic: Characteristic, quirks: Quirks) -> list[CharacteristicPropertyName]:
    """The GATT properties ``characteristic`` has on a machine with ``quirks``."""
    match characteristic:
        case Characteristic.TREADMILL_DATA | Characteristic.MACHINE_STATUS:
            return ["notify"]
        case Characteristic.TRAINING_STATUS:
            return ["read", "notify"]
        case Characteristic.CONTROL_POINT:
            write: CharacteristicPropertyName = (
                "write-without-response" if quirks.control_point_write_without_response else "write"
            )
            return [write, "indicate"]
        case _:
            return ["read"]


def gatt_table(quirks: Quirks) -> tuple[GattEntry, ...]:
    """The FTMS service's characteristics in table order, on a machine with ``quirks``."""
    return tuple(GattEntry(each, tuple(properties(each, quirks))) for each in _ORDER)


def build_services(quirks: Quirks) -> BleakGATTServiceCollection:
    """A fresh service collection; each characteristic's ``obj`` is its `Characteristic`."""
    collection = BleakGATTServiceCollection()
    service = BleakGATTService(None, _SERVICE_HANDLE, FTMS_SERVICE_UUID)
    collection.add_service(service)
    payload = quirks.mtu - 3
    handle = _SERVICE_HANDLE
    for entry in gatt_table(quirks):
        # Each characteristic takes a declaration handle and a value handle.
        handle += 2
        characteristic = entry.characteristic
        char = BleakGATTCharacteristic(
            characteristic,
            handle,
            characteristic.uuid,
            list(entry.properties),
            lambda: payload,
            service,
        )
        collection.add_characteristic(char)
        if entry.has_cccd:
            handle += 1
            descriptor = BleakGATTDescriptor(characteristic, handle, CCCD_UUID, char)
            collection.add_descriptor(descriptor)
    return collection


def characteristic_of(char: BleakGATTCharacteristic | BleakGATTDescriptor) -> Characteristic:
    """The FTMS characteristic a bleak characteristic (or its CCCD) stands for."""
    found = char.obj
    if not isinstance(found, Characteristic):
        raise TypeError(f"{char} does not belong to a simulated treadmill")
    return found
