"""Zone steps in ``retrorun run`` on the simulator: the simulated runner's heart rate is held
in its zone, a strap that goes silent holds the speed, and a zone step without zones is
refused before anything starts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from retrorun.cli.launch import SimulatorOptions
from retrorun.clock import ManualClock
from retrorun.config import Config
from retrorun.headless import progress_line
from retrorun.profiles.heart_zones import HeartRateZones
from retrorun.tui.text import heart_rate_text
from tests.session.logcheck import check_log
from tests.session.test_strap_session import launch_with_strap

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

ZONE2 = """name: Zone 2
steps:
  - {duration: 20m, heart_rate: {zone: 2}, min_speed: 6, max_speed: 11, speed: 6}
"""
SETTLED_S = 8 * 60.0
"""After this long in the step the heart rate must stay in the zone (the runner's heart
follows speed with a 30 s lag; the hold starts from 6 km/h, far below the zone)."""


WALK_ZONE = """name: Walk zone
steps:
  - {duration: 20m, heart_rate: {bpm: [92, 100]}, min_speed: 3, max_speed: 6, speed: 3}
"""


def _zones_config(folder: Path) -> Path:
    config = folder / "config.toml"
    config.write_text("[heart_rate]\nmax_bpm = 190\n", encoding="utf-8")
    return config


def _lines(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_a_zone_step_without_zones_is_one_line_and_exit_2(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    profile = tmp_path / "zone.yaml"
    profile.write_text(ZONE2, encoding="utf-8")
    log = tmp_path / "s.jsonl"
    result = cli("run", str(profile), "--sim", "--fast", "--log", str(log))
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert f"{profile}:3 steps[0].heart_rate: a heart-rate zone step needs your zones" in line
    assert not log.exists()


def test_plan_shows_what_a_zone_step_holds(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    profile = tmp_path / "zone.yaml"
    profile.write_text(ZONE2, encoding="utf-8")
    without = cli("plan", str(profile), "--config", str(tmp_path / "none.toml"))
    assert without.exit_code == 2  # a named config that does not exist
    shown = cli("plan", str(profile), "--config", str(_zones_config(tmp_path)))
    assert shown.exit_code == 0, shown.stderr
    row = shown.stdout.splitlines()[2]
    assert "6.0-11.0" in row
    assert "forward zone 2 (114-133 bpm)" in row


def test_a_zone_step_holds_the_simulated_runner_in_zone_2(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    profile = tmp_path / "zone.yaml"
    profile.write_text(ZONE2, encoding="utf-8")
    config = _zones_config(tmp_path)
    log = tmp_path / "s.jsonl"
    result = cli(
        "run", str(profile), "--sim", "--hr", "Chest Strap", "--fast", "--config", str(config),
        "--log", str(log),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    lines = check_log(log)
    clock_started = next(line["t"] for line in lines if line.get("clock") == "started")
    settled = [
        line["heart_rate_bpm"]
        for line in lines
        if line["type"] == "telemetry"
        and "heart_rate_bpm" in line
        and clock_started + SETTLED_S <= line["t"] <= clock_started + 19 * 60
    ]
    assert len(settled) > 600
    assert min(settled) >= 114
    assert max(settled) <= 133
    # It got there by speeding up from 6 km/h, through the same capped command path.
    zone_commands = [
        line
        for line in lines
        if line["type"] == "command" and str(line.get("reason", "")).startswith("heart-rate zone")
    ]
    assert zone_commands
    assert max(line["speed_kmh"] for line in zone_commands) <= 11.0


async def test_a_silent_strap_holds_the_speed_and_says_so(tmp_path: Path) -> None:
    # A walking pad that relays no heart rate: the strap is the only source.
    clock = ManualClock()
    log = tmp_path / "s.jsonl"
    session, strap = await launch_with_strap(
        tmp_path,
        WALK_ZONE,
        clock,
        log,
        config=Config(heart_rate_zones=HeartRateZones.from_max(190)),
        simulator=SimulatorOptions(preset="citysports"),
    )
    try:
        await clock.advance(240)
        await strap.stop()  # the strap slips off
        silent_at = clock.now()
        await clock.advance(120)
        snap = session.runner.snapshot()
        await strap.start()
        await clock.advance(120)
    finally:
        session.runner.request_stop("test")
        await clock.run_until(session.task, limit=120)
        await session.close()
    lines = check_log(log)
    silent = silent_at - (clock.now() - session.runner.snapshot().t)  # on the log's clock
    zone_speeds = [
        line
        for line in lines
        if line["type"] == "command" and str(line.get("reason", "")).startswith("heart-rate zone")
    ]
    assert any(line["t"] < silent for line in zone_speeds), "the hold acted while it had HR"
    quiet = [line for line in zone_speeds if silent <= line["t"] <= silent + 120]
    assert quiet == []  # never acted on the last heart rate it saw
    stale = [line for line in lines if line["type"] == "heart_rate" and line["state"] == "stale"]
    assert stale
    assert silent < stale[0]["t"] <= silent + 7
    alarms = [line["text"] for line in lines if line.get("kind") == "alarm"]
    assert any(text.startswith("No heart rate for 5 seconds: holding") for text in alarms)
    assert (snap.heart_rate_bpm, snap.heart_rate_state) == (None, "stale")
    # What the screens show meanwhile: the TUI's readout and the headless line.
    assert heart_rate_text(snap) == "lost"
    assert "| HR lost" in progress_line(snap)
    verdicts = [line["verdict"] for line in lines if line["type"] == "zone" and line["t"] > silent]
    assert "no_heart_rate" in verdicts
    assert verdicts[-1] != "no_heart_rate"  # back once the strap was


def _settled(lines: list[dict[str, Any]]) -> tuple[list[int], list[float]]:
    """Heart rates and belt speeds in the zone step from 6 minutes after its clock started."""
    started = [line["t"] for line in lines if line.get("clock") == "started"][-1]
    window = [
        line
        for line in lines
        if line["type"] == "telemetry"
        and "heart_rate_bpm" in line
        and started + 6 * 60 <= line["t"] <= started + 11 * 60
    ]
    return [line["heart_rate_bpm"] for line in window], [line["speed_kmh"] for line in window]


def test_the_simulated_heart_answers_incline_and_direction_so_the_hold_does(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """One target (100-112 bpm), three ways to reach it: the runner's heart rises more per
    km/h uphill and backward, so the hold settles at a lower speed there."""
    hold = "heart_rate: {bpm: [100, 112]}, min_speed: 3, speed: 3.5"
    steps = {
        "flat": f"  - {{duration: 12m, {hold}, max_speed: 8}}\n",
        "uphill": f"  - {{duration: 12m, incline: 5, {hold}, max_speed: 8}}\n",
        "backward": "  - {duration: 3m, speed: 5}\n"
        f"  - {{direction: backward, duration: 12m, {hold}, max_speed: 5.5}}\n",
    }
    speeds: dict[str, float] = {}
    for name, text in steps.items():
        profile = tmp_path / f"{name}.yaml"
        profile.write_text(f"name: {name}\nsteps:\n{text}", encoding="utf-8")
        log = tmp_path / f"{name}.jsonl"
        result = cli("run", str(profile), "--sim", "--hr", "HRM", "--fast", "--log", str(log))
        assert result.exit_code == 0, result.stderr
        rates, belt = _settled(check_log(log))
        assert rates
        assert min(rates) >= 100
        assert max(rates) <= 112
        speeds[name] = sum(belt) / len(belt)
    assert speeds["uphill"] < speeds["flat"] - 0.5
    assert speeds["backward"] < speeds["flat"] - 0.5


def test_a_strap_silent_fault_is_rehearsed_from_the_command_line(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    profile = tmp_path / "walk.yaml"
    profile.write_text(WALK_ZONE, encoding="utf-8")
    log = tmp_path / "s.jsonl"
    result = cli(
        "run", str(profile), "--sim", "--sim-preset", "citysports", "--hr", "HRM", "--fast",
        "--sim-fault", "strap-silent@300:90", "--config", str(_zones_config(tmp_path)),
        "--log", str(log),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    lines = check_log(log)
    stale = [line for line in lines if line["type"] == "heart_rate" and line["state"] == "stale"]
    fresh = [line for line in lines if line["type"] == "heart_rate" and line["state"] == "fresh"]
    assert len(stale) == 1
    assert fresh[-1]["t"] > stale[0]["t"]  # it came back
    quiet = [
        line
        for line in lines
        if line["type"] == "command"
        and str(line.get("reason", "")).startswith("heart-rate zone")
        and stale[0]["t"] <= line["t"] < fresh[-1]["t"]
    ]
    assert quiet == []
    assert any(str(line.get("text", "")).startswith("No heart rate for 5") for line in lines)
