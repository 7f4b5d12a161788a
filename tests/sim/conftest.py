"""A simulated treadmill and a plain bleak client on it, on a ManualClock."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import pytest
from bleak import BleakClient

from retrorun.clock import ManualClock
from retrorun.ftms import Characteristic
from retrorun_sim import SimulatedTreadmill, SimulatorClient

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from bleak.backends.characteristic import BleakGATTCharacteristic

CP = Characteristic.CONTROL_POINT
DATA = Characteristic.TREADMILL_DATA
STATUS = Characteristic.MACHINE_STATUS
TRAINING = Characteristic.TRAINING_STATUS


class Peer:
    """A bleak client on a simulated treadmill that records everything it hears."""

    def __init__(self, client: BleakClient, clock: ManualClock) -> None:
        self.client = client
        self.clock = clock
        self.heard: dict[Characteristic, list[bytes]] = defaultdict(list)
        self._arrived = asyncio.Event()

    def _on(
        self, characteristic: Characteristic
    ) -> Callable[[BleakGATTCharacteristic, bytearray], None]:
        def callback(_: BleakGATTCharacteristic, data: bytearray) -> None:
            self.heard[characteristic].append(bytes(data))
            self._arrived.set()

        return callback

    async def subscribe(self, *characteristics: Characteristic) -> None:
        for characteristic in characteristics or (CP, DATA, STATUS, TRAINING):
            await self.client.start_notify(characteristic.uuid, self._on(characteristic))

    async def wait_for(
        self, characteristic: Characteristic, count: int, *, limit: float = 30
    ) -> None:
        """Let clock time pass (autojump) until ``count`` values of it have arrived."""

        async def arrived() -> None:
            while len(self.heard[characteristic]) < count:
                self._arrived.clear()
                await self._arrived.wait()

        task = asyncio.ensure_future(arrived())
        try:
            await self.clock.run_until(task, limit=limit)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def request(self, data: bytes, *, response: bool = True) -> bytes:
        """Write ``data`` to the control point and return the response that comes back."""
        count = len(self.heard[CP]) + 1
        await self.client.write_gatt_char(CP.uuid, data, response=response)
        await self.wait_for(CP, count)
        return self.heard[CP][count - 1]

    async def take_control_and_start(self) -> None:
        assert await self.request(b"\x00") == bytes([0x80, 0x00, 0x01])
        assert await self.request(b"\x07") == bytes([0x80, 0x07, 0x01])


Connect = Callable[..., Awaitable[tuple[SimulatedTreadmill, "Peer"]]]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def connect(clock: ManualClock) -> AsyncIterator[Connect]:
    """``await connect(preset=..., faults=...)``: a started treadmill and a subscribed peer."""
    async with contextlib.AsyncExitStack() as stack:

        async def open_pair(
            *,
            subscribe: bool = True,
            **kwargs: Any,  # noqa: ANN401 - SimulatedTreadmill options
        ) -> tuple[SimulatedTreadmill, Peer]:
            treadmill = await stack.enter_async_context(SimulatedTreadmill(clock=clock, **kwargs))
            client = await stack.enter_async_context(
                BleakClient(treadmill.address, backend=SimulatorClient)
            )
            peer = Peer(client, clock)
            if subscribe:
                await peer.subscribe()
            return treadmill, peer

        yield open_pair
