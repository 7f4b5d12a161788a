"""Uploads to a fake intervals.icu: success, never twice, and every documented failure."""

from __future__ import annotations

import json
import socket
from typing import TYPE_CHECKING

import pytest

from retrorun.errors import ConfigError, InputError, ServiceError
from retrorun.upload.record import read_record, record_path
from retrorun.upload.service import upload_after, upload_session
from retrorun.upload.session_file import load_session_file
from retrorun.upload.settings import IntervalsSettings, UploadSettings
from tests.recording.garmin import decode
from tests.upload.conftest import intervals_settings, real_log, simulated_log, snapshot
from tests.upload.fakes import FakeIntervals, Reply

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.upload.conftest import Clock


@pytest.fixture
def icu() -> Iterator[FakeIntervals]:
    with FakeIntervals() as fake:
        yield fake


async def test_upload_sends_the_fit_with_name_and_backward_description(
    icu: FakeIntervals, tmp_path: Path, clock: Clock
) -> None:
    log = real_log(tmp_path)
    outcome = await upload_session(log, "intervals", intervals_settings(icu), pacing=clock.pacing())
    assert outcome.line() == f"uploaded to intervals.icu: {icu.url}/activities/i1001"
    (request,) = icu.requests
    assert request.path == "/api/v1/athlete/i4242/activities"
    assert request.query["name"] == "Tiny"
    assert "Backward: " in request.query["description"]
    assert request.query["external_id"] == "retrorun-20261121T060000Z"
    fit = decode(request.files["file"])
    assert fit["session_mesgs"][0]["num_laps"] == 3
    assert clock.lines == ["uploading run.fit to intervals.icu ..."]
    assert read_record(log)["intervals"].activity_id == "i1001"
    # The log itself is untouched; only the record is new.
    assert sorted(snapshot(tmp_path)) == ["run.jsonl", "run.uploads.json"]


async def test_a_second_upload_says_where_it_already_went_and_sends_nothing(
    icu: FakeIntervals, tmp_path: Path, clock: Clock
) -> None:
    log = real_log(tmp_path)
    settings = intervals_settings(icu)
    await upload_session(log, "intervals", settings, pacing=clock.pacing())
    again = await upload_session(log, "intervals", settings, pacing=clock.pacing())
    assert again.already
    assert again.line().startswith("already uploaded to intervals.icu on 2026-")
    assert again.line().endswith(f"{icu.url}/activities/i1001")
    assert len(icu.requests) == 1
    # The FIT file beside the log shares the record: it is the same session.
    fit = tmp_path / "run.fit"
    fit.write_bytes(icu.requests[0].files["file"])
    assert (await upload_session(fit, "intervals", settings, pacing=clock.pacing())).already


async def test_a_duplicate_on_the_service_is_recognised_and_recorded(
    icu: FakeIntervals, tmp_path: Path, clock: Clock
) -> None:
    first = real_log(tmp_path, "first.jsonl")
    await upload_session(first, "intervals", intervals_settings(icu), pacing=clock.pacing())
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(first.read_bytes())
    outcome = await upload_session(
        copy, "intervals", intervals_settings(icu), pacing=clock.pacing()
    )
    assert outcome.uploaded.duplicate
    assert outcome.line() == f"intervals.icu already had this activity: {icu.url}/activities/i1001"
    assert read_record(copy)["intervals"].duplicate


async def test_a_simulated_session_needs_force(
    icu: FakeIntervals, tmp_path: Path, clock: Clock
) -> None:
    log = simulated_log(tmp_path)
    with pytest.raises(InputError, match=r"simulated treadmill.*--force"):
        await upload_session(log, "intervals", intervals_settings(icu), pacing=clock.pacing())
    assert icu.requests == []
    forced = await upload_session(
        log, "intervals", intervals_settings(icu), force=True, pacing=clock.pacing()
    )
    assert "Simulated treadmill" in icu.requests[0].query["description"]
    assert forced.uploaded.activity_id == "i1001"


@pytest.mark.parametrize(
    ("account", "message"),
    [
        (lambda fake: IntervalsSettings(fake.athlete_id, "wrong", fake.url), "refused the API key"),
        (lambda fake: IntervalsSettings("i999", fake.api_key, fake.url), "no athlete 'i999'"),
    ],
)
async def test_wrong_credentials_are_the_users_to_fix(
    icu: FakeIntervals, tmp_path: Path, clock: Clock, account: object, message: str
) -> None:
    log = real_log(tmp_path)
    before = snapshot(tmp_path)
    settings = UploadSettings(intervals=account(icu))  # type: ignore[operator]
    with pytest.raises(ConfigError, match=message):
        await upload_session(log, "intervals", settings, pacing=clock.pacing())
    assert snapshot(tmp_path) == before


async def test_server_errors_are_tried_again_then_reported_with_the_retry_command(
    icu: FakeIntervals, tmp_path: Path, clock: Clock
) -> None:
    log = real_log(tmp_path)
    icu.fail_next(Reply(502, b"Bad Gateway"), Reply(503, b"busy"))
    outcome = await upload_session(log, "intervals", intervals_settings(icu), pacing=clock.pacing())
    assert outcome.uploaded.activity_id == "i1001"
    assert clock.slept == [1.0, 2.0]

    other = real_log(tmp_path, "other.jsonl")
    before = snapshot(tmp_path)
    icu.fail_next(*[Reply(500, b"oops")] * 3)
    with pytest.raises(ServiceError) as raised:
        await upload_session(other, "intervals", intervals_settings(icu), pacing=clock.pacing())
    assert "HTTP 500" in str(raised.value)
    assert str(raised.value).endswith(f"retry with: retrorun upload {other} --to intervals")
    assert snapshot(tmp_path) == before


async def test_429_waits_as_long_as_the_service_asks(
    icu: FakeIntervals, tmp_path: Path, clock: Clock
) -> None:
    icu.fail_next(Reply(429, {"error": "slow down"}, {"Retry-After": "30"}))
    outcome = await upload_session(
        real_log(tmp_path), "intervals", intervals_settings(icu), pacing=clock.pacing()
    )
    assert outcome.uploaded.activity_id == "i1001"
    assert clock.slept == [30.0]
    assert "rate limit reached (asked to wait 30 s); waiting 0:30" in clock.lines[1]


@pytest.mark.parametrize(
    "reply",
    [
        Reply(201, b"<html>maintenance</html>"),
        Reply(201, b"[1, 2]"),
        Reply(201, {"status": "ok"}),
        Reply(418, {"error": "teapot"}),
    ],
)
async def test_a_garbage_answer_is_the_services_failure(
    icu: FakeIntervals, tmp_path: Path, clock: Clock, reply: Reply
) -> None:
    log = real_log(tmp_path)
    before = snapshot(tmp_path)
    icu.fail_next(reply)
    with pytest.raises(ServiceError, match=r"intervals\.icu: "):
        await upload_session(log, "intervals", intervals_settings(icu), pacing=clock.pacing())
    assert snapshot(tmp_path) == before


async def test_an_unreachable_service_changes_nothing(tmp_path: Path, clock: Clock) -> None:
    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = UploadSettings(intervals=IntervalsSettings("i1", "key", f"http://127.0.0.1:{port}"))
    log = real_log(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(
        ServiceError, match=r"cannot reach 127\.0\.0\.1.*retry with: retrorun upload"
    ):
        await upload_session(log, "intervals", settings, pacing=clock.pacing())
    assert snapshot(tmp_path) == before


async def test_a_log_with_no_activity_is_bad_input(
    icu: FakeIntervals, tmp_path: Path, clock: Clock
) -> None:
    log = tmp_path / "empty.jsonl"
    log.write_text(
        json.dumps({"type": "session", "version": 1, "started_at": "2026-11-21T06:00:00Z"}) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="nothing to export"):
        await upload_session(log, "intervals", intervals_settings(icu), pacing=clock.pacing())
    assert icu.requests == []
    assert not record_path(log).exists()


def test_upload_after_reports_each_target_in_one_line(icu: FakeIntervals, tmp_path: Path) -> None:
    lines: list[str] = []
    settings = intervals_settings(icu, auto=("intervals",))
    log = simulated_log(tmp_path)
    assert upload_after(log, settings, progress=lines.append) == []
    assert lines[-1].startswith("retrorun: not uploaded to intervals.icu: ")
    assert lines[-1].endswith(f"retrorun upload {log} --to intervals --force")
    outcomes = upload_after(real_log(tmp_path), settings, progress=lines.append)
    assert [o.uploaded.activity_id for o in outcomes] == ["i1001"]
    assert lines[-1] == f"uploaded to intervals.icu: {icu.url}/activities/i1001"


async def test_a_simulated_fit_without_its_log_is_known_by_its_mark(
    icu: FakeIntervals, tmp_path: Path, clock: Clock
) -> None:
    (tmp_path / "logs").mkdir()
    log = simulated_log(tmp_path / "logs")
    fit = tmp_path / "alone.fit"
    fit.write_bytes(load_session_file(log).fit)
    with pytest.raises(InputError, match="simulated treadmill"):
        await upload_session(fit, "intervals", intervals_settings(icu), pacing=clock.pacing())
    forced = await upload_session(
        fit, "intervals", intervals_settings(icu), force=True, pacing=clock.pacing()
    )
    assert icu.requests[0].files["file"] == fit.read_bytes()
    assert forced.uploaded.activity_id == "i1001"
