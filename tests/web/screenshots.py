"""Make the screenshots in docs/web.md: the page in headless chromium, against a simulated
session stopped at telling moments (on a ManualClock, so each picture is reproducible).

    .venv/bin/python -m tests.web.screenshots docs/images
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from retrorun.session.api import Phase, SessionState
from retrorun.web.server import WebTuning
from tests.web.browser import CHROMIUM, Chromium
from tests.web.rig import attached

if TYPE_CHECKING:
    from tests.web.browser import Page

# Every state goes out: the clock stands still while a picture is taken, so a countdown
# held back by the pace (a wall-time limit for fast-forward sessions) would never catch up.
EXACT = WebTuning(min_gap_s=0.0)
PHONE = {"width": 360, "height": 740, "mobile": True, "scale": 2.0}
TABLET = {"width": 1024, "height": 768, "mobile": True, "scale": 1.0}


async def _shoot() -> dict[str, bytes]:
    """The pictures, by file name."""
    shots: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        async with Chromium.launch(CHROMIUM, work) as browser, attached(work, tuning=EXACT) as rig:
            phone_light = await browser.page(**PHONE)  # type: ignore[arg-type]
            phone_dark = await browser.page(**PHONE, dark=True)  # type: ignore[arg-type]
            tablet = await browser.page(**TABLET)  # type: ignore[arg-type]
            for page in (phone_light, phone_dark, tablet):
                await page.open(rig.url)
            session = rig.session
            await session.advance_until(lambda snap: snap.state is SessionState.RUNNING)
            await session.advance(12)
            await _settle(phone_light, "FORWARD")
            shots["web-phone-forward.png"] = await phone_light.screenshot()
            await session.advance_until(
                lambda snap: snap.segment_kind == "turn" and snap.phase is Phase.TURN_WINDOW
            )
            await session.advance(3)
            await _settle(phone_dark, "TURN")
            shots["web-phone-turn-dark.png"] = await phone_dark.screenshot()
            await session.advance_until(lambda snap: snap.segment_kind == "interval")
            await session.advance(9)
            await _settle(tablet, "BACKWARD")
            shots["web-tablet-backward.png"] = await tablet.screenshot()
    return shots


async def _settle(page: Page, direction: str) -> None:
    await page.send("Page.bringToFront")  # background tabs do not run their animations
    await page.wait_for(f"document.querySelector('#direction').textContent === {direction!r}")
    await asyncio.sleep(2.2)  # let the cue's highlight fade before the picture


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images")
    folder.mkdir(parents=True, exist_ok=True)
    for name, png in asyncio.run(_shoot()).items():
        (folder / name).write_bytes(png)


if __name__ == "__main__":
    main()
