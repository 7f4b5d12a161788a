"""The hints on the Bluetooth edge: pair a treadmill that wants it, clear a stale BlueZ
GATT cache (both named with the command that does it)."""

from __future__ import annotations

import pytest

from retrorun.clock import LoopClock
from retrorun.device import open_treadmill
from retrorun.device.link import bluetooth_hint
from retrorun.errors import InputError
from retrorun_sim import Advertised, SimulatedNeighbour
from tests.tui.rig import SIM_BACKENDS

ADDRESS = "C4:5A:11:02:9E:31"
PAIR = f"pair it once (for example 'bluetoothctl pair {ADDRESS}'"
REMOVE = f"run 'bluetoothctl remove {ADDRESS}' and try again"


@pytest.mark.parametrize(
    ("code", "text", "hint"),
    [
        (0x05, "Insufficient Authentication", PAIR),
        (0x0F, "Insufficient Encryption", PAIR),
        (None, "[org.bluez.Error.NotPermitted] Not paired", PAIR),
        (None, "Operation failed with ATT error: 0x0f (insufficient encryption)", PAIR),
        (0x01, "Invalid Handle", REMOVE),
        (None, "Characteristic not found", REMOVE),
        (0xFE, "Procedure Already in Progress", None),
        (0x03, "Write Not Permitted", None),
    ],
)
def test_a_failure_gets_the_hint_that_fixes_it(
    code: int | None, text: str, hint: str | None
) -> None:
    said = bluetooth_hint(code, text, ADDRESS)
    if hint is None:
        assert said == ""
    else:
        assert hint in said


async def test_a_treadmill_whose_table_lacks_ftms_names_the_stale_cache() -> None:
    # It advertises FTMS, yet the table seen has no Treadmill Data: what BlueZ shows after a
    # firmware update changed the table it had cached.
    stale = Advertised("URBAN-2", (0x1826,))
    with SimulatedNeighbour(stale, address=ADDRESS), pytest.raises(InputError) as refused:
        await open_treadmill("URBAN-2", clock=LoopClock(), backends=SIM_BACKENDS)
    assert str(refused.value) == (
        f"--device: URBAN-2 ({ADDRESS}) advertises FTMS but offers no Treadmill Data (0x2ACD); "
        "if the treadmill's firmware changed, BlueZ may hold a stale copy of its GATT table: "
        f"{REMOVE}"
    )


@pytest.mark.parametrize("pair", [False, True])
async def test_a_treadmill_that_wants_pairing_takes_control_only_with_pair(*, pair: bool) -> None:
    from retrorun.device.link import GattRefusedError  # noqa: PLC0415
    from retrorun_sim import SimulatedTreadmill  # noqa: PLC0415

    clock = LoopClock()
    quirks = {"requires_pairing": True}
    async with SimulatedTreadmill(clock=clock, quirks=quirks, address=ADDRESS) as sim:
        treadmill = await open_treadmill(ADDRESS, clock=clock, backends=SIM_BACKENDS, pair=pair)
        try:
            if pair:
                await treadmill.request_control()
                assert sim.server.has_control
            else:
                with pytest.raises(GattRefusedError) as refused:
                    await treadmill.request_control()
                assert refused.value.code == 0x0F
                assert "run again with --pair" in str(refused.value)
                assert PAIR in str(refused.value)
        finally:
            await treadmill.close()
