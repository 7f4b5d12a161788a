"""Any bytes given to ``retrorun validate``: success, or exit 2 with lines naming the file.

The real entry point runs in-process (`tests.conftest.cli`), so a traceback, an exception
other than the exit, or a hang fails the example. A file with several problems gets one line
per problem, each naming the file; a file that is no profile at all gets exactly one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import strategies as st

from tests.fuzz_tiers import fuzz_tests

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

# Pieces of YAML and JSON (and of hostile files) that random bytes would rarely hit.
FRAGMENTS = (
    "name: x\n", "steps:\n", "  - ", "{", "}", "[", "]", ", ", ": ", "\n", "  ",
    "duration: ", "distance: ", "speed: ", "direction: backward", "repeat:", "times: ",
    "ramp: {from: 3, to: 9}", "incline: ", "label: ", "turn: {window: 2}", "expert: ",
    "&a ", "*a", "<<: *a", "!!binary ", "!!python/object ", "? ", "--- ", "...", "#",
    "1", "9" * 30, "-1", "0x1F", "0b101", "1e400", ".inf", ".nan", "1:30", "5m", "10h",
    '"', "'", "\\u0000", "\x00", "\x1b", "\t", "\ufeff", "é", "null", "true", '"name"',
    '"steps"', "%YAML 1.1\n",
)  # fmt: skip

profile_texts = st.one_of(
    st.binary(max_size=400),
    st.lists(st.sampled_from(FRAGMENTS), max_size=60).map(lambda parts: "".join(parts).encode()),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
        max_leaves=30,
    ).map(lambda value: repr(value).encode()),
)


def _check(result: CliResult, path: Path) -> None:
    if result.exit_code == 0:
        return
    assert result.exit_code == 2, result
    lines = result.stderr.splitlines()
    assert lines, result
    assert all(line.startswith(f"{path}") for line in lines), result.stderr
    assert "Traceback" not in result.stderr
    if any(words in result.stderr for words in ("not valid", "not UTF-8", "larger than")):
        assert len(lines) == 1, result.stderr  # no profile at all: one line


def _fuzz(cli: Callable[..., CliResult], folder: Path, data: bytes, suffix: str) -> None:
    path = folder / f"fuzz{suffix}"
    path.write_bytes(data)
    _check(cli("validate", str(path)), path)


test_any_bytes_validate_or_give_exit_2_naming_the_file, test_long_fuzz_campaign = fuzz_tests(
    _fuzz, profile_texts, [".yaml", ".json"]
)
