"""Cues out loud: speech through espeak-ng when it is installed, tones through whatever
plays sound on this system, the terminal bell as the last resort.

A runner facing backward cannot see the screen, so this is the real interface. Nothing
here ever blocks the session: the `Announcer` works through its own queue in its own task,
with speech rendered ahead (`speech`), one running player (`outputs`), and what plays
when decided by a table (`priorities`). docs/audio.md is the user's view.
"""

from retrorun.audio.announcer import Announcer
from retrorun.audio.backends import AudioSettings, Speaker, TonePlayer

__all__ = ["Announcer", "AudioSettings", "Speaker", "TonePlayer"]
