"""Cue texts rendered to trimmed clips once, and kept (in memory, and on disk when asked).

Rendering a text costs a speech process (150-250 ms to start on a Raspberry Pi, plus the
synthesis), so what a session will say is rendered before it is needed: `prepare` works
through a list in the background, and `clip` renders on demand what was not prepared. A
text asked for while it is being prepared waits for that one render, never starts a second.

The disk cache is keyed by everything that changes the sound: the speech program (path,
size and date), voice, speed, volume and the trimming, so changing a setting or upgrading
espeak-ng renders again.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from retrorun.audio import clips

if TYPE_CHECKING:
    from collections.abc import Iterable

    from retrorun.audio.backends import Speaker

# Bump when the trimming (or anything else that shapes a cached clip) changes.
_FORMAT = 1


def default_cache_dir() -> Path:
    import platformdirs  # noqa: PLC0415 - only needed when a session starts

    return Path(platformdirs.user_cache_dir("retrorun")) / "speech"


class SpeechClips:
    """Trimmed speech clips for cue texts, rendered by a `Speaker`."""

    def __init__(self, speaker: Speaker, *, cache_dir: Path | None = None) -> None:
        self.speaker = speaker
        self.cache_dir = cache_dir
        self._clips: dict[str, clips.Clip] = {}
        self._pending: dict[str, asyncio.Task[clips.Clip | None]] = {}
        self._preparing: asyncio.Task[None] | None = None
        self.rendered = 0
        """Texts rendered by the speech program (not found in a cache)."""

    def cached(self, text: str) -> clips.Clip | None:
        """The clip for `text` if it is ready now (memory or disk), else None."""
        clip = self._clips.get(text)
        if clip is None and self.cache_dir is not None:
            with contextlib.suppress(OSError):
                clip = clips.Clip(self._path(text).read_bytes())
                self._clips[text] = clip
        return clip

    async def clip(self, text: str) -> clips.Clip | None:
        """The clip for `text`, rendering it if needed; None when speech is not possible."""
        ready = self.cached(text)
        if ready is not None:
            return ready
        task = self._pending.get(text)
        if task is None:
            task = asyncio.ensure_future(self._render(text))
            self._pending[text] = task
            task.add_done_callback(lambda _: self._pending.pop(text, None))
        return await asyncio.shield(task)

    def prepare(self, texts: Iterable[str]) -> None:
        """Render `texts` one after another in the background (cached ones cost nothing)."""
        wanted = list(dict.fromkeys(texts))
        if self._preparing is not None:
            self._preparing.cancel()
        self._preparing = asyncio.ensure_future(self._prepare(wanted))

    async def prepared(self) -> None:
        """Return once what `prepare` was given is ready."""
        if self._preparing is not None:
            await asyncio.shield(self._preparing)

    async def close(self) -> None:
        """Stop preparing and rendering."""
        tasks = [*self._pending.values(), *([self._preparing] if self._preparing else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _prepare(self, texts: list[str]) -> None:
        for text in texts:
            await self.clip(text)

    async def _render(self, text: str) -> clips.Clip | None:
        wav = await self.speaker.render(text)
        if wav is None:
            return None
        try:
            clip = clips.trim_silence(clips.from_wav(wav))
        except ValueError:
            return None
        self.rendered += 1
        self._clips[text] = clip
        if self.cache_dir is not None:
            self._store(text, clip)
        return clip

    def _store(self, text: str, clip: clips.Clip) -> None:
        """Write atomically, so a reader never sees half a clip; a full disk only costs
        a render next time."""
        path = self._path(text)
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(clip.pcm)
            partial.replace(path)

    def _path(self, text: str) -> Path:
        if self.cache_dir is None:
            raise RuntimeError("no cache folder")
        program = self.speaker.program or ""
        stamp: tuple[int, int] = (0, 0)
        with contextlib.suppress(OSError):
            info = Path(program).stat()
            stamp = (info.st_size, info.st_mtime_ns)
        key = json.dumps([_FORMAT, program, stamp, self.speaker.command(text)])
        return self.cache_dir / f"{hashlib.sha256(key.encode()).hexdigest()}.pcm"
