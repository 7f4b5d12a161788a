"""A chest strap beside the treadmill in ``retrorun run``: found, used, lost and found again,
through the real BleakClient with the simulator's strap on the simulated runner."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from retrorun.cli.launch import LaunchOptions, SimulatorOptions, launch_session
from retrorun.clock import ManualClock
from retrorun.config import Config
from tests.session.logcheck import check_log

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from retrorun.cli.launch import LaunchedSession
    from retrorun_sim import SimulatedHeartRateStrap
    from tests.conftest import CliResult

FORWARD = "name: Steady\nsteps:\n  - {duration: 5m, speed: 8}\n"


async def launch_with_strap(
    tmp_path: Path,
    profile_text: str,
    clock: ManualClock,
    log: Path,
    *,
    config: Config | None = None,
    simulator: SimulatorOptions | None = None,
) -> tuple[LaunchedSession, SimulatedHeartRateStrap]:
    """A session on the simulator (on ``clock``) whose runner wears "Chest Strap"."""
    profile = tmp_path / "profile.yaml"
    profile.write_text(profile_text, encoding="utf-8")
    session = await launch_session(
        LaunchOptions(
            profile=str(profile),
            config=config or Config(),
            simulator=simulator or SimulatorOptions(),
            log_path=log,
            clock=clock,
            snapshot_interval_s=None,
            heart_rate_strap="Chest Strap",
        )
    )
    assert session.strap_simulator is not None
    return session, session.strap_simulator


def _events(log: Path, type_: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line.get("type") == type_]


def test_run_with_hr_uses_the_strap(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    profile = tmp_path / "steady.yaml"
    profile.write_text(FORWARD, encoding="utf-8")
    log = tmp_path / "s.jsonl"
    result = cli(
        "run", str(profile), "--sim", "--hr", "Chest Strap", "--headless", "--fast",
        "--log", str(log),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    check_log(log)
    connected = [e for e in _events(log, "status") if e["status"] == "strap_connected"]
    assert [e["name"] for e in connected] == ["Chest Strap"]
    sources = [e.get("source") for e in _events(log, "heart_rate")]
    assert "strap" in sources


def test_the_config_names_the_strap(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    profile = tmp_path / "steady.yaml"
    profile.write_text(FORWARD, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('[heart_rate]\ndevice = "HRM Pro"\n', encoding="utf-8")
    log = tmp_path / "s.jsonl"
    result = cli("run", str(profile), "--sim", "--fast", "--config", str(config), "--log", str(log))
    assert result.exit_code == 0, result.stderr
    connected = [e for e in _events(log, "status") if e["status"] == "strap_connected"]
    assert [e["name"] for e in connected] == ["HRM Pro"]


async def test_a_lost_strap_is_found_again_and_the_treadmill_stands_in_meanwhile(
    tmp_path: Path,
) -> None:
    clock = ManualClock()
    log = tmp_path / "s.jsonl"
    session, strap = await launch_with_strap(tmp_path, FORWARD, clock, log)
    try:
        await clock.advance(60)
        assert session.runner.snapshot().heart_rate_state == "fresh"
        await strap.stop()  # out of range
        await clock.advance(30)
        await strap.start()  # back
        await clock.advance(60)
    finally:
        session.runner.request_stop("test")
        await clock.run_until(session.task, limit=120)
        await session.close()
    statuses = [e["status"] for e in _events(log, "status") if e["status"].startswith("strap")]
    assert statuses[:3] == ["strap_connected", "strap_lost", "strap_connected"]
    sources = [e.get("source") for e in _events(log, "heart_rate")]
    # The strap, then the treadmill's relayed heart rate while it was gone, then the strap.
    assert sources[-3:] == ["strap", "treadmill", "strap"]
