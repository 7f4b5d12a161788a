"""``retrorun doctor``: a bug-report bundle from a treadmill, whole or not at all, whose
trace replays through the simulator."""

from __future__ import annotations

import importlib
import json
import os
import signal
import zipfile
from typing import TYPE_CHECKING

import pytest

from retrorun.clock import LoopClock
from retrorun.errors import DeviceError, InputError
from retrorun_sim import NEIGHBOURHOOD, SimulatedNeighbour, parse_replay
from tests.device.replaying import speeds_heard
from tests.tui.rig import SIM_BACKENDS

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

FILES = {
    "README.txt",
    "scan.json",
    "gatt.json",
    "device-information.json",
    "capabilities.json",
    "trace.jsonl",
    "settings.toml",
    "system.json",
}
SIM_ADDRESS = "5E:1A:7E:00:00:"


def _bundle(cli: Callable[..., CliResult], tmp_path: Path, *extra: str) -> zipfile.ZipFile:
    output = tmp_path / "bundle.zip"
    result = cli("doctor", "--sim", "-o", str(output), *extra)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"retrorun: wrote {output}")
    return zipfile.ZipFile(output)


def test_a_bundle_from_the_simulator_holds_every_file(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    assert cli("check", "--sim", "--yes").exit_code == 0  # saved settings to include
    with _bundle(cli, tmp_path, "--keep-address") as bundle:
        assert set(bundle.namelist()) == FILES
        scan = json.loads(bundle.read("scan.json"))
        assert scan["treadmill"]["advertisement"]["service_data"] == {"1826": "010100"}
        gatt = json.loads(bundle.read("gatt.json"))
        control = next(
            char
            for service in gatt
            for char in service["characteristics"]
            if char["uuid"].startswith("00002ad9")
        )
        assert set(control["properties"]) == {"write", "indicate"}
        capabilities = json.loads(bundle.read("capabilities.json"))
        assert capabilities["speed_range"]["max_speed_kmh"] == 16.0
        assert capabilities["capability_notes"] == []
        assert 'verdict = "ok"' in bundle.read("settings.toml").decode()
        system = json.loads(bundle.read("system.json"))
        assert {"retrorun", "os", "python", "bleak", "bluez"} <= set(system)
        trace = [json.loads(line) for line in bundle.read("trace.jsonl").splitlines()]
    kinds = {line["kind"] for line in trace}
    assert "write" not in kinds  # the belt idle: nothing was ever asked of it
    assert "write-cmd" not in kinds
    data = [line for line in trace if line.get("characteristic") == "treadmill-data"]
    assert 55 <= len([line for line in data if line["kind"] == "notify"]) // 2 <= 61


@pytest.mark.parametrize(
    ("preset", "verdict"), [("strict", "verdict: ok"), ("ignores-stop", "verdict: unsafe")]
)
def test_with_check_the_bundle_says_what_the_belt_did(
    cli: Callable[..., CliResult], tmp_path: Path, preset: str, verdict: str
) -> None:
    saved = tmp_path / "config" / "retrorun" / "treadmills.toml"
    args = ("--sim-preset", preset, "--check", "--yes", "--seconds", "2", "--keep-address")
    with _bundle(cli, tmp_path, *args) as bundle:
        assert set(bundle.namelist()) == FILES | {"check.txt"}
        check = bundle.read("check.txt").decode().splitlines()
        readme = bundle.read("README.txt").decode()
        trace = [json.loads(line) for line in bundle.read("trace.jsonl").splitlines()]
    assert check[-1] == verdict
    assert "control: granted" in check
    assert any(line.startswith("speed 2 km/h asked: the belt") for line in check)
    assert "check.txt" in readme
    # The check's commands and the treadmill's answers are in the trace for a maintainer.
    written = [line for line in trace if line["kind"] == "write"]
    assert any(line["decoded"].get("op_code_name") == "set_target_speed" for line in written)
    assert not saved.exists()  # the doctor reports; only `retrorun check` saves settings


def test_the_bundle_trace_replays_through_the_simulator(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    with _bundle(cli, tmp_path, "--seconds", "20") as bundle:
        lines = bundle.read("trace.jsonl").decode().splitlines()
    replay = parse_replay(lines, source="trace.jsonl")
    assert replay
    captured = sum(
        1
        for line in map(json.loads, lines)
        if line["kind"] == "notify"
        and line.get("characteristic") == "treadmill-data"
        and "speed_kmh" in line.get("decoded", {})
    )

    # Every speed the treadmill reported, heard again through the device layer.
    assert len(speeds_heard(replay, 25)) == captured >= 19


def test_the_address_is_masked_everywhere_when_asked(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    with _bundle(cli, tmp_path, "--mask-address", "--seconds", "2") as bundle:
        texts = {name: bundle.read(name).decode() for name in bundle.namelist()}
    assert not any(SIM_ADDRESS in text for text in texts.values())
    assert "XX:XX:XX:XX:XX:" in texts["scan.json"]
    assert "(masked here)" in texts["README.txt"]


def test_without_a_terminal_the_address_is_masked(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    with _bundle(cli, tmp_path, "--seconds", "2") as bundle:
        assert SIM_ADDRESS not in bundle.read("scan.json").decode()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--device: name the treadmill with --device ADDR|NAME, or use --sim"),
        (("--sim", "--device", "x"), "--sim: --device and --sim exclude each other"),
        (("--sim", "--sim-preset", "nope"), "unknown simulator preset 'nope'"),
        (("--sim", "--seconds", "0"), "--seconds"),
        (("--sim", "--yes"), "--yes: it answers the check's questions: add --check"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    cli: Callable[..., CliResult], tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = cli("doctor", *args, "-o", str(tmp_path / "b.zip"))
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "b.zip").exists()


def test_an_existing_bundle_is_never_overwritten(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    kept = tmp_path / "b.zip"
    kept.write_bytes(b"mine")
    result = cli("doctor", "--sim", "-o", str(kept))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"retrorun: --output {kept}: the file exists: name a new one"
    assert kept.read_bytes() == b"mine"


def test_an_interrupted_doctor_writes_nothing(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doctor = importlib.import_module("retrorun.cli.doctor")
    said: list[str] = []

    def ctrl_c_while_recording(line: str) -> None:
        said.append(line)
        if line.startswith("recording"):
            os.kill(os.getpid(), signal.SIGINT)  # the runner presses Ctrl-C

    monkeypatch.setattr(doctor, "_say", ctrl_c_while_recording)
    result = cli("doctor", "--sim", "-o", str(tmp_path / "b.zip"))
    assert result.exit_code == 1
    assert result.stderr.strip() == "retrorun: doctor interrupted: no bundle written"
    assert list(tmp_path.iterdir()) == []  # no bundle, no partial file


async def test_an_unknown_device_or_one_that_is_not_a_treadmill_is_refused() -> None:
    from retrorun.cli.doctor_bundle import collect  # noqa: PLC0415

    def say(line: str) -> None:
        del line

    with pytest.raises(DeviceError, match="no treadmill named 'Nowhere' found"):
        await collect("Nowhere", seconds=1, clock=LoopClock(), backends=SIM_BACKENDS, say=say)
    with SimulatedNeighbour(NEIGHBOURHOOD[0]), pytest.raises(InputError, match="not an FTMS"):
        await collect("WalkingPad A1", seconds=1, clock=LoopClock(), backends=SIM_BACKENDS, say=say)
