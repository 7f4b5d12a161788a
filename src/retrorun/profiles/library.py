"""Where profiles live: the bundled ones and the user's profile folder.

The bundled profiles are kept once, in the project's top-level ``profiles/`` folder beside the
profile schema. A wheel carries that folder inside the package as ``retrorun/profiles/bundled/``
(``pyproject.toml``), so an installed retrorun finds them without a source checkout; run from
a checkout (an editable install) retrorun reads ``profiles/`` itself. The user's own profiles
live in ``platformdirs.user_data_dir("retrorun")/profiles``. A PROFILE argument on the command line
is a path when such a file exists, otherwise the name (file stem) of a user profile, then of
a bundled one.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from retrorun.errors import ProfileError

SUFFIXES = (".yaml", ".yml", ".json")
SCHEMA_NAME = "schema.json"
"""The profile schema, which sits beside the bundled profiles and is not one."""
CHECKOUT_PROFILES = Path(__file__).resolve().parents[3] / "profiles"
"""``profiles/`` of the checkout this module is in (``src/retrorun/profiles/library.py``)."""


def bundled_dir() -> Path:
    """The folder holding the bundled profiles: in the installed package, or the checkout's
    top-level ``profiles/`` when running from source."""
    packaged = Path(str(resources.files("retrorun.profiles") / "bundled"))
    return packaged if profile_files(packaged) else CHECKOUT_PROFILES


def user_dir() -> Path:
    """The user's profile folder (it may not exist)."""
    import platformdirs  # noqa: PLC0415 - only needed when listing or resolving by name

    return Path(platformdirs.user_data_dir("retrorun")) / "profiles"


def profile_files(folder: Path) -> list[Path]:
    """Profile files directly in `folder`, sorted by name; none when it does not exist (the
    profile schema is not a profile)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in SUFFIXES and p.is_file() and p.name != SCHEMA_NAME
    )


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
