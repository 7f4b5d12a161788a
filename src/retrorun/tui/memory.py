"""The start screen's memory: the last profile and treadmill chosen, in a small JSON file
in the user data folder. A missing or unreadable file simply means "no last choice"."""

from __future__ import annotations

import json
from pathlib import Path

from retrorun.tui.ports import SIMULATOR, Choice

FILE_NAME = "last-choice.json"


def default_path() -> Path:
    import platformdirs  # noqa: PLC0415 - only needed for the start screen

    return Path(platformdirs.user_data_dir("retrorun")) / FILE_NAME


def load_choice(path: Path) -> Choice | None:
    """The choice saved at `path`, or None when there is none worth trusting."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    profile, device = data.get("profile"), data.get("device", SIMULATOR)
    if not isinstance(profile, str) or not isinstance(device, str):
        return None
    return Choice(profile, device)


def save_choice(path: Path, choice: Choice) -> None:
    """Remember `choice`; failing to write is not worth interrupting a workout for."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps({"profile": choice.profile, "device": choice.device}) + "\n",
            encoding="utf-8",
        )
    except OSError:
        return
