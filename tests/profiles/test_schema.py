"""The committed JSON Schema matches the models and accepts the bundled profiles."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from retrorun.profiles import library
from retrorun.profiles.schema import main, schema_text

COMMITTED = Path(__file__).parents[2] / "profiles" / "schema.json"


def test_committed_schema_is_up_to_date() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), (
        "profiles/schema.json is stale: run python -m retrorun.profiles.schema profiles/schema.json"
    )


def test_schema_describes_every_bundled_profile_key() -> None:
    schema = json.loads(schema_text())
    step_keys = set(schema["$defs"]["IntervalStep"]["properties"])
    top_keys = set(schema["properties"])
    for path in library.profile_files(library.bundled_dir()):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert set(data) <= top_keys
        for step in data["steps"]:
            inner = step["repeat"]["steps"] if "repeat" in step else [step]
            for each in inner:
                assert set(each) <= step_keys, path


def test_schema_module_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    assert main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == schema_text()
    assert main(["a", "b"]) == 2
