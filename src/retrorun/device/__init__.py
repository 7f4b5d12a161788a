"""Talking to real treadmills through bleak: scan, connect, control, listen, reconnect.

The only package in ``src/`` that imports bleak (in `retrorun.device.link`). Tests plug the
simulator in through bleak's ``backend=`` parameter (`Backends`), so the real
`bleak.BleakClient` runs above the simulated radio.

The vocabulary of what a treadmill reports (`retrorun.device.events`, `RampRates`) is pure
and imports no bleak; the names that need bleak are loaded on first use, so the pure session
engine can speak that vocabulary without loading a Bluetooth stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from retrorun.device.events import (
    BeltStarted,
    BeltStopped,
    ConnectionLost,
    ConsoleInclineChanged,
    ConsoleSpeedChanged,
    ControlLost,
    DeviceEvent,
    Reconnected,
    StatusEvent,
    Telemetry,
    TrainingStatusChanged,
)
from retrorun.device.ramp import RampRates

if TYPE_CHECKING:
    from retrorun.device.capabilities import Capabilities
    from retrorun.device.connection import (
        Backends,
        FoundTreadmill,
        find_treadmill,
        open_treadmill,
        scan_devices,
        scan_treadmills,
    )
    from retrorun.device.control import CommandRejectedError, NoAnswerError
    from retrorun.device.heart_rate import (
        HeartRateSample,
        HeartRateStrap,
        StrapConnected,
        StrapLost,
        follow_heart_rate_strap,
        open_heart_rate_strap,
    )
    from retrorun.device.treadmill import Outcome, Treadmill

# Names that live in modules importing bleak: loaded when first asked for.
_LAZY = {
    "Capabilities": "retrorun.device.capabilities",
    "Backends": "retrorun.device.connection",
    "FoundTreadmill": "retrorun.device.connection",
    "find_treadmill": "retrorun.device.connection",
    "open_treadmill": "retrorun.device.connection",
    "scan_devices": "retrorun.device.connection",
    "scan_treadmills": "retrorun.device.connection",
    "CommandRejectedError": "retrorun.device.control",
    "NoAnswerError": "retrorun.device.control",
    "HeartRateSample": "retrorun.device.heart_rate",
    "HeartRateStrap": "retrorun.device.heart_rate",
    "open_heart_rate_strap": "retrorun.device.heart_rate",
    "follow_heart_rate_strap": "retrorun.device.heart_rate",
    "StrapConnected": "retrorun.device.heart_rate",
    "StrapLost": "retrorun.device.heart_rate",
    "Outcome": "retrorun.device.treadmill",
    "Treadmill": "retrorun.device.treadmill",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'retrorun.device' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "Backends",
    "BeltStarted",
    "BeltStopped",
    "Capabilities",
    "CommandRejectedError",
    "ConnectionLost",
    "ConsoleInclineChanged",
    "ConsoleSpeedChanged",
    "ControlLost",
    "DeviceEvent",
    "FoundTreadmill",
    "HeartRateSample",
    "HeartRateStrap",
    "NoAnswerError",
    "Outcome",
    "RampRates",
    "Reconnected",
    "StatusEvent",
    "StrapConnected",
    "StrapLost",
    "Telemetry",
    "TrainingStatusChanged",
    "Treadmill",
    "find_treadmill",
    "follow_heart_rate_strap",
    "open_heart_rate_strap",
    "open_treadmill",
    "scan_devices",
    "scan_treadmills",
]
