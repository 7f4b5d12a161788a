"""A three-row block font for the direction word, readable from a couple of metres away.

Pure: a word in, three strings out. Only the letters the session screen needs are drawn;
anything else is left as a blank cell rather than guessed at.
"""

from __future__ import annotations

GLYPHS: dict[str, tuple[str, str, str]] = {
    "A": ("┏━┓", "┣━┫", "╹ ╹"),
    "B": ("┳━┓", "┣━┫", "┻━┛"),
    "C": ("┏━╸", "┃  ", "┗━╸"),
    "D": ("┳━┓", "┃ ┃", "┻━┛"),
    "E": ("┏━╸", "┣━╸", "┗━╸"),
    "F": ("┏━╸", "┣━ ", "╹  "),
    "I": ("╺┳╸", " ┃ ", "╺┻╸"),
    "K": ("╻┏┛", "┣┻┓", "╹ ╹"),
    "N": ("┏┓╻", "┃┃┃", "╹┗┛"),
    "O": ("┏━┓", "┃ ┃", "┗━┛"),
    "P": ("┏━┓", "┣━┛", "╹  "),
    "R": ("┏━┓", "┣┳┛", "╹┗╸"),
    "S": ("┏━╸", "┗━┓", "╺━┛"),
    "T": ("╺┳╸", " ┃ ", " ╹ "),
    "U": ("╻ ╻", "┃ ┃", "┗━┛"),
    "W": ("╻ ╻", "┃╻┃", "┗┻┛"),
    " ": ("   ", "   ", "   "),
}
ARROWS: dict[str, tuple[str, str, str]] = {
    "forward": ("  ▲  ", " ▟█▙ ", "  █  "),
    "backward": ("  █  ", " ▜█▛ ", "  ▼  "),
    "turn": ("╭──╮ ", "│  ▼ ", "╰─   "),
    "idle": ("     ", "  ●  ", "     "),
}


def big_word(word: str) -> tuple[str, str, str]:
    """`word` in the block font, one space between letters."""
    glyphs = [GLYPHS.get(letter, GLYPHS[" "]) for letter in word.upper()]
    rows = tuple(" ".join(glyph[row] for glyph in glyphs) for row in range(3))
    return rows[0], rows[1], rows[2]
