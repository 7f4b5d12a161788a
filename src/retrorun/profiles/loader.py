"""Read a profile file (YAML or JSON) into a `Profile`, naming the place of every problem.

YAML is read with a `yaml.SafeLoader` subclass (no Python objects, ever); while the document
is composed, the line of every mapping value and sequence item is recorded under its field
path, so a pydantic error at ``("steps", 2, "repeat", "steps", 1, "speed")`` becomes
``profile.yaml:14 steps[2].repeat.steps[1].speed: ...``. JSON is parsed strictly by `json`
first, then composed by the same YAML loader (JSON is YAML) to learn the lines.

All problems of a file are reported together as one `ProfileErrors`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from retrorun.errors import ProfileError, ProfileErrors
from retrorun.profiles.files import read_limited
from retrorun.profiles.models import STEP_TAGS, FieldPath, Profile, format_path

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

MAX_PROFILE_BYTES = 1_000_000


@dataclass(frozen=True)
class ProfileDocument:
    """A validated profile together with where it came from (file name and field lines)."""

    profile: Profile
    file: str | None = None
    lines: Mapping[FieldPath, int] = field(default_factory=dict)

    def error(self, message: str, path: FieldPath) -> ProfileError:
        """A `ProfileError` naming this file, the field path and its line."""
        return _error(message, path, self.file, self.lines)


class _LineLoader(yaml.SafeLoader):
    """Safe YAML loading; `_line_map` reads the line of every node it composes.

    YAML 1.1 reads ``1:30`` as the base-60 integer 90 and ``5:30`` likewise, which would turn
    a bare pace into nonsense; clock-like scalars therefore stay strings and the field
    parsers read them (``1:30`` is 90 s as a duration, 1 min 30 s per km as a pace).
    """


_CLOCK_LIKE = re.compile(r"^[0-9]+(?::[0-5]?[0-9])+(?:\.[0-9]*)?$")
_LineLoader.yaml_implicit_resolvers = {
    first: [("tag:yaml.org,2002:str", _CLOCK_LIKE), *resolvers] if first.isdigit() else resolvers
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _line_map(node: yaml.Node, path: FieldPath, lines: dict[FieldPath, int]) -> Iterator[FieldPath]:
    """Record ``path → line`` for every value under `node`; yield duplicate-key problems."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                lines[child] = key_node.start_mark.line + 1
                yield child
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            yield from _line_map(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            yield from _line_map(item, (*path, index), lines)


def _compose(text: str, file: str | None) -> tuple[Any, dict[FieldPath, int], list[FieldPath]]:
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise ProfileError(f"not valid YAML: {exc.problem}", file=file, line=line) from exc
    except yaml.YAMLError as exc:
        raise ProfileError(f"not valid YAML: {exc}", file=file) from exc
    finally:
        loader.dispose()
    lines: dict[FieldPath, int] = {}
    duplicates = list(_line_map(node, (), lines)) if node is not None else []
    return data, lines, duplicates


def parse_profile(text: str, *, file: str | None = None, fmt: str = "yaml") -> ProfileDocument:
    """Validate profile text (``fmt`` ``yaml`` or ``json``); raise `ProfileErrors` if invalid."""
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProfileError(f"not valid JSON: {exc.msg}", file=file, line=exc.lineno) from exc
        try:
            _, lines, duplicates = _compose(text, file)
        except ProfileError:
            lines, duplicates = {}, []  # valid JSON that PyYAML cannot read: no line numbers
    else:
        data, lines, duplicates = _compose(text, file)
    problems = [_error("this key appears twice; keep one", dup, file, lines) for dup in duplicates]
    if not isinstance(data, dict):
        problems.append(
            _error("a profile is a mapping with 'name' and 'steps'", (), file, lines or {(): 1})
        )
        raise ProfileErrors(tuple(problems))
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        problems.extend(_translate(exc, file, lines))
    if problems:
        raise ProfileErrors(tuple(problems))
    return ProfileDocument(profile, file, lines)


def load_profile(path: Path) -> ProfileDocument:
    """Read and validate a profile file; ``.json`` files are JSON, everything else YAML."""
    raw = read_limited(path, MAX_PROFILE_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProfileError(f"not UTF-8 text (byte {exc.start})", file=str(path)) from exc
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    return parse_profile(text, file=str(path), fmt=fmt)


def _error(
    message: str, path: FieldPath, file: str | None, lines: Mapping[FieldPath, int]
) -> ProfileError:
    line = None
    for cut in range(len(path), -1, -1):  # the nearest recorded ancestor has a line
        line = lines.get(path[:cut])
        if line is not None:
            break
    return ProfileError(message, file=file, path=format_path(path) or None, line=line)


def _clean_loc(loc: tuple[str | int, ...]) -> FieldPath:
    """Drop the union tags pydantic inserts after a step index."""
    return tuple(
        part
        for index, part in enumerate(loc)
        if not (part in STEP_TAGS and index > 0 and isinstance(loc[index - 1], int))
    )


_LIMIT_WORDS = {
    "greater_than": ("must be more than", "gt"),
    "greater_than_equal": ("must be at least", "ge"),
    "less_than": ("must be less than", "lt"),
    "less_than_equal": ("must be at most", "le"),
}


def _describe(error: Mapping[str, Any]) -> str | None:  # noqa: PLR0911 - one case per error type
    kind = error["type"]
    value = error.get("input")
    context = error.get("ctx") or {}
    if kind in _LIMIT_WORDS:
        words, key = _LIMIT_WORDS[kind]
        return f"{value!r} {words} {context.get(key)}; change it to fit"
    if kind == "missing":
        return "required but missing; add it"
    if kind == "extra_forbidden":
        return "unknown key; check its spelling against docs/profiles.md or remove it"
    if kind == "too_short":
        if isinstance(value, list | tuple) and value:
            return None  # follows from errors in the items, which are reported themselves
        return "must not be empty; add at least one"
    if kind == "value_error":
        return str(context.get("error", error["msg"]))
    return f"{error['msg']} (got {value!r})"


def _translate(
    exc: ValidationError, file: str | None, lines: Mapping[FieldPath, int]
) -> list[ProfileError]:
    problems = []
    for error in exc.errors(include_url=False):
        message = _describe(error)
        if message is not None:
            problems.append(_error(message, _clean_loc(error["loc"]), file, lines))
    return problems
