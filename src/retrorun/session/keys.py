"""The keys that control a session: one map, the same in every view.

`KEY_MAP` is pure data. The headless view reads single characters from a terminal, the
TUI binds the same characters, both list them on ``?`` (`help_lines`), and the docs carry
`markdown_table` (a test fails when they disagree). A key becomes a `UserCommand` through
`command_for`, so it passes the session's command path and safety layer like a command
from MQTT.

Pure: no I/O, no asyncio.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from retrorun.session.api import CommandKind, UserCommand

EXTEND_S = 30.0

SAFETY_KEY_PROMPT = "Clip the safety key to your clothing, then press Enter"
"""Said and shown before every session on a real treadmill, before the belt can move."""
SAFETY_KEY_CONFIRM = ("\r", "\n")
"""The keys that confirm the safety key is clipped."""
SAFETY_KEY_LEAVE = ("q", "Q", "\x1b", "\x03")
"""The keys that leave instead (q, Escape, Ctrl-C): the belt is never started."""


class ViewAction(StrEnum):
    """What a key does in the view itself, rather than as one command."""

    PAUSE_TOGGLE = "pause_toggle"
    """Pause, or resume when paused."""
    HELP = "help"
    """List the keys."""


KeyAction = CommandKind | ViewAction
"""What a key does; the TUI's action names are these words."""


@dataclass(frozen=True)
class Key:
    """One entry of the map: the characters that do it (the first is the one shown first)."""

    characters: tuple[str, ...]
    action: KeyAction
    words: str
    """What it does, for ``?`` and the docs."""
    amount: float | None = None
    """km/h for SPEED, % for INCLINE, seconds for EXTEND."""


KEY_MAP: tuple[Key, ...] = (
    Key((" ",), ViewAction.PAUSE_TOGGLE, "pause / resume"),
    Key(("p",), CommandKind.PAUSE, "pause: belt paused, session clock stopped"),
    Key(("r",), CommandKind.RESUME, "resume (after a pause, a console stop, the safety key)"),
    Key(("s", "n"), CommandKind.SKIP, "skip to the next segment (a turn is never skipped)"),
    Key(("e",), CommandKind.EXTEND, "extend this segment by 30 s", EXTEND_S),
    Key(("+", "="), CommandKind.SPEED, "speed +0.1 km/h", 0.1),
    Key(("-",), CommandKind.SPEED, "speed -0.1 km/h", -0.1),
    Key(("]", ">"), CommandKind.SPEED, "speed +0.5 km/h", 0.5),
    Key(("[", "<"), CommandKind.SPEED, "speed -0.5 km/h", -0.5),
    Key(("u",), CommandKind.INCLINE, "incline +0.5 % (backward: only in a turn window)", 0.5),
    Key(("d",), CommandKind.INCLINE, "incline -0.5 % (backward: only in a turn window)", -0.5),
    Key(("q",), CommandKind.STOP, "stop the session, the belt stops (the TUI asks first)"),
    Key(("?",), ViewAction.HELP, "list these keys"),
)
"""Every key of a running session. ``+`` is shifted on most keyboards, so ``=`` (the same
key unshifted) does the same; ``>`` and ``<`` are the shifted ``]`` and ``[``."""

_BY_CHARACTER = {character: key for key in KEY_MAP for character in key.characters}


def shown(character: str) -> str:
    """A key's character as a person reads it (``space`` for the space bar)."""
    return "space" if character == " " else character


def find(character: str) -> Key | None:
    """The map's entry for a typed character (letters in either case), or None."""
    return _BY_CHARACTER.get(character) or _BY_CHARACTER.get(character.lower())


def command_for(key: Key, *, paused: bool) -> UserCommand | None:
    """The command `key` sends now (`paused`: the session is paused), or None for the keys
    each view handles itself (help)."""
    if key.action == ViewAction.HELP:
        return None
    if key.action == ViewAction.PAUSE_TOGGLE:
        return UserCommand(CommandKind.RESUME if paused else CommandKind.PAUSE, source="key")
    return UserCommand(CommandKind(key.action), key.amount, source="key")


def help_lines() -> list[str]:
    """Every key and what it does, one line each."""
    return [f"{' '.join(shown(c) for c in key.characters):>7}  {key.words}" for key in KEY_MAP]


def markdown_table() -> str:
    """The map as the docs show it."""
    rows = ["| key | what it does |", "|---|---|"]
    for key in KEY_MAP:
        characters = " or ".join("space" if c == " " else f"`{c}`" for c in key.characters)
        rows.append(f"| {characters} | {key.words} |")
    return "\n".join(rows)
