"""Bounded JSON parsing: what `parse_json` refuses, and where it says the problem is."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrorun.jsontext import MAX_DEPTH, JSONTextError, parse_json

REFUSED = [
    ("[" * 50_000, "nested more than 32 levels deep", MAX_DEPTH),  # was RecursionError
    ("[" * 33 + "]" * 33, "nested more than 32 levels deep", MAX_DEPTH),
    (
        '{"a": "[[[[", "b": ' + '{"c": ' * 33 + "1" + "}" * 34,
        "nested more than 32 levels deep",
        205,
    ),
    ("[1, " + "9" * 5000 + "]", "a number with more than 20 digits", 4),  # was ValueError
    ("[1, -" + "9" * 21 + "]", "a number with more than 20 digits", 4),
    ('{"t": 1' + "0" * 4000 + "}", "a number with more than 20 digits", 6),  # OverflowError later
    ('{"s": "1e400", "n": 1e400}', "a number beyond the range of a float", 20),
    ("[NaN]", "NaN is not a JSON value", None),
    ("[-Infinity]", "-Infinity is not a JSON value", None),
    (b"\xff{}", "not UTF-8 text (byte 0)", None),
    ("{oops", "Expecting property name enclosed in double quotes", 1),
]


@pytest.mark.parametrize(("text", "reason", "position"), REFUSED)
def test_refused_text_names_the_reason_and_the_character(
    text: str | bytes, reason: str, position: int | None
) -> None:
    with pytest.raises(JSONTextError) as raised:
        parse_json(text)
    assert raised.value.reason == reason
    assert raised.value.position == position


@pytest.mark.parametrize(
    "text",
    [
        "[" * 32 + "]" * 32,
        "[-" + "9" * 20 + ", 1.5e308, 0.000000000000000000000000001]",
        '{"deep": "' + "[" * 100 + '"}',
    ],
)
def test_what_retrorun_writes_passes(text: str) -> None:
    parse_json(text)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**19), 10**19)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=20,
)


@given(st.text(max_size=60) | json_values.map(repr))
def test_any_text_parses_or_raises_only_json_text_error(text: str) -> None:
    position: int | None = None
    try:
        parse_json(text)
    except JSONTextError as exc:
        position = exc.position
    assert position is None or 0 <= position <= len(text)
