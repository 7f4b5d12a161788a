"""The FIT wire layer: CRC, definitions, local type reuse, and our reader against our writer."""

from __future__ import annotations

import struct
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from retrorun.errors import InputError
from retrorun.fit.reader import read_fit
from retrorun.fit.wire import BaseType, Field, FitWriter, crc16, text
from retrorun.profiles import library
from retrorun.profiles.exporters.fit_workout import export_fit_workout
from retrorun.profiles.importers.fit_workout import fit_to_raw
from retrorun.profiles.loader import load_profile
from retrorun.profiles.plan import compile_plan
from tests.recording.garmin import decode


def test_crc_is_crc16_arc() -> None:
    # The CRC-16/ARC check value (reflected 0x8005 = 0xA001, init 0) of "123456789".
    assert crc16(b"123456789") == 0xBB3D


def test_more_layouts_than_local_types_redefine_and_still_decode() -> None:
    writer = FitWriter()
    writer.message(0, (Field(0, BaseType.ENUM, 5),))
    for index in range(40):
        # A name of a different length each time is a different layout.
        writer.message(
            27,
            (Field(254, BaseType.UINT16, index), text(0, "x" * (index % 20 + 1), index % 20 + 2)),
        )
    data = writer.finish()
    steps = decode(data)["workout_step_mesgs"]
    assert [s["wkt_step_name"] for s in steps] == ["x" * (i % 20 + 1) for i in range(40)]
    ours = [m for m in read_fit(data, "t.fit") if m.global_number == 27]
    assert [m.fields[0] for m in ours] == ["x" * (i % 20 + 1) for i in range(40)]


def test_text_is_cut_on_a_character_boundary() -> None:
    field = text(0, "é" * 10, 6)
    assert field is not None
    assert field.value == "éé".encode() + b"\x00\x00"


@given(
    values=st.lists(
        st.tuples(st.integers(0, 0xFFFE), st.integers(-0x7FFE, 0x7FFE), st.integers(1, 2**32 - 2)),
        min_size=1,
        max_size=20,
    )
)
def test_our_reader_reads_what_our_writer_wrote(values: list[tuple[int, int, int]]) -> None:
    writer = FitWriter()
    for u16, s16, u32 in values:
        writer.message(
            20,
            (
                Field(1, BaseType.UINT16, u16),
                Field(2, BaseType.SINT16, s16),
                Field(3, BaseType.UINT32, u32),
            ),
        )
    messages = read_fit(writer.finish(), "t.fit")
    assert [(m.fields[1], m.fields[2], m.fields[3]) for m in messages] == values


def _with_crcs(body: bytearray) -> bytes:
    """`body` (header and records) with its header CRC and file CRC made right again."""
    body[12:14] = struct.pack("<H", crc16(bytes(body[:12])))
    return bytes(body) + struct.pack("<H", crc16(bytes(body)))


def _hill_repeats_workout() -> bytes:
    profile = load_profile(library.resolve("backward-hill-repeats")).profile
    return export_fit_workout(profile, compile_plan(profile))


HILL_REPEATS_WORKOUT = _hill_repeats_workout()
"""Built once: each example below only damages a copy (the export compiles a plan)."""


# No wall-clock deadline: on a shared, loaded machine one example can take longer than
# hypothesis's 200 ms, which says nothing about the reader (speed is measured in benchmarks/).
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_damaged_records_are_refused_as_bad_input_never_a_crash(data: st.DataObject) -> None:
    body = bytearray(HILL_REPEATS_WORKOUT[:-2])
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(14, len(body) - 1))
        body[position] = data.draw(st.integers(0, 255))
    try:
        raw = fit_to_raw(_with_crcs(body), Path("w.fit"))
    except InputError as exc:
        message = str(exc)
    else:
        assert raw["steps"]
        return
    assert "w.fit" in message
    assert "\n" not in message
