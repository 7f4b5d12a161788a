"""The beeps: short sine tones rendered to WAV bytes (pure, standard library only).

Three sounds, told apart by pitch and shape rather than loudness so they work at any volume:
a short high countdown pip (3-2-1), a rising two-note "turn now", and a low triple alarm.
Each tone fades in and out over a few milliseconds so speakers do not click.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

from retrorun.audio.clips import SAMPLE_RATE_HZ, Clip

_FADE_S = 0.008
_MAX_AMPLITUDE = 32_767


@dataclass(frozen=True)
class Tone:
    """A sine tone (frequency 0 is silence)."""

    frequency_hz: float
    duration_s: float


COUNTDOWN = (Tone(880.0, 0.15),)
TURN_NOW = (Tone(660.0, 0.18), Tone(0.0, 0.04), Tone(990.0, 0.32))
ALARM = (Tone(440.0, 0.2), Tone(0.0, 0.1)) * 2 + (Tone(440.0, 0.2),)


def render(tones: tuple[Tone, ...], *, volume: float = 1.0) -> bytes:
    """The tones one after another as a mono 16-bit PCM WAV file.

    ``volume`` is 0 to 1 (a linear factor on the amplitude).
    """
    return clip(tones, volume=volume).to_wav()


def clip(tones: tuple[Tone, ...], *, volume: float = 1.0) -> Clip:
    """The tones one after another as a `Clip` (``volume`` as for `render`)."""
    if not 0.0 <= volume <= 1.0:
        raise ValueError(f"volume must be between 0 and 1, not {volume}")
    return Clip(b"".join(_samples(tone, volume) for tone in tones))


def _samples(tone: Tone, volume: float) -> bytes:
    count = round(tone.duration_s * SAMPLE_RATE_HZ)
    fade = max(1, round(_FADE_S * SAMPLE_RATE_HZ))
    peak = _MAX_AMPLITUDE * volume * 0.8
    values = []
    for n in range(count):
        envelope = min(1.0, n / fade, (count - 1 - n) / fade)
        phase = 2 * math.pi * tone.frequency_hz * n / SAMPLE_RATE_HZ
        values.append(round(peak * envelope * math.sin(phase)) if tone.frequency_hz else 0)
    return struct.pack(f"<{count}h", *values)
