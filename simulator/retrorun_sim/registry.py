"""Running simulated treadmills by address: what the bleak backend connects to and scans.

The registry is per process, like the radio it stands in for. Scanners listen for
treadmills that start advertising (on start, after a client leaves, after an outage ends).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from retrorun.errors import LocalProtocolError

if TYPE_CHECKING:
    from retrorun_sim.treadmill import SimulatedTreadmill

Listener = Callable[["SimulatedTreadmill"], None]

_treadmills: dict[str, SimulatedTreadmill] = {}
_listeners: set[Listener] = set()


def _key(address: str) -> str:
    return address.upper()


def register(treadmill: SimulatedTreadmill) -> None:
    """Make ``treadmill`` reachable at its address; two at one address is a mistake."""
    key = _key(treadmill.address)
    if key in _treadmills and _treadmills[key] is not treadmill:
        raise LocalProtocolError(f"a simulated treadmill already runs at {treadmill.address}")
    _treadmills[key] = treadmill


def unregister(treadmill: SimulatedTreadmill) -> None:
    if _treadmills.get(_key(treadmill.address)) is treadmill:
        del _treadmills[_key(treadmill.address)]


def find(address: str) -> SimulatedTreadmill | None:
    """The running treadmill at ``address`` (case-insensitive), if any."""
    return _treadmills.get(_key(address))


def advertising() -> list[SimulatedTreadmill]:
    """Every treadmill a scan would hear right now."""
    return [treadmill for treadmill in _treadmills.values() if treadmill.advertising]


def listen(listener: Listener) -> Callable[[], None]:
    """Call ``listener`` with each treadmill that starts advertising; returns the undo."""
    _listeners.add(listener)
    return lambda: _listeners.discard(listener)


def announce(treadmill: SimulatedTreadmill) -> None:
    """``treadmill`` (re)started advertising: tell every listening scanner."""
    if treadmill.advertising:
        for listener in list(_listeners):
            listener(treadmill)
