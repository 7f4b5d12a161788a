"""Cue lateness over a whole bundled session: the player's start cost modelled at 50 and
250 ms, the old path (a process per tone and per text) against the new (clips rendered
ahead and trimmed, one running player).

Run: ``python -m benchmarks.cues`` (also part of ``make bench``).

1. The cue stream is the session's own: ``one-minute-alternation`` runs on the simulator in
   virtual time (as ``retrorun run --fast`` does), with the ``strict`` preset and with
   ``floor-2mph``, whose 3.2 km/h minimum makes the session say "Speed limited to 3.2 km/h:
   treadmill minimum is 3.2 km/h." (5.9 s) just before turn countdowns. Cues are read back
   from the session log, each with the time it was offered.
2. How long each text sounds is measured with the real espeak-ng when it is installed
   (rendered untrimmed for the old path, trimmed for the new); otherwise estimated from
   its length, and the output says so.
3. Each stream is replayed on a `ManualClock` (no real sleeping): the new path through the
   real `Announcer` and `StreamOutput`, fed to a modelled running player whose sound starts
   `STREAM_LATENCY_S` after a write; speech not rendered ahead costs a speech process
   (start cost plus synthesis) on the clock. The old path, which the `Announcer` replaced,
   is modelled here as it was: one cue at a time, a player process for the tones, then an
   espeak-ng process that speaks the padded text, each paying the start cost; a cue that
   waited over 4 s was dropped unless it was a turn, alarm or finish cue.

Lateness is the time from a cue being offered to its first sound. Targets: p95 under
150 ms, no countdown digit later than 200 ms.
"""

from __future__ import annotations

import asyncio
import json
import math
import tempfile
from dataclasses import KW_ONLY, dataclass, replace
from pathlib import Path
from unittest.mock import patch

from benchmarks.session_fast import session
from retrorun.audio import Announcer, AudioSettings, Speaker, clips, priorities, tones
from retrorun.audio.announcer import texts_to_prepare
from retrorun.audio.outputs import StreamOutput
from retrorun.audio.soundpath import SoundPath
from retrorun.audio.speech import SpeechClips
from retrorun.clock import ManualClock, run_virtual
from retrorun.profiles.library import resolve
from retrorun.profiles.loader import load_profile
from retrorun.profiles.plan import Plan, compile_plan
from retrorun.session.api import Cue, CueKind

PROFILE = "one-minute-alternation"
PRESETS = ("strict", "floor-2mph")
START_COSTS_S = (0.05, 0.25)
STREAM_LATENCY_S = 0.04
"""From a write to the running player to its sound (paplay is asked for 40 ms)."""
SYNTHESIS_SHARE = 0.02
"""espeak-ng's synthesis time as a share of the speech it renders (a Raspberry Pi)."""
OLD_MAX_DELAY_S = 4.0
_OLD_ALWAYS = frozenset({CueKind.TURN_NOW, CueKind.ALARM, CueKind.FINISH})
_SOUND = SoundPath(speech="espeak-ng", player="paplay", device="model", streaming=True)
# Without espeak-ng: speech about 60 ms a character, padded with 0.4 s of silence.
_ESTIMATE_S_PER_CHAR = 0.06
_ESTIMATE_PADDING_S = 0.4


@dataclass(frozen=True)
class Lengths:
    """How long each text sounds: as espeak-ng renders it, and trimmed."""

    padded: dict[str, float]
    trimmed: dict[str, float]
    _: KW_ONLY
    measured: bool


@dataclass(frozen=True)
class Result:
    offered: int
    played: int
    dropped: int
    repeats: int
    shortened: int
    late: list[float]
    digits_late: list[float]

    @property
    def p95(self) -> float:
        ordered = sorted(self.late)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def bundled_plan() -> Plan:
    document = load_profile(resolve(PROFILE))
    return compile_plan(document.profile, where=document)


def cue_stream(plan: Plan, preset: str) -> list[Cue]:
    """The cues a whole session says, each with the session time it was offered."""
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "session.jsonl"
        run_virtual(session(plan, preset, log))
        lines = [json.loads(text) for text in log.read_text().splitlines()]
    return [
        Cue(line["t"], CueKind(line["kind"]), line["text"], line.get("beeps", 0))
        for line in lines
        if line.get("type") == "cue"
    ]


def lengths(texts: set[str]) -> Lengths:
    speaker = Speaker(AudioSettings())
    if not speaker.available:
        trimmed = {t: len(t) * _ESTIMATE_S_PER_CHAR for t in texts}
        return Lengths(
            {t: s + _ESTIMATE_PADDING_S for t, s in trimmed.items()}, trimmed, measured=False
        )

    async def measure() -> Lengths:
        padded, trimmed = {}, {}
        for text in texts:
            wav = await speaker.render(text)
            raw = clips.from_wav(wav or b"")
            padded[text] = raw.duration_s
            trimmed[text] = clips.trim_silence(raw).duration_s
        return Lengths(padded, trimmed, measured=True)

    return asyncio.run(measure())


class ModelledSink:
    """A running player: takes every write at once (its sound follows after a latency)."""

    async def write(self, pcm: bytes) -> bool:  # noqa: ARG002
        return True

    async def close(self) -> None:
        return None


class ModelledSpeech(SpeechClips):
    """Speech whose clips last what espeak-ng measured; each render costs a process start
    plus synthesis on the clock."""

    def __init__(self, trimmed: dict[str, float], clock: ManualClock, start_cost_s: float) -> None:
        super().__init__(Speaker(AudioSettings(), program="espeak-ng"))
        self._trimmed = trimmed
        self._clock = clock
        self._start_cost_s = start_cost_s

    async def _render(self, text: str) -> clips.Clip | None:
        length = self._trimmed.get(text, len(text) * _ESTIMATE_S_PER_CHAR)
        await self._clock.sleep(self._start_cost_s + SYNTHESIS_SHARE * length)
        clip = clips.silence(length)
        self._clips[text] = clip
        self.rendered += 1
        return clip


def new_path(
    plan: Plan, cues: list[Cue], trimmed: dict[str, float], cost: float, *, every_clamp: bool
) -> Result:
    """The replay through the `Announcer`; `every_clamp` says each clamp again (no
    repeat rule), so long cues meet countdowns and must be cut short."""
    override = priorities.POLICIES[CueKind.OVERRIDE]
    policy = replace(override, say_again_after_s=None) if every_clamp else override

    async def replay() -> Result:
        clock = ManualClock()
        speech = ModelledSpeech(trimmed, clock, cost)
        output = StreamOutput(ModelledSink(), clock=clock, description="model")
        announcer = Announcer(
            AudioSettings(), clock=clock, output=output, speech=speech, sound_path=_SOUND
        )
        await announcer.start(plan)
        task = asyncio.ensure_future(announcer.run())
        for cue in cues:
            await clock.advance_to(cue.t)
            announcer.offer(cue)
        drained = asyncio.ensure_future(announcer.drained())
        await clock.run_until(drained, limit=60)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        late = [h.late_s + STREAM_LATENCY_S for h in announcer.heard]
        digits = [h.late_s + STREAM_LATENCY_S for h in announcer.heard if h.cue.beeps]
        return Result(
            len(cues),
            len(announcer.played),
            len(announcer.dropped),
            len(announcer.repeats),
            len(announcer.shortened),
            late,
            digits,
        )

    with patch.dict(priorities.POLICIES, {CueKind.OVERRIDE: policy}):
        return asyncio.run(replay())


def old_path(cues: list[Cue], padded: dict[str, float], cost: float) -> Result:
    """One cue at a time: a tone process, then an espeak-ng process, each paying `cost`."""
    busy_until = 0.0
    late: list[float] = []
    digits: list[float] = []
    dropped = 0
    for cue in cues:
        start = max(cue.t, busy_until)
        if start - cue.t > OLD_MAX_DELAY_S and cue.kind not in _OLD_ALWAYS:
            dropped += 1
            continue
        sound = _old_tones(cue)
        length = (cost + tones.clip(sound).duration_s) if sound else 0.0
        length += cost + padded[cue.text]
        busy_until = start + length
        late.append(start + cost - cue.t)
        if cue.beeps:
            digits.append(late[-1])
    return Result(len(cues), len(late), dropped, 0, 0, late, digits)


def _old_tones(cue: Cue) -> tuple[tones.Tone, ...]:
    if cue.kind is CueKind.TURN_NOW:
        return tones.TURN_NOW
    if cue.kind is CueKind.ALARM:
        return tones.ALARM
    return tones.COUNTDOWN * cue.beeps


def _line(name: str, result: Result) -> str:
    worst_digit = max(result.digits_late, default=0.0)
    return (
        f"  {name:<22} p95 {1000 * result.p95:6.0f} ms  max {1000 * max(result.late):6.0f} ms  "
        f"worst digit {1000 * worst_digit:6.0f} ms  played {result.played}/{result.offered}  "
        f"dropped {result.dropped}  not repeated {result.repeats}  cut short {result.shortened}"
    )


def main() -> None:
    plan = bundled_plan()
    streams = {preset: cue_stream(plan, preset) for preset in PRESETS}
    texts = {cue.text for cues in streams.values() for cue in cues}
    texts |= set(texts_to_prepare(plan))
    measured = lengths(texts)
    source = "espeak-ng" if measured.measured else "estimated (no espeak-ng)"
    print(f"cue lateness, {PROFILE}, speech lengths {source}")
    for preset, cues in streams.items():
        print(f"{preset} preset: {len(cues)} cues, {cues[-1].t / 60:.1f} minutes")
        for cost in START_COSTS_S:
            label = f"{1000 * cost:.0f} ms start"
            print(_line(f"old, {label}", old_path(cues, measured.padded, cost)))
            new = new_path(plan, cues, measured.trimmed, cost, every_clamp=False)
            print(_line(f"new, {label}", new))
            if any(cue.kind is CueKind.OVERRIDE for cue in cues):
                every = new_path(plan, cues, measured.trimmed, cost, every_clamp=True)
                print(_line("new, every clamp said", every))


if __name__ == "__main__":
    main()
