"""A number option type for the command line: a range, and finite.

`click.FloatRange` lets NaN through (every comparison with NaN is false) and, with no upper
bound, infinity; an option built on `FiniteRange` refuses both with click's usual one line
(exit 2) instead of letting them reach code that cannot use them.
"""

from __future__ import annotations

import math
from typing import Any

import click


class FiniteRange(click.FloatRange):
    """`click.FloatRange` that also refuses NaN and infinities."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:  # noqa: ANN401 - click's signature
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number
