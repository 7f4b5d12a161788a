"""The safety-key confirmation before a session on a real treadmill: nothing connects or
moves before the runner presses Enter; q, Escape, Ctrl-C or the end of input leave.

"Real" is the simulator reached through bleak's ``backend=`` by ``--device``, as the
command line reaches a treadmill: only the radio is not there.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from retrorun.cli.safety_key import confirm_safety_key
from retrorun.clock import run_virtual
from retrorun.session.keys import SAFETY_KEY_PROMPT

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from retrorun import device
    from retrorun_sim import SimulatedTreadmill
    from tests.conftest import CliResult

FORWARD = "name: Forward\nsteps:\n  - {duration: 30s, speed: 6}\n"


@dataclass
class RealTreadmill:
    """Every treadmill `--device` opened, each a simulator behind bleak's backend."""

    opened: list[SimulatedTreadmill] = field(default_factory=list)
    fastest_kmh: float = 0.0


@pytest.fixture
def real_treadmill(monkeypatch: pytest.MonkeyPatch) -> Iterator[RealTreadmill]:
    from retrorun import device  # noqa: PLC0415
    from retrorun.clock import LoopClock  # noqa: PLC0415
    from retrorun_sim import SimulatedTreadmill, registry  # noqa: PLC0415
    from tests.tui.rig import SIM_BACKENDS  # noqa: PLC0415

    seen = RealTreadmill()
    real_open = device.open_treadmill

    async def open_over_the_simulator(target: str, **options: Any) -> device.Treadmill:  # noqa: ANN401
        del target
        treadmill = SimulatedTreadmill(clock=LoopClock())
        await treadmill.start()
        seen.opened.append(treadmill)
        options["backends"] = SIM_BACKENDS
        return await real_open(treadmill.address, **options)

    monkeypatch.setattr(device, "open_treadmill", open_over_the_simulator)
    monkeypatch.setattr(asyncio, "run", run_virtual)
    yield seen
    for treadmill in seen.opened:  # its loop is gone: take it off the air by hand
        registry.unregister(treadmill)


def _run(cli: Callable[..., CliResult], tmp_path: Path, *extra: str) -> CliResult:
    tmp_path.mkdir(exist_ok=True)
    profile = tmp_path / "forward.yaml"
    profile.write_text(FORWARD, encoding="utf-8")
    return cli(
        "run", str(profile), "--headless", "--no-voice", "--log", str(tmp_path / "s.jsonl"),
        *extra,
    )  # fmt: skip


def test_enter_confirms_and_the_session_runs(
    cli: Callable[..., CliResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    real_treadmill: RealTreadmill,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    result = _run(cli, tmp_path, "--device", "Garage Treadmill")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"retrorun: {SAFETY_KEY_PROMPT} (q leaves)"
    assert len(real_treadmill.opened) == 1
    assert (tmp_path / "s.jsonl").exists()


@pytest.mark.parametrize("typed", ["q\n", ""], ids=["q", "end-of-input"])
def test_leaving_at_the_prompt_connects_nothing_and_exits_3(
    cli: Callable[..., CliResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    real_treadmill: RealTreadmill,
    typed: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    result = _run(cli, tmp_path, "--device", "Garage Treadmill")
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines()[-1] == (
        "retrorun: the safety key was not confirmed: the belt was not started"
    )
    assert real_treadmill.opened == []  # never connected, so the belt never moved
    assert not (tmp_path / "s.jsonl").exists()


def test_the_simulator_skips_the_confirmation(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # nobody there to press Enter
    result = _run(cli, tmp_path, "--sim", "--fast")
    assert result.exit_code == 0, result.stderr
    assert SAFETY_KEY_PROMPT not in result.stdout


@pytest.mark.parametrize(
    ("keys", "confirmed"),
    [((b"\r",), True), ((b"x", b"\n"), True), ((b"q",), False), ((b"\x1b",), False)],
)
async def test_one_key_answers_on_a_terminal(keys: tuple[bytes, ...], *, confirmed: bool) -> None:
    # A real pseudo-terminal: the prompt reads single keys in cbreak mode, as on a console.
    main, side = os.openpty()
    written: list[str] = []
    shown = asyncio.Event()

    def write(line: str) -> None:
        written.append(line)
        shown.set()

    with os.fdopen(side, encoding="utf-8") as terminal:
        asking = asyncio.ensure_future(confirm_safety_key(None, write, terminal))
        for key in keys:
            await asyncio.wait_for(shown.wait(), 5)  # the prompt (or the hint) is up
            shown.clear()
            os.write(main, key)
        assert await asyncio.wait_for(asking, 5) is confirmed
    os.close(main)
    assert written[0] == f"{SAFETY_KEY_PROMPT} (q leaves)"
    if len(keys) > 1:  # a stray key is answered with what to press
        assert "press Enter once the safety key is clipped" in written[1]


@pytest.mark.usefixtures("real_treadmill")
def test_trace_records_a_real_treadmill_at_the_bleak_edge(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    capture = tmp_path / "capture.jsonl"
    result = _run(cli, tmp_path, "--device", "Garage Treadmill", "--trace", str(capture))
    assert result.exit_code == 0, result.stderr
    kinds = [json.loads(line)["kind"] for line in capture.read_text().splitlines()]
    assert kinds[0] == "connect"
    assert {"read", "subscribe", "write", "indicate", "notify"} <= set(kinds)
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    printed = _run(cli, tmp_path / "again", "--device", "Garage Treadmill", "--trace")
    assert "  trace     0.000s connect" in printed.stderr
