"""The FTMS treadmill simulator: belt physics on a Clock and the server side of FTMS.

Public API::

    SimulatedTreadmill(preset=..., quirks=..., faults=..., clock=..., name=..., address=...)
    SimulatedHeartRateStrap(treadmill)  # a strap on the treadmill's runner
    SimulatedNeighbour(Advertised(...))  # a device in range that is not an FTMS treadmill
    SimulatorClient   # bleak backend: BleakClient(address, backend=SimulatorClient)
    SimulatorScanner  # bleak backend: BleakScanner(backend=SimulatorScanner)

See docs/simulator.md.
"""

from retrorun_sim.backend import SimulatorClient, SimulatorScanner
from retrorun_sim.faults import FAULT_KINDS, Fault, FaultKind, parse_fault, parse_faults
from retrorun_sim.heart_rate_strap import SimulatedHeartRateStrap
from retrorun_sim.neighbour import NEIGHBOURHOOD, Advertised, SimulatedNeighbour
from retrorun_sim.peripheral import Peripheral, PeripheralBusyError, PeripheralUnreachableError
from retrorun_sim.physics import BeltMode, BeltReadings, BeltSpec, PhysicalBelt
from retrorun_sim.quirks import (
    COOPERATIVE_PRESETS,
    PRESETS,
    SWITCH_NAMES,
    Preset,
    Quirks,
    parse_quirk,
    resolve_quirks,
)
from retrorun_sim.replay import ReplayNotification, parse_replay
from retrorun_sim.runner import RunnerDirection, RunnerSpec
from retrorun_sim.trace import TraceEvent, TraceKind, TraceSink
from retrorun_sim.treadmill import SimulatedTreadmill

__all__ = [
    "COOPERATIVE_PRESETS",
    "FAULT_KINDS",
    "NEIGHBOURHOOD",
    "PRESETS",
    "SWITCH_NAMES",
    "Advertised",
    "BeltMode",
    "BeltReadings",
    "BeltSpec",
    "Fault",
    "FaultKind",
    "Peripheral",
    "PeripheralBusyError",
    "PeripheralUnreachableError",
    "PhysicalBelt",
    "Preset",
    "Quirks",
    "ReplayNotification",
    "RunnerDirection",
    "RunnerSpec",
    "SimulatedHeartRateStrap",
    "SimulatedNeighbour",
    "SimulatedTreadmill",
    "SimulatorClient",
    "SimulatorScanner",
    "TraceEvent",
    "TraceKind",
    "TraceSink",
    "parse_fault",
    "parse_faults",
    "parse_quirk",
    "parse_replay",
    "resolve_quirks",
]
