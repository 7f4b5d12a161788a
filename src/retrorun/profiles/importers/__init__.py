"""Import workouts from other apps into retrorun profiles.

`import_file` picks the importer from the file's content (a ``.FIT`` header is a FIT
workout; otherwise XML whose root ``<workout_file>`` is Zwift and ``<rows>`` is QZ),
validates the result as a profile, compiles it through the safety layer, and returns the
profile as YAML text ready to save and edit, with what the import had to decide as notes.
Other apps' steps are all forward (add backward steps by hand); FIT and .zwo workouts
written by retrorun keep their directions and their turn settings. No forward step keeps a
label or cue that speaks of running backward (`retrorun.profiles.importers.own.honest`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import yaml
from pydantic import ValidationError

from retrorun.errors import ProfileError, ProfileErrors
from retrorun.profiles.files import read_limited
from retrorun.profiles.importers.fit_workout import fit_notes, fit_to_raw, is_fit
from retrorun.profiles.importers.own import clamp_inclines, honest
from retrorun.profiles.importers.qz_xml import qz_to_raw
from retrorun.profiles.importers.xmlsafe import MAX_XML_BYTES, parse_xml
from retrorun.profiles.importers.zwo import parse_paces, zwo_to_raw
from retrorun.profiles.models import IntervalStep, Profile
from retrorun.profiles.plan import compile_plan

if TYPE_CHECKING:
    from pathlib import Path

    from retrorun.profiles.importers.zwo import Raw
    from retrorun.profiles.models import Step


MAX_FIT_BYTES = 1_000_000
"""A FIT workout of the most steps a watch takes is a few kilobytes."""


def _is_fit_file(path: Path) -> bool:
    return is_fit(read_limited(path, MAX_XML_BYTES)[:12])


@dataclass(frozen=True)
class Imported:
    """An imported workout: the profile and what the import decided on the way."""

    profile: Profile
    notes: tuple[str, ...]


def import_raw(
    path: Path, paces: tuple[str, ...] = (), pace_location: str = "--pace"
) -> tuple[Raw, list[str]]:
    """The raw profile data a FIT workout, .zwo or QZ XML file turns into (not validated),
    and notes on what the import decided. `paces` are reference paces for .zwo files,
    written at `pace_location` (the option or the config key)."""
    notes: list[str] = []
    if _is_fit_file(path):
        raw = fit_to_raw(read_limited(path, MAX_FIT_BYTES), path)
        notes.extend(fit_notes(raw))
    else:
        document = parse_xml(path)
        if document.root.tag == "rows":
            raw, found = qz_to_raw(document, path.stem)
        else:
            raw, found = zwo_to_raw(document, parse_paces(paces, pace_location))
        notes.extend(found)
    steps = clamp_inclines(honest(raw["steps"], notes), notes)
    return {**raw, "steps": steps}, notes


def import_workout(
    path: Path, paces: tuple[str, ...] = (), pace_location: str = "--pace"
) -> Imported:
    """Import `path` into a validated, safety-checked `Profile`, with notes."""
    raw, notes = import_raw(path, paces, pace_location)
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
    return Imported(profile, tuple(notes))


def import_profile(path: Path, paces: tuple[str, ...] = ()) -> Profile:
    """Import `path` into a validated, safety-checked `Profile`."""
    return import_workout(path, paces).profile


def _any_backward(steps: tuple[Step, ...]) -> bool:
    return any(
        step.direction == "backward"
        if isinstance(step, IntervalStep)
        else _any_backward(step.repeat.steps)
        for step in steps
    )


def import_file(
    path: Path, paces: tuple[str, ...] = (), pace_location: str = "--pace"
) -> tuple[str, tuple[str, ...]]:
    """Import `path` and return the profile as YAML text (its header comment carries the
    notes too), and the notes."""
    imported = import_workout(path, paces, pace_location)
    profile = imported.profile
    data = profile.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    lines = [f"Imported from {path.name} by retrorun import."]
    if not _any_backward(profile.steps):
        lines.append("Every step is forward (the file has no directions).")
    lines.extend(f"Note: {note}" for note in imported.notes)
    header = "".join(f"# {line}\n" for line in lines)
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return header + body, imported.notes
