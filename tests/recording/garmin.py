"""Decode FIT bytes with Garmin's own FIT SDK: the independent reader our files must satisfy."""

from __future__ import annotations

from typing import Any, cast

from garmin_fit_sdk import Decoder, Stream


def decode(data: bytes) -> dict[str, list[dict[str, Any]]]:
    """Every message list the SDK finds; fails the test when the SDK reports any error."""
    assert Decoder(Stream.from_byte_array(bytearray(data))).is_fit()
    assert Decoder(Stream.from_byte_array(bytearray(data))).check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    # FitMessages is a TypedDict of per-message lists; the tests index it by name.
    return cast("dict[str, list[dict[str, Any]]]", messages)


def developer_key(messages: dict[str, list[dict[str, Any]]], name: str, native: int) -> int:
    """The SDK's key for our developer field `name` on global message `native`."""
    (key,) = [
        d["key"]
        for d in messages["field_description_mesgs"]
        if d["field_name"] == name and d.get("native_mesg_num") == native
    ]
    return int(key)
