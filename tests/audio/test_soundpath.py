"""Finding a sound path that can be heard, and the running player: real aplay (ALSA's null
device takes samples without a sound card) and stand-ins that answer as the programs do on
machines with and without sound."""

from __future__ import annotations

import asyncio
import shutil
import stat
from typing import TYPE_CHECKING

import pytest

from retrorun.audio import AudioSettings, clips
from retrorun.audio.backends import StreamPlayer
from retrorun.audio.soundpath import find_sound_path
from tests.audio.conftest import A_CARD, NO_CARDS

if TYPE_CHECKING:
    from pathlib import Path

_APLAY = shutil.which("aplay")


def _program(folder: Path, name: str, output: str, code: int = 0) -> None:
    script = folder / name
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' '{output}'\nexit {code}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


async def test_a_machine_without_a_sound_card_is_silent_whatever_is_installed(
    bin_dir: Path,
) -> None:
    _program(bin_dir, "espeak-ng", "")
    _program(bin_dir, "aplay", NO_CARDS)
    path = await find_sound_path(AudioSettings())
    assert path.silent
    assert path.speech == str(bin_dir / "espeak-ng")
    assert path.problems == ("no sound device: cues cannot be heard (aplay: no sound cards found)",)


async def test_a_sound_card_is_found_and_named(bin_dir: Path) -> None:
    _program(bin_dir, "espeak-ng", "")
    _program(bin_dir, "aplay", A_CARD)
    path = await find_sound_path(AudioSettings())
    assert not path.silent
    assert path.player == str(bin_dir / "aplay")
    assert path.device == A_CARD
    assert path.streaming
    assert path.problems == ()


async def test_paplay_without_a_sound_server_gives_way_to_aplay(bin_dir: Path) -> None:
    _program(bin_dir, "paplay", "")
    _program(bin_dir, "pactl", "Connection failure: Connection refused", code=1)
    _program(bin_dir, "aplay", A_CARD)
    path = await find_sound_path(AudioSettings(voice=False))
    assert path.player == str(bin_dir / "aplay")
    assert path.problems == ()


async def test_paplay_names_the_sound_servers_default_output(bin_dir: Path) -> None:
    _program(bin_dir, "paplay", "")
    _program(bin_dir, "pactl", "Server Name: PulseAudio (on PipeWire 1.0.5)\nDefault Sink: usb")
    path = await find_sound_path(AudioSettings(voice=False))
    assert (path.player, path.device) == (str(bin_dir / "paplay"), "usb")


@pytest.mark.usefixtures("bin_dir")
async def test_no_speech_and_no_player_are_both_reported() -> None:
    path = await find_sound_path(AudioSettings())
    assert path.silent
    assert [p.split(":")[0] for p in path.problems] == [
        "espeak-ng not found",
        "no sound player found",
    ]


async def test_a_configured_device_is_trusted_and_passed_to_the_player(bin_dir: Path) -> None:
    _program(bin_dir, "aplay", NO_CARDS)
    path = await find_sound_path(AudioSettings(voice=False, device="null"))
    assert path.device == "null"
    assert StreamPlayer(str(bin_dir / "aplay"), device="null").command()[-2:] == ["-D", "null"]


@pytest.mark.skipif(_APLAY is None, reason="needs aplay (alsa-utils)")
async def test_the_running_player_takes_samples_and_closes() -> None:
    assert _APLAY is not None
    player = StreamPlayer(_APLAY, device="null")
    assert await player.start()
    for _ in range(5):
        assert await player.write(clips.silence(0.05).pcm)
    assert player.alive
    await player.close()
    assert player.error is None


@pytest.mark.skipif(_APLAY is None, reason="needs aplay (alsa-utils)")
async def test_a_player_that_cannot_open_its_device_says_why() -> None:
    assert _APLAY is not None
    player = StreamPlayer(_APLAY, device="no-such-device")
    assert await player.start()
    written = True
    for _ in range(200):  # until the pipe breaks: aplay exits once it fails to open
        written = await player.write(clips.silence(0.05).pcm)
        if not written:
            break
        await asyncio.sleep(0.01)
    assert not written
    assert player.error is not None
    assert player.error.startswith("aplay stopped: ")
    assert "no-such-device" in player.error or "audio open error" in player.error
    await player.close()
