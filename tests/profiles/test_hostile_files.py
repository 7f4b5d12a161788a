"""Hostile profile files: one line naming the file and line, exit 2, never a traceback.

Each row was a traceback, a hang or gigabytes of memory before; `retrorun validate` runs
in-process through the real entry point, so any exception other than the exit fails the test.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from retrorun.errors import ProfileError
from retrorun.profiles.loader import MAX_PROBLEMS, MAX_PROFILE_BYTES, MAX_VALUES, load_profile

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import CliResult


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    """A few hundred bytes whose aliases stand for ``width ** levels`` values."""
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    lines += [
        f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]"
        for level in range(1, levels)
    ]
    return "\n".join([*lines, f"name: *a{levels - 1}", "steps: []"]) + "\n"


HOSTILE = [
    ("nul.yaml", b"name: a\x00b\nsteps: []\n", "nul.yaml:1: not valid YAML: character U+0000"),
    ("esc.yaml", b"name: x\nsteps: [\x1b]\n", "esc.yaml:2: not valid YAML: character U+001B"),
    ("deep.json", b"[" * 300 + b"]" * 300, "deep.json:1: not valid JSON: nested more than 32"),
    ("deeper.json", b"[" * 50_000, "deeper.json:1: not valid JSON: nested more than 32"),
    ("deep.yaml", b"[" * 5000, "deep.yaml:1: not valid YAML: nested more than 32"),
    (
        "block.yaml",
        b"name: x\nsteps:\n" + b"".join(b"  " * i + b"- \n" for i in range(1, 200)),
        "block.yaml:",
    ),
    (
        "long.yaml",
        b"name: x\nsteps:\n  - forward: 1" + b"9" * 5000 + b"\n",
        "long.yaml:3: not valid YAML: a number with more than 20 digits",
    ),
    (
        "long.json",
        b'{"name": "x",\n "steps": [{"forward": 1' + b"9" * 5000 + b"}]}",
        "long.json:2: not valid JSON: a number with more than 20 digits",
    ),
    (
        "huge.json",
        b'{"name": "x", "steps": [1e400]}',
        "huge.json:1: not valid JSON: a number beyond the range of a float",
    ),
    (
        "bomb.yaml",
        _alias_bomb().encode(),
        f"bomb.yaml:5: not valid YAML: more than {MAX_VALUES} values (aliases expanded)",
    ),
    (
        "flat.yaml",
        b"name: x\nsteps: [" + b"1," * 490_000 + b"1]\n",  # took 10 s and 390 MB
        f"flat.yaml:2: not valid YAML: more than {MAX_VALUES} values",
    ),
    (
        "flat.json",
        b'{"name": "x", "steps": [' + b"1," * 490_000 + b"1]}",  # took 20 s and 1.1 GB
        f"flat.json: more than {MAX_VALUES} values",
    ),
    ("big.yaml", b"#" * (MAX_PROFILE_BYTES + 1), f"big.yaml: larger than {MAX_PROFILE_BYTES}"),
    (
        "loop.yaml",
        b"name: &a [x, *a]\nsteps: []\n",
        "loop.yaml:1: not valid YAML: an alias refers to the collection it is in",
    ),
    ("bad.yaml", b"\xff\xfe", "bad.yaml: not UTF-8 text (byte 0)"),
]


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_profile_gets_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., CliResult],
    name: str,
    content: bytes,
    message: str,
) -> None:
    (tmp_path / name).write_bytes(content)
    monkeypatch.chdir(tmp_path)
    result = cli("validate", name)
    assert result.exit_code == 2
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_the_alias_bomb_stops_before_it_costs_memory(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    """It took 3.4 GB and 32 s; now the composer stops at the first node past the bound."""
    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = cli("validate", str(path))
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert result.exit_code == 2
    assert grown_kib < 200_000, f"peak memory grew by {grown_kib} KiB"


def test_aliases_within_the_bound_still_work(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    path = tmp_path / "anchored.yaml"
    path.write_text(
        "name: anchors\nsteps:\n"
        "  - &walk {direction: backward, duration: 1m, speed: 3}\n"
        "  - {duration: 1m, speed: 6}\n"
        "  - *walk\n"
    )
    result = cli("validate", str(path))
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_a_profile_that_is_not_a_regular_file_is_refused(tmp_path: Path, kind: str) -> None:
    path = {"fifo": tmp_path / "fifo.yaml", "device": Path("/dev/zero"), "directory": tmp_path}[
        kind
    ]
    if kind == "fifo":
        os.mkfifo(path)
    with pytest.raises(ProfileError, match="not a regular file"):
        load_profile(path)


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("{duration: 9h59m, speed: 5}", None),
        # The plan counts the 11 s the belt needs to reach 5 km/h before the interval's time.
        ("{duration: 10h, speed: 5}", "the plan lasts 10:00:11, more than 10:00:00"),
        ("{duration: 18h30m, speed: 5}", "the plan lasts 18:30:11, more than 10:00:00"),
        ("{distance: 60km, speed: 5}", "the plan lasts 12:00:00, more than 10:00:00"),
    ],
)
def test_a_plan_lasts_at_most_ten_hours(
    tmp_path: Path, cli: Callable[..., CliResult], step: str, message: str | None
) -> None:
    """The simulator failed at 65,536 s (FTMS elapsed time is 16 bits) on plans the
    validator had accepted; the validator now stops far below that."""
    path = tmp_path / "long.yaml"
    path.write_text(f"name: long\nsteps:\n  - {step}\n")
    result = cli("validate", str(path))
    if message is None:
        assert result.exit_code == 0, result.stderr
    else:
        assert result.exit_code == 2
        assert result.stderr == f"{path}:2 steps: {message}; split it into shorter sessions\n"


def test_a_file_with_hundreds_of_problems_lists_twenty(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("name: x\nsteps:\n" + "  - {duration: 1m, speed: 5, colour: red}\n" * 200)
    result = cli("validate", str(path))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == MAX_PROBLEMS
    assert lines[0] == (
        f"{path}:3 steps[0].colour: unknown key; check its spelling against docs/profiles.md "
        "or remove it"
    )
    assert lines[-1] == f"{path}: and {200 - MAX_PROBLEMS + 1} more problems; fix these first"


def test_a_key_with_control_characters_is_shown_escaped_on_one_line(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    """A key holding a line break or a terminal escape split the message or drove the
    terminal; it is shown quoted and escaped."""
    path = tmp_path / "keys.json"
    path.write_text('{"name": "x", "steps": [{"duration": 60, "speed": 5}], "a\\nb": 1}')
    result = cli("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"{path}:1 'a\\nb': unknown key; check its spelling against docs/profiles.md or remove it\n"
    )
