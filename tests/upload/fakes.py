"""Fake intervals.icu and Strava servers: real HTTP on 127.0.0.1 ephemeral ports, in a thread.

Each implements the documented endpoints retrorun uses and their failure answers; a test
queues failures (`fail_next`) that the next requests get before the normal handling. Every
request is kept in `requests` so a test can check what was sent.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import itertools
import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from types import TracebackType

NOW = 1_795_000_000
"""The fake clock (Unix time) against which token expiry is judged."""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes | dict[str, Any] = b""
    headers: dict[str, str] = field(default_factory=dict)


def _parse_body(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, bytes]]:
    form: dict[str, str] = {}
    files: dict[str, bytes] = {}
    if content_type.startswith("application/x-www-form-urlencoded"):
        form = dict(urllib.parse.parse_qsl(body.decode()))
    elif content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            assert isinstance(name, str)
            assert isinstance(payload, bytes)
            if part.get_filename():
                files[name] = payload
            else:
                form[name] = payload.decode()
    return form, files


class FakeServer:
    """An HTTP server in a thread; subclasses implement `handle`."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.failures: list[Reply] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                parts = urllib.parse.urlsplit(self.path)
                form, files = _parse_body(self.headers.get("Content-Type", ""), body)
                request = Request(
                    self.command,
                    parts.path,
                    dict(urllib.parse.parse_qsl(parts.query)),
                    {key.lower(): value for key, value in self.headers.items()},
                    body,
                    form,
                    files,
                )
                with server.lock:
                    server.requests.append(request)
                    reply = server.failures.pop(0) if server.failures else server.handle(request)
                data = (
                    reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                )
                self.send_response(reply.status)
                if not isinstance(reply.body, bytes):
                    self.send_header("Content-Type", "application/json")
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve  # noqa: N815 - http.server's names

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002, ANN401
                """Quiet: tests read `requests` instead."""

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def handle(self, request: Request) -> Reply:
        raise NotImplementedError

    def fail_next(self, *replies: Reply) -> None:
        with self.lock:
            self.failures.extend(replies)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


class FakeIntervals(FakeServer):
    """``POST /api/v1/athlete/{id}/activities`` with basic auth ``API_KEY:<key>``."""

    def __init__(self, athlete_id: str = "i4242", api_key: str = "icu-secret-key") -> None:
        super().__init__()
        self.athlete_id = athlete_id
        self.api_key = api_key
        self.activities: dict[str, str] = {}
        """File digest -> activity id."""
        self.ids = itertools.count(1001)

    def handle(self, request: Request) -> Reply:
        expected = "Basic " + base64.b64encode(f"API_KEY:{self.api_key}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return Reply(401, {"status": 401, "error": "Unauthorized"})
        prefix = "/api/v1/athlete/"
        if request.method != "POST" or not request.path.startswith(prefix):
            return Reply(404, {"status": 404, "error": "Not Found"})
        athlete, _, rest = request.path[len(prefix) :].partition("/")
        if rest != "activities" or athlete != self.athlete_id:
            return Reply(404, {"status": 404, "error": "Athlete not found"})
        data = request.files.get("file")
        if not data:
            return Reply(422, {"status": 422, "error": "No file"})
        digest = hashlib.sha256(data).hexdigest()
        if digest in self.activities:
            existing = self.activities[digest]
            return Reply(409, {"status": 409, "error": "Duplicate activity", "id": existing})
        activity = f"i{next(self.ids)}"
        self.activities[digest] = activity
        answer = {"icu_athlete_id": athlete, "id": activity, "activities": [{"id": activity}]}
        return Reply(201, answer)


@dataclass
class _Upload:
    id: int
    polls_left: int
    activity_id: int | None = None
    error: str | None = None


class FakeStrava(FakeServer):
    """OAuth (``/oauth/authorize``, ``/oauth/token``) and ``/api/v3/uploads`` as documented."""

    def __init__(
        self,
        client_id: str = "12345",
        client_secret: str = "strava-client-secret",  # noqa: S107 - the fake's own secret
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.codes: dict[str, str] = {}
        """Authorization code -> granted scope."""
        self.access: dict[str, int] = {}
        """Valid access token -> expires_at."""
        self.refresh_tokens: set[str] = set()
        self.uploads: dict[int, _Upload] = {}
        self.by_digest: dict[str, int] = {}
        self.tokens = itertools.count(1)
        self.upload_ids = itertools.count(900)
        self.activity_ids = itertools.count(7_000_000)
        self.processing_polls = 2
        self.granted_scope = "read,activity:write"

    def issue(self, expires_at: int) -> dict[str, Any]:
        number = next(self.tokens)
        access, refresh = f"access-{number}", f"refresh-{number}"
        self.access[access] = expires_at
        self.refresh_tokens.add(refresh)
        return {
            "token_type": "Bearer",
            "access_token": access,
            "refresh_token": refresh,
            "expires_at": expires_at,
            "expires_in": expires_at - NOW,
        }

    def handle(self, request: Request) -> Reply:  # noqa: PLR0911 - one return per answer
        if request.path == "/oauth/authorize":
            return self._authorize(request)
        if request.path == "/oauth/token":
            return self._token(request)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if self.access.get(token, 0) <= NOW:
            return Reply(
                401,
                {
                    "message": "Authorization Error",
                    "errors": [{"resource": "Athlete", "field": "access_token", "code": "invalid"}],
                },
            )
        if request.method == "POST" and request.path == "/api/v3/uploads":
            return self._upload(request)
        if request.method == "GET" and request.path.startswith("/api/v3/uploads/"):
            upload = self.uploads.get(int(request.path.rsplit("/", 1)[1]))
            if upload is None:
                return Reply(404, {"message": "Record Not Found", "errors": []})
            if upload.polls_left > 0:
                upload.polls_left -= 1
                if upload.polls_left == 0 and upload.error is None:
                    upload.activity_id = next(self.activity_ids)
            return Reply(200, self._status(upload))
        return Reply(404, {"message": "Record Not Found", "errors": []})

    def _authorize(self, request: Request) -> Reply:
        query = request.query
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return Reply(400, {"message": "Bad Request", "errors": [{"field": "client_id"}]})
        code = f"code-{next(self.tokens)}"
        self.codes[code] = self.granted_scope
        back = urllib.parse.urlencode(
            {"state": query.get("state", ""), "code": code, "scope": self.granted_scope}
        )
        return Reply(302, b"", {"Location": f"{query['redirect_uri']}?{back}"})

    def _token(self, request: Request) -> Reply:
        form = request.form
        bad = Reply(
            400,
            {"message": "Bad Request", "errors": [{"resource": "RefreshToken", "code": "invalid"}]},
        )
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return Reply(401, {"message": "Authorization Error", "errors": []})
        if form.get("grant_type") == "authorization_code":
            if self.codes.pop(form.get("code", ""), None) is None:
                return bad
            return Reply(200, {**self.issue(NOW + 21600), "athlete": {"id": 1}})
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return bad
            self.refresh_tokens.discard(form["refresh_token"])
            return Reply(200, self.issue(NOW + 21600))
        return bad

    def _status(self, upload: _Upload) -> dict[str, Any]:
        if upload.error:
            status = "There was an error processing your activity."
        elif upload.activity_id:
            status = "Your activity is ready."
        else:
            status = "Your activity is still being processed."
        return {
            "id": upload.id,
            "id_str": str(upload.id),
            "external_id": None,
            "error": upload.error,
            "status": status,
            "activity_id": upload.activity_id,
        }

    def _upload(self, request: Request) -> Reply:
        data = request.files.get("file")
        if not data or request.form.get("data_type") not in {"fit", "fit.gz", "tcx", "gpx"}:
            return Reply(
                400,
                {
                    "message": "Bad Request",
                    "errors": [{"resource": "Upload", "field": "data", "code": "empty"}],
                },
            )
        digest = hashlib.sha256(data).hexdigest()
        upload = _Upload(next(self.upload_ids), self.processing_polls)
        if digest in self.by_digest:
            existing = self.uploads[self.by_digest[digest]].activity_id
            upload.error = f"{request.form.get('external_id')} duplicate of activity {existing}"
        else:
            self.by_digest[digest] = upload.id
        self.uploads[upload.id] = upload
        return Reply(201, self._status(upload))
