"""The `Announcer`: turns the session's cues into tones and speech, in order, never late.

Cues are offered without waiting (the session never waits for audio) and played one after
another by `run`, in its own task. What a cue sounds like:

* ``turn_now``: the rising two-note turn tone, then the words;
* ``alarm``: the low triple alarm, then the words;
* a cue with ``beeps`` (3-2-1): that many countdown pips, then the words;
* anything else: the words only (or one pip when there is no voice).

A cue that waited longer than ``max_delay_s`` in the queue is dropped, since "three" said
five seconds late is worse than silence, except turn, alarm and finish cues, which are
always played.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from retrorun.audio import tones
from retrorun.audio.backends import INSTALL_HINT, AudioSettings, Speaker, TonePlayer
from retrorun.session.api import Cue, CueKind

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from retrorun.clock import Clock
    from retrorun.session.api import SessionEvent

_ALWAYS_PLAYED = frozenset({CueKind.TURN_NOW, CueKind.ALARM, CueKind.FINISH})


class Announcer:
    """Plays cues through a `Speaker` and a `TonePlayer`."""

    def __init__(
        self,
        settings: AudioSettings,
        *,
        clock: Clock,
        speaker: Speaker | None = None,
        player: TonePlayer | None = None,
        max_delay_s: float = 4.0,
        backlog: int = 16,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self.speaker = speaker or Speaker(settings)
        self.player = player or TonePlayer()
        self._max_delay_s = max_delay_s
        self._queue: asyncio.Queue[tuple[float, Cue]] = asyncio.Queue(backlog)
        self.played: list[Cue] = []
        """Every cue played so far, in order (what a runner heard)."""
        self.dropped: list[Cue] = []
        """Cues dropped as stale or because the queue was full."""

    @property
    def notice(self) -> str | None:
        """A one-time sentence for the screen when speech was wanted but is not possible."""
        if self.settings.voice and not self.speaker.available:
            return f"espeak-ng not found: cues will only beep ({INSTALL_HINT})"
        return None

    def offer(self, cue: Cue) -> None:
        """Queue a cue; never waits. A full queue drops its oldest cue."""
        if self._queue.full():
            _, oldest = self._queue.get_nowait()
            self._queue.task_done()
            self.dropped.append(oldest)
        self._queue.put_nowait((self._clock.now(), cue))

    async def follow(self, events: AsyncIterator[SessionEvent]) -> None:
        """Offer every cue among ``events`` (a session's event subscription)."""
        async for event in events:
            if isinstance(event, Cue):
                self.offer(event)

    async def run(self) -> None:
        """Play queued cues one after another, forever (cancel to stop)."""
        while True:
            offered_at, cue = await self._queue.get()
            try:
                late = self._clock.now() - offered_at > self._max_delay_s
                if late and cue.kind not in _ALWAYS_PLAYED:
                    self.dropped.append(cue)
                else:
                    await self.play(cue)
            finally:
                self._queue.task_done()

    async def drained(self) -> None:
        """Return once every cue offered so far has been played or dropped."""
        await self._queue.join()

    async def play(self, cue: Cue) -> None:
        """Sound one cue now: its tones, then its words."""
        sound = self._tones_for(cue)
        if sound and self.settings.tones:
            await self.player.play(tones.render(sound, volume=self.settings.volume))
        if self.settings.voice and self.speaker.available and cue.text:
            await self.speaker.say(cue.text)
        self.played.append(cue)

    def _tones_for(self, cue: Cue) -> tuple[tones.Tone, ...]:
        if cue.kind is CueKind.TURN_NOW:
            return tones.TURN_NOW
        if cue.kind is CueKind.ALARM:
            return tones.ALARM
        if cue.beeps:
            return tones.COUNTDOWN * cue.beeps
        if not (self.settings.voice and self.speaker.available):
            # Without a voice every cue needs a sound of its own.
            return tones.COUNTDOWN
        return ()
