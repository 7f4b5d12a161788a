"""Fixtures: a real simulated session and the app showing it at 80x24."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.tui.rig import SimSession, short_profile

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[SimSession]:
    running = await SimSession.start(short_profile(tmp_path), tmp_path / "session.jsonl")
    try:
        yield running
    finally:
        await running.close()
