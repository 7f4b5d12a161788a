"""`retrorun run --mqtt`: a whole simulated session on a real broker, from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.mqtt.conftest import Mosquitto, observe

if TYPE_CHECKING:
    from pathlib import Path

RUN_TIMEOUT_S = 120


def _run(broker: Mosquitto, log: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "retrorun",
            "run",
            "first-backward-walk",
            "--sim",
            "--headless",
            "--mqtt",
            broker.url,
            "--mqtt-id",
            "tm1",
            "--log",
            str(log),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )


@pytest.mark.parametrize("pace", [["--fast"], ["--speedup", "120"]], ids=["fast", "speedup"])
async def test_a_finished_session_leaves_its_final_state_and_offline_retained(
    mosquitto: Mosquitto, tmp_path: Path, pace: list[str]
) -> None:
    done = _run(mosquitto, tmp_path / "session.jsonl", *pace)
    assert done.returncode == 0, done.stderr
    # Whatever the session's clock, the goodbye reaches the broker: a dashboard opened
    # afterwards sees the finished session and the treadmill offline.
    async with observe(mosquitto, "retrorun/tm1/status", "retrorun/tm1/state") as seen:
        await seen.wait_for(lambda: bool(seen.on("retrorun/tm1/state")))
        await seen.wait_for(lambda: bool(seen.on("retrorun/tm1/status")))
    assert seen.on("retrorun/tm1/status") == [b"offline"]
    state = json.loads(seen.on("retrorun/tm1/state")[-1])
    assert state["state"] == "finished"
    assert state["plan_name"] == "First backward walk"


def test_a_bad_broker_url_is_bad_input_before_anything_starts(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "retrorun",
            "run",
            "first-backward-walk",
            "--sim",
            "--headless",
            "--fast",
            "--mqtt",
            "http://nowhere",
            "--log",
            str(tmp_path / "s.jsonl"),
        ],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "--mqtt" in done.stderr
    assert not (tmp_path / "s.jsonl").exists()
