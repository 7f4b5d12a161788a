"""``retrorun sound-check``: speak and beep through the cue path a session would use, and
say what it used.

A backward runner cannot see the screen, and espeak-ng reports success on a machine with
no sound device, so this is how a runner finds out before a session that cues will be
heard. It reads ``[audio]`` from the config file, finds the speech program, the player and
its output (`retrorun.audio.soundpath`), then plays a 3-2-1 countdown, the turn tone and a
sentence through the same `Announcer` a session uses, one digit a second.

Exit code 0 when cues can be heard (with warnings on stderr for what is missing, such as
speech), 1 when they cannot.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from retrorun.audio import Announcer, AudioSettings
    from retrorun.clock import Clock

SENTENCE = "Sound check. Backward in 10 seconds."


@click.command("sound-check")
@click.option(
    "--voice/--no-voice", default=None, help="Speak (default: the config file's [audio])."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (its [audio] section).",
)
def sound_check(voice: bool | None, config_path: Path | None) -> None:  # noqa: FBT001
    """Speak and beep through the configured cue path, and report what it used."""
    import asyncio  # noqa: PLC0415 - heavy imports stay out of --help

    from retrorun.cli.companions import audio_settings  # noqa: PLC0415
    from retrorun.clock import MonotonicClock  # noqa: PLC0415
    from retrorun.config import load_config  # noqa: PLC0415

    settings = audio_settings(load_config(config_path), voice)
    heard = asyncio.run(check(settings, MonotonicClock()))
    if not heard:
        raise click.exceptions.Exit(1)


async def check(settings: AudioSettings, clock: Clock) -> bool:
    """Report the sound path, play the check through it (paced by `clock`); True when it
    can be heard."""
    import asyncio  # noqa: PLC0415

    from retrorun.audio import Announcer  # noqa: PLC0415
    from retrorun.audio.soundpath import find_sound_path  # noqa: PLC0415

    path = await find_sound_path(settings)
    announcer = Announcer(settings, clock=clock, sound_path=path)
    await announcer.start()
    click.echo(f"speech:  {_speech_line(settings, path.speech)}")
    click.echo(f"player:  {announcer.output}")
    click.echo(f"device:  {path.device or 'none found'}")
    for problem in path.problems:
        click.echo(f"retrorun: warning: {problem}", err=True)
    if path.silent:
        click.echo(_verdict(announcer, heard=False))
        return False
    playing = asyncio.ensure_future(announcer.run())
    try:
        await _play_the_check(announcer, clock)
    finally:
        playing.cancel()
        await asyncio.gather(playing, return_exceptions=True)
    if announcer.fallback is not None:
        click.echo(
            f"retrorun: warning: the player stopped ({announcer.fallback}); cues went through "
            "a new player process each, which can make countdowns late, and may not be heard",
            err=True,
        )
    heard = announcer.fallback is None
    click.echo(_verdict(announcer, heard=heard))
    return heard


async def _play_the_check(announcer: Announcer, clock: Clock) -> None:
    """3-2-1 one a second, the turn tone and words, then a sentence, as a session says them."""
    from retrorun.session.api import Cue, CueKind  # noqa: PLC0415

    for digit in (3, 2, 1):
        announcer.offer(Cue(0.0, CueKind.COUNTDOWN, str(digit), beeps=1))
        await clock.sleep(1.0)
    announcer.offer(Cue(0.0, CueKind.TURN_NOW, "Turn around now."))
    announcer.offer(Cue(0.0, CueKind.TEXT, SENTENCE))
    await announcer.drained()


def _speech_line(settings: AudioSettings, program: str | None) -> str:
    if not settings.voice:
        return "off ([audio] voice = false or --no-voice): tones only"
    if program is None:
        return "none found: tones only"
    return f"{program} (voice {settings.voice_name}, {settings.words_per_minute} words a minute)"


def _verdict(announcer: Announcer, *, heard: bool) -> str:
    if not heard:
        return "result:  cues cannot be heard this way; see the warnings above"
    late = max((h.late_s for h in announcer.heard if h.cue.beeps), default=0.0)
    return (
        f"result:  played {len(announcer.played)} cues, countdown digits at most "
        f"{1000 * late:.0f} ms after their second; if you heard nothing, check the volume "
        "and the device above"
    )
