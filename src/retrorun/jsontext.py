"""Compact JSON text for what the edges send (MQTT payloads, the web view's messages).

Pure. The session's numbers are floats that can be NaN or infinite (a sensor that reports
"not available" through arithmetic); those are not JSON, so they are sent as null.
"""

from __future__ import annotations

import json
import math
from typing import Any


def compact_json(data: dict[str, Any]) -> str:
    """Compact JSON text, UTF-8 characters kept as they are, NaN and infinities as null."""
    return json.dumps(finite(data), separators=(",", ":"), ensure_ascii=False)


def finite(value: Any) -> Any:  # noqa: ANN401 - walks any JSON-shaped value
    """`value` with every NaN or infinite float inside it replaced by None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value
