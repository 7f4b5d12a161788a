"""JSON text both ways: compact JSON for what the edges send (MQTT payloads, the web view's
messages) and bounded parsing of JSON that comes from outside (logs, profiles, commands).

Pure. The session's numbers are floats that can be NaN or infinite (a sensor that reports
"not available" through arithmetic); those are not JSON, so they are sent as null.

`parse_json` refuses what no retrorun file or message holds but a hostile one can: nesting
deeper than a few dozen levels (Python's parser would recurse until `RecursionError`),
integers of thousands of digits (``int()`` and ``float()`` of them fail or take quadratic
time), numbers beyond a float and ``NaN``/``Infinity`` (not JSON at all).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from typing import Any

MAX_DEPTH = 32
"""No retrorun JSON nests deeper (a profile's repeat inside a repeat is about ten levels)."""
MAX_INT_DIGITS = 20
"""Digits of an integer literal: 64-bit integers fit, thousand-digit numbers do not."""


class JSONTextError(ValueError):
    """JSON text that `parse_json` refuses; `position` is the character offset, if known."""

    def __init__(self, reason: str, position: int | None = None) -> None:
        self.reason = reason
        self.position = position
        super().__init__(f"{reason} at character {position}" if position is not None else reason)


def compact_json(data: dict[str, Any]) -> str:
    """Compact JSON text, UTF-8 characters kept as they are, NaN and infinities as null."""
    return json.dumps(finite(data), separators=(",", ":"), ensure_ascii=False)


def finite(value: Any) -> Any:  # noqa: ANN401 - walks any JSON-shaped value
    """`value` with every NaN or infinite float inside it replaced by None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


def parse_json(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:  # noqa: ANN401 - JSON
    """The value of strict JSON `text`, or `JSONTextError` (never another exception).

    Bytes must be UTF-8. Refused: invalid JSON, nesting deeper than `max_depth`, integers
    longer than `MAX_INT_DIGITS` digits, floats beyond the float range, NaN and Infinity.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONTextError(f"not UTF-8 text (byte {exc.start})") from exc
    try:
        value = _DECODER.decode(text)
    except JSONTextError:
        raise
    except json.JSONDecodeError as exc:
        raise JSONTextError(exc.msg, exc.pos) from exc
    except ValueError as exc:  # int() refuses integers of thousands of digits
        raise JSONTextError(_TOO_LONG, _number_at(text)) from exc
    except RecursionError as exc:  # deeper than the interpreter's stack: far past max_depth
        raise _too_deep(text, max_depth) from exc
    fault = _fault(value, max_depth)
    if fault is _TOO_DEEP:
        raise _too_deep(text, max_depth)
    if fault is not None:
        raise JSONTextError(fault, _number_at(text))
    return value


_TOO_DEEP = "nested too deep"
_TOO_LONG = f"a number with more than {MAX_INT_DIGITS} digits"
_TOO_BIG = "a number beyond the range of a float"
_INT_LIMIT = 10**MAX_INT_DIGITS


def _no_constant(name: str) -> float:
    raise JSONTextError(f"{name} is not a JSON value")


def _fault(value: object, max_depth: int) -> str | None:
    """What `parse_json` refuses in a parsed value, if anything: one walk, level by level,
    no recursion. `json` builds exact dicts, lists, floats and ints, so `type` is enough."""
    level: list[Any] = [value]
    for depth in itertools.count(1):
        below: list[Any] = []
        for item in level:
            kind = type(item)
            if kind is dict:
                below.extend(item.values())
            elif kind is list:
                below.extend(item)
            elif kind is float and not math.isfinite(item):  # 1e400 parses as infinity
                return _TOO_BIG
            elif kind is int and abs(item) >= _INT_LIMIT:
                return _TOO_LONG
        if not below:
            return None
        if depth >= max_depth and any(type(item) in (dict, list) for item in below):
            return _TOO_DEEP
        level = below
    return None  # pragma: no cover - the loop returns


def nests_deeper_than(value: object, max_depth: int) -> bool:
    """True when `value` (dicts and lists, as JSON and TOML parse to) nests containers deeper
    than `max_depth`; iterative, so any depth is safe to ask about."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def value_count(value: object) -> int:
    """How many values `value` holds, itself and every container and scalar inside it."""
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


_STRING_OR_NUMBER = re.compile(
    r'"[^"\\]*(?:\\.[^"\\]*)*"|-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?'
)


def _number_at(text: str) -> int | None:
    """The character offset of the first number `parse_json` refuses: an integer of more
    than `MAX_INT_DIGITS` digits or a float beyond the float range (strings skipped)."""
    for match in _STRING_OR_NUMBER.finditer(text):
        literal = match.group()
        if literal.startswith('"'):
            continue
        if any(mark in literal for mark in ".eE"):
            if not math.isfinite(float(literal)):
                return match.start()
        elif len(literal.lstrip("-")) > MAX_INT_DIGITS:
            return match.start()
    return None


_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def _too_deep(text: str, max_depth: int) -> JSONTextError:
    """The error for `text` nesting deeper than `max_depth`, at the container that does."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        lexeme = match.group()
        if lexeme in "[{":
            depth += 1
            if depth > max_depth:
                return JSONTextError(f"nested more than {max_depth} levels deep", match.start())
        elif lexeme in "]}":
            depth -= 1
    return JSONTextError(f"nested more than {max_depth} levels deep")


# One decoder for every call (json.loads builds a new one whenever it is given an option).
_DECODER = json.JSONDecoder(parse_constant=_no_constant)
