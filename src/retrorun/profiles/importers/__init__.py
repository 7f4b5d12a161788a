"""Import workouts from other apps into retrorun profiles.

`import_file` picks the importer from the file's content (a ``.FIT`` header is a FIT
workout; otherwise XML whose root ``<workout_file>`` is Zwift and ``<rows>`` is QZ),
validates the result as a profile, compiles it through the safety layer, and returns the
profile as YAML text ready to save and edit. Zwift and QZ steps are all forward (add
backward steps by hand); FIT workouts written by retrorun keep their directions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import yaml
from pydantic import ValidationError

from retrorun.errors import ProfileError, ProfileErrors
from retrorun.profiles.files import read_limited
from retrorun.profiles.importers.fit_workout import fit_to_raw, is_fit
from retrorun.profiles.importers.qz_xml import qz_to_raw
from retrorun.profiles.importers.xmlsafe import MAX_XML_BYTES, parse_xml
from retrorun.profiles.importers.zwo import parse_paces, zwo_to_raw
from retrorun.profiles.models import Profile
from retrorun.profiles.plan import compile_plan

if TYPE_CHECKING:
    from pathlib import Path

    from retrorun.profiles.importers.zwo import Raw


MAX_FIT_BYTES = 1_000_000
"""A FIT workout of the most steps a watch takes is a few kilobytes."""


def _is_fit_file(path: Path) -> bool:
    return is_fit(read_limited(path, MAX_XML_BYTES)[:12])


def import_raw(path: Path, paces: tuple[str, ...] = ()) -> Raw:
    """The raw profile data a FIT workout, .zwo or QZ XML file turns into (not validated)."""
    if _is_fit_file(path):
        return fit_to_raw(read_limited(path, MAX_FIT_BYTES), path)
    document = parse_xml(path)
    if document.root.tag == "rows":
        return qz_to_raw(document, path.stem)
    return zwo_to_raw(document, parse_paces(paces))


def import_profile(path: Path, paces: tuple[str, ...] = ()) -> Profile:
    """Import `path` into a validated, safety-checked `Profile`."""
    raw = import_raw(path, paces)
    try:
        profile = Profile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ProfileError(
            f"the imported workout is not a valid profile: {where}: {first['msg']} "
            f"(got {first.get('input')!r}); check the reference pace",
            file=str(path),
        ) from exc
    try:
        compile_plan(profile)
    except ProfileErrors as exc:
        raise ProfileError(
            f"the imported workout breaks a safety rule: {exc}", file=str(path)
        ) from exc
    return profile


def import_file(path: Path, paces: tuple[str, ...] = ()) -> str:
    """Import `path` and return the profile as YAML text."""
    profile = import_profile(path, paces)
    data = profile.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    note = "" if _is_fit_file(path) else "; all steps are forward"
    header = f"# Imported from {path.name} by retrorun import{note}.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
