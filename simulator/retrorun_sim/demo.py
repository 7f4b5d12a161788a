"""A plain bleak client's dialogue with a simulated treadmill, printed line by line.

``retrorun sim`` runs this to show developers what the treadmill says: take control, start,
set a speed (retrying while the machine refuses targets before the belt runs, as
WalkingPad-class firmware does), then one line per Treadmill Data record and per status
notification until the time is up or the link is lost.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bleak import BleakClient
from bleak.exc import BleakError

from retrorun.ftms import (
    Characteristic,
    ControlPointRequest,
    ResultCode,
    TreadmillData,
    TreadmillDataAssembler,
    decode_control_point_response,
    decode_machine_status,
    decode_training_status,
    encode_control_point,
    request_control,
    set_target_speed,
    start_or_resume,
)
from retrorun_sim.backend import SimulatorClient

if TYPE_CHECKING:
    from collections.abc import Callable

    from bleak.backends.characteristic import BleakGATTCharacteristic

    from retrorun_sim.treadmill import SimulatedTreadmill

# How long the demo waits for a control-point response before giving up on it.
RESPONSE_TIMEOUT_S = 5.0
# Retries of a refused Set Target Speed while the belt is still starting, one second apart.
SPEED_RETRIES = 10


def telemetry_line(t_s: float, record: TreadmillData) -> str:
    """One Treadmill Data record as a short human line; absent fields are left out."""
    parts = [f"{t_s:7.1f}s  data"]
    if record.speed_kmh is not None:
        parts.append(f"{record.speed_kmh:5.2f} km/h")
    if record.inclination_pct is not None:
        parts.append(f"{record.inclination_pct:4.1f} %")
    if record.total_distance_m is not None:
        parts.append(f"{record.total_distance_m:5d} m")
    if record.elapsed_time_s is not None:
        parts.append(f"{record.elapsed_time_s:4d} s")
    if record.step_count is not None:
        parts.append(f"{record.step_count} steps")
    if record.heart_rate_bpm is not None:
        parts.append(f"HR {record.heart_rate_bpm}")
    if record.truncated:
        parts.append("(truncated)")
    return "  ".join(parts)


class _Dialogue:
    def __init__(self, treadmill: SimulatedTreadmill, echo: Callable[[str], None]) -> None:
        self.treadmill = treadmill
        self.clock = treadmill.clock
        self.echo = echo
        self.started_at_s = self.clock.now()
        self.responses: asyncio.Queue[bytes] = asyncio.Queue()
        self.assembler = TreadmillDataAssembler()
        self.lost = asyncio.Event()

    def t(self) -> float:
        return self.clock.now() - self.started_at_s

    def on_data(self, _: BleakGATTCharacteristic, data: bytearray) -> None:
        record = self.assembler.feed(bytes(data))
        if record is not None:
            self.echo(telemetry_line(self.t(), record))

    def on_status(self, _: BleakGATTCharacteristic, data: bytearray) -> None:
        self.echo(f"{self.t():7.1f}s  status  {decode_machine_status(bytes(data)).status}")

    def on_training(self, _: BleakGATTCharacteristic, data: bytearray) -> None:
        self.echo(f"{self.t():7.1f}s  training  {decode_training_status(bytes(data)).status}")

    def on_response(self, _: BleakGATTCharacteristic, data: bytearray) -> None:
        self.responses.put_nowait(bytes(data))

    def on_lost(self, _: BleakClient) -> None:
        self.echo(f"{self.t():7.1f}s  link lost")
        self.lost.set()

    async def command(self, client: BleakClient, request: ControlPointRequest) -> int | None:
        """Write ``request``; its result code, or None when no answer came."""
        cp = client.services.get_characteristic(Characteristic.CONTROL_POINT.uuid)
        with_response = cp is not None and "write" in cp.properties
        try:
            await client.write_gatt_char(
                Characteristic.CONTROL_POINT.uuid,
                encode_control_point(request),
                response=with_response,
            )
        except BleakError as exc:
            self.echo(f"{self.t():7.1f}s  {request.op_code_name}: {exc}")
            return None
        getter = asyncio.ensure_future(self.responses.get())
        timer = asyncio.ensure_future(self.clock.sleep(RESPONSE_TIMEOUT_S))
        await asyncio.wait({getter, timer}, return_when=asyncio.FIRST_COMPLETED)
        timer.cancel()
        if not getter.done():
            getter.cancel()
            self.echo(f"{self.t():7.1f}s  {request.op_code_name}: no response")
            return None
        answer = decode_control_point_response(getter.result())
        self.echo(f"{self.t():7.1f}s  {request.op_code_name}: {answer.result_code_name}")
        return answer.result_code


async def run_demo(
    treadmill: SimulatedTreadmill,
    speed_kmh: float,
    duration_s: float,
    echo: Callable[[str], None],
) -> None:
    """Connect to ``treadmill`` with bleak, start it at ``speed_kmh`` and echo what it says."""
    dialogue = _Dialogue(treadmill, echo)
    end_s = dialogue.started_at_s + duration_s
    async with BleakClient(treadmill.address, dialogue.on_lost, backend=SimulatorClient) as client:
        echo(f"{dialogue.t():7.1f}s  connected to {client.name} ({treadmill.preset} preset)")
        await client.start_notify(Characteristic.TREADMILL_DATA.uuid, dialogue.on_data)
        await client.start_notify(Characteristic.MACHINE_STATUS.uuid, dialogue.on_status)
        await client.start_notify(Characteristic.TRAINING_STATUS.uuid, dialogue.on_training)
        await client.start_notify(Characteristic.CONTROL_POINT.uuid, dialogue.on_response)
        await dialogue.command(client, request_control())
        await dialogue.command(client, start_or_resume())
        for _ in range(SPEED_RETRIES):
            result = await dialogue.command(client, set_target_speed(speed_kmh))
            if result != ResultCode.CONTROL_NOT_PERMITTED or not client.is_connected:
                break
            await dialogue.clock.sleep(1.0)
        lost = asyncio.ensure_future(dialogue.lost.wait())
        timer = asyncio.ensure_future(dialogue.clock.sleep_until(end_s))
        await asyncio.wait({lost, timer}, return_when=asyncio.FIRST_COMPLETED)
        lost.cancel()
        timer.cancel()
