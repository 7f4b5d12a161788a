"""Failures a runner can meet, each with a sentence that says what happened."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from retrorun.clock import LoopClock, ManualClock, run_virtual
from retrorun.device import Backends, open_treadmill
from retrorun.errors import DeviceError
from retrorun_sim import SimulatedTreadmill, SimulatorClient, SimulatorScanner
from tests.device.conftest import Rig

SIM = Backends(client=SimulatorClient, scanner=SimulatorScanner)


def test_a_treadmill_nobody_runs_is_not_found_in_words() -> None:
    async def main() -> str:
        async with SimulatedTreadmill(clock=LoopClock(), name="Kitchen Treadmill"):
            with pytest.raises(DeviceError) as raised:
                await open_treadmill(
                    "Garage Treadmill", clock=LoopClock(), backends=SIM, scan_timeout=10
                )
            return str(raised.value)

    # Scanning waits on the clock; on virtual time the ten seconds pass at once.
    assert run_virtual(main()) == (
        "no treadmill named 'Garage Treadmill' found in 10 s (is another app connected to it? "
        "close it; 'retrorun scan --all' lists what is heard)"
    )


def test_an_address_nobody_answers_at_is_not_found_in_words() -> None:
    async def main() -> str:
        with pytest.raises(DeviceError) as raised:
            await open_treadmill("AA:BB:CC:DD:EE:FF", clock=LoopClock(), backends=SIM)
        return str(raised.value)

    assert run_virtual(main()).startswith(
        "no treadmill at address 'AA:BB:CC:DD:EE:FF' found in 10 s (is another app"
    )


def test_a_treadmill_is_found_by_name_in_any_case() -> None:
    async def main() -> tuple[str, str, bool]:
        async with SimulatedTreadmill(clock=LoopClock(), name="Kitchen Treadmill") as sim:
            treadmill = await open_treadmill("kitchen TREADMILL", clock=LoopClock(), backends=SIM)
            found = (treadmill.name, sim.address, treadmill.connected)
            await treadmill.close()
            return found

    name, _address, connected = run_virtual(main())
    assert name == "Kitchen Treadmill"
    assert connected


async def test_an_unanswered_command_times_out_in_words(rig: Rig) -> None:
    treadmill = await rig.open()

    async def scenario() -> str:
        await treadmill.request_control()
        rig.sim.delay_next_command(30.0)
        with pytest.raises(DeviceError) as raised:
            await treadmill.start()
        return str(raised.value)

    message = await rig.run(scenario())
    assert message.endswith("no answer to start_or_resume within 4 s")
    await rig.run(treadmill.close())


async def test_a_link_that_drops_mid_command_fails_that_command(rig: Rig) -> None:
    treadmill = await rig.open()

    async def pull_the_plug() -> None:
        await rig.clock.sleep(1.0)
        rig.sim.disconnect(come_back_after_s=None)

    async def scenario() -> str:
        await treadmill.request_control()
        rig.sim.delay_next_command(3.0)
        unplug = asyncio.ensure_future(pull_the_plug())
        with pytest.raises(DeviceError) as raised:
            await treadmill.start()
        await unplug
        return str(raised.value)

    message = await rig.run(scenario())
    assert "connection dropped while waiting for an answer" in message
    assert not treadmill.connected
    await rig.run(treadmill.close())


async def test_a_rejected_command_names_the_result(rig: Rig) -> None:
    treadmill = await rig.open()

    async def scenario() -> str:
        await treadmill.start()
        await treadmill.set_speed(3.0)
        assert await treadmill.confirm_speed(3.0)
        rig.sim.reject_next_command()
        with pytest.raises(DeviceError) as raised:
            await treadmill.set_speed(4.0)
        return str(raised.value)

    message = await rig.run(scenario())
    assert "set_target_speed refused by the treadmill: operation_failed" in message
    # The refused target is not taken as in force: asking again sends it again.
    assert treadmill.target_speed_kmh == 3.0
    await rig.run(treadmill.close())


async def test_a_treadmill_that_never_grants_control_is_given_up_on_in_words() -> None:
    clock = ManualClock()
    async with SimulatedTreadmill(clock=clock, quirks=["grants_control=false"]) as sim:
        rig = Rig(clock, sim)
        treadmill = await rig.open()

        async def scenario() -> tuple[str, float]:
            started = clock.now()
            with pytest.raises(DeviceError) as raised:
                await treadmill.start()
            return str(raised.value), clock.now() - started

        message, took_s = await rig.run(scenario())
        await rig.run(treadmill.close())
    assert message.endswith("the treadmill does not grant control")
    # Retried with backoff (0.5, 1, 2, 4, 4 s), not hammered and not forever.
    assert 10.0 < took_s < 20.0


async def test_a_stop_after_a_command_given_up_mid_answer_still_stops_the_belt(rig: Rig) -> None:
    # Ctrl-C (or any cancellation) while a speed change waits for its answer: the stop that
    # follows must go out at once, not be refused because the old one is "in flight".
    treadmill = await rig.open()

    async def scenario() -> bool:
        await treadmill.start()
        await treadmill.set_speed(4.0)
        assert await treadmill.confirm_speed(4.0)
        rig.sim.delay_next_command(2.0)
        change = asyncio.ensure_future(treadmill.set_speed(2.0))
        await rig.clock.sleep(0.5)  # written, its answer not yet back
        change.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await change
        await treadmill.stop()
        return await treadmill.confirm_speed(0.0)

    assert await rig.run(scenario())
    assert not rig.sim.physical().moving
    await rig.run(treadmill.close())
