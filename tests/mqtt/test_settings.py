"""Broker URL, TLS files, treadmill id and switches: from options, environment and config."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrorun.config import load_config
from retrorun.errors import ConfigError
from retrorun.mqtt.settings import (
    Backoff,
    Broker,
    parse_broker_url,
    resolve_settings,
    slug,
    treadmill_id,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import CliResult


@pytest.mark.parametrize(
    ("url", "broker"),
    [
        ("mqtt://broker", Broker("broker", 1883)),
        ("mqtt://10.0.0.5:1884", Broker("10.0.0.5", 1884)),
        ("mqtts://broker.example", Broker("broker.example", 8883, tls=True)),
        ("mqtt://coach:s%40cret@gym:1883/", Broker("gym", 1883, False, "coach", "s@cret")),
        ("mqtt://[::1]:1883", Broker("::1", 1883)),
    ],
)
def test_broker_urls(url: str, broker: Broker) -> None:
    assert parse_broker_url(url, where="--mqtt") == broker


def test_printing_a_broker_hides_the_password() -> None:
    broker = parse_broker_url("mqtt://coach:secret@gym:1884", where="--mqtt")
    assert str(broker) == "mqtt://coach@gym:1884"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://broker", "must start with mqtt://"),
        ("broker:1883", "must start with mqtt://"),
        ("mqtt://", "names no host"),
        ("mqtt://broker:99999", "not a broker URL"),
        ("mqtt://broker:port", "not a broker URL"),
        ("mqtt://broker/retrorun", "has a path"),
    ],
)
def test_bad_broker_urls_name_the_place(url: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words) as raised:
        parse_broker_url(url, where="$RETRORUN_MQTT_URL")
    assert str(raised.value).startswith("$RETRORUN_MQTT_URL: ")


def _resolve(
    options: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    table: dict[str, Any] | None = None,
) -> Any:  # noqa: ANN401 - MqttSettings | None, asserted by the tests
    return resolve_settings(options or {}, env or {}, table or {}, lambda key: f"c.toml:{key}")


def test_no_url_anywhere_means_mqtt_is_off() -> None:
    assert _resolve() is None
    assert _resolve(table={"commands": False}) is None


def test_options_win_over_environment_over_file() -> None:
    table = {"url": "mqtt://file", "id": "from-file", "log": True}
    env = {"RETRORUN_MQTT_URL": "mqtt://env", "RETRORUN_MQTT_COMMANDS": "off"}
    settings = _resolve({"url": "mqtt://option"}, env, table)
    assert settings.broker.host == "option"
    assert settings.treadmill_id == "from-file"
    assert settings.remote_commands is False
    assert settings.publish_log is True
    assert _resolve({}, env, table).broker.host == "env"
    assert _resolve({}, {}, table).broker.host == "file"


def test_tls_files() -> None:
    settings = _resolve(
        {"url": "mqtts://b", "ca": Path("/ca.pem"), "cert": Path("/c.pem"), "key": Path("/k.pem")}
    )
    assert settings.broker.tls
    assert (settings.ca_path, settings.cert_path, settings.key_path) == (
        Path("/ca.pem"),
        Path("/c.pem"),
        Path("/k.pem"),
    )


@pytest.mark.parametrize(
    ("options", "table", "where", "words"),
    [
        ({"url": "mqtt://b", "ca": Path("/ca")}, {}, "--mqtt-ca", "need an mqtts://"),
        ({"url": "mqtts://b", "cert": Path("/c")}, {}, "--mqtt-cert", "both cert and key"),
        ({}, {"url": "mqtt://b", "speed": 3}, "c.toml:speed", "unknown key mqtt.speed"),
        ({}, {"url": 1883}, "c.toml:url", "must be text"),
        ({}, {"url": "mqtt://b", "commands": "maybe"}, "c.toml:commands", "true or false"),
        ({}, {"url": "mqtt://b", "id": "Gym/3"}, "c.toml:id", "'gym-3'"),
        ({"url": "mqtt://b", "id": "tm+1"}, {}, "--mqtt-id", "lowercase letters"),
    ],
)
def test_bad_settings_name_the_place(
    options: dict[str, Any], table: dict[str, Any], where: str, words: str
) -> None:
    with pytest.raises(ConfigError, match=words) as raised:
        _resolve(options, {}, table)
    assert str(raised.value).startswith(f"{where}: ")


def test_config_file_errors_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[limits]\nturn_window_s = 15\n\n[mqtt]\nurl = "mqtt://gym"\nlog = "often"\n')
    config = load_config(path)
    with pytest.raises(ConfigError) as raised:
        resolve_settings({}, {}, config.mqtt, config.mqtt_where)
    assert str(raised.value).startswith(f"{path}:6 mqtt.log: must be true or false")


@pytest.mark.parametrize(
    ("name", "address", "expected"),
    [
        ("FS-3A2B C1", None, "fs-3a2b-c1"),
        ("  ", "AA:BB:CC:DD:EE:FF", "aa-bb-cc-dd-ee-ff"),
        (None, None, "treadmill"),
        ("Löpband #2 / gym+", None, "l-pband-2-gym"),
    ],
)
def test_treadmill_id_from_the_device(name: str | None, address: str | None, expected: str) -> None:
    assert treadmill_id(name, address) == expected


@given(st.text(max_size=200))
def test_a_slug_is_always_topic_safe(text: str) -> None:
    found = slug(text)
    assert not set(found) & set("/+#")
    assert found == slug(found)
    assert len(found) <= 64


def test_backoff_doubles_up_to_its_cap() -> None:
    backoff = Backoff(first_s=0.5, factor=2.0, max_s=5.0)
    assert [backoff.delay_s(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    assert backoff.delay_s(10_000) == 5.0


def test_watch_with_a_bad_url_exits_2_naming_the_option(cli: Callable[..., CliResult]) -> None:
    result = cli("watch", "--once", "--mqtt", "http://gym")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "retrorun: --mqtt: broker URL must start with mqtt:// or mqtts://, not 'http://gym'"
    ]


def test_watch_needs_a_broker(
    cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("RETRORUN_MQTT_URL", raising=False)
    monkeypatch.setenv("RETRORUN_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    result = cli("watch", "--once")
    assert result.exit_code == 2
    assert "--mqtt URL" in result.stderr
