"""Speech rendered by the real espeak-ng, trimmed of its padding, and cached; clips as data."""

from __future__ import annotations

import array
import struct
from typing import TYPE_CHECKING

import pytest

from retrorun.audio import AudioSettings, Speaker, clips, tones
from retrorun.audio.speech import SpeechClips
from retrorun.profiles.words import in_units, spoken

if TYPE_CHECKING:
    from pathlib import Path

RATE = clips.SAMPLE_RATE_HZ


def _speaker(**settings: object) -> Speaker:
    speaker = Speaker(AudioSettings(**settings))  # type: ignore[arg-type]
    assert speaker.available, "espeak-ng is needed (scripts/ensure-system-deps installs it)"
    return speaker


async def test_espeak_pads_a_digit_with_silence_and_trimming_removes_it() -> None:
    wav = await _speaker().render("3")
    assert wav is not None
    raw = clips.from_wav(wav)
    trimmed = clips.trim_silence(raw)
    # Measured with espeak-ng 1.51: "3" is 0.6-0.7 s of which about 0.3 s is speech.
    assert raw.duration_s > 0.5
    assert 0.15 < trimmed.duration_s < raw.duration_s - 0.2
    first = array.array("h", trimmed.pcm[: 2 * round(0.02 * RATE)])
    assert max(abs(v) for v in first) >= clips.SILENCE_THRESHOLD


async def test_a_rendered_text_is_cached_on_disk_for_the_next_session(tmp_path: Path) -> None:
    first = SpeechClips(_speaker(), cache_dir=tmp_path)
    clip = await first.clip("Turn around now.")
    assert clip is not None
    assert first.rendered == 1
    again = SpeechClips(_speaker(), cache_dir=tmp_path)
    assert again.cached("Turn around now.") == clip
    assert await again.clip("Turn around now.") == clip
    assert again.rendered == 0
    # Another speed is another sound: rendered anew.
    faster = SpeechClips(_speaker(words_per_minute=250), cache_dir=tmp_path)
    assert faster.cached("Turn around now.") is None
    quick = await faster.clip("Turn around now.")
    assert quick is not None
    assert quick.duration_s < clip.duration_s


async def test_prepare_renders_in_the_background_once_per_text(tmp_path: Path) -> None:
    speech = SpeechClips(_speaker(), cache_dir=tmp_path)
    speech.prepare(["3", "2", "1", "3"])
    assert await speech.clip("2") is not None  # waits for the render under way, if any
    await speech.prepared()
    assert speech.rendered == 3
    assert all(speech.cached(text) for text in ("3", "2", "1"))
    await speech.close()


async def test_without_espeak_there_is_no_clip(tmp_path: Path) -> None:
    speech = SpeechClips(Speaker(AudioSettings(), program=str(tmp_path / "missing")))
    assert await speech.clip("Halfway") is None


def test_trimming_keeps_a_margin_and_silence_trims_to_nothing() -> None:
    sound = tones.clip((tones.Tone(880.0, 0.1),))
    padded = clips.silence(0.4) + sound + clips.silence(0.3)
    trimmed = clips.trim_silence(padded)
    assert trimmed.duration_s == pytest.approx(0.1 + 2 * 0.01, abs=0.005)
    assert clips.trim_silence(clips.silence(0.5)) == clips.EMPTY


def _wav_header(rate: int, channels: int, sizes: int) -> bytes:
    """A WAV header as espeak-ng's --stdout writes it: sizes it cannot know yet."""
    return (
        b"RIFF"
        + struct.pack("<I", sizes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * 2 * channels, 2 * channels, 16)
        + b"data"
        + struct.pack("<I", sizes)
    )


def test_a_streamed_wav_with_unknown_length_is_read_to_its_end() -> None:
    samples = array.array("h", range(-500, 500))
    clip = clips.from_wav(_wav_header(RATE, 1, 0x7FFFF000) + samples.tobytes())
    assert clip.samples == len(samples)


def test_stereo_and_other_rates_become_mono_at_the_clip_rate() -> None:
    stereo = array.array("h", [1000, 3000] * 16_000)  # 1 s at 16 kHz, two channels
    clip = clips.from_wav(_wav_header(16_000, 2, 8 + 16 + 64000) + stereo.tobytes())
    assert clip.duration_s == pytest.approx(1.0, abs=0.001)
    assert set(array.array("h", clip.pcm)) == {2000}


def test_not_a_wav_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not a WAV"):
        clips.from_wav(b"ID3 an mp3")


def test_a_clip_cut_short_fades_out() -> None:
    loud = clips.Clip(array.array("h", [10_000] * 1000).tobytes())
    faded = array.array("h", clips.fade_out(loud, 0.005).pcm)
    assert faded[0] == 10_000
    assert faded[-1] == 0
    assert list(faded[-110:]) == sorted(faded[-110:], reverse=True)


@pytest.mark.parametrize(
    ("shown", "said"),
    [
        (
            "Speed limited to 3.2 km/h: treadmill minimum is 3.2 km/h.",
            (
                "Speed limited to three point two kilometres per hour: treadmill minimum is "
                "three point two kilometres per hour."
            ),
        ),
        (
            "Next: BACKWARD 0:30 at 4.0 km/h, 2 %",
            "Next: BACKWARD 0:30 at four kilometres per hour, two percent",
        ),
        ("Speed 4.5 km/h.", "Speed four and a half kilometres per hour."),
        ("Speed 0.5 km/h.", "Speed zero point five kilometres per hour."),
        (
            "400 m backward, then 1.2 km",
            "four hundred metres backward, then one point two kilometres",
        ),
        ("Walk at 1 mph for 3 min", "Walk at one mile per hour for 3 min"),
        ("Incline -1.5 %.", "Incline minus one and a half percent."),
        ("0.25 mi at 6:00/km", "zero point two five miles at 6:00/km"),
        ("Backward in 10 seconds.", "Backward in 10 seconds."),
    ],
)
def test_units_are_spoken_as_words_and_the_screen_keeps_its_symbols(shown: str, said: str) -> None:
    # espeak-ng reads "km/h" as "kay em slash aitch"; the runner facing away hears words.
    assert spoken(shown) == said
    assert Speaker(AudioSettings(), program="espeak-ng").command(shown)[-1] == said


@pytest.mark.parametrize(
    ("metric", "imperial"),
    [
        (
            "Speed limited to 3.2 km/h: treadmill minimum is 3.2 km/h.",
            "Speed limited to 2 mph: treadmill minimum is 2 mph.",
        ),
        ("backward 4.5 km/h", "backward 2.8 mph"),
        ("400 m backward, then 1.2 km", "0.25 mi backward, then 0.75 mi"),
        ("easy pace 6:00/km for 5 min", "easy pace 9:39/mi for 5 min"),
        ("Incline 2 %.", "Incline 2 %."),
    ],
)
def test_a_text_in_imperial_units_says_miles(metric: str, imperial: str) -> None:
    assert in_units(metric, "imperial") == imperial
    assert in_units(metric, "metric") == metric
