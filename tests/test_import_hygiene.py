"""The core stays free of the heavy edge libraries, and `--help` loads none of them."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("textual", "bleak", "bleak_retry_connector", "aiomqtt", "aiohttp", "pydantic", "yaml")


def _modules_after(code: str) -> set[str]:
    probe = f"""
import json, sys
{code}
print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}})))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_help_imports_no_heavy_library() -> None:
    loaded = _modules_after(
        "from retrorun.cli import run\ntry:\n    run(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)


def test_core_modules_import_no_edge_library() -> None:
    loaded = _modules_after("import retrorun.clock, retrorun.errors")
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)
