"""``retrorun ftms decode``: what a user pasting hex from nRF Connect sees."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import CliResult


def test_issue_example_prints_8_kmh(cli: Callable[..., CliResult]) -> None:
    result = cli("ftms", "decode", "treadmill-data", "00002003")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"flags": 0, "speed_kmh": 8.0}
    assert result.stdout.count("\n") == 1


@pytest.mark.parametrize(
    "hex_args",
    [
        ("8424aa002100000100ffffff3c00420000",),
        ("84-24-AA-00-21-00-00-01-00-FF-FF-FF-3C-00-42-00-00",),
        ("84 24 aa 00 21 00 00 01 00 ff ff ff 3c 00 42 00 00",),
        ("84:24:aa:00:21:00:00:01:00:ff:ff:ff:3c:00:42:00:00",),
        ("0x8424aa002100000100ffffff3c00420000",),
        ("8424", "aa00", "210000", "0100ffffff", "3c00", "420000"),
    ],
)
def test_pasted_hex_forms(cli: Callable[..., CliResult], hex_args: tuple[str, ...]) -> None:
    # CITYSPORTS record, hughesjs/FitnessMachine protocol/notes (second capture).
    result = cli("ftms", "decode", "2acd", *hex_args)
    assert result.exit_code == 0, result.stderr
    decoded = json.loads(result.stdout)
    assert decoded["step_count"] == 66
    assert decoded["energy_per_hour_kcal"] is None
    assert "average_speed_kmh" not in decoded


@pytest.mark.parametrize(
    ("characteristic", "hex_bytes", "key", "value"),
    [
        ("0x2AD9", "800301", "result_code_name", "success"),
        ("control-point", "022003", "target_speed_kmh", 8.0),
        ("00002ada-0000-1000-8000-00805f9b34fb", "040000", "extra_bytes", "0000"),
        ("training-status", "0011", "status", "reserved"),
        ("speed-range", "640058023200", "min_increment_kmh", 0.5),
        # TrackMyIndoorWorkout test/matrix_treadmill_test.dart: 20 of ~30 promised bytes.
        ("2acd", "9e1f5100b2005800000000ff7f0000ffff0c0097", "truncated", True),
        ("2acd", "9e1f5100b2005800000000ff7f0000ffff0c0097", "total_energy_kcal", 12),
    ],
)
def test_each_characteristic_by_name_or_uuid(
    cli: Callable[..., CliResult], characteristic: str, hex_bytes: str, key: str, value: object
) -> None:
    result = cli("ftms", "decode", characteristic, hex_bytes)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[key] == value


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("treadmill", "00002003"), "unknown characteristic 'treadmill'"),
        (("2acd", "0000200"), "odd number"),
        (("2acd", "00zz2003"), "HEX character 3: 'z' is not a hex digit"),
        (("2acd", "00"), "treadmill-data: byte 0"),
        (("2acd", "-"), "no bytes given"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    cli: Callable[..., CliResult], args: tuple[str, ...], message: str
) -> None:
    result = cli("ftms", "decode", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_help_shows_examples(cli: Callable[..., CliResult]) -> None:
    result = cli("ftms", "decode", "--help")
    assert result.exit_code == 0
    assert "retrorun ftms decode treadmill-data 00002003" in result.stdout
