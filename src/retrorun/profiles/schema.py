"""The JSON Schema of the profile format, generated from the models.

``python -m retrorun.profiles.schema`` prints it; ``python -m retrorun.profiles.schema PATH``
writes it (the committed copy is ``profiles/schema.json``; a test fails when it is stale).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from retrorun.profiles.models import Profile

# Fields that accept a number or a human string carry pydantic's numeric constraints next to
# the ``anyOf``; JSON Schema spells them differently and they belong on the number branch.
_BOUNDS = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}


def _move_bounds(node: object) -> object:
    if isinstance(node, list):
        return [_move_bounds(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {
        key: _move_bounds(value) for key, value in node.items() if key not in _BOUNDS
    }
    bounds = {_BOUNDS[key]: value for key, value in node.items() if key in _BOUNDS}
    branches = out.get("anyOf")
    if bounds and isinstance(branches, list):
        out["anyOf"] = [
            {**branch, **bounds} if branch.get("type") == "number" else branch
            for branch in branches
        ]
    elif bounds:
        out.update(bounds)
    return out


def schema() -> dict[str, object]:
    """The schema as data: what a profile file (YAML or JSON) may contain."""
    data = _move_bounds(Profile.model_json_schema(by_alias=True, mode="validation"))
    assert isinstance(data, dict)  # noqa: S101 - a dict in, a dict out
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "retrorun profile",
        **data,
    }


def schema_text() -> str:
    """The schema as the committed file holds it (sorted keys, two-space indent)."""
    return json.dumps(schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    """Print the schema, or write it to the path given as the only argument."""
    if len(argv) > 1:
        sys.stderr.write("usage: python -m retrorun.profiles.schema [PATH]\n")
        return 2
    if argv:
        Path(argv[0]).write_text(schema_text(), encoding="utf-8")
    else:
        sys.stdout.write(schema_text())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
