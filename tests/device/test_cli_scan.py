"""`retrorun scan`: a table or JSON of the FTMS treadmills heard."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

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
