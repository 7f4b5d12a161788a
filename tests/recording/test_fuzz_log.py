"""Any bytes as a session log, for ``retrorun export``, ``summary`` and ``audit``: success
(for ``audit`` also exit 1, rules broken), or exit 2 with one line naming the file.

The real entry point runs in-process (`tests.conftest.cli`), so a traceback or any exception
other than the exit fails the example. Besides raw bytes, the strategies damage a real log:
lines replaced by junk or by JSON of the wrong shape, fields given hostile values.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from tests.fuzz_tiers import fuzz_tests
from tests.recording.fixtures import EVENTS, HEADER

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

LINES: list[dict[str, Any]] = [HEADER, *EVENTS]

hostile_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
junk_lines = st.one_of(
    st.binary(max_size=60),
    st.sampled_from(
        [
            b"{oops",
            b"[" * 3000,
            b'{"t": 3, "type": "telemetry", "x": ' + b"[" * 40 + b"]" * 40 + b"}",
            b'{"t": 1' + b"0" * 4000 + b', "type": "telemetry"}',
            b'{"t": 3, "type": "telemetry", "speed_kmh": 1e400}',
            b'{"t": 3, "type": "telemetry", "distance_m": NaN}',
            b"[]",
            b'"session"',
        ]
    ),
)


@st.composite
def damaged_logs(draw: st.DrawFn) -> bytes:
    """A hand-written log with some lines replaced and some fields given hostile values."""
    lines = [json.dumps(line).encode() for line in LINES]
    for _ in range(draw(st.integers(0, 3))):
        index = draw(st.integers(0, len(LINES) - 1))
        changed = dict(LINES[index])
        key = draw(st.sampled_from([*changed, "speed_kmh", "distance_m", "t", "type"]))
        changed[key] = draw(hostile_values)
        lines[index] = json.dumps(changed).encode()
    for _ in range(draw(st.integers(0, 3))):
        lines[draw(st.integers(0, len(lines) - 1))] = draw(junk_lines)
    if draw(st.booleans()):
        lines = lines[: draw(st.integers(1, len(lines)))]
    return b"\n".join(lines) + draw(st.sampled_from([b"\n", b""]))


logs = st.one_of(st.binary(max_size=400), damaged_logs())


def _fuzz(cli: Callable[..., CliResult], folder: Path, data: bytes, command: str) -> None:
    path = folder / "fuzz.jsonl"
    path.write_bytes(data)
    output = folder / "fuzz.out"
    args = (
        ("export", str(path), "-o", str(output)) if command == "export" else ("summary", str(path))
    )
    result = cli(*args)
    if result.exit_code == 0:
        # Notes (an interrupted session, skipped broken lines) name the file; nothing else.
        assert all(f"{path}" in line for line in result.stderr.splitlines()), result.stderr
        return
    assert result.exit_code == 2, result
    assert result.stderr.startswith(f"retrorun: {path}"), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


test_any_log_exports_or_gives_exit_2_and_one_line, test_long_fuzz_campaign = fuzz_tests(
    _fuzz, logs, ["export", "summary", "audit"]
)
