"""Stand-ins for the sound programs: a folder that is all of PATH, and what aplay answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

NO_CARDS = "aplay: device_list:274: no soundcards found..."
"""``aplay -l`` on a machine without a sound card (it still exits 0)."""
A_CARD = "card 0: PCH [HDA Intel PCH], device 0: ALC3246 Analog [ALC3246 Analog]"


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder that is the whole PATH: a test puts its stand-ins there."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder
