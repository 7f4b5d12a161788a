"""Device Information (0x180A): what a treadmill says it is, when it says anything."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from retrorun.clock import ManualClock
from retrorun.device import Treadmill

if TYPE_CHECKING:
    from retrorun.device.link import Link
    from tests.device.conftest import Rig


class _InformationLink:
    """Just the reads `Treadmill.device_information` makes, with a console's answers."""

    name = "URBAN-2"

    def __init__(self, values: dict[int, bytes]) -> None:
        self._values = values

    def properties(self, uuid: int) -> frozenset[str]:
        return frozenset({"read"}) if uuid in self._values else frozenset()

    async def read(self, uuid: int) -> bytes:
        return self._values[uuid]


async def test_the_strings_it_offers_trimmed_of_padding() -> None:
    link = _InformationLink(
        {
            0x2A29: b"Horizon Fitness\x00\x00",  # fixed-size fields padded with NULs
            0x2A24: b"7.0AT ",
            0x2A26: b"1.2.3",
        }
    )
    treadmill = Treadmill(cast("Link", link), clock=ManualClock())
    assert await treadmill.device_information() == {
        "manufacturer": "Horizon Fitness",
        "model": "7.0AT",
        "firmware_revision": "1.2.3",
    }


async def test_nothing_when_the_service_is_not_offered(rig: Rig) -> None:
    treadmill = await rig.open()
    try:
        assert await rig.run(treadmill.device_information()) == {}
    finally:
        await treadmill.close()
