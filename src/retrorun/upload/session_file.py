"""What an upload sends: the FIT activity of a session, its name and its description.

`load_session_file` takes a session log (``run.jsonl``: the FIT is made from it in memory,
the way ``retrorun export`` makes it) or a FIT file (``run.fit``: sent as it is; its log
beside it, when there, gives the name, the description and whether it was simulated).
Reading never changes a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun.errors import InputError
from retrorun.fit.profile import MesgNum
from retrorun.fit.reader import read_fit
from retrorun.recording.fit_activity import SIMULATED_MARK, export_fit
from retrorun.recording.log_reader import SessionLog, read_log
from retrorun.recording.summary import summarize
from retrorun.userfiles import UnreadableFile, read_bounded

if TYPE_CHECKING:
    from pathlib import Path

MAX_FIT_BYTES = 64 * 1024 * 1024
LOG_SUFFIX = ".jsonl"
DESCRIPTOR_FIELD = 19


@dataclass(frozen=True)
class SessionFile:
    """One session, ready to send."""

    path: Path
    """The file the user named (the upload record goes beside it)."""
    fit: bytes
    file_name: str
    name: str
    description: str
    external_id: str
    simulated: bool


def load_session_file(path: Path) -> SessionFile:
    """The session in `path` (a log or a FIT file); `InputError` naming it when unusable."""
    if path.suffix.lower() == ".fit":
        return _from_fit(path)
    log = read_log(path)
    offset = log.started_at.astimezone().utcoffset()
    data = export_fit(log, round(offset.total_seconds()) if offset else 0)
    return _described(path, data, log)


def _from_fit(path: Path) -> SessionFile:
    try:
        data = read_bounded(path, MAX_FIT_BYTES)
    except UnreadableFile as exc:
        raise InputError(str(exc), location=str(path)) from exc
    messages = read_fit(data, str(path))
    if not any(message.global_number == MesgNum.RECORD for message in messages):
        raise InputError(
            "the FIT file holds no activity records: nothing to upload", location=str(path)
        )
    log_path = path.with_suffix(LOG_SUFFIX)
    if log_path.exists():
        return _described(path, data, read_log(log_path))
    simulated = any(
        message.global_number == MesgNum.DEVICE_INFO
        and message.fields.get(DESCRIPTOR_FIELD) == SIMULATED_MARK
        for message in messages
    )
    return SessionFile(
        path, data, path.name, path.stem, "Treadmill run (retrorun)", path.stem, simulated
    )


def _described(path: Path, data: bytes, log: SessionLog) -> SessionFile:
    device = log.header.get("device")
    simulated = isinstance(device, dict) and device.get("simulated") is True
    started = log.started_at.strftime("%Y%m%dT%H%M%SZ")
    return SessionFile(
        path=path,
        fit=data,
        file_name=path.with_suffix(".fit").name,
        name=log.profile_name,
        description=describe(log),
        external_id=f"retrorun-{started}",
        simulated=simulated,
    )


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}" if hours else f"{minutes}:{rest:02d}"


def _distance(metres: float) -> str:
    return f"{metres / 1000:.2f} km" if metres >= 1000 else f"{metres:.0f} m"  # noqa: PLR2004


def describe(log: SessionLog) -> str:
    """The activity's description: the backward parts, since no app shows direction."""
    summary = summarize(log)
    backward_laps = [lap.index + 1 for lap in summary.activity.laps if lap.group == "backward"]
    lines = ["Treadmill run with forward and backward (retro) intervals, by retrorun."]
    backward = summary.groups.get("backward")
    if backward is not None and backward.duration_s > 0:
        laps = ", ".join(map(str, backward_laps))
        lines.append(
            f"Backward: {_clock(backward.duration_s)}, {_distance(backward.distance_m)} "
            f"in {len(backward_laps)} laps ({laps})."
        )
    forward = summary.groups.get("forward")
    if forward is not None and forward.duration_s > 0:
        lines.append(f"Forward: {_clock(forward.duration_s)}, {_distance(forward.distance_m)}.")
    if summary.turns:
        lines.append(f"Turns: {summary.turns} (rest laps).")
    if log.header.get("device", {}).get("simulated") is True:
        lines.append("Simulated treadmill: not a real run.")
    return "\n".join(lines)
