"""Where a cue's clip goes: a player that is already running, or a player started for each
clip (the terminal bell when there is none).

Every output plays one clip at a time and can be told to cut it short (``cut``): an urgent
cue must not wait for the end of a long one.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from typing import TYPE_CHECKING, Protocol

from retrorun.audio import clips

if TYPE_CHECKING:
    from retrorun.audio.backends import TonePlayer
    from retrorun.clock import Clock

CHUNK_S = 0.05
"""A clip goes to a running player in pieces this long, one piece ahead of the sound, so
cutting it short leaves at most two pieces to finish playing."""
# Silence after each clip pushes its last samples through the player's buffer.
_TAIL_S = 0.06
_FADE_S = 0.008


class PlayerGone(Exception):  # noqa: N818 - an event, not a programming error
    """The running player stopped; the announcer falls back to another output."""


class Sink(Protocol):
    """A running player's input (`backends.StreamPlayer`, or a model of one)."""

    async def write(self, pcm: bytes) -> bool: ...

    async def close(self) -> None: ...


class Output(Protocol):
    description: str

    async def play(self, clip: clips.Clip, cut: asyncio.Event) -> bool:
        """Play `clip`; return True when it played to its end, False when `cut` was set
        first. Raises `PlayerGone` when the output can no longer play."""
        ...

    async def close(self) -> None: ...


class StreamOutput:
    """Writes clips to a running player, paced by `clock` one `CHUNK_S` piece ahead."""

    def __init__(self, sink: Sink, *, clock: Clock, description: str) -> None:
        self._sink = sink
        self._clock = clock
        self.description = description

    async def play(self, clip: clips.Clip, cut: asyncio.Event) -> bool:
        padded = clip + clips.silence(_TAIL_S)
        start = self._clock.now()
        pieces = math.ceil(padded.duration_s / CHUNK_S)
        for n in range(pieces):
            if cut.is_set():
                # What was written plays on; a few faded milliseconds after it stop the
                # sound without a click.
                edge = padded.slice(n * CHUNK_S, n * CHUNK_S + _FADE_S)
                await self._sink.write(clips.fade_out(edge, _FADE_S).pcm)
                return False
            piece = padded.slice(n * CHUNK_S, (n + 1) * CHUNK_S)
            if not await self._sink.write(piece.pcm):
                raise PlayerGone(
                    getattr(self._sink, "error", None) or f"{self.description} stopped"
                )
            # Piece n is written as piece n-1 starts to sound: never more than two ahead.
            # The silent tail needs no waiting for: the next clip may follow it at once.
            await self._clock.sleep_until(start + min(n * CHUNK_S, clip.duration_s))
        await self._clock.sleep_until(start + clip.duration_s)
        return True

    async def close(self) -> None:
        await self._sink.close()


class ProcessOutput:
    """Starts the player for each clip (for players that cannot take a stream)."""

    def __init__(self, player: TonePlayer) -> None:
        self._player = player
        self.description = (
            f"{player.program} (a new process for each cue)"
            if player.program is not None
            else "the terminal bell (no player can be heard)"
        )

    async def play(self, clip: clips.Clip, cut: asyncio.Event) -> bool:
        playing = asyncio.ensure_future(self._player.play(clip.to_wav()))
        cutting = asyncio.ensure_future(cut.wait())
        try:
            await asyncio.wait({playing, cutting}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (playing, cutting):
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await playing
        return not cut.is_set()

    async def close(self) -> None:
        return None
