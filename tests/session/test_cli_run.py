"""``retrorun run``: every bundled profile on every simulator preset, faults, bad input."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from retrorun.profiles.library import bundled_dir, profile_files
from retrorun.profiles.words import spoken
from retrorun.session.engine import STOP_ANSWER_WAIT_S
from retrorun_sim import COOPERATIVE_PRESETS
from tests.session.logcheck import check_log

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

BUNDLED = [path.stem for path in profile_files(bundled_dir())]
ZONES_CONFIG = "[heart_rate]\nmax_bpm = 190\n"
"""A runner's zones: a bundled profile holds heart-rate zone 2."""


@pytest.mark.parametrize("preset", COOPERATIVE_PRESETS)
@pytest.mark.parametrize("profile", BUNDLED)
def test_every_bundled_profile_finishes_on_every_preset(
    cli: Callable[..., CliResult], tmp_path: Path, profile: str, preset: str
) -> None:
    log = tmp_path / "session.jsonl"
    config = tmp_path / "config.toml"
    config.write_text(ZONES_CONFIG, encoding="utf-8")  # for the zone profile's zone steps
    result = cli(
        "run", profile, "--sim", "--sim-preset", preset, "--headless", "--fast", "--log", str(log),
        "--config", str(config),
    )  # fmt: skip
    assert result.exit_code == 0, result.stdout[-2000:] + result.stderr
    lines = check_log(log)
    assert lines[0]["profile"]["source"] == profile
    assert lines[0]["device"]["preset"] == preset
    assert (lines[-1]["outcome"], lines[-1]["exit_code"]) == ("finished", 0)
    assert result.stdout.rstrip().splitlines()[-1].startswith("retrorun: finished")


def test_safety_key_stops_the_belt_exits_3_and_logs_why(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    log = tmp_path / "key.jsonl"
    result = cli(
        "run", "one-minute-alternation", "--sim", "--headless", "--fast",
        "--sim-fault", "safety-key@300", "--log", str(log),
    )  # fmt: skip
    assert result.exit_code == 3
    assert "safety key pulled" in result.stdout.splitlines()[-1]
    lines = check_log(log)
    assert lines[-1]["reason"] == "safety key pulled"
    assert any(line.get("status") == "safety_key" for line in lines)
    stop = [line for line in lines if line.get("action") == "stop"]
    assert stop
    assert stop[-1]["t"] >= 300.0 - 10.0


def test_headless_prints_cues_and_progress_lines(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    result = cli(
        "run", "first-backward-walk", "--fast", "--log", str(tmp_path / "walk.jsonl")
    )  # fmt: skip
    assert result.exit_code == 0
    assert "running against the simulator" in result.stderr  # offered, not asked: no terminal
    out = result.stdout.splitlines()
    assert any(">> Turn around now." in line for line in out)
    assert any("km/h (" in line and "| 0:" in line for line in out)


def test_quiet_cues_from_the_config_leave_out_all_but_the_safety_cues(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[cues]\nverbosity = "quiet"\n')
    result = cli(
        "run", "first-backward-walk", "--fast", "--config", str(config),
        "--log", str(tmp_path / "walk.jsonl"),
    )  # fmt: skip
    assert result.exit_code == 0
    said = [line for line in result.stdout.splitlines() if ">> " in line]
    assert any(">> Turn around now." in line for line in said)
    assert any("The belt is slowing — hold the rails." in line for line in said)
    assert not any("Halfway" in line or "Clip the safety key" in line for line in said)


def test_plan_cues_prints_what_a_session_says_from_the_session_engine_itself(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    log = tmp_path / "walk.jsonl"
    ran = cli("run", "first-backward-walk", "--sim", "--fast", "--headless", "--log", str(log))
    assert ran.exit_code == 0
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    session = [(c["kind"], c["text"]) for c in lines if c.get("type") == "cue"]
    planned = cli("plan", "first-backward-walk", "--cues", "--json")
    assert planned.exit_code == 0
    rehearsed = [(c["kind"], c["text"]) for c in json.loads(planned.stdout)]

    def seconds_apart(cues: list[tuple[str, str]]) -> list[tuple[str, str]]:
        # The simulator's belt slows faster than the defaults the rehearsal assumes: a
        # warning may say "in 10 seconds" where the rehearsal says "in 11 seconds".
        return [(kind, re.sub(r"\d+ seconds", "N seconds", text)) for kind, text in cues]

    assert seconds_apart(rehearsed) == seconds_apart(session)
    shown = cli("plan", "first-backward-walk", "--cues").stdout.splitlines()
    first = "  0:00.0  start         Starting First backward walk. The belt starts moving."
    assert shown[0] == first
    assert any(line.endswith("countdown     3 (beep)") for line in shown)
    assert shown[-1] == f"{len(session)} cues"


def test_a_runner_who_picks_imperial_units_hears_and_reads_mph_and_miles(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    # A treadmill whose minimum is 2 mph clamps every turn: the clamp is said in mph too.
    config = tmp_path / "config.toml"
    config.write_text('[display]\nunits = "imperial"\n')
    log = tmp_path / "imperial.jsonl"
    result = cli(
        "run", "one-minute-alternation", "--sim", "--sim-preset", "floor-2mph", "--fast",
        "--headless", "--config", str(config), "--log", str(log),
    )  # fmt: skip
    assert result.exit_code == 0
    assert "km" not in result.stdout + result.stderr
    progress = [line for line in result.stdout.splitlines() if " | " in line]
    assert all(" mph (" in line and " mi" in line for line in progress)
    assert "retrorun: finished after " in result.stdout
    assert " mi, 16 turns" in result.stdout
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    said = [line["text"] for line in lines if line.get("type") == "cue"]
    clamp = "Speed limited to 2 mph: treadmill minimum is 2 mph."
    assert clamp in said
    assert (
        spoken(clamp)
        == "Speed limited to two miles per hour: treadmill minimum is two miles per hour."
    )
    # The log's numbers stay metric (its contract): the commands are in km/h.
    assert any(line.get("speed_kmh") == 3.2 for line in lines if line.get("type") == "command")
    summary = cli("summary", str(log), "--config", str(config))
    assert summary.exit_code == 0
    assert "avg mph" in summary.stdout
    assert "km" not in summary.stdout
    plan = cli("plan", "four-hundred-forward-backward", "--config", str(config))
    assert plan.exit_code == 0
    assert "km" not in plan.stdout  # the table, its distances, totals and chart in miles
    assert " mph " in plan.stdout.splitlines()[1]
    assert "  mph └" in plan.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-profile", "--sim"], "no such file or profile name"),
        (["one-minute-alternation", "--sim", "--sim-fault", "meteor@10"], "meteor"),
        (["one-minute-alternation", "--sim", "--sim-preset", "toaster"], "toaster"),
        (["one-minute-alternation", "--device", "AA:BB:CC:DD:EE:FF", "--fast"], "--fast"),
        (["one-minute-alternation", "--device", "x", "--speedup", "10"], "--speedup"),
        (["one-minute-alternation", "--sim", "--fast", "--speedup", "5"], "exclude"),
        (["one-minute-alternation", "--device", "x", "--sim"], "exclude"),
        (["one-minute-alternation", "--device", "x", "--sim-fault", "safety-key@3"], "simulator"),
        (["--sim"], "name a profile"),
        (
            ["one-minute-alternation", "--device", "x", "--mph-commands", "--mph-in-kmh-fields"],
            "one of the two",
        ),
        (["one-minute-alternation", "--sim", "--export", "gpx"], "gpx"),
        (["one-minute-alternation", "--sim", "--mqtt", "ftp://x"], "--mqtt"),
        # An OverflowError in the scaled loop, then a misleading "no treadmill found" (exit 1).
        (["one-minute-alternation", "--sim", "--speedup", "1e-9"], "0.1<=x<=1000"),
        (["one-minute-alternation", "--sim", "--speedup", "inf"], "0.1<=x<=1000"),
        (["one-minute-alternation", "--sim", "--speedup", "-inf"], "0.1<=x<=1000"),
        (
            ["one-minute-alternation", "--sim", "--speedup", "nan"],
            "'--speedup': 'nan' is not a finite number",
        ),
        (["one-minute-alternation", "--sim", "--speedup", "1e400"], "0.1<=x<=1000"),
        (["one-minute-alternation", "--sim", "--speedup", "fast"], "'--speedup': 'fast' is not"),
        (
            ["one-minute-alternation", "--device", "x", "--start-at", "20:00"],
            "--start-at only runs the simulator, never a real treadmill",
        ),
        (["one-minute-alternation", "--sim", "--start-at", "99:00"], "past the end of the plan"),
        (["one-minute-alternation", "--sim", "--start-at", "soon"], "is not a duration"),
        (["--sim", "--start-at", "1:00"], "--start-at needs a PROFILE"),
        (["one-minute-alternation", "--sim", "--no-log"], "--no-log writes no log"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    cli: Callable[..., CliResult], tmp_path: Path, args: list[str], message: str
) -> None:
    result = cli("run", *args, "--log", str(tmp_path / "x.jsonl"))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert message in lines[0]
    assert not (tmp_path / "x.jsonl").exists()


def test_an_existing_log_is_never_overwritten(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    log = tmp_path / "old.jsonl"
    log.write_text("{}\n")
    result = cli("run", "first-backward-walk", "--sim", "--fast", "--log", str(log))
    assert result.exit_code == 2
    assert "already there" in result.stderr
    assert log.read_text() == "{}\n"


def test_a_bad_profile_file_names_the_file_and_line(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text("name: bad\nsteps:\n  - {duration: 1m, speed: 99}\n")
    result = cli("run", str(profile), "--sim", "--fast", "--log", str(tmp_path / "x.jsonl"))
    assert result.exit_code == 2
    assert "bad.yaml:3" in result.stderr


def test_the_heart_rate_guard_comes_from_the_config_file(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[heart_rate]\nceiling_bpm = 90\naction = "end-bout"\n')
    log = tmp_path / "hr.jsonl"
    result = cli(
        "run", "one-minute-alternation", "--sim", "--fast", "--config", str(config),
        "--log", str(log),
    )  # fmt: skip
    assert result.exit_code == 0
    alarms = [json.loads(line) for line in log.read_text().splitlines() if '"alarm"' in line]
    assert any("bout over" in alarm["text"] for alarm in alarms)


def test_sigterm_stops_the_belt_and_closes_the_log(tmp_path: Path) -> None:
    log = tmp_path / "term.jsonl"
    command = [
        sys.executable, "-m", "retrorun", "run", "one-minute-alternation", "--sim",
        "--speedup", "50", "--log", str(log),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as child:
        assert child.stdout is not None
        for line in child.stdout:  # wait for the session to be under way, not for time
            if "warm-up" in line:
                break
        child.send_signal(signal.SIGTERM)
        rest = child.stdout.read()
        code = child.wait(timeout=60)
    assert code == 3
    assert "stopped by Ctrl-C or SIGTERM" in rest.splitlines()[-1]
    lines = check_log(log)
    assert (lines[-1]["outcome"], lines[-1]["reason"]) == (
        "stopped",
        "stopped by Ctrl-C or SIGTERM",
    )
    assert any(line.get("action") == "stop" for line in lines)


def test_a_link_that_goes_quiet_again_after_reconnecting_still_ends_the_session(
    tmp_path: Path,
) -> None:
    # Silence from 8.9 s to 21.4 s: the link is dropped at 13 s, comes back at 13.65 s and
    # stays silent; 13.65 + 5 - 13.65 rounds below 5, which once spun the silence watcher at
    # one instant of virtual time forever (100 % CPU, no summary, signals ignored).
    log = tmp_path / "quiet.jsonl"
    command = [
        sys.executable, "-m", "retrorun", "run", "six-week-1", "--sim", "--fast", "--headless",
        "--no-voice", "--sim-fault", "drop-notifications@8.9:12.5", "--log", str(log),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 3, done.stdout[-2000:] + done.stderr
    lines = check_log(log)
    stop = [line for line in lines if line.get("action") == "stop"]
    assert stop
    assert lines[-1]["type"] == "summary"
    # Ended within the bounded wait for the stop, with the belt measured at rest.
    assert lines[-1]["t"] - stop[0]["t"] <= STOP_ANSWER_WAIT_S
    speeds = [line["speed_kmh"] for line in lines if line["type"] == "telemetry"]
    assert speeds[-1] < 0.1


def test_declining_the_simulator_says_how_to_name_a_treadmill() -> None:
    # A person at a terminal answers "n" to "Run against the simulator?": not a silent
    # exit 2, but one line saying what to do instead.
    import pty  # noqa: PLC0415 - a terminal for the prompt

    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "retrorun", "run", "one-minute-alternation"]
    with subprocess.Popen(
        command, stdin=follower, stdout=follower, stderr=subprocess.PIPE, text=True
    ) as child:
        os.close(follower)
        os.write(leader, b"n\n")
        _, errors = child.communicate(timeout=60)
    os.close(leader)
    assert child.returncode == 2
    lines = errors.strip().splitlines()
    assert len(lines) == 1
    assert "--device" in lines[0]
    assert "retrorun scan" in lines[0]
