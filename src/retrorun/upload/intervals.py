"""intervals.icu: upload a FIT activity with an athlete id and a personal API key.

``POST {url}/api/v1/athlete/{athlete_id}/activities`` as ``multipart/form-data`` with the
file in the part ``file``, and ``name``, ``description`` and ``external_id`` as query
parameters; HTTP basic authentication with the user name ``API_KEY`` and the key as the
password. The answer (201) is JSON with the new activity's ``id`` (``"i4242"``), also under
``activities[0].id``; the activity's page is ``{url}/activities/{id}``.

Answers that mean the user must fix something (exit 2): 401/403 (wrong or revoked key),
404 (no such athlete). A duplicate (409, or an error that says "duplicate") is recognised:
the service already holds the activity. Everything else is `ServiceError` (exit 1).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx

from retrorun.errors import ConfigError

if TYPE_CHECKING:
    from retrorun.upload.session_file import SessionFile
    from retrorun.upload.settings import IntervalsSettings
    from retrorun.upload.transport import Service

HTTP_UNAUTHORIZED = 401
HTTP_FORBIDDEN = 403
HTTP_NOT_FOUND = 404
HTTP_CONFLICT = 409
_ID = re.compile(r"i?\d+")


async def upload(
    service: Service, settings: IntervalsSettings, session: SessionFile
) -> tuple[str, str, bool]:
    """Upload `session`; return ``(activity_id, url, duplicate)``."""
    url = f"{settings.url}/api/v1/athlete/{settings.athlete_id}/activities"
    response = await service.request(
        "POST",
        url,
        params={
            "name": session.name,
            "description": session.description,
            "external_id": session.external_id,
        },
        files={"file": (session.file_name, session.fit, "application/octet-stream")},
        auth=httpx.BasicAuth("API_KEY", settings.api_key),
    )
    status = response.status_code
    if status in (HTTP_UNAUTHORIZED, HTTP_FORBIDDEN):
        raise ConfigError(
            f"intervals.icu refused the API key (HTTP {status}): check [intervals] api_key "
            "or $RETRORUN_INTERVALS_API_KEY (intervals.icu, Settings, Developer Settings)"
        )
    if status == HTTP_NOT_FOUND:
        raise ConfigError(
            f"intervals.icu has no athlete {settings.athlete_id!r} (HTTP 404): check "
            "[intervals] athlete_id or $RETRORUN_INTERVALS_ATHLETE_ID"
        )
    duplicate = status == HTTP_CONFLICT or (
        400 <= status < 500 and "duplicate" in service.error_text(response).lower()  # noqa: PLR2004
    )
    if not duplicate and not 200 <= status < 300:  # noqa: PLR2004
        raise service.fail(f"upload refused (HTTP {status}: {service.error_text(response)})")
    answer = service.json(response)
    activity_id = _activity_id(answer)
    if activity_id is None:
        if duplicate:
            raise service.fail(
                "intervals.icu already holds this activity but did not say which one; "
                "nothing was uploaded"
            )
        raise service.fail(f"the answer names no activity id ({sorted(answer)})")
    return activity_id, f"{settings.url}/activities/{activity_id}", duplicate


def _activity_id(answer: dict[str, Any]) -> str | None:
    candidates: list[object] = [answer.get("id")]
    activities = answer.get("activities")
    if isinstance(activities, list) and activities and isinstance(activities[0], dict):
        candidates.append(activities[0].get("id"))
    for candidate in candidates:
        text = str(candidate) if isinstance(candidate, str | int) else ""
        if _ID.fullmatch(text):
            return text
    return None
