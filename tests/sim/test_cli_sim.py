"""``retrorun sim``: the simulator's dialogue on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from retrorun_sim import PRESETS

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import CliResult


def test_sim_shows_the_belt_ramping_to_the_speed(cli: Callable[..., CliResult]) -> None:
    result = cli("sim", "--duration", "20", "--speed", "5")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "request_control: success" in lines[1]
    assert "start_or_resume: success" in lines[2]
    assert any("set_target_speed: success" in line for line in lines)
    speeds = [float(line.split()[2]) for line in lines if "  data  " in line]
    assert speeds == sorted(speeds)
    assert speeds[-1] == 5.0
    assert 19 <= len(speeds) <= 20  # one a second; the last may meet the end of the run


def test_sim_trace_prints_the_bytes(cli: Callable[..., CliResult]) -> None:
    result = cli("sim", "--duration", "1", "--trace")
    assert result.exit_code == 0, result.stderr
    assert "write      control-point     00 " in result.stdout
    assert "indicate   control-point     80 00 01" in result.stdout


@pytest.mark.parametrize("preset", list(PRESETS))
def test_sim_runs_every_preset_and_traces_the_physical_belt(
    cli: Callable[..., CliResult], preset: str
) -> None:
    result = cli("sim", "--preset", preset, "--duration", "3", "--trace")
    assert result.exit_code == 0, result.stderr
    belts = [line.split()[1:] for line in result.stdout.splitlines() if " belt " in line]
    assert [fields[1] for fields in belts] == ["belt"] * 3
    assert all(fields[3] == "km/h" for fields in belts)


def test_sim_retries_speed_on_a_start_before_speed_machine(
    cli: Callable[..., CliResult],
) -> None:
    result = cli("sim", "--preset", "start-before-speed", "--duration", "8")
    assert "set_target_speed: control_not_permitted" in result.stdout
    assert "set_target_speed: success" in result.stdout


def test_sim_reports_a_lost_link(cli: Callable[..., CliResult]) -> None:
    result = cli("sim", "--duration", "60", "--fault", "disconnect@5")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1].endswith("link lost")


def test_sim_quirks_and_faults_combine(cli: Callable[..., CliResult]) -> None:
    result = cli(
        "sim",
        "--preset",
        "urevo",
        "--quirk",
        "heart_rate=false",
        "--fault",
        "safety-key@6",
        "--duration",
        "8",
    )
    assert result.exit_code == 0, result.stderr
    assert "status  stopped_by_safety_key" in result.stdout
    assert "HR" not in result.stdout


def test_sim_replays_a_capture(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    capture = tmp_path / "capture.txt"
    capture.write_text("1.5 treadmill-data 0000e100\n")
    result = cli("sim", "--replay", str(capture), "--duration", "3")
    assert result.exit_code == 0, result.stderr
    assert "    1.5s  data   2.25 km/h" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--preset", "fast"), "retrorun: unknown simulator preset 'fast'; valid presets: strict"),
        (("--fault", "boom@1"), "retrorun: unknown fault 'boom' in 'boom@1'; valid faults: "),
        (("--quirk", "warp=9"), "retrorun: unknown quirk 'warp'; valid quirks: "),
    ],
)
def test_sim_bad_input_is_one_line_and_exit_2(
    cli: Callable[..., CliResult], args: tuple[str, ...], message: str
) -> None:
    result = cli("sim", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("transport", "says"),
    [
        ("nosuch:x", "unknown transport 'nosuch'"),
        ("usb:99", "bumble-usb-probe lists them"),
        ("serial:/nonexistent/tty", "/nonexistent/tty"),
    ],
)
def test_sim_on_the_air_names_a_transport_it_cannot_open_in_one_line(
    cli: Callable[..., CliResult], transport: str, says: str
) -> None:
    pytest.importorskip("bumble", reason="--ble needs the ble-sim extra (Bumble)")
    result = cli("sim", "--ble", transport)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"retrorun: {transport}: ")
    assert says in result.stderr


def test_sim_on_vhci_without_the_driver_says_to_load_it(cli: Callable[..., CliResult]) -> None:
    pytest.importorskip("bumble", reason="--ble needs the ble-sim extra (Bumble)")
    if Path("/dev/vhci").exists():
        pytest.skip("this machine has /dev/vhci")
    result = cli("sim", "--ble", "vhci")
    assert result.exit_code == 2
    assert result.stderr.startswith("retrorun: vhci: no /dev/vhci: load the virtual HCI driver")
    assert result.stderr.endswith("(sudo modprobe hci_vhci)\n")
