"""``retrorun ftms ...``: look at FTMS bytes the way the program sees them."""

from __future__ import annotations

import json
import re

import click

from retrorun.errors import InputError

_SEPARATORS = re.compile(r"[\s:\-,]+")
# "0x" only where a number starts: "00x" is a typo to report, not a prefix to drop.
_HEX_PREFIX = re.compile(r"(?:^|(?<=[\s:,\-]))0x", re.IGNORECASE)
_HEX_DIGITS = re.compile(r"[0-9a-fA-F]*")


def parse_hex(parts: tuple[str, ...] | list[str]) -> bytes:
    """Bytes from hex as people paste it: ``9c2500``, ``9C-25-00``, ``9c 25 00``, ``9c:25:00``,
    ``0x9c2500`` or several arguments. Raises `InputError` naming the offending character.
    """
    text = " ".join(parts)
    digits = _SEPARATORS.sub("", _HEX_PREFIX.sub("", text))
    match = _HEX_DIGITS.match(digits)
    end = match.end() if match else 0
    if end < len(digits):
        raise InputError(f"{digits[end]!r} is not a hex digit", location=f"HEX character {end + 1}")
    if not digits:
        raise InputError("no bytes given", location="HEX")
    if len(digits) % 2:
        raise InputError(
            f"{len(digits)} hex digits is an odd number: each byte needs two", location="HEX"
        )
    return bytes.fromhex(digits)


@click.group()
def ftms() -> None:
    """Fitness Machine Service (FTMS) tools."""


@ftms.command(
    epilog="""\b
Examples:
  retrorun ftms decode treadmill-data 00002003
  retrorun ftms decode 2acd 84-24-aa-00-21-00-00-01-00-ff-ff-ff-3c-00-42-00-00
  retrorun ftms decode control-point "80 03 01"
  retrorun ftms decode 0x2ADA 0x040000
  retrorun ftms decode 00002ad3-0000-1000-8000-00805f9b34fb 0111
"""
)
@click.argument("characteristic")
@click.argument("hex_bytes", metavar="HEX...", nargs=-1, required=True)
def decode(characteristic: str, hex_bytes: tuple[str, ...]) -> None:
    """Decode captured bytes of one characteristic and print them as JSON.

    CHARACTERISTIC is a name (treadmill-data, feature, training-status, speed-range,
    inclination-range, control-point, machine-status, heart-rate-measurement), a 16-bit
    UUID (2acd, 0x2ACD) or a 128-bit UUID. HEX is the value as nRF Connect or a btsnoop
    log shows it; separators (space, '-', ':') and a 0x prefix are ignored. Control point
    bytes are read as a request unless they start with 0x80 (a response).

    Fields whose flag is clear are left out; a field the device sent as "not available" is
    null. "truncated", "extra_bytes" and "quirks" appear when the bytes break the spec.
    """
    from retrorun.ftms import decode as decode_bytes  # noqa: PLC0415 - keep --help light
    from retrorun.ftms import resolve_characteristic  # noqa: PLC0415

    which = resolve_characteristic(characteristic)
    data = parse_hex(hex_bytes)
    record = decode_bytes(which, data)
    click.echo(json.dumps(record.to_json()))
