"""Where session logs go when no --log is given."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from retrorun.recording.session_log import KEEP_SIMULATED, SessionLogWriter, default_log_path
from retrorun.session.api import LogEntry

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_simulated_sessions_are_kept_apart_and_pruned_to_the_newest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A developer's --fast runs go to sessions/simulated/ and never pile up past the limit;
    # the runner's own sessions are never pruned.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    folder = tmp_path / "retrorun" / "sessions" / "simulated"
    folder.mkdir(parents=True)
    for n in range(KEEP_SIMULATED + 5):
        (folder / f"2026-01-01T00-00-{n:02d}-x.jsonl").write_text("{}\n")
    (folder / "2026-01-01T00-00-00-x.fit").write_bytes(b"fit")
    path = default_log_path("Run", datetime(2026, 12, 1, tzinfo=UTC), simulated=True)
    assert path.parent == folder
    kept = sorted(p.name for p in folder.glob("*.jsonl"))
    assert len(kept) == KEEP_SIMULATED - 1  # room for the new one
    assert kept[0] == "2026-01-01T00-00-06-x.jsonl"
    assert not (folder / "2026-01-01T00-00-00-x.fit").exists()  # exported beside it, too
    real = default_log_path("Run", datetime(2026, 12, 1, tzinfo=UTC))
    assert real.parent == folder.parent


def test_two_sessions_started_in_the_same_second_get_a_log_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two --fast runs side by side (a developer's loop, retrorun test) share the default
    # name's second; the second one used to stop with "a session log is already there".
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    now = datetime(2026, 12, 1, tzinfo=UTC)
    first, second, third = (
        SessionLogWriter(default_log_path("Run", now), numbered=True) for _ in range(3)
    )
    for writer in (first, second, third):
        writer.open()
        writer.close()
    assert first.path.name == "2026-12-01T00-00-00-run.jsonl"
    assert second.path.name == "2026-12-01T00-00-00-run-2.jsonl"
    assert third.path.name == "2026-12-01T00-00-00-run-3.jsonl"


def test_a_session_in_real_time_has_every_line_on_disk_as_it_happens(tmp_path: Path) -> None:
    # A killed process (kill -9, a pulled plug) loses nothing already written; only a --fast
    # session on the simulator writes in blocks, and whole when it closes.
    steady, fast = (
        SessionLogWriter(tmp_path / "real.jsonl"),
        SessionLogWriter(tmp_path / "fast.jsonl", buffered=True),
    )
    for writer in (steady, fast):
        writer.open()
        writer.write(LogEntry(1.0, "cue", {"text": "Turn around now."}))
    assert (tmp_path / "real.jsonl").read_text() == (
        '{"t": 1.0, "type": "cue", "text": "Turn around now."}\n'
    )
    assert (tmp_path / "fast.jsonl").read_text() == ""
    fast.close()
    assert (tmp_path / "fast.jsonl").read_text().count("Turn around now.") == 1
    steady.close()
