"""The beeps are real WAV audio at the pitches and lengths they promise."""

from __future__ import annotations

import io
import itertools
import struct
import wave

import pytest

from retrorun.audio import tones


def _read(wav: bytes) -> tuple[int, list[int]]:
    with wave.open(io.BytesIO(wav)) as clip:
        assert clip.getnchannels() == 1
        assert clip.getsampwidth() == 2
        frames = clip.readframes(clip.getnframes())
        return clip.getframerate(), list(struct.unpack(f"<{len(frames) // 2}h", frames))


def _pitch_hz(samples: list[int], rate: int) -> float:
    crossings = sum(1 for a, b in itertools.pairwise(samples) if a < 0 <= b)
    return crossings * rate / len(samples)


@pytest.mark.parametrize("frequency", [440.0, 880.0, 990.0])
def test_a_tone_has_its_pitch_and_length(frequency: float) -> None:
    rate, samples = _read(tones.render((tones.Tone(frequency, 0.5),)))
    assert len(samples) == rate // 2
    assert _pitch_hz(samples, rate) == pytest.approx(frequency, rel=0.02)


def test_tones_fade_in_and_out_so_speakers_do_not_click() -> None:
    _, samples = _read(tones.render((tones.Tone(880.0, 0.2),)))
    peak = max(abs(s) for s in samples)
    assert abs(samples[0]) < peak * 0.05
    assert abs(samples[-1]) < peak * 0.05


def test_volume_scales_the_amplitude_and_silence_is_silent() -> None:
    _, loud = _read(tones.render(tones.COUNTDOWN, volume=1.0))
    _, quiet = _read(tones.render(tones.COUNTDOWN, volume=0.25))
    assert max(quiet) == pytest.approx(max(loud) * 0.25, rel=0.01)
    _, silence = _read(tones.render((tones.Tone(0.0, 0.1),)))
    assert set(silence) == {0}


def test_the_turn_tone_rises_and_differs_from_the_countdown() -> None:
    rate, samples = _read(tones.render(tones.TURN_NOW))
    first = samples[: int(0.15 * rate)]
    last = samples[-int(0.25 * rate) :]
    assert _pitch_hz(last, rate) > _pitch_hz(first, rate) * 1.3


def test_volume_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="volume"):
        tones.render(tones.COUNTDOWN, volume=1.5)
