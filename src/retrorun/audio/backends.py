"""What makes sound on this machine: a speech program and a WAV player, found on PATH.

Speech: ``espeak-ng`` (or the older ``espeak``). Tones: ``paplay`` (PulseAudio/PipeWire),
``aplay`` (ALSA), ``afplay`` (macOS) or ``pw-play``, fed a WAV file. Without a player, tones
fall back to the terminal bell. Each call runs the program as a subprocess and waits for it
without blocking the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

SPEECH_PROGRAMS = ("espeak-ng", "espeak")
PLAYERS = ("paplay", "aplay", "afplay", "pw-play")
INSTALL_HINT = "install it with: sudo apt install espeak-ng"
# espeak-ng's amplitude runs 0-200 with 100 as its default loudness.
_ESPEAK_MAX_AMPLITUDE = 200


@dataclass(frozen=True)
class AudioSettings:
    """How cues sound; from ``[audio]`` in the config file and ``--voice/--no-voice``."""

    voice: bool = True
    """Speak cue texts (when a speech program is installed)."""
    voice_name: str = "en-us"
    """espeak-ng voice (``espeak-ng --voices`` lists them)."""
    volume: float = 1.0
    """0 to 1, for speech and tones alike."""
    words_per_minute: int = 165
    tones: bool = True
    """Play countdown and turn tones."""


class Speaker:
    """Speaks text with espeak-ng; `available` is False when no speech program is found."""

    def __init__(self, settings: AudioSettings, *, program: str | None = None) -> None:
        self.settings = settings
        self.program = program if program is not None else _find(SPEECH_PROGRAMS)

    @property
    def available(self) -> bool:
        return self.program is not None

    def command(self, text: str) -> list[str]:
        """The command line that speaks ``text``."""
        if self.program is None:
            raise RuntimeError("no speech program")
        amplitude = round(self.settings.volume * _ESPEAK_MAX_AMPLITUDE / 2)
        return [
            self.program,
            "-v",
            self.settings.voice_name,
            "-a",
            str(amplitude),
            "-s",
            str(self.settings.words_per_minute),
            "--",
            text,
        ]

    async def say(self, text: str) -> None:
        """Speak ``text`` and return when it has been said (or could not be)."""
        if self.program is not None:
            await _run(self.command(text))


class TonePlayer:
    """Plays WAV bytes with the system's player, or rings the terminal bell."""

    def __init__(
        self, *, program: str | None = None, bell: Callable[[], None] | None = None
    ) -> None:
        self.program = program if program is not None else _find(PLAYERS)
        self._bell = bell or _terminal_bell

    @property
    def available(self) -> bool:
        return self.program is not None

    async def play(self, wav: bytes) -> None:
        if self.program is None:
            self._bell()
            return
        with tempfile.TemporaryDirectory(prefix="retrorun-") as folder:
            path = Path(folder) / "tone.wav"
            path.write_bytes(wav)
            args = [self.program, str(path)]
            if Path(self.program).name == "aplay":
                args.insert(1, "-q")
            await _run(args)


def _find(names: tuple[str, ...]) -> str | None:
    for name in names:
        path = shutil.which(name)
        if path is not None:
            return path
    return None


async def _run(args: list[str]) -> None:
    """Run a sound program to its end; its failure must never reach the session."""
    with contextlib.suppress(OSError):
        process = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            await process.wait()
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise


def _terminal_bell() -> None:
    stream = sys.__stderr__
    if stream is not None and stream.isatty():
        stream.write("\a")
        stream.flush()
