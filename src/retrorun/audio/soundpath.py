"""Which programs and which output device cues will use, and whether they can be heard.

espeak-ng and the players return success on a machine with no sound device, so a program
on PATH proves nothing: a PulseAudio/PipeWire player needs a server (``pactl info``), an
ALSA player needs a sound card (``aplay -l``). `find_sound_path` asks them, once, before a
session starts; ``retrorun run`` warns when the answer is "silent", and ``retrorun
sound-check`` reports it all.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from retrorun.audio.backends import (
    INSTALL_HINT,
    PLAYERS,
    SPEECH_PROGRAMS,
    StreamPlayer,
    find_program,
)

if TYPE_CHECKING:
    from retrorun.audio.backends import AudioSettings

PLAYER_HINT = "install one with: sudo apt install alsa-utils"
_PROBE_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class SoundPath:
    """What cues will sound through."""

    speech: str | None
    """The speech program (None: none found, or voice is off)."""
    player: str | None
    """The player program that can reach a device (None: only the terminal bell)."""
    device: str | None
    """The output the player reaches, as its sound system names it."""
    streaming: bool
    """The player stays running and takes samples over a pipe (else one process a cue)."""
    problems: tuple[str, ...] = ()
    """What a runner should know: each a sentence that says what to do."""

    @property
    def silent(self) -> bool:
        """No cue can make a sound (the terminal bell does not count)."""
        return self.player is None


async def find_sound_path(settings: AudioSettings) -> SoundPath:
    """Look for speech, a player and a device that works (a few short subprocesses)."""
    problems: list[str] = []
    speech = find_program(SPEECH_PROGRAMS) if settings.voice else None
    if settings.voice and speech is None:
        problems.append(f"espeak-ng not found: cues will only beep ({INSTALL_HINT})")
    found = [path for name in PLAYERS if (path := shutil.which(name)) is not None]
    if not found:
        problems.append(f"no sound player found: cues cannot be heard ({PLAYER_HINT})")
        return SoundPath(speech, None, None, streaming=False, problems=tuple(problems))
    reasons: list[str] = []
    for player in found:
        device, reason = await _device_for(player, settings.device)
        if device is not None:
            streaming = StreamPlayer.can_stream(player)
            return SoundPath(speech, player, device, streaming, tuple(problems))
        reasons.append(reason)
    problems.append("no sound device: cues cannot be heard (" + "; ".join(reasons) + ")")
    return SoundPath(speech, None, None, streaming=False, problems=tuple(problems))


async def _device_for(player: str, wanted: str | None) -> tuple[str | None, str]:
    """The device `player` would play on, or None and why not."""
    name = Path(player).name
    if name == "paplay":
        return await _pulse_device(wanted)
    if name == "aplay" and wanted is None:
        code, out = await _output(player, "-l")
        cards = [line for line in out.splitlines() if line.startswith("card ")]
        if code != 0 or not cards:
            return None, "aplay: no sound cards found"
        return cards[0], ""
    return wanted or "default output", ""


async def _pulse_device(wanted: str | None) -> tuple[str | None, str]:
    """The PulseAudio or PipeWire sink paplay would use (a server must answer)."""
    pactl = shutil.which("pactl")
    if pactl is None:
        return wanted or "the sound server's default output", ""
    code, out = await _output(pactl, "info")
    if code != 0:
        return None, f"paplay: no PulseAudio or PipeWire server ({_first_line(out)})"
    sinks = [line.split(":", 1)[1].strip() for line in out.splitlines() if "Default Sink" in line]
    if wanted is None and not any(sinks):
        return None, "paplay: the sound server has no output"
    return wanted or sinks[0], ""


async def _output(*args: str) -> tuple[int, str]:
    """Exit code and combined output of a short probe (127 when it cannot run)."""
    try:
        process = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
    except OSError as exc:
        return 127, str(exc)
    try:
        out, _ = await asyncio.wait_for(process.communicate(), _PROBE_TIMEOUT_S)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        return 124, f"{Path(args[0]).name} did not answer"
    return process.returncode or 0, out.decode(errors="replace")


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "no answer")
