"""SVG snapshots of the session screen at 80x24 in each state a runner meets.

The snapshots shown are captured from one real session on the simulator (a ManualClock,
so every value is the same on every run); the app then shows each one from a handle that
holds it still, so the picture cannot move while it is taken. Update them with
``pytest tests/tui/test_snapshots.py --snapshot-update`` after a deliberate change, and look.
"""

from __future__ import annotations

import asyncio
import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from retrorun.hub import Hub, Only, Subscription
from retrorun.session.api import (
    CommandKind,
    CommandResult,
    Cue,
    CueKind,
    Phase,
    SessionEvent,
    SessionState,
    Snapshot,
    UserCommand,
)
from retrorun.tui import Launched, RetrorunApp
from tests.tui.rig import SimSession, short_plan, short_profile

if TYPE_CHECKING:
    from collections.abc import Callable

    from retrorun.profiles.plan import Plan


@dataclass
class StillSession:
    """A session held at one snapshot (and, optionally, its last cue)."""

    plan: Plan
    still: Snapshot
    cue: Cue | None = None

    def snapshot(self) -> Snapshot:
        return self.still

    def events(self, *, only: Only = None) -> Subscription[SessionEvent]:
        hub: Hub[SessionEvent] = Hub()
        subscription = hub.subscribe(only=only)
        if self.cue is not None:
            hub.publish(self.cue)
        return subscription

    async def command(self, command: UserCommand) -> CommandResult:
        return CommandResult(command, accepted=False, reason="held still for a picture")


async def _capture() -> tuple[Plan, dict[str, Snapshot]]:
    with tempfile.TemporaryDirectory() as folder:
        plan = short_plan(Path(folder))
        session = await SimSession.start(
            short_profile(Path(folder)), Path(folder) / "s.jsonl", faults=("disconnect@100:4",)
        )
        shots: dict[str, Snapshot] = {}
        try:
            await session.advance_until(
                lambda s: s.state == SessionState.RUNNING and s.segment_elapsed_s > 12
            )
            shots["forward"] = session.runner.snapshot()
            await _ask(session, CommandKind.PAUSE)
            await session.advance(1.0)
            shots["paused"] = session.runner.snapshot()
            await _ask(session, CommandKind.RESUME)
            await session.advance_until(lambda s: s.phase == Phase.TURN_WINDOW)
            await session.advance(2.0)
            shots["turn"] = session.runner.snapshot()
            await session.advance_until(
                lambda s: (
                    s.segment_kind == "interval"
                    and s.direction == "backward"
                    and s.segment_elapsed_s > 8
                )
            )
            shots["backward"] = session.runner.snapshot()
            await session.advance_until(lambda s: s.state == SessionState.RECONNECTING)
            await session.advance(1.0)
            shots["reconnecting"] = session.runner.snapshot()
            back = await session.advance_until(lambda s: s.state != SessionState.RECONNECTING)
            if back.state == SessionState.PAUSED:
                await _ask(session, CommandKind.RESUME)
            await session.clock.run_until(session.task, limit=600)
            shots["finished"] = session.runner.snapshot()
        finally:
            await session.close()
        return plan, shots


async def _ask(session: SimSession, kind: CommandKind) -> None:
    answer = asyncio.ensure_future(session.runner.command(UserCommand(kind)))
    await session.clock.run_until(answer, limit=5)
    assert answer.result().accepted, answer.result().reason


@functools.cache
def captured() -> tuple[Plan, dict[str, Snapshot]]:
    return asyncio.run(_capture())


CUES: dict[str, Cue] = {
    "turn": Cue(0.0, CueKind.TURN_NOW, "Turn around now."),
    "backward": Cue(0.0, CueKind.TEXT, "Backward walk. Hold the rails until you feel steady."),
}


@pytest.mark.parametrize(
    "state", ["forward", "turn", "backward", "paused", "reconnecting", "finished"]
)
def test_session_screen(state: str, snap_compare: Callable[..., bool]) -> None:
    plan, shots = captured()
    still = shots[state]
    cue = CUES.get(state)
    if cue is not None:
        cue = Cue(still.t, cue.kind, cue.text)
    app = RetrorunApp(Launched(StillSession(plan, still, cue)), memory_path=Path("/nonexistent"))
    assert snap_compare(app, terminal_size=(80, 24))


def test_the_captured_states_are_the_states_named() -> None:
    _, shots = captured()
    assert shots["forward"].direction == "forward"
    assert shots["turn"].segment_kind == "turn"
    assert shots["backward"].direction == "backward"
    assert shots["paused"].state == SessionState.PAUSED
    assert shots["reconnecting"].state == SessionState.RECONNECTING
    assert shots["finished"].state == SessionState.FINISHED


def test_session_screen_on_a_light_theme(snap_compare: Callable[..., bool]) -> None:
    plan, shots = captured()
    app = RetrorunApp(Launched(StillSession(plan, shots["backward"])), memory_path=Path("/-"))
    app.theme = "textual-light"
    assert snap_compare(app, terminal_size=(80, 24))


def test_session_screen_scales_up_to_a_large_terminal(snap_compare: Callable[..., bool]) -> None:
    plan, shots = captured()
    app = RetrorunApp(Launched(StillSession(plan, shots["turn"])), memory_path=Path("/-"))
    assert snap_compare(app, terminal_size=(140, 44))
