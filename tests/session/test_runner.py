"""The runner against every simulator preset, through the real BleakClient, on a ManualClock."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, TypeAlias

import pytest

from retrorun.clock import ManualClock
from retrorun.device import open_treadmill
from retrorun.errors import DeviceError
from retrorun.profiles import library
from retrorun.profiles.loader import load_profile, parse_profile
from retrorun.profiles.plan import Plan, compile_plan
from retrorun.recording.session_log import SessionLogWriter
from retrorun.session.api import (
    CommandKind,
    CommandResult,
    Cue,
    SessionEnded,
    SessionHandle,
    SessionState,
    UserCommand,
)
from retrorun.session.inputs import EngineOptions
from retrorun.session.runner import SessionRunner
from retrorun_sim import COOPERATIVE_PRESETS, BeltMode, SimulatedTreadmill
from tests.device.conftest import SIM_BACKENDS
from tests.session.logcheck import check_log

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable
    from pathlib import Path

    from retrorun.device import Treadmill

SHORT = """
name: short
steps:
  - {duration: 1m, speed: 5.5}
  - {direction: backward, duration: 1m, speed: 4, incline: 1}
  - {duration: 30s, speed: 5}
"""


STOPPED = (BeltMode.STOPPED, BeltMode.IDLE)
MakeSession: TypeAlias = "Callable[..., Awaitable[Session]]"


def short_plan() -> Plan:
    document = parse_profile(SHORT)
    return compile_plan(document.profile, where=document)


class Session:
    """A runner wired to a simulated treadmill, with a log and a record of its cues."""

    def __init__(
        self,
        sim: SimulatedTreadmill,
        clock: ManualClock,
        log: Path,
        options: EngineOptions,
        plan: Plan | None = None,
    ) -> None:
        self.sim, self.clock = sim, clock

        async def connect() -> Treadmill:
            return await open_treadmill(
                sim.address,
                clock=clock,
                backends=SIM_BACKENDS,
                mph_in_kmh_fields=sim.quirks.speed_in_mph,
            )

        self.runner = SessionRunner(
            plan or short_plan(),
            connect,
            clock=clock,
            options=options,
            profile_info={"name": "short"},
            device_info={"simulated": True, "preset": sim.preset},
            snapshot_interval_s=None,
        )
        self.writer = SessionLogWriter(log)
        self.logging = asyncio.ensure_future(self.writer.follow(self.runner.events()))
        self.task: asyncio.Future[SessionEnded] = asyncio.ensure_future(self.runner.run())

    def runner_done(self) -> bool:
        return self.task.done()

    async def run_for(self, seconds: float) -> None:
        await self.clock.advance(seconds)

    async def finish(self, limit: float = 3000.0) -> SessionEnded:
        """Run to the end, then a few more seconds for the belt to act on the last command."""
        try:
            await self.clock.run_until(self.task, limit=limit)
        finally:
            await self.logging
            await self.clock.advance(5.0)
        return self.task.result()


@pytest.fixture
async def make_session(tmp_path: Path) -> AsyncIterator[MakeSession]:
    sims: list[SimulatedTreadmill] = []

    async def make(
        preset: str = "strict",
        faults: tuple[str, ...] = (),
        *,
        interactive: bool = True,
        headless: bool = False,
        plan: Plan | None = None,
    ) -> Session:
        clock = ManualClock()
        sim = SimulatedTreadmill(preset=preset, faults=faults, clock=clock)
        sims.append(sim)
        await sim.start()
        return Session(
            sim,
            clock,
            tmp_path / f"{preset}.jsonl",
            EngineOptions(interactive=interactive, headless=headless),
            plan,
        )

    yield make
    for sim in sims:
        await sim.stop()


@pytest.mark.parametrize("preset", COOPERATIVE_PRESETS)
async def test_a_session_finishes_on_every_preset(make_session: MakeSession, preset: str) -> None:
    session = await make_session(preset, interactive=False, headless=True)
    ended = await session.finish()
    assert (ended.outcome, ended.exit_code) == ("finished", 0)
    assert ended.totals.turns == 2
    # The minute backward counts at the backward speed; the ramp up to it comes on top.
    assert 60.0 <= ended.totals.backward.duration_s <= 72.0
    lines = check_log(session.writer.path)
    started = [line["t"] for line in lines if line.get("clock") == "started"]
    ends = [line["t"] for line in lines if line["type"] == "segment"][1:]
    counted = [min(e for e in ends if e > s) - s for s in started if any(e > s for e in ends)]
    assert counted[1] == pytest.approx(60.0, abs=0.5)
    turn_now = [line for line in lines if line.get("kind") == "turn_now"]
    assert len(turn_now) == 2
    for line in turn_now:
        assert line["speed_kmh"] == pytest.approx(2.5, abs=0.2)
    assert session.sim.readings().mode in STOPPED


async def test_safety_key_ends_a_headless_session_with_the_belt_stopped(
    make_session: MakeSession,
) -> None:
    session = await make_session(faults=("safety-key@100",), interactive=False)
    ended = await session.finish()
    assert (ended.outcome, ended.reason, ended.exit_code) == ("interrupted", "safety key pulled", 3)
    assert session.sim.readings().speed_kmh == 0.0
    lines = check_log(session.writer.path)
    assert any(line.get("status") == "safety_key" for line in lines)


async def test_headless_session_rides_out_a_short_disconnect(make_session: MakeSession) -> None:
    session = await make_session(faults=("disconnect@40:3",), interactive=False, headless=True)
    ended = await session.finish()
    lines = check_log(session.writer.path)
    statuses = [line.get("status") for line in lines if line["type"] == "status"]
    assert "connection_lost" in statuses
    assert "reconnected" in statuses
    # The simulated belt keeps running through the outage, so the session goes on.
    assert (ended.outcome, ended.exit_code) == ("finished", 0)
    states = [line.get("state") for line in lines if line["type"] == "state"]
    assert states.index("reconnecting") < states.index("resumed")


async def test_commands_through_the_handle_pause_and_resume_the_real_belt(
    make_session: MakeSession,
) -> None:
    session = await make_session()
    handle: SessionHandle = session.runner  # what the TUI and the MQTT bridge are given
    assert handle.plan.name == "short"
    await session.run_for(20.0)
    result = await _command(session, CommandKind.PAUSE)
    assert result.accepted
    await session.run_for(5.0)
    assert session.runner.snapshot().state is SessionState.PAUSED
    assert session.sim.readings().mode is BeltMode.PAUSED
    assert (await _command(session, CommandKind.RESUME)).accepted
    await session.run_for(10.0)
    assert session.runner.snapshot().state is SessionState.RUNNING
    assert session.sim.readings().target_speed_kmh == pytest.approx(5.5)
    assert (await _command(session, CommandKind.STOP)).accepted
    ended = await session.finish()
    assert (ended.outcome, ended.exit_code) == ("stopped", 3)
    assert session.sim.readings().mode in STOPPED


async def test_cancelling_the_session_stops_the_belt_and_closes_the_log(
    make_session: MakeSession,
) -> None:
    session = await make_session()
    cues = session.runner.events()
    await session.run_for(30.0)
    assert session.sim.readings().speed_kmh > 0
    session.task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await session.finish()
    assert session.sim.readings().mode in STOPPED
    lines = check_log(session.writer.path)
    assert (lines[-1]["outcome"], lines[-1]["reason"]) == ("stopped", "cancelled")
    assert any(isinstance(event, Cue) for event in cues.drain())


async def _command(
    session: Session, kind: CommandKind, amount: float | None = None
) -> CommandResult:
    command = UserCommand(kind, amount=amount, source="test")
    pending = asyncio.ensure_future(session.runner.command(command))
    await session.clock.run_until(pending, limit=30.0)
    return pending.result()


async def test_a_failed_connection_ends_every_watcher_and_raises() -> None:
    clock = ManualClock()

    async def connect() -> Treadmill:
        raise DeviceError("no treadmill named 'Nowhere' found in 10 s")

    runner = SessionRunner(short_plan(), connect, clock=clock)
    events = runner.events()
    with pytest.raises(DeviceError, match="Nowhere"):
        await runner.run()
    assert [event async for event in events] == []


@pytest.mark.parametrize(("preset", "at_rest"), [("strict", True), ("ignores-stop", False)])
async def test_a_session_torn_down_mid_run_sees_the_belt_at_rest_or_says_it_did_not(
    make_session: MakeSession, preset: str, at_rest: bool
) -> None:
    # A crash or a cancellation skips the engine's own ending: the runner still stops the
    # belt on its way out, and judges that by telemetry, not by the acknowledgement.
    session = await make_session(preset)
    await session.run_for(40.0)
    assert session.sim.physical().moving
    session.task.cancel()
    end = session.clock.now() + 120.0
    while not session.task.done() and session.clock.now() < end:
        await session.clock.advance(1.0)
    assert session.task.done()
    assert session.runner.belt_at_rest is at_rest
    assert session.sim.physical().moving is not at_rest


async def test_a_session_cancelled_while_a_command_awaits_its_answer_still_stops_the_belt(
    make_session: MakeSession,
) -> None:
    # Ctrl-C lands while a speed change is written and its answer not yet back: the stop on
    # the way out must not be refused as "still in flight", or the belt runs on.
    session = await make_session()
    await session.run_for(30.0)
    session.sim.delay_next_command(3.0)
    assert (await _command(session, CommandKind.SPEED, 0.5)).accepted
    await session.run_for(0.5)  # the nudge is written, its answer 2.5 s away
    session.task.cancel()
    end = session.clock.now() + 60.0
    while not session.task.done() and session.clock.now() < end:
        await session.clock.advance(0.5)
    assert session.runner.belt_at_rest is True
    assert not session.sim.physical().moving


ENDS_BACKWARD = """
name: ends backward
{finish}
steps:
  - {{duration: 30s, speed: 5.5}}
  - {{direction: backward, duration: 30s, speed: 5, incline: 2}}
"""


async def _ride(session: Session, limit_s: float = 600.0) -> list[tuple[float, float]]:
    """(time, speed) of the simulator's physical belt every half second until the session
    ends and the belt has had time to come to rest."""
    samples: list[tuple[float, float]] = []
    while not session.runner_done() and session.clock.now() < limit_s:
        await session.clock.advance(0.5)
        samples.append((session.clock.now(), session.sim.physical().speed_kmh))
    for _ in range(20):
        await session.clock.advance(0.5)
        samples.append((session.clock.now(), session.sim.physical().speed_kmh))
    await session.logging
    return samples


def _slow_before_rest(samples: list[tuple[float, float]], at_most_kmh: float) -> float:
    """How long the belt ran at or below `at_most_kmh` (but moving) before it came to rest."""
    moving = [t for t, speed in samples if speed > 0.0]
    fast = [t for t, speed in samples if speed > at_most_kmh]
    return moving[-1] - fast[-1]


@pytest.mark.parametrize(
    ("finish", "slow_s", "last_cue"),
    [
        ("", 15.0, "Settle in, facing forward."),
        ("finish: stop", 5.0, "Hold the rails, the belt is stopping"),
    ],
)
async def test_a_workout_ending_backward_never_stops_the_belt_under_a_runner_facing_away(
    make_session: MakeSession, finish: str, slow_s: float, last_cue: str
) -> None:
    document = parse_profile(ENDS_BACKWARD.format(finish=finish))
    plan = compile_plan(document.profile, where=document)
    session = await make_session(interactive=False, headless=True, plan=plan)
    samples = await _ride(session)
    assert session.task.result().outcome == "finished"
    assert session.sim.physical().speed_kmh == 0.0
    # The belt was at turn speed (2.5 km/h, measured within 0.2) at least the turn window
    # and settle (turn) or the hold (stop) before it came to rest: never from 5 km/h.
    assert _slow_before_rest(samples, 2.7) >= slow_s
    texts = [line["text"] for line in check_log(session.writer.path) if line["type"] == "cue"]
    said = texts.index(last_cue)
    assert said > max(i for i, text in enumerate(texts) if "backward" in text)
    assert said < texts.index("Workout complete. Well done!")


def _bundled_plan(name: str) -> Plan:
    document = load_profile(library.resolve(name))
    return compile_plan(document.profile, where=document)


@pytest.mark.parametrize("preset", ["strict", "laggy"])
async def test_every_stride_holds_its_speed_on_the_belt_however_slowly_it_speeds_up(
    make_session: MakeSession, preset: str
) -> None:
    session = await make_session(
        preset, interactive=False, headless=True, plan=_bundled_plan("track-warm-up")
    )
    samples = await _ride(session, limit_s=3000.0)
    assert session.task.result().outcome == "finished"
    at_speed: list[float] = []
    since = None
    for t, speed in samples:
        if speed >= 12.8 and since is None:
            since = t
        elif speed < 12.8 and since is not None:
            at_speed.append(t - since)
            since = None
    # Three strides, each at 13 km/h (measured within 0.2) for 15 s or more, on a belt that
    # takes 2 s to react and speeds up at 0.3 km/h per s too.
    assert len(at_speed) == 3
    assert min(at_speed) >= 15.0


async def test_the_safety_key_reminder_comes_before_the_belt_moves_and_form_cues_before_the_turn(
    make_session: MakeSession,
) -> None:
    session = await make_session(
        interactive=False, headless=True, plan=_bundled_plan("first-backward-walk")
    )
    moved_at = None
    while moved_at is None:
        await session.clock.advance(0.1)
        if session.sim.physical().moving:
            moved_at = session.clock.now()
    await session.clock.advance(400.0)
    session.task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await session.task
    await session.logging
    cues = [line for line in check_log(session.writer.path) if line["type"] == "cue"]
    (reminder,) = [c for c in cues if "Clip the safety key" in c["text"]]
    assert reminder["t"] < moved_at - 1.0
    form = "Hold the rails, short steps, land on the balls of your feet"
    first_form = min(c["t"] for c in cues if form in c["text"])
    first_turn = min(c["t"] for c in cues if c["kind"] == "turn_now")
    assert first_form < first_turn - 10.0
