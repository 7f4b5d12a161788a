"""``retrorun upload``: the command line against a fake intervals.icu."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.upload.conftest import real_log, simulated_log
from tests.upload.fakes import FakeIntervals

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from tests.conftest import CliResult


@pytest.fixture
def icu(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeIntervals]:
    with FakeIntervals() as fake:
        monkeypatch.setenv("RETRORUN_INTERVALS_URL", fake.url)
        monkeypatch.setenv("RETRORUN_INTERVALS_API_KEY", fake.api_key)
        yield fake


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_upload_prints_progress_and_the_activity_url(
    cli: Callable[..., CliResult], icu: FakeIntervals, tmp_path: Path
) -> None:
    config = _config(tmp_path, '[intervals]\nathlete_id = "i4242"\n')
    log = real_log(tmp_path)
    result = cli("upload", str(log), "--to", "intervals", "--config", str(config))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"uploaded to intervals.icu: {icu.url}/activities/i1001\n"
    assert result.stderr == "uploading run.fit to intervals.icu ...\n"
    again = cli("upload", str(log), "--to", "intervals", "--config", str(config))
    assert again.exit_code == 0
    assert again.stdout.startswith("already uploaded to intervals.icu on ")
    assert len(icu.requests) == 1


@pytest.mark.usefixtures("icu")
def test_a_wrong_key_is_exit_2_and_the_key_is_never_shown(
    cli: Callable[..., CliResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RETRORUN_INTERVALS_API_KEY", "revoked-key-123")
    config = _config(tmp_path, '[intervals]\nathlete_id = "i4242"\n')
    result = cli("upload", str(real_log(tmp_path)), "--to", "intervals", "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith(
        "retrorun: intervals.icu refused the API key (HTTP 401)"
    )
    assert "revoked-key-123" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('[intervals]\nathlete_id = "bob"\n', "config.toml:2 intervals.athlete_id: intervals.icu"),
        ('[intervals]\nathlete = "i1"\n', "config.toml:2 intervals.athlete: unknown key"),
        ("", "intervals.icu needs athlete_id"),
        ('[export]\nupload = ["garmin"]\n', "export.upload must be a list of"),
    ],
)
def test_bad_settings_are_one_line_naming_the_place(
    cli: Callable[..., CliResult], icu: FakeIntervals, tmp_path: Path, config: str, message: str
) -> None:
    path = _config(tmp_path, config)
    result = cli("upload", str(real_log(tmp_path)), "--to", "intervals", "--config", str(path))
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert icu.requests == []


@pytest.mark.usefixtures("icu")
def test_simulated_needs_force_and_an_unreachable_service_is_exit_1(
    cli: Callable[..., CliResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = _config(tmp_path, '[intervals]\nathlete_id = "i4242"\n')
    log = simulated_log(tmp_path)
    refused = cli("upload", str(log), "--to", "intervals", "--config", str(config))
    assert refused.exit_code == 2
    assert "--force" in refused.stderr
    monkeypatch.setenv("RETRORUN_INTERVALS_URL", "http://127.0.0.1:9")
    failed = cli("upload", str(log), "--to", "intervals", "--force", "--config", str(config))
    assert failed.exit_code == 1
    assert failed.stderr.splitlines()[-1].endswith(
        f"retry with: retrorun upload {log} --to intervals --force"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml", "sim.jsonl"]
