"""What makes sound on this machine: a speech program and a player, found on PATH.

Speech: ``espeak-ng`` (or the older ``espeak``), which renders text to WAV samples; on macOS,
where neither is installed, ``say``, which renders to a WAV file.
Players: ``paplay`` (PulseAudio or PipeWire), ``aplay`` (ALSA), ``afplay`` (macOS) or
``pw-play``. The first two can stay running and take raw samples over a pipe
(`StreamPlayer`): starting a player costs 150-250 ms on a Raspberry Pi, which a countdown
cannot wait for. `TonePlayer` is the fallback: one process per WAV file. Without a player,
the terminal bell. Every program runs as a subprocess waited for without blocking the loop.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from retrorun.profiles.words import spoken

if TYPE_CHECKING:
    from collections.abc import Callable

SPEECH_PROGRAMS = ("espeak-ng", "espeak", "say")
# macOS `say` (say(1)): it infers WAVE from the file name, and needs the sample format said.
_SAY_FORMAT = "--data-format=LEI16@22050"
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
    device: str | None = None
    """The player's output: a PulseAudio/PipeWire sink or an ALSA device (None: default)."""


class Speaker:
    """Speaks text with espeak-ng; `available` is False when no speech program is found."""

    def __init__(self, settings: AudioSettings, *, program: str | None = None) -> None:
        self.settings = settings
        self.program = program if program is not None else find_program(SPEECH_PROGRAMS)

    @property
    def available(self) -> bool:
        return self.program is not None

    @property
    def _macos_say(self) -> bool:
        return self.program is not None and Path(self.program).name == "say"

    def command(self, text: str) -> list[str]:
        """The command line that speaks ``text``."""
        if self.program is None:
            raise RuntimeError("no speech program")
        if self._macos_say:
            # The system's own voice (espeak-ng's voice names mean nothing to it); loudness
            # as the embedded speech command [[volm]], 0 to 1 like ours.
            rate = str(self.settings.words_per_minute)
            volume = f"[[volm {self.settings.volume:g}]] "
            return [self.program, "-r", rate, "--", volume + spoken(text)]
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
            spoken(text),
        ]

    def render_command(self, text: str, wav: Path | None = None) -> list[str]:
        """The command line that writes ``text`` spoken as a WAV file: to its stdout, or
        (macOS ``say``, which cannot) to ``wav``."""
        args = self.command(text)
        if self._macos_say:
            if wav is None:
                raise ValueError("say writes its WAV to a file: name one")
            args[-2:-2] = ["-o", str(wav), _SAY_FORMAT]
        else:
            args.insert(-2, "--stdout")
        return args

    async def render(self, text: str) -> bytes | None:
        """``text`` spoken, as WAV bytes; None when it could not be rendered."""
        if self.program is None:
            return None
        if self._macos_say:
            with tempfile.TemporaryDirectory(prefix="retrorun-say-") as folder:
                out = Path(folder) / "cue.wav"
                await _run(self.render_command(text, out))
                with contextlib.suppress(OSError):
                    return out.read_bytes() or None
                return None
        try:
            process = await asyncio.create_subprocess_exec(
                *self.render_command(text),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
        except OSError:
            return None
        try:
            wav, _ = await process.communicate()
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise
        return wav if process.returncode == 0 and wav else None

    async def say(self, text: str) -> None:
        """Speak ``text`` and return when it has been said (or could not be)."""
        if self.program is not None:
            await _run(self.command(text))


class TonePlayer:
    """Plays WAV bytes with the system's player, or rings the terminal bell."""

    def __init__(
        self,
        *,
        program: str | None = None,
        bell: Callable[[], None] | None = None,
        device: str | None = None,
    ) -> None:
        """`program` None: the first player on PATH; ``""``: none (the bell)."""
        self.program = (program or None) if program is not None else find_program(PLAYERS)
        self.device = device
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
            name = Path(self.program).name
            if name == "aplay":
                args[1:1] = ["-q", *(["-D", self.device] if self.device else [])]
            elif self.device and name == "paplay":
                args[1:1] = [f"--device={self.device}"]
            await _run(args)


class StreamPlayer:
    """One player process that stays running and takes raw samples on its stdin.

    Samples are mono signed 16-bit little-endian at `clips.SAMPLE_RATE_HZ`. Between cues
    nothing is written; the player plays what arrives as soon as it arrives.
    """

    def __init__(self, program: str, *, device: str | None = None) -> None:
        self.program = program
        self.device = device
        self._process: asyncio.subprocess.Process | None = None
        self._errors: asyncio.Task[None] | None = None
        self._last_errors: collections.deque[str] = collections.deque(maxlen=_ERROR_LINES)
        self.error: str | None = None
        """Why the player stopped or could not start, once it has."""

    @staticmethod
    def can_stream(program: str) -> bool:
        return Path(program).name in _STREAM_ARGS

    def command(self) -> list[str]:
        name = Path(self.program).name
        args = [self.program, *_STREAM_ARGS[name]]
        if self.device:
            args += ["-D", self.device] if name == "aplay" else [f"--device={self.device}"]
        return args

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self) -> bool:
        """Start the player; False (and `error` says why) when it cannot run."""
        try:
            self._process = await asyncio.create_subprocess_exec(
                *self.command(),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            self.error = f"{self.program}: {exc.strerror or exc}"
            return False
        if self._process.stderr is not None:
            self._errors = asyncio.ensure_future(self._read_errors(self._process.stderr))
        return True

    async def write(self, pcm: bytes) -> bool:
        """Hand samples to the player; False once it has gone (`error` says why)."""
        process = self._process
        if process is None or process.stdin is None or process.returncode is not None:
            await self._gone()
            return False
        try:
            process.stdin.write(pcm)
            await process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            await self._gone()
            return False
        return True

    async def close(self) -> None:
        """Let the player finish what it was given, then stop it."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), _CLOSE_WAIT_S)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        finally:
            if self._errors is not None:
                self._errors.cancel()

    async def _read_errors(self, stream: asyncio.StreamReader) -> None:
        """Keep the player's last lines on stderr; reading them all the while means a
        chatty player (aplay reports underruns) never blocks on a full pipe."""
        while line := await stream.readline():
            if line.strip():
                self._last_errors.append(line.decode(errors="replace").strip())

    async def _gone(self) -> None:
        if self.error is not None:
            return
        if self._errors is not None:
            # The player has gone: its stderr ends, with the reason last.
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._errors), _CLOSE_WAIT_S)
        last = f": {self._last_errors[-1]}" if self._last_errors else ""
        self.error = f"{Path(self.program).name} stopped{last}"


# The players that read raw samples from stdin, and how to tell them the format. paplay is
# asked for a small buffer so a cue sounds about 40 ms after it is written; aplay's buffer
# is kept short for the same reason.
_STREAM_ARGS: dict[str, tuple[str, ...]] = {
    "paplay": ("--raw", "--format=s16le", "--rate=22050", "--channels=1", "--latency-msec=40"),
    "aplay": ("-q", "-t", "raw", "-f", "S16_LE", "-r", "22050", "-c", "1", "--buffer-time=100000"),
}
_ERROR_LINES = 5
_CLOSE_WAIT_S = 2.0


def find_program(names: tuple[str, ...]) -> str | None:
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
