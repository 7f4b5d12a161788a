"""Where profiles live: the bundled ones (inside the package) and the user's profile folder.

Bundled profiles are package data under ``retrorun/profiles/bundled/`` so an installed
retrorun finds them without a source checkout; the user's own profiles live in
``platformdirs.user_data_dir("retrorun")/profiles``. A PROFILE argument on the command line
is a path when such a file exists, otherwise the name (file stem) of a user profile, then of
a bundled one.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from retrorun.errors import ProfileError

SUFFIXES = (".yaml", ".yml", ".json")


def bundled_dir() -> Path:
    """The folder holding the bundled profiles."""
    return Path(str(resources.files("retrorun.profiles") / "bundled"))


def user_dir() -> Path:
    """The user's profile folder (it may not exist)."""
    import platformdirs  # noqa: PLC0415 - only needed when listing or resolving by name

    return Path(platformdirs.user_data_dir("retrorun")) / "profiles"


def profile_files(folder: Path) -> list[Path]:
    """Profile files directly in `folder`, sorted by name; none when it does not exist."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())


def resolve(argument: str, user_folder: Path | None = None) -> Path:
    """The file a PROFILE argument means: an existing path, a user profile or a bundled one."""
    given = Path(argument)
    if given.is_file():
        return given
    for folder in (user_folder or user_dir(), bundled_dir()):
        for path in profile_files(folder):
            if path.stem == argument:
                return path
    names = ", ".join(p.stem for p in profile_files(bundled_dir()))
    raise ProfileError(
        f"no such file or profile name; bundled profiles are: {names}", file=argument
    )


def shadowed(argument: str, user_folder: Path | None = None) -> Path | None:
    """The bundled profile a PROFILE name would have meant, when one of the runner's own
    profiles has the same name and is used instead (None otherwise)."""
    if Path(argument).is_file():
        return None
    folder = user_folder or user_dir()
    if not any(path.stem == argument for path in profile_files(folder)):
        return None
    return next((p for p in profile_files(bundled_dir()) if p.stem == argument), None)
