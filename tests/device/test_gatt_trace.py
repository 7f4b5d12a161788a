"""``--trace FILE``: every byte that crosses GATT, recorded at the bleak edge in the
simulator's trace format, and read back by the simulator's replay, so a capture from a
real treadmill becomes a test."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from retrorun_sim import parse_replay
from tests.device.replaying import speeds_heard

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult


def _trace(cli: Callable[..., CliResult], tmp_path: Path) -> Path:
    trace = tmp_path / "capture.jsonl"
    result = cli(
        "run", "one-minute-alternation", "--sim", "--fast", "--headless",
        "--log", str(tmp_path / "s.jsonl"), "--trace", str(trace),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return trace


def test_the_trace_file_holds_every_crossing_decoded(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    lines = [json.loads(line) for line in _trace(cli, tmp_path).read_text().splitlines()]
    assert lines[0]["kind"] == "connect"
    assert lines[0]["t"] == 0.0
    seen = {(line["kind"], line.get("characteristic")) for line in lines}
    for crossing in [
        ("read", "speed-range"),
        ("subscribe", "treadmill-data"),
        ("write", "control-point"),
        ("indicate", "control-point"),
        ("notify", "treadmill-data"),
        ("notify", "training-status"),
    ]:
        assert crossing in seen
    times = [line["t"] for line in lines]
    assert times == sorted(times)
    speed = next(line for line in lines if line["kind"] == "write" and line["hex"][:2] == "02")
    assert speed["decoded"]["target_speed_kmh"] > 0  # decoded, as the simulator's trace is
    assert lines[-1]["kind"] == "disconnect"


def test_a_capture_replays_through_the_simulator(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    lines = _trace(cli, tmp_path).read_text().splitlines()
    replay = parse_replay(lines, source="capture.jsonl")
    captured = [
        round(record["decoded"]["speed_kmh"], 2)
        for record in map(json.loads, lines)
        if record["kind"] == "notify"
        and record["characteristic"] == "treadmill-data"
        and record["t"] <= 120
        and "speed_kmh" in record.get("decoded", {})
    ]

    # What the treadmill reported during the captured session, heard again, in order.
    heard = speeds_heard(replay, 125)
    assert heard[: len(captured)] == captured
    assert max(captured) > 5


def test_an_existing_trace_file_is_never_overwritten(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    kept = tmp_path / "capture.jsonl"
    kept.write_text("mine\n", encoding="utf-8")
    result = cli("run", "one-minute-alternation", "--sim", "--fast", "--trace", str(kept))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"retrorun: --trace {kept}: the file exists: name a new one"
    assert kept.read_text(encoding="utf-8") == "mine\n"
