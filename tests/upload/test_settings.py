"""Upload settings: environment over file, secrets kept out of reprs, errors naming the place."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrorun.errors import ConfigError
from retrorun.upload.settings import parse_upload_settings


def _where(table: str, key: str | None) -> str:
    return f"config.toml {table}.{key}"


def test_file_settings_and_environment_over_file() -> None:
    document = {
        "export": {"formats": ["fit"], "upload": ["intervals", "strava", "intervals"]},
        "intervals": {"athlete_id": "i1", "api_key": "file-key"},
        "strava": {"client_id": 12345, "client_secret": "file-secret", "token_file": "~/t.json"},
    }
    env = {"RETRORUN_INTERVALS_API_KEY": "env-key", "RETRORUN_STRAVA_MAX_WAIT_S": "60"}
    settings = parse_upload_settings(document, env, _where)
    assert settings.auto == ("intervals", "strava")
    assert settings.require_intervals().api_key == "env-key"
    strava = settings.require_strava()
    assert strava.client_id == "12345"
    assert strava.max_wait_s == 60.0
    assert strava.token_file == Path("~/t.json").expanduser()
    shown = repr(settings)
    assert "env-key" not in shown
    assert "file-secret" not in shown


def test_nothing_configured_is_no_service_with_a_hint() -> None:
    settings = parse_upload_settings({}, {}, _where)
    assert settings.auto == ()
    with pytest.raises(ConfigError, match=r"\$RETRORUN_STRAVA_CLIENT_ID"):
        settings.require_strava()


@pytest.mark.parametrize(
    ("document", "env", "message"),
    [
        ({"export": {"upload": ["intervals"]}}, {}, "config.toml export.upload: sessions are"),
        (
            {"intervals": {"athlete_id": "i1", "api_key": ""}},
            {},
            "API key must be text, not a secret",
        ),
        (
            {},
            {"RETRORUN_INTERVALS_ATHLETE_ID": "x1", "RETRORUN_INTERVALS_API_KEY": "k"},
            "$RETRORUN_INTERVALS_ATHLETE_ID: intervals.icu athlete id",
        ),
        (
            {"intervals": {"athlete_id": "i1", "api_key": "k", "url": "ftp://x"}},
            {},
            "intervals.url: must be an http",
        ),
        ({"strava": {"client_id": "abc", "client_secret": "s"}}, {}, "client id is a number"),
        (
            {"strava": {"client_id": "1", "client_secret": "s", "callback_port": 70000}},
            {},
            "strava.callback_port: must be a whole number",
        ),
        ({"strava": []}, {}, "[strava] must be a table"),
    ],
)
def test_bad_values_name_where_they_came_from(
    document: dict[str, object], env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_upload_settings(document, env, _where)
    assert message in str(raised.value)
