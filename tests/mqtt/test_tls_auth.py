"""``mqtts://`` with a CA and a client certificate, and user names with passwords, against a
real mosquitto configured for them."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest

from retrorun.clock import ManualClock
from retrorun.errors import ConfigError
from retrorun.mqtt.bridge import MqttBridge
from retrorun.mqtt.link import tls_context
from retrorun.mqtt.settings import Broker, MqttSettings, parse_broker_url
from tests.mqtt.conftest import IO_TIMEOUT_S
from tests.mqtt.fake_session import FakeSession

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult
    from tests.mqtt.conftest import Mosquitto


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=30)


def _certificates(folder: Path) -> dict[str, Path]:
    """A throwaway CA, a server certificate for 127.0.0.1 and a client certificate."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (apt-get install openssl)")
    key = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    files = {name: folder / name for name in ("ca.pem", "ca.key", "server.pem", "server.key")}
    files |= {name: folder / name for name in ("client.pem", "client.key")}
    ca_subject = ("-subj", "/CN=retrorun test CA", "-days", "1")
    _openssl(
        "req",
        "-x509",
        *key,
        *ca_subject,
        "-keyout",
        str(files["ca.key"]),
        "-out",
        str(files["ca.pem"]),
    )
    for role, san in (("server", "subjectAltName=IP:127.0.0.1"), ("client", None)):
        request = folder / f"{role}.csr"
        _openssl(
            "req",
            *key,
            "-subj",
            f"/CN={role}",
            "-keyout",
            str(files[f"{role}.key"]),
            "-out",
            str(request),
        )
        extra = folder / f"{role}.ext"
        extra.write_text(f"{san}\n" if san else "basicConstraints=CA:FALSE\n")
        _openssl(
            "x509",
            "-req",
            "-in",
            str(request),
            "-CA",
            str(files["ca.pem"]),
            "-CAkey",
            str(files["ca.key"]),
            "-CAcreateserial",
            "-days",
            "1",
            "-out",
            str(files[f"{role}.pem"]),
            "-extfile",
            str(extra),
        )
    return files


async def _session_connects(settings: MqttSettings) -> None:
    clock = ManualClock()
    async with MqttBridge(FakeSession(clock), settings, clock=clock) as bridge:
        await asyncio.wait_for(bridge.wait_connected(), IO_TIMEOUT_S)


async def test_mqtts_with_ca_and_client_certificate(mosquitto: Mosquitto, tmp_path: Path) -> None:
    files = _certificates(tmp_path)
    mosquitto.kill()
    mosquitto.listener_options = (
        f"cafile {files['ca.pem']}\ncertfile {files['server.pem']}\n"
        f"keyfile {files['server.key']}\nrequire_certificate true\nallow_anonymous true\n"
    )
    mosquitto.start()
    settings = MqttSettings(
        Broker("127.0.0.1", mosquitto.port, tls=True),
        ca_path=files["ca.pem"],
        cert_path=files["client.pem"],
        key_path=files["client.key"],
        treadmill_id="tm1",
    )
    await _session_connects(settings)


def test_unreadable_tls_files_are_a_config_error(tmp_path: Path) -> None:
    settings = MqttSettings(Broker("b", 8883, tls=True), ca_path=tmp_path / "missing.pem")
    with pytest.raises(ConfigError, match="cannot load CA file") as raised:
        tls_context(settings)
    assert str(raised.value).startswith(f"--mqtt-ca {tmp_path / 'missing.pem'}: ")
    (tmp_path / "junk.pem").write_text("not a certificate\n")
    settings = MqttSettings(
        Broker("b", 8883, tls=True), cert_path=tmp_path / "junk.pem", key_path=tmp_path / "junk.pem"
    )
    with pytest.raises(ConfigError, match="cannot load client certificate"):
        tls_context(settings)


@pytest.fixture
def password_broker(mosquitto: Mosquitto, tmp_path: Path) -> Mosquitto:
    tool = shutil.which("mosquitto_passwd")
    if tool is None:
        pytest.skip("mosquitto_passwd is not installed (apt-get install mosquitto)")
    passwords = tmp_path / "passwords"
    subprocess.run([tool, "-b", "-c", str(passwords), "coach", "s@cret"], check=True, timeout=10)
    mosquitto.kill()
    mosquitto.listener_options = f"allow_anonymous false\npassword_file {passwords}\n"
    mosquitto.start()
    return mosquitto


async def test_user_and_password_from_the_url(password_broker: Mosquitto) -> None:
    url = f"mqtt://coach:s%40cret@127.0.0.1:{password_broker.port}"
    settings = MqttSettings(parse_broker_url(url, where="--mqtt"), treadmill_id="tm1")
    await _session_connects(settings)


def test_a_wrong_password_is_reported_without_the_password(
    password_broker: Mosquitto, cli: Callable[..., CliResult]
) -> None:
    url = f"mqtt://coach:wrong@127.0.0.1:{password_broker.port}"
    result = cli("watch", "--once", "--mqtt", url)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"retrorun: mqtt://coach@127.0.0.1:{password_broker.port}: ")
    assert "authori" in result.stderr.lower()
    assert "wrong" not in result.stderr


@pytest.mark.parametrize("source", ["option", "environment", "config"])
def test_a_bad_tls_file_is_named_where_it_was_set(
    cli: Callable[..., CliResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
) -> None:
    """Every CA problem used to name --mqtt-ca, even for a path from $RETRORUN_MQTT_CA or
    the config file; and a FIFO as the CA file blocked OpenSSL forever."""
    monkeypatch.delenv("RETRORUN_MQTT_CA", raising=False)
    monkeypatch.delenv("RETRORUN_MQTT_URL", raising=False)
    ca = tmp_path / "ca.pem"
    os.mkfifo(ca)
    config = tmp_path / "config.toml"
    config.write_text(f'[mqtt]\nurl = "mqtts://127.0.0.1:1"\n\nca = "{ca}"\n')
    args = ["watch", "--once", "--config", str(config)]
    if source == "option":
        args += ["--mqtt-ca", str(ca)]
    elif source == "environment":
        monkeypatch.setenv("RETRORUN_MQTT_CA", str(ca))
    where = {"option": "--mqtt-ca", "environment": "$RETRORUN_MQTT_CA"}
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr == (
        f"retrorun: {where.get(source, f'{config}:4 mqtt.ca')} {ca}: not a regular file\n"
    )
    ca.unlink()
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"retrorun: {where.get(source, f'{config}:4 mqtt.ca')} {ca}: cannot load CA file:"
    )
