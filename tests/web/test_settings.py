"""``--web [HOST:]PORT``, the PIN and view only, from options and the ``[web]`` table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from retrorun.cli.web_options import resolve_web, web_options
from retrorun.errors import ConfigError
from retrorun.web.settings import (
    DEFAULT_HOST,
    TABLE_KEYS,
    WebSettings,
    parse_listen,
    parse_pin,
    parse_web_table,
    resolve_web_settings,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("8080", (DEFAULT_HOST, 8080)),
        (8080, (DEFAULT_HOST, 8080)),
        (" 0 ", (DEFAULT_HOST, 0)),
        ("127.0.0.1:8080", ("127.0.0.1", 8080)),
        ("[::1]:8080", ("::1", 8080)),
        ("[::]:80", ("::", 80)),
        ("treadmill-pi.local:8000", ("treadmill-pi.local", 8000)),
    ],
)
def test_listen_addresses(value: object, expected: tuple[str, int]) -> None:
    assert parse_listen(value, where="--web") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "must be HOST:PORT"),
        (True, "must be HOST:PORT"),
        ("http://pi:80", "not a URL"),
        ("pi:eighty", "port must be a number"),
        ("70000", "from 0 to 65535"),
        ("-1", "port must be a number"),
        ("::1:80", "goes in brackets"),
        ("bad host:80", "not a host name"),
    ],
)
def test_bad_listen_addresses_name_the_option(value: object, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_listen(value, where="--web")
    assert str(raised.value).startswith("--web: ")
    assert message in str(raised.value).replace("[HOST:]", "HOST:")


def test_pins() -> None:
    assert parse_pin("0042", where="x") == "0042"
    assert parse_pin(4821, where="x") == "4821"
    assert parse_pin(False, where="x") is None
    assert parse_pin(True, where="x", new_pin=lambda: "1234") == "1234"
    assert parse_pin("random", where="x", new_pin=lambda: "9876") == "9876"
    random = parse_pin(True, where="x")
    assert random is not None
    assert random.isdigit()
    assert len(random) == 4
    for bad in ("12", "123456789", "12a4", "", 1.5, None):
        with pytest.raises(ConfigError, match="PIN must be 4 to 8 digits"):
            parse_pin(bad, where="--web-pin")


def test_the_config_table() -> None:
    assert parse_web_table({}, "config.toml") is None
    assert parse_web_table({"pin": "1234"}, "config.toml") is None  # no address: off
    assert parse_web_table(
        {"listen": "127.0.0.1:9000", "pin": "1234", "view_only": True}, "config.toml"
    ) == WebSettings(9000, "127.0.0.1", "1234", controls=False, where="config.toml web.listen")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"port": 80}, "config.toml web.port: unknown key web.port; known: listen, pin, view_only"),
        ({"listen": "x:y"}, "config.toml web.listen: port must be a number"),
        ({"listen": 80, "pin": "12"}, "config.toml web.pin: PIN must be"),
        ({"listen": 80, "view_only": "yes"}, "config.toml web.view_only: must be true or false"),
    ],
)
def test_bad_tables_name_file_and_key(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_web_table(table, "config.toml")
    assert str(raised.value).startswith(message)


def test_options_win_over_the_table() -> None:
    table = {"listen": "8000", "pin": "1111", "view_only": True}
    settings = resolve_web_settings(
        listen="127.0.0.1:9000", pin="2222", view_only=None, table=table, where="c.toml"
    )
    assert settings == WebSettings(9000, "127.0.0.1", "2222", controls=False, where="--web")
    from_file = resolve_web_settings(listen=None, pin=None, view_only=None, table=table)
    assert from_file is not None
    assert (from_file.port, from_file.pin) == (8000, "1111")


@click.command()
@web_options
def probe(**options: Any) -> None:  # noqa: ANN401 - click hands over the option values
    click.echo(repr(resolve_web(**options)))


@pytest.mark.parametrize(
    ("args", "port", "host", "pin", "controls"),
    [
        (["--web", "8080"], 8080, DEFAULT_HOST, None, True),
        (["--web", "127.0.0.1:8080", "--web-pin", "4821"], 8080, "127.0.0.1", "4821", True),
        (["--web-view-only", "--web", "9000"], 9000, DEFAULT_HOST, None, False),
    ],
)
def test_command_line_options(
    args: list[str], port: int, host: str, pin: str | None, controls: bool
) -> None:
    result = CliRunner().invoke(probe, args)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == repr(WebSettings(port, host, pin, controls))


def test_a_bare_pin_option_makes_up_a_pin() -> None:
    for args in (["--web", "8080", "--web-pin"], ["--web-pin", "--web", "8080"]):
        result = CliRunner().invoke(probe, args)
        assert result.exit_code == 0, result.output
        assert "pin='" in result.output
        assert "pin='random'" not in result.output


def test_no_address_means_no_web_view() -> None:
    assert CliRunner().invoke(probe, ["--web-pin", "1234"]).output.strip() == "None"


def test_the_docs_name_every_option_and_key() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "web.md").read_text(encoding="utf-8")
    for option in probe.params:
        assert f"`{option.opts[0]}" in docs, option.opts[0]
    for key in TABLE_KEYS:
        assert f"| `{key}` |" in docs, key
