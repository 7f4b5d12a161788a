"""Running simulated peripherals by address: what the bleak backend connects to and scans.

The registry is per process, like the radio it stands in for. Scanners listen for devices
that start advertising (on start, after a client leaves, after an outage ends).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from retrorun.errors import LocalProtocolError

if TYPE_CHECKING:
    from retrorun_sim.peripheral import Peripheral

Listener = Callable[["Peripheral"], None]

_peripherals: dict[str, Peripheral] = {}
_listeners: set[Listener] = set()


def _key(address: str) -> str:
    return address.upper()


def register(device: Peripheral) -> None:
    """Make ``device`` reachable at its address; two at one address is a mistake."""
    key = _key(device.address)
    if key in _peripherals and _peripherals[key] is not device:
        raise LocalProtocolError(f"a simulated device already runs at {device.address}")
    _peripherals[key] = device


def unregister(device: Peripheral) -> None:
    if _peripherals.get(_key(device.address)) is device:
        del _peripherals[_key(device.address)]


def find(address: str) -> Peripheral | None:
    """The running device at ``address`` (case-insensitive), if any."""
    return _peripherals.get(_key(address))


def advertising() -> list[Peripheral]:
    """Every device a scan would hear right now."""
    return [device for device in _peripherals.values() if device.advertising]


def listen(listener: Listener) -> Callable[[], None]:
    """Call ``listener`` with each device that starts advertising; returns the undo."""
    _listeners.add(listener)
    return lambda: _listeners.discard(listener)


def announce(device: Peripheral) -> None:
    """``device`` (re)started advertising: tell every listening scanner."""
    if device.advertising:
        for listener in list(_listeners):
            listener(device)
