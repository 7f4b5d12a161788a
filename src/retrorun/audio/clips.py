"""Sound as data: a `Clip` is mono 16-bit PCM at one fixed rate, ready to write to a player.

Pure code, standard library only. Every sound a cue makes (tones and speech) is turned into
a `Clip` once, so its length is known before it plays and a long-lived player can take it
as raw samples. Speech from espeak-ng starts and ends with silence (about 0.4 s around a
"3"); `trim_silence` cuts it off so a countdown digit sounds when it is due.
"""

from __future__ import annotations

import array
import io
import struct
import sys
import wave
from dataclasses import dataclass

SAMPLE_RATE_HZ = 22_050
"""The one rate every clip uses (espeak-ng's own rate, and the tones')."""
_BYTES_PER_SAMPLE = 2
# Below this amplitude (of 32767) a sample counts as silence: about -50 dBFS, well under
# speech and well above espeak-ng's dithering noise.
SILENCE_THRESHOLD = 100
# Kept around the sound when trimming, so consonants that fade in and out are not clipped.
_TRIM_MARGIN_S = 0.01
_FADE_S = 0.008


@dataclass(frozen=True)
class Clip:
    """Mono signed 16-bit little-endian samples at `SAMPLE_RATE_HZ`."""

    pcm: bytes

    @property
    def samples(self) -> int:
        return len(self.pcm) // _BYTES_PER_SAMPLE

    @property
    def duration_s(self) -> float:
        return self.samples / SAMPLE_RATE_HZ

    def __add__(self, other: Clip) -> Clip:
        return Clip(self.pcm + other.pcm)

    def slice(self, start_s: float, end_s: float | None = None) -> Clip:
        """The part from `start_s` to `end_s` (to the end when None)."""
        first = _offset(start_s)
        last = len(self.pcm) if end_s is None else _offset(end_s)
        return Clip(self.pcm[first:last])

    def to_wav(self) -> bytes:
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(_BYTES_PER_SAMPLE)
            out.setframerate(SAMPLE_RATE_HZ)
            out.writeframes(self.pcm)
        return buffer.getvalue()


EMPTY = Clip(b"")


def silence(seconds: float) -> Clip:
    return Clip(bytes(_offset(seconds)))


def from_samples(values: array.array[int]) -> Clip:
    """A clip from signed 16-bit values at `SAMPLE_RATE_HZ` (an ``array('h')``)."""
    if sys.byteorder != "little":
        values = array.array("h", values)
        values.byteswap()
    return Clip(values.tobytes())


def from_wav(data: bytes) -> Clip:
    """A clip from a 16-bit PCM WAV file, mixed to mono and converted to `SAMPLE_RATE_HZ`.

    espeak-ng's ``--stdout`` writes its WAV header before it knows the length (the sizes
    say 2 GB); whatever samples follow the header are taken. Raises `ValueError` for
    anything but 16-bit PCM.
    """
    try:
        with wave.open(io.BytesIO(data)) as clip:
            channels, width, rate = clip.getnchannels(), clip.getsampwidth(), clip.getframerate()
            frames = clip.readframes(clip.getnframes())
    except (wave.Error, EOFError, struct.error) as exc:
        raise ValueError(f"not a WAV file: {exc}") from exc
    if width != _BYTES_PER_SAMPLE:
        raise ValueError(f"expected 16-bit samples, got {8 * width}-bit")
    values = _values(frames[: len(frames) - len(frames) % (width * channels)])
    if channels > 1:
        values = array.array(
            "h",
            (sum(values[i : i + channels]) // channels for i in range(0, len(values), channels)),
        )
    if rate != SAMPLE_RATE_HZ:
        values = _resample(values, rate)
    return from_samples(values)


def trim_silence(clip: Clip, threshold: int = SILENCE_THRESHOLD) -> Clip:
    """`clip` without its leading and trailing silence (all of it when it is all silence),
    keeping a few milliseconds around the sound."""
    values = _values(clip.pcm)
    first = next((i for i, v in enumerate(values) if abs(v) >= threshold), None)
    if first is None:
        return EMPTY
    last = next(i for i in range(len(values) - 1, -1, -1) if abs(values[i]) >= threshold)
    margin = round(_TRIM_MARGIN_S * SAMPLE_RATE_HZ)
    start, end = max(0, first - margin), min(len(values), last + 1 + margin)
    return Clip(clip.pcm[start * _BYTES_PER_SAMPLE : end * _BYTES_PER_SAMPLE])


def fade_out(clip: Clip, seconds: float = _FADE_S) -> Clip:
    """`clip` with its last `seconds` faded to silence (a clip cut short must not click)."""
    values = _values(clip.pcm)
    count = min(len(values), max(1, round(seconds * SAMPLE_RATE_HZ)))
    tail = len(values) - count
    for n in range(count):
        values[tail + n] = values[tail + n] * (count - 1 - n) // count
    return from_samples(values)


def _offset(seconds: float) -> int:
    return max(0, round(seconds * SAMPLE_RATE_HZ)) * _BYTES_PER_SAMPLE


def _values(pcm: bytes) -> array.array[int]:
    values = array.array("h")
    values.frombytes(pcm[: len(pcm) - len(pcm) % _BYTES_PER_SAMPLE])
    if sys.byteorder != "little":
        values.byteswap()
    return values


def _resample(values: array.array[int], rate: int) -> array.array[int]:
    """Linear interpolation to `SAMPLE_RATE_HZ` (speech only: no filter needed)."""
    if not values:
        return values
    count = round(len(values) * SAMPLE_RATE_HZ / rate)
    step = rate / SAMPLE_RATE_HZ
    out = array.array("h", bytes(2 * count))
    last = len(values) - 1
    for n in range(count):
        position = n * step
        i = min(int(position), last)
        frac = position - i
        following = values[min(i + 1, last)]
        out[n] = round(values[i] + (following - values[i]) * frac)
    return out
