"""A fast simulated session, exported to FIT, uploaded to both fake services after it ends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrorun.upload.record import read_record
from retrorun.upload.service import upload_after
from retrorun.upload.settings import UploadSettings
from tests.recording.garmin import decode
from tests.upload.conftest import intervals_settings, save_tokens, strava_settings
from tests.upload.fakes import NOW, FakeIntervals, FakeStrava, Reply

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult
    from tests.upload.conftest import Clock


def test_session_then_upload_to_both_with_a_refresh_and_a_429(
    cli: Callable[..., CliResult], tmp_path: Path, clock: Clock
) -> None:
    log = tmp_path / "walk.jsonl"
    ran = cli(
        "run", "first-backward-walk", "--sim", "--headless", "--fast",
        "--export", "fit", "--log", str(log),
    )  # fmt: skip
    assert ran.exit_code == 0, ran.stderr
    fit = log.with_suffix(".fit")
    assert decode(fit.read_bytes())["session_mesgs"][0]["total_calories"] > 0
    with FakeIntervals() as icu, FakeStrava() as strava:
        token_file = tmp_path / "tokens" / "strava-token.json"
        save_tokens(token_file, strava, expires_at=NOW - 60)  # expired: refreshed first
        icu.fail_next(Reply(429, {"error": "slow down"}, {"Retry-After": "5"}))
        settings = UploadSettings(
            auto=("intervals", "strava"),
            intervals=intervals_settings(icu).intervals,
            strava=strava_settings(strava, tmp_path).strava,
        )
        lines: list[str] = []
        # What `retrorun run` does after its FIT export; --force because it was simulated.
        outcomes = upload_after(
            log, settings, force=True, progress=lines.append, pacing=clock.pacing()
        )
        assert [o.line() for o in outcomes] == [
            f"uploaded to intervals.icu: {icu.url}/activities/i1001",
            "uploaded to Strava: https://www.strava.com/activities/7000000",
        ]
        waited = "intervals.icu: rate limit reached (asked to wait 5 s); waiting 0:05"
        assert f"{waited} for the next window" in lines
        assert "Strava: renewing the access token ..." in lines
        assert icu.requests[-1].files["file"] == strava.requests[1].files["file"]
        assert sorted(read_record(log)) == ["intervals", "strava"]

        again: list[str] = []
        upload_after(log, settings, force=True, progress=again.append, pacing=clock.pacing())
        assert again[0].startswith("already uploaded to intervals.icu on ")
        assert again[1].endswith("https://www.strava.com/activities/7000000")
        assert len(icu.requests) == 2  # the 429 and the upload: nothing new
