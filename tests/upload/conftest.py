"""Session files, settings and a recording clock for the upload tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from retrorun.upload.settings import IntervalsSettings, StravaSettings, UploadSettings
from retrorun.upload.transport import Pacing
from tests.recording.fixtures import EVENTS, HEADER, SUMMARY, jsonl
from tests.upload.fakes import NOW

if TYPE_CHECKING:
    from pathlib import Path

    from tests.upload.fakes import FakeIntervals, FakeStrava

REAL_HEADER = {
    **HEADER,
    "device": {"name": "FS-T1", "address": "AA:BB:CC:DD:EE:FF", "simulated": False},
}


def real_log(tmp_path: Path, name: str = "run.jsonl") -> Path:
    """A session log from a real (not simulated) treadmill."""
    path = tmp_path / name
    path.write_text(jsonl(REAL_HEADER, *EVENTS, SUMMARY), encoding="utf-8")
    return path


def simulated_log(tmp_path: Path, name: str = "sim.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(jsonl(HEADER, *EVENTS, SUMMARY), encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in `folder` and its bytes (to show that a failure changed nothing)."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


@dataclass
class Clock:
    """A fake clock for `Pacing`: sleeping advances it at once and is remembered."""

    now: datetime = field(default_factory=lambda: datetime.fromtimestamp(NOW, UTC))
    slept: list[float] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now = datetime.fromtimestamp(self.now.timestamp() + seconds, UTC)

    def pacing(self) -> Pacing:
        return Pacing(sleep=self.sleep, now=lambda: self.now, progress=self.lines.append)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def intervals_settings(fake: FakeIntervals, **changes: object) -> UploadSettings:
    account = IntervalsSettings(fake.athlete_id, fake.api_key, fake.url)
    return UploadSettings(intervals=account, **changes)  # type: ignore[arg-type]


def strava_settings(fake: FakeStrava, tmp_path: Path, **changes: object) -> UploadSettings:
    account = StravaSettings(
        fake.client_id,
        fake.client_secret,
        token_file=tmp_path / "tokens" / "strava-token.json",
        callback_port=0,
        api_url=f"{fake.url}/api/v3",
        oauth_url=f"{fake.url}/oauth",
        web_url="https://www.strava.com",
    )
    return UploadSettings(strava=account, **changes)  # type: ignore[arg-type]


def save_tokens(path: Path, fake: FakeStrava, *, expires_at: int) -> None:
    """Tokens as an earlier authorization left them (0600)."""
    issued = fake.issue(expires_at)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**issued, "scope": "read,activity:write"}), encoding="utf-8")
    path.chmod(0o600)
