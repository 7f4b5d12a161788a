"""How fast the simulator runs virtual time with a bleak client connected.

Run: ``python -m benchmarks.simulator`` (or ``make bench`` for every benchmark).

One simulated hour on a ManualClock: a BleakClient (simulator backend) subscribed to every
notifying characteristic takes control, starts the belt at 10 km/h, then the clock jumps from
deadline to deadline, so the simulator encodes and delivers 3,600 Treadmill Data records (two
notifications each at the default MTU). This bounds how fast ``--fast`` sessions can run.
"""

from __future__ import annotations

import asyncio
import time

from bleak import BleakClient

from retrorun.clock import ManualClock
from retrorun.ftms import Characteristic
from retrorun_sim import SimulatedTreadmill, SimulatorClient

SIMULATED_S = 3600.0
ROUNDS = 3


async def one_hour() -> tuple[float, int]:
    """Wall seconds for one simulated hour, and how many notifications the client got."""
    clock = ManualClock()
    received = 0

    def count(_: object, __: bytearray) -> None:
        nonlocal received
        received += 1

    async with (
        SimulatedTreadmill(clock=clock) as treadmill,
        BleakClient(treadmill.address, backend=SimulatorClient) as client,
    ):
        for characteristic in (
            Characteristic.TREADMILL_DATA,
            Characteristic.MACHINE_STATUS,
            Characteristic.TRAINING_STATUS,
            Characteristic.CONTROL_POINT,
        ):
            await client.start_notify(characteristic.uuid, count)
        for request in (b"\x00", b"\x07", bytes([0x02, 0xE8, 0x03])):
            await client.write_gatt_char(Characteristic.CONTROL_POINT.uuid, request, response=True)
            await clock.advance(0.5)
        start = time.perf_counter()
        await clock.advance(SIMULATED_S)
        return time.perf_counter() - start, received


def main() -> None:
    results = [asyncio.run(one_hour()) for _ in range(ROUNDS)]
    wall_s, received = min(results)
    print(f"simulated hour with a bleak client: {wall_s:.2f} s wall ({SIMULATED_S / wall_s:,.0f}x)")
    print(f"notifications delivered in that hour: {received:,}")


if __name__ == "__main__":
    main()
