"""Talking to real treadmills through bleak: scan, connect, control, listen, reconnect.

The only package in ``src/`` that imports bleak (in `retrorun.device.link`). Tests plug the
simulator in through bleak's ``backend=`` parameter (`Backends`), so the real
`bleak.BleakClient` runs above the simulated radio.
"""

from retrorun.device.capabilities import Capabilities
from retrorun.device.connection import (
    Backends,
    FoundTreadmill,
    find_treadmill,
    open_treadmill,
    scan_treadmills,
)
from retrorun.device.control import CommandRejectedError
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
from retrorun.device.heart_rate import HeartRateSample, HeartRateStrap, open_heart_rate_strap
from retrorun.device.ramp import RampRates
from retrorun.device.treadmill import Outcome, Treadmill

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
    "Outcome",
    "RampRates",
    "Reconnected",
    "StatusEvent",
    "Telemetry",
    "TrainingStatusChanged",
    "Treadmill",
    "find_treadmill",
    "open_heart_rate_strap",
    "open_treadmill",
    "scan_treadmills",
]
