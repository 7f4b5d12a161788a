"""Strava against a fake server: OAuth, refresh, upload and polling, duplicates, 429."""

from __future__ import annotations

import asyncio
import json
import stat
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx
import pytest

from retrorun.errors import ConfigError, InputError, ServiceError
from retrorun.upload.service import authorize_strava, upload_session
from retrorun.upload.strava import TokenStore
from retrorun.upload.transport import rate_limit_wait_s
from tests.recording.garmin import decode
from tests.upload.conftest import real_log, save_tokens, snapshot, strava_settings
from tests.upload.fakes import NOW, FakeStrava, Reply

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from tests.upload.conftest import Clock

WEB = "https://www.strava.com"


@pytest.fixture
def fake() -> Iterator[FakeStrava]:
    with FakeStrava() as server:
        yield server


def _token_file(tmp_path: Path) -> Path:
    return tmp_path / "tokens" / "strava-token.json"


async def test_authorization_code_flow_saves_private_tokens(
    fake: FakeStrava, tmp_path: Path, clock: Clock
) -> None:
    settings = strava_settings(fake, tmp_path).require_strava()
    browsing: list[asyncio.Task[httpx.Response]] = []

    async def browse(url: str) -> httpx.Response:
        # The user's browser: Strava's page redirects back to retrorun's callback.
        async with httpx.AsyncClient(follow_redirects=True) as browser:
            return await browser.get(url)

    def show(url: str) -> None:
        assert url.startswith(f"{fake.url}/oauth/authorize?client_id=12345&redirect_uri=")
        assert "scope=activity%3Awrite" in url
        browsing.append(asyncio.get_running_loop().create_task(browse(url)))

    saved = await authorize_strava(settings, clock.pacing(), show)
    page = await browsing[0]
    assert page.text == "retrorun: done, you can close this tab."
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    tokens = TokenStore(saved).load()
    assert tokens is not None
    assert tokens.access_token in fake.access
    assert tokens.scope == "read,activity:write"
    assert tokens.access_token not in repr(tokens)


async def test_a_grant_without_upload_scope_is_refused(
    fake: FakeStrava, tmp_path: Path, clock: Clock
) -> None:
    fake.granted_scope = "read"
    settings = strava_settings(fake, tmp_path).require_strava()
    tasks: list[asyncio.Task[httpx.Response]] = []

    def show(url: str) -> None:
        client = httpx.AsyncClient(follow_redirects=True)
        tasks.append(asyncio.get_running_loop().create_task(client.get(url)))

    with pytest.raises(InputError, match=r"did not grant activity:write \(granted: read\)"):
        await authorize_strava(settings, clock.pacing(), show)
    await tasks[0]
    assert not _token_file(tmp_path).exists()


async def test_expired_token_is_refreshed_then_upload_is_polled_until_ready(
    fake: FakeStrava, tmp_path: Path, clock: Clock
) -> None:
    save_tokens(_token_file(tmp_path), fake, expires_at=NOW - 10)
    log = real_log(tmp_path)
    outcome = await upload_session(
        log, "strava", strava_settings(fake, tmp_path), pacing=clock.pacing()
    )
    assert outcome.line() == f"uploaded to Strava: {WEB}/activities/7000000"
    paths = [(r.method, r.path) for r in fake.requests]
    assert paths == [
        ("POST", "/oauth/token"),
        ("POST", "/api/v3/uploads"),
        ("GET", "/api/v3/uploads/900"),
        ("GET", "/api/v3/uploads/900"),
    ]
    upload = fake.requests[1]
    assert upload.form["trainer"] == "1"
    assert upload.form["data_type"] == "fit"
    assert "Backward: " in upload.form["description"]
    assert decode(upload.files["file"])["session_mesgs"][0]["sub_sport"] == "treadmill"
    assert clock.slept == [1.0, 1.0]  # polled every second, as Strava recommends
    assert clock.lines == [
        "uploading run.fit to Strava ...",
        "Strava: renewing the access token ...",
        "Strava: processing the upload ...",
    ]
    saved = json.loads(_token_file(tmp_path).read_text(encoding="utf-8"))
    assert saved["refresh_token"] == "refresh-2"  # noqa: S105 - the new one replaced the old
    assert stat.S_IMODE(_token_file(tmp_path).stat().st_mode) == 0o600


async def test_a_token_strava_ended_early_is_refreshed_once(
    fake: FakeStrava, tmp_path: Path, clock: Clock
) -> None:
    save_tokens(_token_file(tmp_path), fake, expires_at=NOW + 20000)
    fake.access.clear()  # revoked on the server, not yet expired by the clock
    outcome = await upload_session(
        real_log(tmp_path), "strava", strava_settings(fake, tmp_path), pacing=clock.pacing()
    )
    assert outcome.uploaded.activity_id == "7000000"
    assert [r.path for r in fake.requests][:3] == [
        "/api/v3/uploads",
        "/oauth/token",
        "/api/v3/uploads",
    ]


def _never_authorized(fake: FakeStrava, path: Path) -> None:
    """No token file at all."""


def _revoked(fake: FakeStrava, path: Path) -> None:
    save_tokens(path, fake, expires_at=NOW - 10)
    fake.refresh_tokens.clear()  # the user revoked retrorun on strava.com


def _readable_by_others(fake: FakeStrava, path: Path) -> None:
    save_tokens(path, fake, expires_at=NOW + 20000)
    path.chmod(0o644)


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        (_never_authorized, "not authorized with Strava yet"),
        (_revoked, r"Strava refused the authorization \(HTTP 400"),
        (_readable_by_others, "can be read by others"),
    ],
)
async def test_missing_revoked_or_exposed_tokens_are_the_users_to_fix(
    fake: FakeStrava,
    tmp_path: Path,
    clock: Clock,
    prepare: Callable[[FakeStrava, Path], None],
    message: str,
) -> None:
    prepare(fake, _token_file(tmp_path))
    log = real_log(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(ConfigError, match=message):
        await upload_session(log, "strava", strava_settings(fake, tmp_path), pacing=clock.pacing())
    assert snapshot(tmp_path) == before
    assert not any(r.path == "/api/v3/uploads" for r in fake.requests)


async def test_a_duplicate_is_recognised_as_the_activity_strava_holds(
    fake: FakeStrava, tmp_path: Path, clock: Clock
) -> None:
    save_tokens(_token_file(tmp_path), fake, expires_at=NOW + 20000)
    settings = strava_settings(fake, tmp_path)
    first = real_log(tmp_path, "first.jsonl")
    await upload_session(first, "strava", settings, pacing=clock.pacing())
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(first.read_bytes())
    outcome = await upload_session(copy, "strava", settings, pacing=clock.pacing())
    assert outcome.uploaded.duplicate
    assert outcome.line() == f"Strava already had this activity: {WEB}/activities/7000000"


async def test_429_waits_for_the_next_15_minute_window(
    fake: FakeStrava, tmp_path: Path, clock: Clock
) -> None:
    save_tokens(_token_file(tmp_path), fake, expires_at=NOW + 20000)
    limited = {"X-RateLimit-Limit": "100,1000", "X-RateLimit-Usage": "101,300"}
    fake.fail_next(Reply(429, {"message": "Rate Limit Exceeded", "errors": []}, limited))
    outcome = await upload_session(
        real_log(tmp_path), "strava", strava_settings(fake, tmp_path), pacing=clock.pacing()
    )
    assert outcome.uploaded.activity_id == "7000000"
    start = datetime.fromtimestamp(NOW, UTC)  # 2026-11-18 11:06:40 UTC: reopens at 11:15
    assert clock.slept[0] == (start.replace(minute=15, second=0) - start).total_seconds() == 500
    assert "15-minute limit of 100 requests used); waiting 8:20" in clock.lines[1]


async def test_a_used_up_daily_limit_is_not_waited_for(
    fake: FakeStrava, tmp_path: Path, clock: Clock
) -> None:
    save_tokens(_token_file(tmp_path), fake, expires_at=NOW + 20000)
    limited = {"X-RateLimit-Limit": "100,1000", "X-RateLimit-Usage": "40,1000"}
    fake.fail_next(Reply(429, {"message": "Rate Limit Exceeded", "errors": []}, limited))
    log = real_log(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(
        ServiceError, match=r"daily limit of 1000 requests used\); it reopens at 00:00 UTC"
    ):
        await upload_session(log, "strava", strava_settings(fake, tmp_path), pacing=clock.pacing())
    assert clock.slept == []
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(201, b"<html>oops</html>"), "not the documented JSON"),
        (Reply(201, {"status": "ok"}), "names no upload id"),
        (Reply(500, b"x"), "HTTP 500"),
    ],
)
async def test_garbage_and_server_failures_are_the_services(
    fake: FakeStrava, tmp_path: Path, clock: Clock, reply: Reply, message: str
) -> None:
    save_tokens(_token_file(tmp_path), fake, expires_at=NOW + 20000)
    fake.fail_next(*[reply] * 3)
    log = real_log(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(ServiceError, match=message):
        await upload_session(log, "strava", strava_settings(fake, tmp_path), pacing=clock.pacing())
    assert snapshot(tmp_path) == before


async def test_a_processing_error_is_reported(
    fake: FakeStrava, tmp_path: Path, clock: Clock
) -> None:
    save_tokens(_token_file(tmp_path), fake, expires_at=NOW + 20000)
    fake.fail_next(
        Reply(
            201,
            {
                "id": 5,
                "status": "Your activity is still being processed.",
                "error": None,
                "activity_id": None,
            },
        ),
        Reply(
            200,
            {
                "id": 5,
                "status": "There was an error processing your activity.",
                "error": "Improperly formatted data.",
                "activity_id": None,
            },
        ),
    )
    with pytest.raises(ServiceError, match="could not make an activity of the file: Improperly"):
        await upload_session(
            real_log(tmp_path), "strava", strava_settings(fake, tmp_path), pacing=clock.pacing()
        )


def test_rate_limit_waits_from_the_documented_headers() -> None:
    at = datetime(2026, 11, 21, 6, 44, 30, tzinfo=UTC)
    assert (
        rate_limit_wait_s({"x-ratelimit-limit": "200,2000", "x-ratelimit-usage": "200,10"}, at)[0]
        == 30
    )
    daily = rate_limit_wait_s({"x-ratelimit-limit": "200,2000", "x-ratelimit-usage": "1,2000"}, at)
    assert daily[0] == (17 * 3600 + 15 * 60 + 30)
    assert rate_limit_wait_s({}, at) == (60.0, "too many requests")
