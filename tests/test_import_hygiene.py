"""The core stays free of the heavy edge libraries, and `--help` loads none of them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "textual",
    "bleak",
    "bleak_retry_connector",
    "aiomqtt",
    "aiohttp",
    "pydantic",
    "yaml",
    "httpx",
    "bumble",
)


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


def test_the_simulator_loads_bumble_only_to_go_on_the_air() -> None:
    loaded = _modules_after("import retrorun_sim, retrorun_sim.backend, retrorun_sim.demo")
    assert "bumble" not in loaded
    pytest.importorskip("bumble", reason="the ble-sim extra is not installed")
    assert "bumble" in _modules_after("import retrorun_sim.air")


EDGES = ("textual", "bleak", "bleak_retry_connector", "dbus_fast", "aiomqtt")
# Each pure module, and what importing it must not load (on top of the edge libraries).
PURE: dict[str, tuple[str, ...]] = {
    "retrorun.session.engine": ("asyncio",),
    "retrorun.session.lifecycle": ("asyncio",),
    "retrorun.session.turn": ("asyncio",),
    "retrorun.session.commands": ("asyncio",),
    "retrorun.session.ledger": ("asyncio",),
    "retrorun.session.cues": ("asyncio",),
    "retrorun.session.tables": ("asyncio",),
    "retrorun.session.api": ("asyncio", "pydantic"),
    "retrorun.device.events": ("asyncio", "pydantic"),
    "retrorun.device.ramp": ("asyncio", "pydantic"),
    "retrorun.ftms": ("asyncio", "pydantic", "yaml"),
    "retrorun.fit": ("asyncio", "pydantic", "yaml"),
    "retrorun.profiles.timeline": ("asyncio", "pydantic"),
    "retrorun.profiles.safety": ("asyncio",),
    "retrorun.profiles.plan": ("asyncio",),
    "retrorun.mqtt.topics": ("asyncio", "pydantic"),
    "retrorun.mqtt.payloads": ("asyncio", "pydantic"),
    "retrorun.mqtt.discovery": ("asyncio", "pydantic"),
    "retrorun.mqtt.settings": ("asyncio", "pydantic"),
    "retrorun.mqtt.board": ("asyncio", "pydantic"),
    "retrorun.recording.log_reader": ("asyncio", "pydantic"),
    "retrorun.recording.activity": ("asyncio", "pydantic"),
    "retrorun.recording.fit_activity": ("asyncio", "pydantic"),
    "retrorun.recording.tcx": ("asyncio", "pydantic"),
    "retrorun.recording.summary": ("asyncio", "pydantic"),
    "retrorun.jsontext": ("asyncio", "pydantic", "yaml"),
}


@pytest.mark.parametrize("module", sorted(PURE))
def test_pure_modules_load_no_edge_library_and_no_event_loop(module: str) -> None:
    loaded = _modules_after(f"import {module}")
    forbidden = set(EDGES) | set(PURE[module])
    assert loaded.isdisjoint(forbidden), loaded & forbidden
