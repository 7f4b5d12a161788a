"""The topic tree of one treadmill, and the filters a watcher subscribes to.

```
retrorun/<treadmill-id>/status          online | offline   (retained; offline is the last will)
retrorun/<treadmill-id>/state           JSON snapshot      (retained, on every change)
retrorun/<treadmill-id>/telemetry       JSON, 1 Hz
retrorun/<treadmill-id>/cue             JSON, each cue
retrorun/<treadmill-id>/log             JSON, each session log line (when enabled)
retrorun/<treadmill-id>/command         inbound JSON commands
retrorun/<treadmill-id>/command/result  the answer to each command
```
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from retrorun.mqtt.settings import TOPIC_PREFIX

ONLINE = b"online"
OFFLINE = b"offline"


@dataclass(frozen=True)
class Topics:
    """Every topic of the treadmill `treadmill_id` under `prefix` (each built once)."""

    treadmill_id: str
    prefix: str = TOPIC_PREFIX

    @functools.cached_property
    def root(self) -> str:
        return f"{self.prefix}/{self.treadmill_id}"

    @functools.cached_property
    def status(self) -> str:
        return f"{self.root}/status"

    @functools.cached_property
    def state(self) -> str:
        return f"{self.root}/state"

    @functools.cached_property
    def telemetry(self) -> str:
        return f"{self.root}/telemetry"

    @functools.cached_property
    def cue(self) -> str:
        return f"{self.root}/cue"

    @functools.cached_property
    def log(self) -> str:
        return f"{self.root}/log"

    @functools.cached_property
    def command(self) -> str:
        return f"{self.root}/command"

    @functools.cached_property
    def command_result(self) -> str:
        return f"{self.root}/command/result"


def watch_filters(prefix: str = TOPIC_PREFIX) -> tuple[str, ...]:
    """What a coach's view subscribes to: every treadmill's status, state and telemetry."""
    return tuple(f"{prefix}/+/{leaf}" for leaf in ("status", "state", "telemetry"))


def split_topic(topic: str, prefix: str = TOPIC_PREFIX) -> tuple[str, str] | None:
    """``(treadmill_id, leaf)`` of a topic under `prefix` ("retrorun/tm1/state" -> tm1, state)."""
    head, sep, rest = topic.partition("/")
    if head != prefix or not sep:
        return None
    ident, sep, leaf = rest.partition("/")
    if not ident or not sep or not leaf:
        return None
    return ident, leaf
