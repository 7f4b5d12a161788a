"""A bridge in its own process, for the last-will test (``-m tests.mqtt.bridge_process PORT``).

Prints ``connected`` once the bridge is connected, then runs until killed.
"""

from __future__ import annotations

import asyncio
import sys

from retrorun.clock import ManualClock
from retrorun.mqtt.bridge import MqttBridge
from retrorun.mqtt.settings import Broker, MqttSettings
from tests.mqtt.fake_session import FakeSession


async def main(port: int) -> None:
    clock = ManualClock()
    settings = MqttSettings(Broker("127.0.0.1", port), treadmill_id="tm1")
    async with MqttBridge(FakeSession(clock), settings, clock=clock) as bridge:
        await bridge.wait_connected()
        sys.stdout.write("connected\n")
        sys.stdout.flush()
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
