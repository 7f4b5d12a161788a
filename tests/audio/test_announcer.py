"""Cues on time: what plays when, on a `ManualClock`, through a recording stand-in for the
running player; and the real programs (espeak-ng, aplay) where the machine has them."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import stat
from typing import TYPE_CHECKING

import pytest

from retrorun.audio import Announcer, AudioSettings, Speaker, TonePlayer, clips, priorities
from retrorun.audio.outputs import CHUNK_S, StreamOutput
from retrorun.audio.soundpath import SoundPath
from retrorun.clock import ManualClock
from retrorun.profiles.loader import parse_profile
from retrorun.profiles.plan import compile_plan
from retrorun.session.api import Cue, CueKind

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

LONG = "Speed limited to 3.2 km/h: treadmill minimum is 3.2 km/h."
_SOUND = SoundPath(speech=None, player="/usr/bin/aplay", device="card 0", streaming=True)


class RecordingSink:
    """Stands in for the running player: keeps every write with its time."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.writes: list[tuple[float, int]] = []
        self.alive = True
        self.closed = False

    async def write(self, pcm: bytes) -> bool:
        if self.alive:
            self.writes.append((self.clock.now(), len(pcm)))
        return self.alive

    async def close(self) -> None:
        self.closed = True


class FixedSpeech:
    """Speech whose clips are known: each text lasts what the table says (silence)."""

    def __init__(
        self, lengths: dict[str, float], clock: ManualClock | None = None, render_s: float = 0.0
    ) -> None:
        self.lengths = lengths
        self.speaker = Speaker(AudioSettings(), program="espeak-ng")
        self.prepared_texts: list[str] = []
        self.clock, self.render_s = clock, render_s
        self.ready: set[str] = set()
        self.renders: dict[str, asyncio.Task[None]] = {}

    def cached(self, text: str) -> clips.Clip | None:
        if self.clock is not None and text not in self.ready:
            return None
        return clips.silence(self.lengths.get(text, 0.4))

    async def clip(self, text: str) -> clips.Clip | None:
        """Texts not `ready` take `render_s` of the clock to render (a speech process)."""
        if self.clock is not None and text not in self.ready:
            # Like `SpeechClips`: a render goes on when the one waiting for it gives up.
            render = self.renders.get(text)
            if render is None:
                render = self.renders[text] = asyncio.ensure_future(self._render(text))
            await asyncio.shield(render)
        return clips.silence(self.lengths.get(text, 0.4))

    async def _render(self, text: str) -> None:
        assert self.clock is not None
        await self.clock.sleep(self.render_s)
        self.ready.add(text)

    def prepare(self, texts: Iterable[str]) -> None:
        self.prepared_texts = list(texts)

    async def close(self) -> None:
        pass


def _announcer(
    clock: ManualClock, lengths: dict[str, float] | None = None, speech: FixedSpeech | None = None
) -> Announcer:
    speech = speech or FixedSpeech(lengths or {})
    return Announcer(
        AudioSettings(),
        clock=clock,
        output=StreamOutput(RecordingSink(clock), clock=clock, description="stand-in"),
        speech=speech,  # type: ignore[arg-type]
        sound_path=_SOUND,
    )


async def _replay(
    clock: ManualClock, announcer: Announcer, cues: list[Cue], *, processes: bool = False
) -> None:
    """Offer each cue at its time ``t`` on the clock, then let everything play out
    (waiting for real `processes` too)."""
    task = asyncio.ensure_future(announcer.run())
    try:
        for cue in cues:
            await clock.advance_to(cue.t)
            announcer.offer(cue)
        drained = asyncio.ensure_future(announcer.drained())
        if processes:
            await asyncio.wait_for(drained, timeout=10)
        else:
            await clock.run_until(drained, limit=60)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def _countdown(start: float) -> list[Cue]:
    return [Cue(start + n, CueKind.COUNTDOWN, str(3 - n), beeps=1) for n in range(3)]


async def test_a_countdown_starts_on_each_second() -> None:
    clock = ManualClock()
    announcer = _announcer(clock, {"3": 0.3, "2": 0.3, "1": 0.3})
    await _replay(clock, announcer, [*_countdown(10.0), Cue(13.0, CueKind.TURN_NOW, "Turn.")])
    assert [h.late_s for h in announcer.heard] == [0.0, 0.0, 0.0, 0.0]
    assert [h.started_at for h in announcer.heard] == [10.0, 11.0, 12.0, 13.0]


async def test_a_long_cue_is_cut_short_by_a_countdown_digit() -> None:
    clock = ManualClock()
    announcer = _announcer(clock, {LONG: 5.9})
    cues = [Cue(440.81, CueKind.OVERRIDE, LONG), *_countdown(442.0)]
    await _replay(clock, announcer, cues)
    digits = [h for h in announcer.heard if h.cue.beeps]
    assert len(digits) == 3
    # The override's pieces already with the player finish first: at most two.
    assert max(h.late_s for h in digits) <= 2 * CHUNK_S + 1e-9
    assert [c.text for c in announcer.shortened] == [LONG]
    assert announcer.dropped == []


async def test_between_digits_a_short_cue_fits_and_a_long_one_waits() -> None:
    clock = ManualClock()
    announcer = _announcer(clock, {"3": 0.3, "Halfway": 0.3, LONG: 5.9})
    cues = [
        _countdown(20.0)[0],
        Cue(20.35, CueKind.HALFWAY, "Halfway"),
        Cue(20.36, CueKind.OVERRIDE, LONG),
        *_countdown(20.0)[1:],
    ]
    await _replay(clock, announcer, cues)
    started = {h.cue.text: h.started_at for h in announcer.heard}
    # After "3" (pip, gap, word: 0.48 s), and it ends before "2" at 21.
    assert started["Halfway"] == pytest.approx(20.48, abs=1e-3)
    assert started[LONG] >= 22.0  # after the last digit, not across one
    assert announcer.shortened == []
    assert [h.late_s for h in announcer.heard if h.cue.beeps] == [0.0, 0.0, 0.0]


async def test_a_countdown_digit_does_not_wait_for_a_render_under_way() -> None:
    clock = ManualClock()
    speech = FixedSpeech({LONG: 5.9, "3": 0.3, "2": 0.3, "1": 0.3}, clock, render_s=0.25)
    speech.ready |= {"3", "2", "1"}
    announcer = _announcer(clock, speech=speech)
    await _replay(clock, announcer, [Cue(9.9, CueKind.OVERRIDE, LONG), *_countdown(10.0)])
    started = {h.cue.text: h.started_at for h in announcer.heard}
    assert [started[digit] for digit in "321"] == [10.0, 11.0, 12.0]
    # Rendered meanwhile, said after "1" (pip, gap, word: 0.48 s).
    assert started[LONG] == pytest.approx(12.48, abs=1e-3)
    assert speech.ready == {"3", "2", "1", LONG}


async def test_a_stale_cue_is_dropped_but_a_turn_cue_never_is() -> None:
    clock = ManualClock()
    announcer = _announcer(clock, {"Turn around now.": 1.0, "Halfway": 0.5, LONG: 5.9})
    cues = [
        Cue(0.0, CueKind.ALARM, LONG),
        Cue(0.1, CueKind.HALFWAY, "Halfway"),
        Cue(0.2, CueKind.TURN_NOW, "Turn around now."),
    ]
    await _replay(clock, announcer, cues)
    assert [c.kind for c in announcer.played] == [CueKind.ALARM, CueKind.TURN_NOW]
    assert [c.kind for c in announcer.dropped] == [CueKind.HALFWAY]


async def test_the_player_gets_samples_one_piece_ahead_of_the_sound() -> None:
    clock = ManualClock()
    sink = RecordingSink(clock)
    output = StreamOutput(sink, clock=clock, description="stand-in")
    task = asyncio.ensure_future(output.play(clips.silence(0.5), asyncio.Event()))
    await clock.run_until(task, limit=10)
    assert task.result() is True
    times = [t for t, _ in sink.writes]
    assert times[:3] == pytest.approx([0.0, 0.0, CHUNK_S])
    assert all(later - earlier <= CHUNK_S + 1e-9 for earlier, later in itertools.pairwise(times))
    assert sum(n for _, n in sink.writes) >= 2 * round(0.5 * clips.SAMPLE_RATE_HZ)


async def test_when_the_running_player_stops_cues_go_through_a_process_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "calls.log"
    _stand_in(tmp_path, "aplay", log)
    monkeypatch.setenv("PATH", str(tmp_path))
    clock = ManualClock()
    sink = RecordingSink(clock)
    sink.alive = False
    announcer = _announcer(clock)
    announcer._output = StreamOutput(sink, clock=clock, description="aplay (running)")
    announcer.player = TonePlayer()
    cues = [Cue(0.0, CueKind.TURN_NOW, "Turn around now.")]
    await _replay(clock, announcer, cues, processes=True)
    assert announcer.fallback == "aplay (running) stopped"
    assert [c.kind for c in announcer.played] == [CueKind.TURN_NOW]
    assert log.read_text().startswith("aplay -q ")


async def test_without_any_player_the_terminal_bell_rings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    rings: list[str] = []
    player = TonePlayer(bell=lambda: rings.append("ring"))
    clock = ManualClock()
    announcer = Announcer(AudioSettings(), clock=clock, player=player)
    await _replay(clock, announcer, [Cue(0.0, CueKind.COUNTDOWN, "3", beeps=1)], processes=True)
    assert rings == ["ring"]
    assert announcer.notice is not None
    assert "espeak-ng not found" in announcer.notice
    assert "no sound player found" in announcer.notice


async def test_a_full_backlog_drops_the_oldest() -> None:
    clock = ManualClock()
    announcer = _announcer(clock)
    announcer._backlog = 2
    for n in range(5):
        announcer.offer(Cue(0.0, CueKind.TEXT, f"cue {n}"))
    assert [c.text for c in announcer.dropped] == ["cue 0", "cue 1", "cue 2"]
    await _replay(clock, announcer, [])
    assert [c.text for c in announcer.played] == ["cue 3", "cue 4"]


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


def test_every_kind_of_cue_has_a_policy() -> None:
    for kind in CueKind:
        assert priorities.policy(Cue(0.0, kind, "x")) in priorities.POLICIES.values()
    digit = priorities.policy(Cue(0.0, CueKind.COUNTDOWN, "3", beeps=1))
    assert digit.urgent
    assert not priorities.policy(Cue(0.0, CueKind.COUNTDOWN, "Change in 10 seconds")).urgent


async def test_the_same_clamp_is_said_once_in_ten_minutes() -> None:
    clock = ManualClock()
    announcer = _announcer(clock, {LONG: 5.9})
    cues = [Cue(t, CueKind.OVERRIDE, LONG) for t in (100.0, 250.0, 400.0, 750.0)]
    await _replay(clock, announcer, [*cues, Cue(760.0, CueKind.HALFWAY, "Halfway")])
    assert [h.cue.t for h in announcer.heard] == [100.0, 750.0, 760.0]
    assert [c.t for c in announcer.repeats] == [250.0, 400.0]


async def test_start_prepares_the_digits_then_the_plans_turns_and_cues() -> None:
    plan = compile_plan(parse_profile(ALTERNATION).profile)
    clock = ManualClock()
    announcer = _announcer(clock)
    await announcer.start(plan)
    assert isinstance(announcer.speech, FixedSpeech)
    texts = announcer.speech.prepared_texts
    assert texts[:3] == ["3", "2", "1"]
    assert texts[3:7] == [
        "Turn around now.",
        "Settle in, facing backward.",
        "Turn around now.",
        "Settle in, facing forward.",
    ]
    assert "Backward in 10 seconds. The belt is slowing — hold the rails." in texts
    assert {"run", "walk", "Halfway"} <= set(texts)


async def test_an_imperial_runner_gets_the_plan_prepared_in_mph() -> None:
    plan = compile_plan(parse_profile("name: p\nsteps:\n  - {duration: 2m, speed: 9}\n").profile)
    announcer = _announcer(ManualClock())
    await announcer.start(plan, "imperial")
    assert isinstance(announcer.speech, FixedSpeech)
    assert "forward 5.6 mph" in announcer.speech.prepared_texts
    assert not [t for t in announcer.speech.prepared_texts if "km" in t]


ALTERNATION = """
name: alternation
steps:
  - {duration: 2m, speed: 9, label: run}
  - {direction: backward, duration: 2m, speed: 4, label: walk}
  - {duration: 2m, speed: 9, label: run}
"""


async def test_an_announcer_stopped_while_words_render_leaves_no_task_behind() -> None:
    # The safety-key prompt stops its announcer as soon as the runner answers, often while
    # the prompt's words are still being rendered: nothing may be left waiting, or it is
    # destroyed pending when the announcer is dropped ("Task was destroyed but it is
    # pending!").
    clock = ManualClock()
    speech = FixedSpeech({"Clip the key.": 1.0}, clock, render_s=5.0)
    announcer = _announcer(clock, speech=speech)
    before = asyncio.all_tasks()
    playing = asyncio.ensure_future(announcer.run())
    announcer.offer(Cue(0.0, CueKind.TEXT, "Clip the key."))
    await clock.advance(1.0)  # rendering, 4 s to go
    playing.cancel()
    await asyncio.gather(playing, return_exceptions=True)
    await asyncio.sleep(0)  # let cancelled tasks finish
    left = [t for t in asyncio.all_tasks() - before if not t.done()]
    assert [t for t in left if t not in speech.renders.values()] == []  # renders go on
