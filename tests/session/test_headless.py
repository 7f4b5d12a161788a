"""The headless view: cue and progress lines, and keys from a terminal."""

from __future__ import annotations

import asyncio
import os
import re
from typing import TYPE_CHECKING

from retrorun.headless import cue_line, progress_line, read_keys, show
from retrorun.hub import Hub
from retrorun.session.api import (
    CommandKind,
    CommandResult,
    Cue,
    CueKind,
    SessionEnded,
    SessionEvent,
    Totals,
    UserCommand,
)
from retrorun.session.keys import KEY_MAP, help_lines
from tests.session.belt import Drive
from tests.session.test_engine import ALT, plan_of

if TYPE_CHECKING:
    from retrorun.hub import Only, Subscription
    from retrorun.profiles.plan import Plan
    from retrorun.session.api import Snapshot


class FakeHandle:
    """A `SessionHandle` that replays events and records the commands it is asked for."""

    def __init__(self) -> None:
        self.hub: Hub[SessionEvent] = Hub()
        self.commands: list[UserCommand] = []
        self.drive = Drive.start(plan_of(ALT))

    @property
    def plan(self) -> Plan:
        return self.drive.engine.plan

    def snapshot(self) -> Snapshot:
        return self.drive.snapshot()

    def events(self, *, only: Only = None) -> Subscription[SessionEvent]:
        return self.hub.subscribe(only=only)

    async def command(self, command: UserCommand) -> CommandResult:
        self.commands.append(command)
        return CommandResult(command, accepted=command.kind is not CommandKind.SKIP, reason="no")


def test_lines_are_compact_and_say_what_matters() -> None:
    handle = FakeHandle()
    handle.drive.run_until(70.0)
    line = progress_line(handle.snapshot())
    pattern = (
        r"\[1:10\] running 1/5 forward run \| 9\.0 km/h \(9\.0\) 0 % \| 1:1\d left \| 0\.\d\d km"
        r" \| 1\d kcal est\."
    )
    assert re.fullmatch(pattern, line), line
    assert cue_line(Cue(125.0, CueKind.COUNTDOWN, "3", beeps=1)) == "[2:05] >> 3 (beep)"


async def test_show_prints_cues_and_a_progress_line_per_segment_until_the_end() -> None:
    handle = FakeHandle()
    lines: list[str] = []
    shown = asyncio.ensure_future(show(handle, lines.append, every_s=1e9))
    await asyncio.sleep(0)
    handle.drive.run_to_end()
    for event in handle.drive.events:
        handle.hub.publish(event)
    ended = await shown
    assert isinstance(ended, SessionEnded)
    assert any(">> Turn around now." in line for line in lines)
    segments = [line for line in lines if " running " in line and "/5 " in line]
    assert len({line.split("/5 ")[1].split(" |")[0] for line in segments}) == 5
    assert ended.totals != Totals()


async def _typed(keys: bytes, commands: int) -> tuple[FakeHandle, list[str]]:
    """Type `keys` on a terminal the headless view reads; what it sent and wrote."""
    handle = FakeHandle()
    master, slave = os.openpty()
    lines: list[str] = []
    with os.fdopen(slave, "r") as terminal:
        reading = asyncio.ensure_future(read_keys(handle, lines.append, terminal))
        await asyncio.sleep(0)
        os.write(master, keys)
        while len(handle.commands) < commands:  # noqa: ASYNC110 - waits for the reader, not for time
            await asyncio.sleep(0)
        reading.cancel()
    os.close(master)
    return handle, lines


async def test_keys_typed_on_a_terminal_become_commands() -> None:
    handle, lines = await _typed(b"psx+]uq", 6)
    assert handle.commands == [
        UserCommand(CommandKind.PAUSE, source="key"),
        UserCommand(CommandKind.SKIP, source="key"),
        UserCommand(CommandKind.SPEED, 0.1, source="key"),
        UserCommand(CommandKind.SPEED, 0.5, source="key"),
        UserCommand(CommandKind.INCLINE, 0.5, source="key"),
        UserCommand(CommandKind.STOP, source="key"),
    ]
    assert lines[0].startswith("keys:")
    assert "   (skip: no)" in lines


async def test_question_mark_lists_every_key_of_the_map() -> None:
    _, lines = await _typed(b"?q", 1)
    assert lines[1 : 1 + len(KEY_MAP)] == help_lines()
    assert any("space  pause / resume" in line for line in lines)
