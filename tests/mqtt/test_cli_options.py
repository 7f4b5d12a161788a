"""The ``--mqtt`` option family, as ``retrorun run`` will use it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.testing import CliRunner

from retrorun.cli.mqtt_options import resolve_mqtt, session_mqtt_options
from retrorun.config import load_config
from retrorun.mqtt.settings import Broker, MqttSettings

if TYPE_CHECKING:
    import pytest


@click.command()
@session_mqtt_options
def probe(**options: Any) -> None:  # noqa: ANN401 - click hands over the option values
    settings = resolve_mqtt(load_config(None), **options)
    click.echo(repr(settings))


def test_session_options_reach_the_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[mqtt]\nurl = "mqtt://from-file"\nlog = false\n')
    monkeypatch.setenv("RETRORUN_CONFIG", str(config))
    for variable in ("URL", "ID", "COMMANDS", "LOG"):
        monkeypatch.delenv(f"RETRORUN_MQTT_{variable}", raising=False)
    result = CliRunner().invoke(
        probe,
        [
            *("--mqtt", "mqtts://gym:8884", "--mqtt-ca", "ca.pem", "--mqtt-id", "tm-7"),
            *("--no-mqtt-commands", "--mqtt-log"),
        ],
    )
    assert result.exit_code == 0, result.output
    expected = MqttSettings(
        Broker("gym", 8884, tls=True),
        ca_path=Path("ca.pem"),
        treadmill_id="tm-7",
        remote_commands=False,
        publish_log=True,
    )
    assert result.output.strip() == repr(expected)
    from_file = CliRunner().invoke(probe, [])
    assert from_file.output.strip() == repr(MqttSettings(Broker("from-file", 1883)))
