"""Fuzz tests of the command line in two tiers, written once.

`fuzz_tests(run, data, variants)` returns two tests that call ``run(cli, tmp_path, data,
variant)`` for hypothesis-drawn bytes and one of `variants` (a file suffix, a command): a
quick one for the default tier (150 examples, a second or two) and one marked ``slow``
(``make test-slow``) that runs a campaign of 5000. Deadlines are off: an example runs a whole
command in-process, and a slow shared machine is not a failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from tests.conftest import CliResult

    Run = Callable[[Callable[..., CliResult], Path, bytes, str], None]

# The `cli` fixture is function-scoped but resets its captured output on every call.
_SHARED = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
QUICK_EXAMPLES = 150
LONG_EXAMPLES = 5000


def fuzz_tests(
    run: Run, data: st.SearchStrategy[bytes], variants: Sequence[str]
) -> tuple[Callable[..., None], Callable[..., None]]:
    """The quick test and the slow campaign of `run` (assign both to ``test_...`` names)."""

    def campaign(examples: int) -> Callable[..., None]:
        @settings(_SHARED, max_examples=examples)
        @given(data=data, variant=st.sampled_from(variants))
        def test(cli: Callable[..., CliResult], tmp_path: Path, data: bytes, variant: str) -> None:
            run(cli, tmp_path, data, variant)

        return test

    return campaign(QUICK_EXAMPLES), pytest.mark.slow(campaign(LONG_EXAMPLES))
