"""Read a profile file (YAML or JSON) into a `Profile`, naming the place of every problem.

YAML is read with a `yaml.SafeLoader` subclass (no Python objects, ever); while the document
is composed, the line of every mapping value and sequence item is recorded under its field
path, so a pydantic error at ``("steps", 2, "repeat", "steps", 1, "speed")`` becomes
``profile.yaml:14 steps[2].repeat.steps[1].speed: ...``. JSON is parsed strictly by
`retrorun.jsontext.parse_json` first, then composed by the same YAML loader (JSON is YAML) to
learn the lines.

A hostile file gets one `ProfileError` naming its line, never a traceback or a hang: the
loader refuses control characters YAML does not allow, nesting deeper than `MAX_DEPTH`,
integers longer than `MAX_INT_DIGITS` digits, aliases that refer to the collection they sit
in, and documents of more than `MAX_VALUES` values, aliases expanded (a few hundred bytes of
nested aliases can otherwise stand for billions). Files are at most `MAX_PROFILE_BYTES`, and
at most `MAX_PROBLEMS` problems are listed.

All problems of a file are reported together as one `ProfileErrors`.
"""

from __future__ import annotations

import re
import reprlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from retrorun.errors import ProfileError, ProfileErrors
from retrorun.jsontext import MAX_DEPTH, MAX_INT_DIGITS, JSONTextError, parse_json, value_count
from retrorun.profiles.files import read_limited
from retrorun.profiles.models import STEP_TAGS, FieldPath, Profile, format_path

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

MAX_PROFILE_BYTES = 1_000_000
MAX_VALUES = 20_000
"""Values (scalars and collections) a profile may hold, its aliases expanded: a bundled
profile holds about 50, and 2000 written-out intervals (`plan.MAX_INTERVALS`) about 14,000.
Composing stops at the first value past it, so no file costs more than a fraction of a
second however it is built."""
MAX_PROBLEMS = 20
"""Problems reported for one file; the rest are counted in one last line."""


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

    Composing counts depth and the values composed so far, an alias counting as every value
    it stands for; past `MAX_DEPTH` or `MAX_VALUES` it stops with a `ComposerError` there.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._total = 0  # values composed so far, aliases expanded
        self._values: dict[int, int] = {}  # id(node) -> values it stands for, once composed
        self._nodes: list[yaml.Node] = []  # keeps every counted node alive, so ids stay unique

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        mark: Any = event.start_mark  # a pure-Python Mark: this loader is not the C one
        if self._depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", mark
            )
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is None:
            return None
        if isinstance(event, yaml.AliasEvent):
            if id(node) not in self._values:
                raise yaml.composer.ComposerError(
                    None, None, "an alias refers to the collection it is in", mark
                )
            self._count(self._values[id(node)], mark)
            return node
        if isinstance(node, yaml.MappingNode):
            children = [self._values[id(part)] for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = [self._values[id(item)] for item in node.value]
        else:
            children = []
        self._values[id(node)] = 1 + sum(children)
        self._nodes.append(node)
        self._count(1, mark)
        return node

    def _count(self, values: int, mark: Any) -> None:  # noqa: ANN401 - PyYAML's Mark
        self._total += values
        if self._total > MAX_VALUES:
            raise yaml.composer.ComposerError(
                None, None, f"more than {MAX_VALUES} values (aliases expanded)", mark
            )

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = str(node.value).lstrip("+-").replace("_", "")
        if len(digits) > MAX_INT_DIGITS + 2:  # room for a 0x or 0b prefix
            raise yaml.constructor.ConstructorError(
                None, None, f"a number with more than {MAX_INT_DIGITS} digits", node.start_mark
            )
        value: int = super().construct_yaml_int(node)
        return value


_LineLoader.add_constructor("tag:yaml.org,2002:int", _LineLoader.construct_yaml_int)


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
    try:
        loader = _LineLoader(text)
    except yaml.reader.ReaderError as exc:  # the reader checks every character up front
        column = exc.position - text.rfind("\n", 0, exc.position)
        raise ProfileError(
            f"not valid YAML: character U+{int(exc.character):04X} in column {column} is not "
            "allowed (no control characters but tab and line breaks)",
            file=file,
            line=text.count("\n", 0, exc.position) + 1,
        ) from exc
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
            data = parse_json(text)
        except JSONTextError as exc:
            line = None if exc.position is None else text.count("\n", 0, exc.position) + 1
            raise ProfileError(f"not valid JSON: {exc.reason}", file=file, line=line) from exc
        if value_count(data) > MAX_VALUES:
            raise ProfileError(f"more than {MAX_VALUES} values", file=file)
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
        raise ProfileErrors(_at_most(problems, file))
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        problems.extend(_translate(exc, file, lines))
    if problems:
        raise ProfileErrors(_at_most(problems, file))
    return ProfileDocument(profile, file, lines)


def _at_most(problems: list[ProfileError], file: str | None) -> tuple[ProfileError, ...]:
    """The first `MAX_PROBLEMS` problems, the rest counted in one last line."""
    if len(problems) <= MAX_PROBLEMS:
        return tuple(problems)
    rest = len(problems) - (MAX_PROBLEMS - 1)
    return (
        *problems[: MAX_PROBLEMS - 1],
        ProfileError(f"and {rest} more problems; fix these first", file=file),
    )


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
        return f"{reprlib.repr(value)} {words} {context.get(key)}; change it to fit"
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
    return f"{error['msg']} (got {reprlib.repr(value)})"


def _translate(
    exc: ValidationError, file: str | None, lines: Mapping[FieldPath, int]
) -> list[ProfileError]:
    problems = []
    for error in exc.errors(include_url=False):
        message = _describe(error)
        if message is not None:
            problems.append(_error(message, _clean_loc(error["loc"]), file, lines))
    return problems
