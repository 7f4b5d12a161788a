"""Strava: OAuth for a personal API application, the upload, and polling until it is ready.

**Authorization** (once, ``retrorun upload --to strava --authorize``): the authorization
code flow as Strava documents it. retrorun listens on ``http://127.0.0.1:{callback_port}/``,
shows ``{oauth_url}/authorize?client_id=…&redirect_uri=…&response_type=code&
approval_prompt=auto&scope=activity:write&state=…``, and when the browser comes back with
``code`` (and the granted ``scope``), trades it at ``POST {oauth_url}/token``
(``grant_type=authorization_code``) for an access token (6 hours), a refresh token and
``expires_at``. They go to the token file, created readable by the user only (0600); a token
file that others can read is refused, as ssh refuses such a key.

**Refresh**: an access token that expires within the hour (or that Strava answers 401 to) is
renewed with ``POST {oauth_url}/token`` (``grant_type=refresh_token``); Strava may hand out
a new refresh token, which replaces the old one. A refresh that is refused (400/401: the
user revoked the application) asks to authorize again (exit 2).

**Upload**: ``POST {api_url}/uploads`` (multipart: ``file``, ``data_type=fit``, ``name``,
``description``, ``trainer=1``: a treadmill run, ``external_id``) answers 201 with an upload
``id`` and a ``status``; ``GET {api_url}/uploads/{id}`` is polled every second (Strava
recommends at least one second) until ``activity_id`` is set or ``error`` says why not. An
error "… duplicate of activity 123 …" is recognised as the activity Strava already holds.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import stat
import urllib.parse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from retrorun.errors import ConfigError, InputError
from retrorun.upload.settings import StravaSettings

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from retrorun.upload.session_file import SessionFile
    from retrorun.upload.transport import Service

SCOPE = "activity:write"
REFRESH_MARGIN_S = 3600
POLL_INTERVAL_S = 1.0
MAX_POLLS = 120
CALLBACK_TIMEOUT_S = 300.0
HTTP_CREATED = 201
HTTP_BAD_REQUEST = 400
HTTP_UNAUTHORIZED = 401
HTTP_FORBIDDEN = 403
AUTHORIZE_AGAIN = "run 'retrorun upload --to strava --authorize' to authorize retrorun again"
_DUPLICATE = re.compile(
    r"duplicate of (?:activity\s*|<a href=['\"]?/activities/)(\d+)", re.IGNORECASE
)

__all__ = ["StravaSettings", "TokenStore", "Tokens", "authorize", "default_token_file", "upload"]


def default_token_file() -> Path:
    """Where the Strava tokens live unless ``[strava] token_file`` says otherwise."""
    from retrorun.config import default_path  # noqa: PLC0415 - platformdirs only when needed

    return default_path().parent / "strava-token.json"


@dataclass(frozen=True)
class Tokens:
    """What Strava handed out for this user and application."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: int
    """Unix time at which `access_token` stops working."""
    scope: str = SCOPE


@dataclass(frozen=True)
class TokenStore:
    """The token file: JSON, readable and writable by the user only."""

    path: Path

    def load(self) -> Tokens | None:
        try:
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            return None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(
                f"the Strava token file can be read by others (mode {stat.S_IMODE(mode):o}); "
                f"make it private with: chmod 600 {self.path}",
                location=str(self.path),
            )
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return Tokens(
                str(data["access_token"]),
                str(data["refresh_token"]),
                int(data["expires_at"]),
                str(data.get("scope", SCOPE)),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"not a readable Strava token file ({type(exc).__name__}); {AUTHORIZE_AGAIN}",
                location=str(self.path),
            ) from exc

    def save(self, tokens: Tokens) -> None:
        """Write the tokens, creating the file with mode 0600 before any secret is in it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        descriptor = os.open(temporary, flags, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)  # an older file keeps its mode through O_TRUNC
            json.dump(
                {
                    "access_token": tokens.access_token,
                    "refresh_token": tokens.refresh_token,
                    "expires_at": tokens.expires_at,
                    "scope": tokens.scope,
                },
                handle,
            )
        temporary.replace(self.path)


def authorize_url(settings: StravaSettings, redirect_uri: str, state: str) -> str:
    query = urllib.parse.urlencode(
        {
            "client_id": settings.client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "approval_prompt": "auto",
            "scope": SCOPE,
            "state": state,
        }
    )
    return f"{settings.oauth_url}/authorize?{query}"


def _tokens(service: Service, answer: dict[str, Any], scope: str) -> Tokens:
    try:
        return Tokens(
            str(answer["access_token"]),
            str(answer["refresh_token"]),
            int(answer["expires_at"]),
            scope,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise service.fail(
            "the token answer lacks access_token, refresh_token or expires_at"
        ) from exc


async def _trade(
    service: Service, settings: StravaSettings, form: dict[str, str]
) -> dict[str, Any]:
    """One ``POST /oauth/token``; a refusal means the user must authorize again."""
    data = {"client_id": settings.client_id, "client_secret": settings.client_secret, **form}
    response = await service.request("POST", f"{settings.oauth_url}/token", data=data)
    if response.status_code in (HTTP_BAD_REQUEST, HTTP_UNAUTHORIZED, HTTP_FORBIDDEN):
        raise ConfigError(
            f"Strava refused the authorization (HTTP {response.status_code}: "
            f"{service.error_text(response)}); check [strava] client_id and client_secret, "
            f"or {AUTHORIZE_AGAIN}"
        )
    if not 200 <= response.status_code < 300:  # noqa: PLR2004
        raise service.fail(f"token request failed (HTTP {response.status_code})")
    return service.json(response)


async def refresh(
    service: Service, settings: StravaSettings, store: TokenStore, old: Tokens
) -> Tokens:
    answer = await _trade(
        service, settings, {"grant_type": "refresh_token", "refresh_token": old.refresh_token}
    )
    tokens = _tokens(service, answer, old.scope)
    store.save(tokens)
    return tokens


async def fresh_tokens(service: Service, settings: StravaSettings, store: TokenStore) -> Tokens:
    """Saved tokens, refreshed when they expire within the hour."""
    tokens = store.load()
    if tokens is None:
        raise ConfigError(f"retrorun is not authorized with Strava yet: {AUTHORIZE_AGAIN[4:]}")
    if SCOPE not in tokens.scope.split(","):
        raise ConfigError(
            f"the Strava authorization does not allow uploads ({SCOPE}); {AUTHORIZE_AGAIN}"
        )
    if tokens.expires_at - REFRESH_MARGIN_S <= service.pacing.now().timestamp():
        service.pacing.progress("Strava: renewing the access token ...")
        tokens = await refresh(service, settings, store, tokens)
    return tokens


async def upload(
    service: Service, settings: StravaSettings, store: TokenStore, session: SessionFile
) -> tuple[str, str, bool]:
    """Upload `session` and wait until Strava made it an activity: ``(id, url, duplicate)``."""
    tokens = await fresh_tokens(service, settings, store)
    form = {
        "data_type": "fit",
        "name": session.name,
        "description": session.description,
        "trainer": "1",
        "external_id": session.external_id,
    }
    files = {"file": (session.file_name, session.fit, "application/octet-stream")}
    for attempt in range(2):
        response = await service.request(
            "POST",
            f"{settings.api_url}/uploads",
            data=form,
            files=files,
            headers={"Authorization": f"Bearer {tokens.access_token}"},
        )
        if response.status_code != HTTP_UNAUTHORIZED or attempt:
            break
        # Strava may end a token before its expires_at (revoked, rotated): renew once.
        tokens = await refresh(service, settings, store, tokens)
    answer = _upload_answer(service, response)
    polls = 0
    while True:
        found = _finished(service, settings, answer)
        if found is not None:
            return found
        if polls >= MAX_POLLS:
            raise service.fail(
                f"Strava is still processing upload {answer.get('id')} after {MAX_POLLS} s; "
                "it will appear on Strava when done (the retry then finds it as a duplicate)"
            )
        await service.pacing.sleep(POLL_INTERVAL_S)
        polls += 1
        if polls == 1:
            service.pacing.progress("Strava: processing the upload ...")
        response = await service.request(
            "GET",
            f"{settings.api_url}/uploads/{answer.get('id')}",
            headers={"Authorization": f"Bearer {tokens.access_token}"},
        )
        answer = _upload_answer(service, response)


def _upload_answer(service: Service, response: Any) -> dict[str, Any]:  # noqa: ANN401 - httpx.Response
    status = response.status_code
    if status in (HTTP_UNAUTHORIZED, HTTP_FORBIDDEN):
        raise ConfigError(
            f"Strava refused the access token (HTTP {status}: {service.error_text(response)}); "
            f"{AUTHORIZE_AGAIN}"
        )
    answer = service.json(response)
    if status == HTTP_BAD_REQUEST and not answer.get("error"):
        raise service.fail(f"upload refused (HTTP 400: {service.error_text(response)})")
    if not (200 <= status < 300 or status == HTTP_BAD_REQUEST):  # noqa: PLR2004
        raise service.fail(f"upload failed (HTTP {status}: {service.error_text(response)})")
    if not isinstance(answer.get("id"), int) and not answer.get("error"):
        raise service.fail(f"the upload answer names no upload id ({sorted(answer)})")
    return answer


def _finished(
    service: Service, settings: StravaSettings, answer: dict[str, Any]
) -> tuple[str, str, bool] | None:
    """The activity when the upload is done; None while Strava is still processing."""
    activity_id = answer.get("activity_id")
    if isinstance(activity_id, int) and not isinstance(activity_id, bool):
        return str(activity_id), f"{settings.web_url}/activities/{activity_id}", False
    error = answer.get("error")
    if isinstance(error, str) and error:
        duplicate = _DUPLICATE.search(error)
        if duplicate:
            existing = duplicate.group(1)
            return existing, f"{settings.web_url}/activities/{existing}", True
        raise service.fail(f"Strava could not make an activity of the file: {error[:200]}")
    return None


async def authorize(
    service: Service,
    settings: StravaSettings,
    store: TokenStore,
    show: Callable[[str], None],
    *,
    timeout_s: float = CALLBACK_TIMEOUT_S,
) -> Tokens:
    """The authorization code flow with a one-shot callback server on loopback.

    `show` receives the URL to open in a browser (the command line prints it and tries
    to open it). Raises `InputError` when the user declines or the scope is missing.
    """
    state = secrets.token_urlsafe(16)
    arrived: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()

    async def callback(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            writer.close()
            return
        target = request.split(b" ", 2)[1].decode("latin-1") if b" " in request else "/"
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(target).query))
        relevant = query.get("state") == state
        text = "retrorun: done, you can close this tab." if relevant else "retrorun: not expected."
        body = text.encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()
        if relevant and not arrived.done():
            arrived.set_result(query)

    server = await asyncio.start_server(callback, "127.0.0.1", settings.callback_port)
    port = server.sockets[0].getsockname()[1]
    redirect_uri = f"http://127.0.0.1:{port}/"
    async with server:
        show(authorize_url(settings, redirect_uri, state))
        try:
            query = await asyncio.wait_for(arrived, timeout_s)
        except TimeoutError as exc:
            raise InputError(
                f"no answer from the browser within {timeout_s:.0f} s; run the command again"
            ) from exc
    if "error" in query or "code" not in query:
        raise InputError(f"Strava authorization declined ({query.get('error', 'no code')})")
    granted = query.get("scope", "")
    if SCOPE not in granted.split(","):
        raise InputError(
            f"the authorization did not grant {SCOPE} (granted: {granted or 'nothing'}); "
            "authorize again and leave 'Upload your activities' ticked"
        )
    answer = await _trade(
        service, settings, {"grant_type": "authorization_code", "code": query["code"]}
    )
    tokens = _tokens(service, answer, granted)
    store.save(tokens)
    return tokens
