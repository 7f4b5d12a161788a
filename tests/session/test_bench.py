"""``retrorun test``: the profile bench runs real sessions on every preset and audits them.

The campaign tests run the bench's own runs (whole sessions on virtual time through the
real BleakClient and the simulator) and require zero audit violations and zero crashes:
a default-tier campaign of more than 100 runs, and a slow-tier one of more than 1,000.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from retrorun.cli.bench import Run, _judge, one, plan_runs
from retrorun.profiles.library import bundled_dir, profile_files
from retrorun_sim import PRESETS

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

BUNDLED = [path.stem for path in profile_files(bundled_dir())]


def test_the_bench_prints_a_table_per_profile_and_passes_a_sound_profile(
    cli: Callable[..., CliResult],
) -> None:
    result = cli(
        "test", "first-backward-walk", "--presets", "strict,ignores-speed,floor-2mph",
        "--faults", "1", "--seed", "3", "--jobs", "2",
    )  # fmt: skip
    assert result.exit_code == 0, result.stdout
    table = result.stdout.splitlines()
    assert "first-backward-walk" in table
    assert sum(line.strip().startswith("ignores-speed") for line in table) == 2
    assert any("the belt did not follow" in line for line in table)
    assert table[-1] == "6 passed, 0 failed"


def test_a_run_whose_log_breaks_a_rule_fails_with_the_command_that_reproduces_it(
    tmp_path: Path,
) -> None:
    run = Run("one-minute-alternation", "strict")
    outcome = one(run)
    assert outcome.passed
    # The same log with one backward command raised past the cap: the bench must see it.
    log = tmp_path / "bad.jsonl"
    lines = [json.loads(line) for line in _real_log(run, tmp_path).read_text().splitlines()]
    facing = "forward"
    for line in lines:
        if line["type"] == "phase":
            facing = line["facing"]
        if line["type"] == "command" and "speed_kmh" in line and facing == "backward":
            line["speed_kmh"] = 9.0
            break
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))
    bad = _judge(run, 0, log)
    assert not bad.passed
    assert any("backward_speed" in v for v in bad.violations)
    assert bad.run.command.startswith(
        "retrorun run one-minute-alternation --sim --sim-preset strict"
    )


def test_an_unknown_preset_is_one_line_and_exit_2(cli: Callable[..., CliResult]) -> None:
    result = cli("test", "first-backward-walk", "--presets", "toaster")
    assert result.exit_code == 2
    assert "toaster" in result.stderr


def _real_log(run: Run, folder: Path) -> Path:
    from retrorun.cli import run as main  # noqa: PLC0415

    log = folder / "real.jsonl"
    with pytest.raises(SystemExit):
        main(run.args(log))
    return log


def _campaign(profiles: list[str], faults: int, seed: int) -> list[str]:
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    from retrorun.cli.launch import LaunchOptions, check  # noqa: PLC0415
    from retrorun.config import load_config  # noqa: PLC0415

    # The runs read the config file the way `retrorun run` does (RETRORUN_CONFIG).
    config = load_config()
    durations = {
        p: check(LaunchOptions(profile=p, config=config)).total_duration_s for p in profiles
    }
    runs = plan_runs(profiles, list(PRESETS), faults, seed, durations)
    with ProcessPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(one, runs))
    assert len(outcomes) == len(runs)
    return [f"{o.run.command}: {o.violations or 'crashed'}" for o in outcomes if not o.passed]


def test_a_campaign_of_over_a_hundred_runs_has_no_violation_and_no_crash() -> None:
    # 3 profiles x every preset x (1 + 1 random fault schedule): over 100 whole sessions.
    failed = _campaign(
        ["first-backward-walk", "backward-hill-repeats", "four-hundred-forward-backward"], 1, 12
    )
    assert failed == []


@pytest.mark.slow
def test_a_campaign_of_over_a_thousand_runs_has_no_violation_and_no_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every bundled profile x every preset x (1 + 4 random fault schedules): over 1,200
    # sessions. The zone profile needs the runner's maximum heart rate.
    config = tmp_path / "config.toml"
    config.write_text("[heart_rate]\nmax_bpm = 190\n", encoding="utf-8")
    monkeypatch.setenv("RETRORUN_CONFIG", str(config))
    failed = _campaign(BUNDLED, 4, 2026)
    assert failed == []
