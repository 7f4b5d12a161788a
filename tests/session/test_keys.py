"""The key map: one table for both views, and the docs show the same table."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrorun.session.api import CommandKind, UserCommand
from retrorun.session.keys import KEY_MAP, command_for, find, markdown_table

DOCS = Path(__file__).parents[2] / "docs"


@pytest.mark.parametrize("page", ["session.md", "tui.md"])
def test_the_docs_show_the_key_map(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    assert markdown_table() in text, f"docs/{page}: paste retrorun.session.keys.markdown_table()"


def test_every_character_means_one_thing() -> None:
    characters = [c for key in KEY_MAP for c in key.characters]
    assert len(characters) == len(set(characters))


@pytest.mark.parametrize(
    ("typed", "paused", "expected"),
    [
        (" ", False, UserCommand(CommandKind.PAUSE, source="key")),
        (" ", True, UserCommand(CommandKind.RESUME, source="key")),
        ("p", True, UserCommand(CommandKind.PAUSE, source="key")),
        ("S", False, UserCommand(CommandKind.SKIP, source="key")),
        ("n", False, UserCommand(CommandKind.SKIP, source="key")),
        ("]", False, UserCommand(CommandKind.SPEED, 0.5, source="key")),
        ("<", False, UserCommand(CommandKind.SPEED, -0.5, source="key")),
        ("u", False, UserCommand(CommandKind.INCLINE, 0.5, source="key")),
        ("e", False, UserCommand(CommandKind.EXTEND, 30.0, source="key")),
        ("q", False, UserCommand(CommandKind.STOP, source="key")),
        ("?", False, None),
    ],
)
def test_keys_become_commands(typed: str, paused: bool, expected: UserCommand | None) -> None:
    key = find(typed)
    assert key is not None
    assert command_for(key, paused=paused) == expected


def test_other_characters_do_nothing() -> None:
    assert find("x") is None
