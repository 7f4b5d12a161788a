"""``retrorun sound-check`` and the warning ``retrorun run`` gives when cues cannot be heard,
with stand-ins for the sound programs that answer as they do with and without a device."""

from __future__ import annotations

import asyncio
import shutil
import stat
from typing import TYPE_CHECKING

from retrorun.audio import AudioSettings, clips
from retrorun.cli.launch import LaunchOptions, launch_session
from retrorun.cli.sound import check
from retrorun.clock import ManualClock
from retrorun.config import Config
from tests.audio.conftest import A_CARD, NO_CARDS

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import pytest

    from tests.conftest import CliResult

# Found before any test narrows PATH to its stand-in programs.
_CAT = shutil.which("cat") or "/bin/cat"


def _aplay(folder: Path, answer: str, stream: Path | None = None) -> None:
    """An aplay that answers ``-l`` with `answer` and keeps a raw stream in `stream`."""
    keep = f'exec {_CAT} > "{stream}"' if stream is not None else "exit 0"
    script = folder / "aplay"
    script.write_text(
        f"#!/bin/sh\nif [ \"$1\" = -l ]; then printf '%s\\n' '{answer}'; exit 0; fi\n{keep}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


async def _run_with_programs(clock: ManualClock, task: asyncio.Future[bool]) -> None:
    """Jump the clock from deadline to deadline until `task` is done; while it waits for
    a program (no deadline pending), let the program answer."""
    for _ in range(10_000):
        if task.done():
            return
        deadline = clock.next_deadline()
        if deadline is None:
            await asyncio.wait({task}, timeout=0.01)
        else:
            await clock.advance_to(deadline)
    raise AssertionError("the check did not finish")


def test_on_a_machine_without_sound_the_check_warns_and_fails(
    bin_dir: Path, cli: Callable[..., CliResult]
) -> None:
    _aplay(bin_dir, NO_CARDS)
    config = bin_dir / "config.toml"
    config.write_text("[audio]\nvolume = 0.5\n", encoding="utf-8")
    result = cli("sound-check", "--config", str(config))
    assert result.exit_code == 1
    assert "speech:  none found: tones only" in result.stdout
    assert "device:  none found" in result.stdout
    assert "retrorun: warning: espeak-ng not found" in result.stderr
    assert "no sound device: cues cannot be heard (aplay: no sound cards found)" in result.stderr


async def test_the_check_plays_a_countdown_through_the_running_player(
    bin_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stream = bin_dir / "stream.raw"
    _aplay(bin_dir, A_CARD, stream)
    clock = ManualClock()
    checking = asyncio.ensure_future(check(AudioSettings(voice=False), clock))
    await _run_with_programs(clock, checking)
    assert checking.result() is True
    out = capsys.readouterr().out
    assert f"player:  {bin_dir / 'aplay'} (running, fed over a pipe)" in out
    assert f"device:  {A_CARD}" in out
    assert "played 5 cues, countdown digits at most 0 ms after their second" in out
    # Three pips, the turn tone, one pip for the sentence (no voice), each with its tail.
    assert len(stream.read_bytes()) > 2 * round(clips.SAMPLE_RATE_HZ * (3 * 0.15 + 0.54 + 0.15))


async def test_run_warns_at_start_when_cues_cannot_be_heard(bin_dir: Path, tmp_path: Path) -> None:
    _aplay(bin_dir, NO_CARDS)
    profile = tmp_path / "walk.yaml"
    profile.write_text("name: Walk\nsteps:\n  - {duration: 60s, speed: 4}\n", encoding="utf-8")
    clock = ManualClock()
    session = await launch_session(
        LaunchOptions(
            profile=str(profile),
            config=Config(),
            log_path=tmp_path / "s.jsonl",
            clock=clock,
            audio=AudioSettings(),
        )
    )
    try:
        assert session.notice is not None
        assert "no sound device: cues cannot be heard" in session.notice
        assert "retrorun sound-check" in session.notice
    finally:
        session.runner.request_stop("test")
        await clock.run_until(session.task, limit=120)
        await session.close()
