"""Upload a session to a service once: the entry points of the upload package.

* `upload_session` (async): one session file to one service, with the never-twice record
  beside it (`retrorun.upload.record`) and the simulated-session guard.
* `upload_after` (sync): what ``retrorun run`` calls right after its FIT export, for every
  service in ``[export] upload``; a failure is one line on stderr, never fatal.

A failure of any kind (unreachable, refused, rate-limited beyond the wait, nonsense answer)
leaves every file as it was and names the command that tries again.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import httpx

from retrorun.errors import InputError, RetrorunError
from retrorun.upload import intervals, strava
from retrorun.upload.record import Uploaded, add_to_record, read_record
from retrorun.upload.session_file import load_session_file
from retrorun.upload.settings import TARGET_NAMES, StravaSettings, Target, UploadSettings
from retrorun.upload.transport import TIMEOUT_S, Pacing, Service

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


class SimulatedSessionError(InputError):
    """The session ran on the simulator: uploaded only with ``--force``."""

    def __init__(self, message: str, *, location: str, retry: str) -> None:
        self.retry = retry
        super().__init__(f"{message}: {retry}", location=location)


@dataclass(frozen=True)
class Outcome:
    """Where a session is on one service after `upload_session`."""

    target: Target
    uploaded: Uploaded
    already: bool = False
    """It had been uploaded before: nothing was sent this time."""

    def line(self) -> str:
        """The result line the user sees."""
        name = TARGET_NAMES[self.target]
        if self.already:
            return f"already uploaded to {name} on {self.uploaded.uploaded_at}: {self.uploaded.url}"
        if self.uploaded.duplicate:
            return f"{name} already had this activity: {self.uploaded.url}"
        return f"uploaded to {name}: {self.uploaded.url}"


def retry_command(path: Path, target: Target, *, force: bool = False) -> str:
    return f"retrorun upload {shlex.quote(str(path))} --to {target}" + (" --force" if force else "")


async def upload_session(
    path: Path,
    target: Target,
    settings: UploadSettings,
    *,
    force: bool = False,
    pacing: Pacing | None = None,
    token_file: Path | None = None,
) -> Outcome:
    """Upload the session in `path` (a log or a FIT file) to `target`, once.

    `force` uploads a session run on the simulator (refused otherwise). `token_file` is the
    Strava token store when the settings name none. Raises `InputError` for what the user
    must fix and `ServiceError` for the service's failures; neither changes a file.
    """
    pacing = pacing or Pacing()
    name = TARGET_NAMES[target]
    if target == "intervals":
        settings.require_intervals()
    else:
        settings.require_strava()
    recorded = read_record(path).get(target)
    if recorded is not None:
        return Outcome(target, recorded, already=True)
    session = load_session_file(path)
    if session.simulated and not force:
        raise SimulatedSessionError(
            f"a session on the simulated treadmill is not uploaded to {name} (it is not a "
            "real run); add --force to upload it anyway",
            location=str(path),
            retry=retry_command(path, target, force=True),
        )
    pacing.progress(f"uploading {session.file_name} to {name} ...")
    async with httpx.AsyncClient(timeout=TIMEOUT_S) as client:
        service = Service(name, client, pacing, retry=retry_command(path, target, force=force))
        if target == "intervals":
            found = await intervals.upload(service, settings.require_intervals(), session)
        else:
            account = settings.require_strava()
            service = replace(service, max_wait_s=account.max_wait_s)
            store = strava.TokenStore(
                account.token_file or token_file or strava.default_token_file()
            )
            found = await strava.upload(service, account, store, session)
    activity_id, url, duplicate = found
    uploaded = Uploaded(activity_id, url, f"{pacing.now():%Y-%m-%dT%H:%M:%SZ}", duplicate)
    add_to_record(path, target, uploaded)
    return Outcome(target, uploaded)


async def authorize_strava(
    settings: StravaSettings,
    pacing: Pacing,
    show: Callable[[str], None],
    *,
    token_file: Path | None = None,
) -> Path:
    """Authorize retrorun with Strava once (`show` gets the page to open); return where the
    tokens were saved."""
    store = strava.TokenStore(settings.token_file or token_file or strava.default_token_file())
    async with httpx.AsyncClient(timeout=TIMEOUT_S) as client:
        service = Service("Strava", client, pacing, "retrorun upload --to strava --authorize")
        await strava.authorize(service, settings, store, show)
    return store.path


def _stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def upload_after(
    log: Path,
    settings: UploadSettings,
    *,
    force: bool = False,
    progress: Callable[[str], None] = _stderr,
    pacing: Pacing | None = None,
) -> list[Outcome]:
    """Upload a finished session's log to every service of ``[export] upload``.

    Call it after the FIT export, outside any running event loop. Every result and every
    failure is one line through `progress`; nothing is raised, nothing is changed on a
    failure, and the line says how to retry.
    """
    pacing = replace(pacing or Pacing(), progress=progress)
    outcomes: list[Outcome] = []
    if not log.exists():
        return outcomes
    for target in settings.auto:
        try:
            outcome = asyncio.run(upload_session(log, target, settings, force=force, pacing=pacing))
        except RetrorunError as exc:
            retry = (
                "" if getattr(exc, "retry", None) else f"; retry with: {retry_command(log, target)}"
            )
            progress(f"retrorun: not uploaded to {TARGET_NAMES[target]}: {exc}{retry}")
            continue
        progress(outcome.line())
        outcomes.append(outcome)
    return outcomes
