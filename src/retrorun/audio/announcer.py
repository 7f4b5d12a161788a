"""The `Announcer`: turns the session's cues into sound, each when it is due.

Cues are offered without waiting (the session never waits for audio) and played one at a
time by `run`, in its own task. What a cue sounds like:

* ``turn_now``: the rising two-note turn tone, then the words;
* ``alarm``: the low triple alarm, then the words;
* a cue with ``beeps`` (3-2-1): that many countdown pips, then the words;
* anything else: the words only (or one pip when there is no voice).

Theory of operation. Starting a program costs 150-250 ms on a Raspberry Pi, and espeak-ng
pads every text with silence, so `start` does the slow parts once, before they are needed:
it finds the sound path (`soundpath`), starts one player that stays running
(`backends.StreamPlayer`, with a process per clip as the fallback), and renders in the
background what the plan will say (countdown digits, turn cues, labels), trimmed of
silence (`speech.SpeechClips`). A cue then costs a write to a pipe. Because every clip's
length is known before it plays, `priorities` can decide what plays next, what waits for a
countdown to pass, what is cut short by a countdown digit and what is dropped as stale.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun.audio import clips, priorities, tones
from retrorun.audio.backends import INSTALL_HINT, AudioSettings, Speaker, StreamPlayer, TonePlayer
from retrorun.audio.outputs import PlayerGone, ProcessOutput, StreamOutput
from retrorun.audio.soundpath import SoundPath, find_sound_path
from retrorun.audio.speech import SpeechClips
from retrorun.profiles.words import in_units
from retrorun.session.api import Cue, CueKind
from retrorun.session.cues import settle_text, slows, turn_now_text, turn_warning_text

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from retrorun.audio.outputs import Output
    from retrorun.clock import Clock
    from retrorun.profiles.plan import Plan
    from retrorun.profiles.words import Units
    from retrorun.session.api import SessionEvent

_GAP = clips.silence(0.03)
"""Between a cue's tones and its words."""
# Turn warnings say the seconds left, which the session knows only at run time; these are
# rendered ahead, the usual ones first.
_TURN_WARNING_SECONDS = (*range(10, 31), *range(5, 10))
# What an unrendered text is assumed to last, per character, when deciding whether it fits
# before the next countdown digit (espeak-ng at 165 words per minute: about 60 ms).
_SECONDS_PER_CHARACTER = 0.06


@dataclass(frozen=True)
class Heard:
    """One cue as it sounded."""

    cue: Cue
    offered_at: float
    started_at: float
    """When its first sample went to the player (announcer's clock)."""
    complete: bool
    """False when a more urgent cue cut it short."""

    @property
    def late_s(self) -> float:
        return self.started_at - self.offered_at


@dataclass
class _Pending:
    cue: Cue
    offered_at: float


class Announcer:
    """Plays cues through one `Output`, in priority order, never late by much."""

    def __init__(
        self,
        settings: AudioSettings,
        *,
        clock: Clock,
        player: TonePlayer | None = None,
        output: Output | None = None,
        speech: SpeechClips | None = None,
        sound_path: SoundPath | None = None,
        backlog: int = 16,
    ) -> None:
        """`output` and `sound_path` are found by `start` when not given; `speech` renders
        with espeak-ng and keeps its clips in memory when not given."""
        self.settings = settings
        self._clock = clock
        self.speech = speech or SpeechClips(Speaker(settings))
        self.speaker = self.speech.speaker
        self.player = player
        self.sound_path = sound_path
        self._output = output
        self._backlog = backlog
        self._pending: list[_Pending] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._cut = asyncio.Event()
        self._playing: _Pending | None = None
        self._digit_due: float | None = None
        self._tone_clips: dict[tuple[tones.Tone, ...], clips.Clip] = {}
        self._started = False
        self.fallback: str | None = None
        """Why the running player was given up for a process per cue, if it was."""
        self.played: list[Cue] = []
        """Every cue played so far, in order (what a runner heard)."""
        self.dropped: list[Cue] = []
        """Cues dropped as stale or because the backlog was full."""
        self.heard: list[Heard] = []
        """Every cue played, with when it was offered and when it started."""
        self.repeats: list[Cue] = []
        """Cues not said because the same words were said just before (`priorities`)."""
        self._said_at: dict[str, float] = {}

    @property
    def shortened(self) -> list[Cue]:
        """Cues cut short by a more urgent one."""
        return [h.cue for h in self.heard if not h.complete]

    @property
    def notice(self) -> str | None:
        """What a runner must know before starting (silence, no speech), or None."""
        if self.sound_path is not None:
            said = "; ".join(self.sound_path.problems) or None
            if self.sound_path.silent:
                said = f"{said}; retrorun sound-check tells more"
            return said
        if self.settings.voice and not self.speaker.available:
            return f"espeak-ng not found: cues will only beep ({INSTALL_HINT})"
        return None

    @property
    def output(self) -> str | None:
        """What cues are played through (once started)."""
        return None if self._output is None else self._output.description

    async def start(self, plan: Plan | None = None, units: Units = "metric") -> None:
        """Find the sound path and start the player (unless given), and render in the
        background what `plan` will say (in `units`). Starting twice is harmless."""
        if self._started:
            return
        self._started = True
        if self._output is None:
            self._output = await self._open_output()
        if self._speaks:
            self.speech.prepare(texts_to_prepare(plan, units))
        for sound in (tones.COUNTDOWN, tones.TURN_NOW, tones.ALARM):
            self._tone_clip(sound)

    def offer(self, cue: Cue) -> None:
        """Queue a cue; never waits. A full backlog drops its oldest cue."""
        now = self._clock.now()
        if priorities.repeated(cue, now, self._said_at.get(cue.text)):
            self.repeats.append(cue)
            return
        if len(self._pending) >= self._backlog:
            self.dropped.append(self._pending.pop(0).cue)
        self._pending.append(_Pending(cue, now))
        self._idle.clear()
        if priorities.is_digit(cue):
            self._digit_due = priorities.next_digit_due(cue, now)
        if self._playing is not None and priorities.cuts(cue, self._playing.cue):
            self._cut.set()
        self._wake.set()

    async def follow(self, events: AsyncIterator[SessionEvent]) -> None:
        """Offer every cue among ``events`` (a session's event subscription)."""
        async for event in events:
            if isinstance(event, Cue):
                self.offer(event)

    async def run(self) -> None:
        """Play offered cues, forever (cancel to stop; the player is closed then)."""
        await self.start()
        try:
            while True:
                item = await self._next()
                try:
                    await self._say(item)
                finally:
                    self._playing = None
                    if not self._pending:
                        self._idle.set()
        finally:
            await self.close()

    async def drained(self) -> None:
        """Return once every cue offered so far has been played or dropped."""
        await self._idle.wait()

    async def close(self) -> None:
        """Stop rendering and close the player."""
        await self.speech.close()
        if self._output is not None:
            with contextlib.suppress(Exception):
                await self._output.close()

    async def _open_output(self) -> Output:
        if self.sound_path is None:
            self.sound_path = await find_sound_path(self.settings)
        path = self.sound_path
        if self.player is None:
            self.player = TonePlayer(program=path.player or "", device=self.settings.device)
        if path.player is not None and path.streaming:
            stream = StreamPlayer(path.player, device=self.settings.device)
            if await stream.start():
                described = f"{path.player} (running, fed over a pipe)"
                return StreamOutput(stream, clock=self._clock, description=described)
            self.fallback = stream.error
        return ProcessOutput(self.player)

    @property
    def _speaks(self) -> bool:
        return self.settings.voice and self.speaker.available

    async def _next(self) -> _Pending:
        """The next cue to play: stale ones are dropped, and a cue that would run into
        the next countdown digit waits for it."""
        while True:
            now = self._clock.now()
            for old in [p for p in self._pending if priorities.stale(p.cue, p.offered_at, now)]:
                self._pending.remove(old)
                self.dropped.append(old.cue)
            if self._digit_due is not None and priorities.countdown_over(now, self._digit_due):
                self._digit_due = None
            if not self._pending:
                self._idle.set()
            ready = (
                p
                for p in sorted(
                    self._pending, key=lambda p: (priorities.policy(p.cue).rank, p.offered_at)
                )
                if priorities.policy(p.cue).urgent
                or priorities.fits_before(now, self._length(p.cue), self._digit_due)
            )
            item = next(ready, None)
            if item is not None:
                self._pending.remove(item)
                self._playing = item
                self._cut.clear()
                return item
            due = self._digit_due
            await self._wait(None if due is None else due + priorities.DIGIT_GRACE_S)

    async def _wait(self, until: float | None) -> None:
        """Until something is offered, or the clock reaches `until`."""
        self._wake.clear()
        waits: list[asyncio.Future[object]] = [asyncio.ensure_future(self._wake.wait())]
        if until is not None:
            waits.append(asyncio.ensure_future(self._clock.sleep_until(until)))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waits:
                task.cancel()

    async def _say(self, item: _Pending) -> None:
        clip = await self._rendered(item)
        if clip is None:
            return
        now = self._clock.now()
        if priorities.stale(item.cue, item.offered_at, now):
            self.dropped.append(item.cue)
            return
        if self._output is None:
            self._output = await self._open_output()
        try:
            complete = await self._output.play(clip, self._cut)
        except PlayerGone as gone:
            self.fallback = str(gone)
            self._output = ProcessOutput(self.player or TonePlayer())
            complete = await self._output.play(clip, self._cut)
        self.played.append(item.cue)
        self.heard.append(Heard(item.cue, item.offered_at, now, complete))
        self._said_at[item.cue.text] = now

    async def _rendered(self, item: _Pending) -> clips.Clip | None:
        """`item`'s sound; None when a more urgent cue arrived while its words were still
        being rendered: it goes back to wait (the render goes on) and the urgent one plays."""
        rendering = asyncio.ensure_future(self._sound_for(item.cue))
        try:
            while not rendering.done():
                self._wake.clear()
                woken = asyncio.ensure_future(self._wake.wait())
                try:
                    await asyncio.wait({rendering, woken}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    woken.cancel()
                if not rendering.done() and any(
                    priorities.cuts(p.cue, item.cue) for p in self._pending
                ):
                    self._pending.append(item)
                    return None
            return rendering.result()
        finally:
            # Stopped (the announcer cancelled) or set aside: the wait for the words ends
            # here; a speech render itself goes on in `SpeechClips` and is kept.
            rendering.cancel()

    async def _sound_for(self, cue: Cue) -> clips.Clip:
        """The cue's tones, then its words (rendering them if they are not ready)."""
        sound = self._tones_for(cue)
        parts = [self._tone_clip(sound)] if sound and self.settings.tones else []
        if self._speaks and cue.text:
            words = await self.speech.clip(cue.text)
            if words is not None:
                parts += [_GAP, words] if parts else [words]
        if not parts:
            parts = [self._tone_clip(tones.COUNTDOWN)]
        clip = parts[0]
        for part in parts[1:]:
            clip += part
        return clip

    def _length(self, cue: Cue) -> float:
        """How long `cue` will sound (estimated when its words are not rendered yet)."""
        sound = self._tones_for(cue)
        length = self._tone_clip(sound).duration_s if sound and self.settings.tones else 0.0
        if self._speaks and cue.text:
            words = self.speech.cached(cue.text)
            length += (
                words.duration_s if words is not None else len(cue.text) * _SECONDS_PER_CHARACTER
            )
        return length

    def _tone_clip(self, sound: tuple[tones.Tone, ...]) -> clips.Clip:
        clip = self._tone_clips.get(sound)
        if clip is None:
            clip = self._tone_clips[sound] = tones.clip(sound, volume=self.settings.volume)
        return clip

    def _tones_for(self, cue: Cue) -> tuple[tones.Tone, ...]:
        if cue.kind is CueKind.TURN_NOW:
            return tones.TURN_NOW
        if cue.kind is CueKind.ALARM:
            return tones.ALARM
        if cue.beeps:
            return tones.COUNTDOWN * cue.beeps
        if not self._speaks:
            # Without a voice every cue needs a sound of its own.
            return tones.COUNTDOWN
        return ()


def texts_to_prepare(plan: Plan | None, units: Units = "metric") -> Iterator[str]:
    """What a session of `plan` will say (in `units`) that can be known before it starts,
    the most time-critical first: countdown digits, then the turns, then the plan's own
    cues."""
    yield from ("3", "2", "1")
    if plan is None:
        return
    turns = [
        (seg, slows(plan.segments[seg.index - 1].speed_kmh if seg.index else 0.0, seg.speed_kmh))
        for seg in plan.segments
        if seg.kind == "turn"
    ]
    for seg, _ in turns:
        yield turn_now_text(seg)
        yield settle_text(seg)
    for seconds in _TURN_WARNING_SECONDS:
        for seg, slowing in turns:
            yield turn_warning_text(seg, seconds, slowing=slowing)
    spoken_by_the_session = {CueKind.TURN_WARNING, CueKind.FINISH}
    for seg in plan.segments:
        if seg.kind != "turn":
            yield from (
                in_units(cue.text, units)
                for cue in seg.cues
                if cue.kind not in spoken_by_the_session
            )
