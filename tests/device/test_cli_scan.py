"""`retrorun scan`: a table or JSON of the FTMS treadmills heard."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import CliResult


def test_scan_lists_the_simulated_treadmill(cli: Callable[..., CliResult]) -> None:
    result = cli("scan", "--sim")
    assert result.exit_code == 0
    header, row = result.stdout.splitlines()
    assert header.split() == ["NAME", "ADDRESS", "RSSI", "TYPE"]
    assert row.startswith("RetroRun Treadmill")
    assert row.endswith("treadmill")


def test_scan_json_is_a_list_of_devices(cli: Callable[..., CliResult]) -> None:
    result = cli("scan", "--sim", "--json")
    assert result.exit_code == 0
    (device,) = json.loads(result.stdout)
    assert device["machine_type"] == "treadmill"
    assert device["available"] is True
    assert device["address"].count(":") == 5


def test_scan_refuses_a_nonsense_timeout(cli: Callable[..., CliResult]) -> None:
    result = cli("scan", "--timeout", "-3")
    assert result.exit_code == 2
    assert "--timeout" in result.stderr


def test_scan_all_lists_every_device_heard_and_marks_ftms(cli: Callable[..., CliResult]) -> None:
    result = cli("scan", "--sim", "--all")
    assert result.exit_code == 0
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["NAME", "ADDRESS", "RSSI", "TYPE", "FTMS"]
    assert [row.split()[-1] for row in rows] == ["yes", "no", "no", "no"]  # strongest first
    assert rows[0].startswith("RetroRun Treadmill")
    assert rows[1].startswith("WalkingPad A1")
    assert "-58" in rows[1].split()
    assert rows[3].startswith("(no name)")
    listed = json.loads(cli("scan", "--sim", "--all", "--json").stdout)
    assert [(d["ftms"], d["machine_type"]) for d in listed] == [
        (True, "treadmill"),
        (False, "-"),
        (False, "-"),
        (False, "-"),
    ]


async def test_without_an_ftms_treadmill_the_scan_says_how_many_were_heard() -> None:
    from retrorun.cli.scan import nothing_found  # noqa: PLC0415
    from retrorun.device import scan_devices, scan_treadmills  # noqa: PLC0415
    from retrorun_sim import NEIGHBOURHOOD, SimulatedNeighbour  # noqa: PLC0415
    from tests.tui.rig import SIM_BACKENDS  # noqa: PLC0415

    with SimulatedNeighbour(NEIGHBOURHOOD[0]), SimulatedNeighbour(NEIGHBOURHOOD[2]):
        assert await scan_treadmills(duration_s=0.01, backends=SIM_BACKENDS) == []
        heard = await scan_devices(duration_s=0.01, backends=SIM_BACKENDS)
    assert [device.ftms for device in heard] == [False, False]
    said = nothing_found(heard, 10)
    assert said.startswith("no FTMS treadmill among the 2 devices heard in 10 s")
    assert "proprietary protocol" in said
    assert "another app" in said
    assert nothing_found([], 5).startswith("no Bluetooth device heard in 5 s")


async def test_a_device_that_is_not_a_treadmill_is_refused_in_one_line() -> None:
    from retrorun.clock import LoopClock  # noqa: PLC0415
    from retrorun.device import open_treadmill  # noqa: PLC0415
    from retrorun.errors import InputError  # noqa: PLC0415
    from retrorun_sim import NEIGHBOURHOOD, SimulatedNeighbour  # noqa: PLC0415
    from tests.tui.rig import SIM_BACKENDS  # noqa: PLC0415

    with SimulatedNeighbour(NEIGHBOURHOOD[0]) as pad:
        with pytest.raises(InputError) as refused:
            await open_treadmill("WalkingPad A1", clock=LoopClock(), backends=SIM_BACKENDS)
        assert pad.advertising  # let go again: nothing left connected
    assert str(refused.value) == (
        f"--device: WalkingPad A1 ({pad.address}) is not an FTMS treadmill: it offers no "
        "Treadmill Data (0x2ACD); name another device ('retrorun scan' lists FTMS "
        "treadmills), or the machine may use a proprietary protocol that retrorun does not "
        "speak"
    )
