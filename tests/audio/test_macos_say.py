"""Speech on macOS, where espeak-ng is usually absent: ``say`` renders each cue to a WAV file.

This machine has no ``say``; a stand-in program behaves as say(1) documents it (``-r`` words
per minute, ``-o FILE`` with ``--data-format``, the text last) and writes WAVE the way
Apple's audio toolbox does, with a filler chunk before the samples.
"""

from __future__ import annotations

import json
import math
import stat
import struct
import sys
import tempfile
from typing import TYPE_CHECKING

from retrorun.audio import AudioSettings, Speaker, clips
from retrorun.audio.backends import SPEECH_PROGRAMS

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

STAND_IN = """\
import json, math, struct, sys
from pathlib import Path

args = sys.argv[1:]
Path(sys.argv[0]).with_name("args.json").write_text(json.dumps(args))
out = Path(args[args.index("-o") + 1])
assert "--data-format=LEI16@22050" in args, args
rate, samples = 22050, 6615  # 0.3 s of a 440 Hz tone
pcm = b"".join(
    struct.pack("<h", round(8000 * math.sin(2 * math.pi * 440 * n / rate)))
    for n in range(samples)
)
fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
filler = b"\\0" * 4044
body = (
    b"WAVE"
    + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    + b"FLLR" + struct.pack("<I", len(filler)) + filler
    + b"data" + struct.pack("<I", len(pcm)) + pcm
)
out.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
"""


def _say(folder: Path) -> Path:
    program = folder / "say"
    program.write_text(f"#!{sys.executable}\n{STAND_IN}", encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program


async def test_a_cue_is_rendered_by_macos_say_through_a_wav_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    speaker = Speaker(AudioSettings(volume=0.5, words_per_minute=170), program=str(_say(tmp_path)))
    assert speaker.available
    wav = await speaker.render("Turn around now.")
    assert wav is not None
    clip = clips.from_wav(wav)
    assert math.isclose(clip.duration_s, 0.3, abs_tol=0.01)
    assert max(abs(v) for v in struct.unpack(f"<{len(clip.pcm) // 2}h", clip.pcm)) > 7000
    args = json.loads((tmp_path / "args.json").read_text(encoding="utf-8"))
    assert args[:2] == ["-r", "170"]
    assert args[-2:] == ["--", "[[volm 0.5]] Turn around now."]
    assert not list(scratch.iterdir()), "the WAV file is not left behind"


async def test_a_say_that_writes_nothing_gives_no_clip(tmp_path: Path) -> None:
    # A voice that cannot write this format (say prints an error and writes no file): the
    # cue falls back to its tone instead of failing the session.
    broken = tmp_path / "say"
    broken.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    assert await Speaker(AudioSettings(), program=str(broken)).render("Halfway") is None


def test_say_is_used_only_where_espeak_is_absent() -> None:
    assert SPEECH_PROGRAMS.index("say") > SPEECH_PROGRAMS.index("espeak-ng")
