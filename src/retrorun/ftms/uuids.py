"""Service and characteristic UUIDs a treadmill exposes, and the names the CLI accepts.

16-bit UUIDs are from the Bluetooth SIG Assigned Numbers (FTMS v1.0 §4, Table 4.1, and the
Heart Rate Service). On the air every 16-bit UUID stands for the 128-bit UUID
``0000xxxx-0000-1000-8000-00805f9b34fb`` (Core spec Vol 3 Part B §2.5.1); bleak reports the
128-bit lower-case form, which `uuid128` produces.
"""

from __future__ import annotations

import re
from enum import IntEnum

from retrorun.errors import InputError

FTMS_SERVICE_UUID16 = 0x1826
HEART_RATE_SERVICE_UUID16 = 0x180D

_BASE_UUID_SUFFIX = "-0000-1000-8000-00805f9b34fb"
_UUID128 = re.compile(r"^0000([0-9a-f]{4})" + re.escape(_BASE_UUID_SUFFIX) + "$")
_UUID16 = re.compile(r"^(?:0x)?([0-9a-f]{4})$")


def uuid128(uuid16: int) -> str:
    """The full lower-case 128-bit UUID for a 16-bit SIG UUID."""
    return f"0000{uuid16:04x}{_BASE_UUID_SUFFIX}"


def uuid16_of(uuid: str) -> int | None:
    """The 16-bit value of a SIG-based 128-bit UUID string, or None for a vendor UUID."""
    match = _UUID128.match(uuid.strip().lower())
    return int(match.group(1), 16) if match else None


FTMS_SERVICE_UUID = uuid128(FTMS_SERVICE_UUID16)
HEART_RATE_SERVICE_UUID = uuid128(HEART_RATE_SERVICE_UUID16)


class Characteristic(IntEnum):
    """A characteristic the codec understands; the value is its 16-bit UUID."""

    FEATURE = 0x2ACC  # FTMS §4.3 Fitness Machine Feature
    TREADMILL_DATA = 0x2ACD  # FTMS §4.4
    TRAINING_STATUS = 0x2AD3  # FTMS §4.10
    SPEED_RANGE = 0x2AD4  # FTMS §4.11 Supported Speed Range
    INCLINATION_RANGE = 0x2AD5  # FTMS §4.12 Supported Inclination Range
    CONTROL_POINT = 0x2AD9  # FTMS §4.16 Fitness Machine Control Point
    MACHINE_STATUS = 0x2ADA  # FTMS §4.17 Fitness Machine Status
    HEART_RATE_MEASUREMENT = 0x2A37  # Heart Rate Service 1.0 §3.1

    @property
    def cli_name(self) -> str:
        """The name users type: ``treadmill-data``, ``control-point``, ..."""
        return self.name.lower().replace("_", "-")

    @property
    def uuid(self) -> str:
        """The full 128-bit UUID, as bleak reports it."""
        return uuid128(self.value)

    @property
    def uuid16(self) -> int:
        return self.value


CHARACTERISTIC_NAMES: tuple[str, ...] = tuple(c.cli_name for c in Characteristic)


def resolve_characteristic(text: str) -> Characteristic:
    """The characteristic named by ``text``: a CLI name, a 16-bit or a 128-bit UUID.

    Accepts ``treadmill-data``, ``2acd``, ``0x2ACD`` and
    ``00002acd-0000-1000-8000-00805f9b34fb`` alike (case-insensitive). Anything else raises
    `InputError` listing the valid names.
    """
    key = text.strip().lower()
    for characteristic in Characteristic:
        if key in (characteristic.cli_name, characteristic.name.lower()):
            return characteristic
    match = _UUID16.match(key) or _UUID128.match(key)
    if match:
        uuid16 = int(match.group(1), 16)
        if uuid16 in Characteristic._value2member_map_:
            return Characteristic(uuid16)
    names = ", ".join(CHARACTERISTIC_NAMES)
    raise InputError(
        f"unknown characteristic {text!r}; use one of {names}, or its 16-bit UUID such as 2acd"
    )
