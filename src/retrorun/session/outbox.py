"""What the engine says while it handles one event: log lines, cues, snapshots, in order.

Every part of the engine writes here (never to a list of its own), so the actions of one
`Engine.handle` come out in the order they happened; the engine takes them at the end.
Pure: the session clock comes from the `Ledger`, nothing is performed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrorun.profiles import words
from retrorun.profiles.words import CueGroup, Verbosity, group_of
from retrorun.session.api import Cue, LogEntry, SessionEnded
from retrorun.session.inputs import Action, Publish

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

    from retrorun.session.api import CueKind, Snapshot
    from retrorun.session.inputs import EngineOptions
    from retrorun.session.ledger import Ledger


class Outbox:
    """The actions of the event being handled, and how a log line and a cue are written."""

    def __init__(self, ledger: Ledger, options: EngineOptions) -> None:
        self._ledger = ledger
        self._options = options
        self._actions: list[Action] = []
        self._shown: Hashable = ()
        self._said: set[str] = set()

    @property
    def units(self) -> words.Units:
        """The runner's units (every speed a cue says is in them)."""
        return self._options.units

    def add(self, action: Action) -> None:
        self._actions.append(action)

    def take(self) -> list[Action]:
        """Everything added since the last `take`, in order."""
        out, self._actions = self._actions, []
        return out

    def log(self, type_: str, **fields: object) -> None:
        self._actions.append(Publish(LogEntry(self._ledger.t, type_, fields)))

    def cue(
        self,
        kind: CueKind,
        text: str,
        *,
        beeps: int = 0,
        group: CueGroup | None = None,
        level: Verbosity = Verbosity.NORMAL,
        **extra: object,
    ) -> None:
        """Say `text` (and log it) in the runner's units, unless the runner's cue settings
        leave it out: safety cues are always said."""
        if not self._options.cues.says(group or group_of(kind), level):
            return
        text = words.in_units(text, self.units)
        self._actions.append(Publish(Cue(self._ledger.t, kind, text, beeps)))
        fields: dict[str, object] = {"text": text, "kind": str(kind)}
        if beeps:
            fields["beeps"] = beeps
        self.log("cue", **fields, **{k: v for k, v in extra.items() if v is not None})

    def first_time(self, key: str) -> bool:
        """True the first time `key` is asked since `new_segment`: what is announced once
        per segment (a cap, a treadmill sending no data)."""
        if key in self._said:
            return False
        self._said.add(key)
        return True

    def new_segment(self) -> None:
        """A segment begins: its announcements are said again."""
        self._said = set()

    def snapshot(self, key: Hashable, make: Callable[[], Snapshot], *, ended: bool) -> None:
        """Publish ``make()`` when `key` (what a watcher shows) changed since the last one
        (the runner adds periodic snapshots for moving counters); `SessionEnded` stays the
        last event, and nothing follows it."""
        if key == self._shown:
            return
        self._shown = key
        snap = Publish(make())
        for position, action in enumerate(self._actions):
            if isinstance(action, Publish) and isinstance(action.event, SessionEnded):
                self._actions.insert(position, snap)
                return
        if not ended:
            self._actions.append(snap)
