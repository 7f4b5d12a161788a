"""Every message that crosses the app: what the session said, what a person asked for,
and the session's answers.

The app posts the session's events from its one task that follows ``handle.events()`` down
to the session screen; screens post `CommandRequested` up to the app, which alone talks to
the session. Nothing here owns state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from retrorun.session.api import CommandResult, Cue, SessionEnded, Snapshot, UserCommand


class SnapshotArrived(Message):
    """A new `Snapshot` (about 4 a second while running, and on every change)."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class CueArrived(Message):
    """A cue to show in the banner (audio plays it on its own)."""

    def __init__(self, cue: Cue) -> None:
        super().__init__()
        self.cue = cue


class SessionFinished(Message):
    """The session's last event: it ended, and how."""

    def __init__(self, ended: SessionEnded) -> None:
        super().__init__()
        self.ended = ended


class CommandAnswered(Message):
    """The session's answer to a command a key or button asked for."""

    def __init__(self, result: CommandResult) -> None:
        super().__init__()
        self.result = result


class CommandRequested(Message):
    """A key or button asks the session for `command` (the app sends it)."""

    def __init__(self, command: UserCommand) -> None:
        super().__init__()
        self.command = command
