"""Cues become tones and speech through real subprocesses (stand-in programs on PATH)."""

from __future__ import annotations

import asyncio
import shutil
import stat
import wave
from typing import TYPE_CHECKING

import pytest

from retrorun.audio import Announcer, AudioSettings, Speaker, TonePlayer
from retrorun.clock import ManualClock
from retrorun.session.api import Cue, CueKind

if TYPE_CHECKING:
    from pathlib import Path

# Found before any test narrows PATH to its stand-in programs.
_CP = shutil.which("cp") or "/bin/cp"


def _stand_in(folder: Path, name: str, log: Path) -> Path:
    """A program called ``name`` that logs its arguments (and keeps a copy of a WAV)."""
    script = folder / name
    script.write_text(
        "#!/bin/sh\n"
        f'echo "{name} $*" >> "{log}"\n'
        f'for arg in "$@"; do case "$arg" in *.wav) {_CP} "$arg" "{folder}/last.wav";; esac; done\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.fixture
def sound_programs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "calls.log"
    _stand_in(tmp_path, "espeak-ng", log)
    _stand_in(tmp_path, "aplay", log)
    monkeypatch.setenv("PATH", str(tmp_path))
    return log


def _calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


async def _play_all(announcer: Announcer) -> None:
    runner = asyncio.ensure_future(announcer.run())
    try:
        await asyncio.wait_for(announcer.drained(), timeout=10)
    finally:
        runner.cancel()


async def test_a_turn_cue_plays_the_turn_tone_then_speaks(sound_programs: Path) -> None:
    announcer = Announcer(AudioSettings(), clock=ManualClock())
    announcer.offer(Cue(60.0, CueKind.TURN_NOW, "Turn around now."))
    await _play_all(announcer)
    tone, speech = _calls(sound_programs)
    assert tone.startswith("aplay -q ")
    assert speech.startswith("espeak-ng -v en-us -a 100 -s 165 -- Turn around now.")
    with wave.open(str(sound_programs.parent / "last.wav")) as clip:
        assert clip.getnframes() > 0


async def test_countdown_beeps_then_words_in_order(sound_programs: Path) -> None:
    announcer = Announcer(AudioSettings(), clock=ManualClock())
    for n in (3, 2, 1):
        announcer.offer(Cue(57.0 + (3 - n), CueKind.COUNTDOWN, str(n), beeps=1))
    await _play_all(announcer)
    calls = _calls(sound_programs)
    assert [c.split()[0] for c in calls] == ["aplay", "espeak-ng"] * 3
    assert [c.rsplit(" ", 1)[-1] for c in calls[1::2]] == ["3", "2", "1"]


@pytest.mark.usefixtures("sound_programs")
async def test_a_stale_cue_is_dropped_but_a_turn_cue_never_is() -> None:
    clock = ManualClock()
    announcer = Announcer(AudioSettings(), clock=clock, max_delay_s=4.0)
    announcer.offer(Cue(10.0, CueKind.HALFWAY, "Halfway."))
    announcer.offer(Cue(10.0, CueKind.TURN_NOW, "Turn around now."))
    await clock.advance(5.0)
    await _play_all(announcer)
    assert [c.kind for c in announcer.played] == [CueKind.TURN_NOW]
    assert [c.kind for c in announcer.dropped] == [CueKind.HALFWAY]


async def test_volume_and_voice_reach_espeak(sound_programs: Path) -> None:
    settings = AudioSettings(voice_name="en-gb", volume=0.5, words_per_minute=140)
    announcer = Announcer(settings, clock=ManualClock())
    announcer.offer(Cue(0.0, CueKind.START, "Let's go."))
    await _play_all(announcer)
    assert _calls(sound_programs) == ["espeak-ng -v en-gb -a 50 -s 140 -- Let's go."]


async def test_without_espeak_cues_beep_and_a_notice_says_how_to_get_speech(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "calls.log"
    _stand_in(tmp_path, "aplay", log)
    monkeypatch.setenv("PATH", str(tmp_path))
    announcer = Announcer(AudioSettings(), clock=ManualClock())
    assert announcer.notice is not None
    assert "sudo apt install espeak-ng" in announcer.notice
    announcer.offer(Cue(0.0, CueKind.HALFWAY, "Halfway."))
    await _play_all(announcer)
    assert [c.split()[0] for c in _calls(log)] == ["aplay"]


async def test_without_any_player_the_terminal_bell_rings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    rings: list[str] = []
    player = TonePlayer(bell=lambda: rings.append("ring"))
    announcer = Announcer(AudioSettings(), clock=ManualClock(), player=player)
    announcer.offer(Cue(0.0, CueKind.COUNTDOWN, "3", beeps=1))
    await _play_all(announcer)
    assert rings == ["ring"]


async def test_no_voice_setting_keeps_espeak_silent(sound_programs: Path) -> None:
    announcer = Announcer(AudioSettings(voice=False), clock=ManualClock())
    assert announcer.notice is None
    announcer.offer(Cue(0.0, CueKind.HALFWAY, "Halfway."))
    await _play_all(announcer)
    assert [c.split()[0] for c in _calls(sound_programs)] == ["aplay"]


def test_speaker_reports_when_no_speech_program_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not Speaker(AudioSettings()).available


@pytest.mark.usefixtures("sound_programs")
async def test_offering_never_waits_and_a_full_queue_drops_the_oldest() -> None:
    announcer = Announcer(AudioSettings(), clock=ManualClock(), backlog=2)
    for n in range(5):
        announcer.offer(Cue(float(n), CueKind.TEXT, f"cue {n}"))
    assert [c.text for c in announcer.dropped] == ["cue 0", "cue 1", "cue 2"]
    await _play_all(announcer)
    assert [c.text for c in announcer.played] == ["cue 3", "cue 4"]
