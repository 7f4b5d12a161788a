"""The page in a real browser (Debian's headless chromium) against a real simulated session:
a phone follows the whole session through its turns, pauses it with a tap, a tablet sees
the same state and resumes it, and the page says it is stale when the server goes away."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from retrorun.session.api import SessionState
from retrorun.web.settings import WebSettings
from tests.web.browser import WAIT_TIMEOUT_S, Chromium, chromium_or_skip
from tests.web.rig import attached

if TYPE_CHECKING:
    from pathlib import Path

    from tests.web.browser import Page
    from tests.web.rig import Attached

PHONE = {"width": 360, "height": 740, "mobile": True}
TABLET = {"width": 1024, "height": 768, "mobile": True, "dark": True}


async def _shows(page: Page, selector: str, text: str) -> None:
    await page.wait_for(
        f"document.querySelector({selector!r}).textContent === {text!r}", f"{selector} {text}"
    )


async def _session_state(rig: Attached, state: SessionState) -> None:
    """Wait (in wall time: the browser's tap travels over real sockets) for the session."""
    deadline = time.monotonic() + WAIT_TIMEOUT_S
    while rig.session.runner.snapshot().state is not state:
        assert time.monotonic() < deadline, f"the session never became {state}"
        await asyncio.sleep(0.01)


async def test_a_phone_follows_a_whole_session_and_a_tablet_sees_the_same(
    tmp_path: Path,
) -> None:
    executable = chromium_or_skip()
    async with Chromium.launch(executable, tmp_path) as browser:
        phone = await browser.page(**PHONE)  # type: ignore[arg-type]
        tablet = await browser.page(**TABLET)  # type: ignore[arg-type]
        async with attached(tmp_path) as rig:
            await phone.open(rig.url)
            await tablet.open(rig.url)
            await rig.session.advance_until(lambda snap: snap.state is SessionState.RUNNING)
            await rig.session.advance(1)
            for page in (phone, tablet):
                await _shows(page, "#direction", "FORWARD")
                await page.wait_for("document.body.classList.contains('tone-forward')")
            # At 360 px nothing runs off the side, and STOP is on screen without scrolling.
            assert await phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            stop_bottom = await phone.evaluate(
                "document.querySelector('#stop').getBoundingClientRect().bottom"
            )
            assert 0 < stop_bottom <= PHONE["height"]

            await phone.tap("#mirror")  # for a runner who sees the phone in a mirror
            await phone.wait_for("document.documentElement.classList.contains('mirrored')")
            await phone.tap("#mirror")

            await rig.session.advance_until(lambda snap: snap.segment_kind == "turn")
            await rig.session.advance(0.5)
            await _shows(phone, "#direction", "TURN")
            await phone.wait_for("document.body.classList.contains('tone-turn')")
            await rig.session.advance_until(lambda snap: snap.segment_kind == "interval")
            await rig.session.advance(0.5)
            await _shows(phone, "#direction", "BACKWARD")
            await phone.wait_for("document.querySelector('#cue').textContent.length > 0")

            await phone.tap("#pause")
            await _session_state(rig, SessionState.PAUSED)
            for page in (phone, tablet):
                await page.wait_for(
                    "document.querySelector('#status').textContent.startsWith('PAUSED')"
                )
                await _shows(page, "#pause", "Resume")

            await tablet.tap("#pause")
            await _session_state(rig, SessionState.COUNTDOWN)
            await rig.session.advance_until(lambda snap: snap.state is SessionState.RUNNING)
            await rig.session.advance(0.5)
            await _shows(phone, "#pause", "Pause")

            await rig.session.clock.run_until(rig.session.task, limit=600)
            for page in (phone, tablet):
                await page.wait_for(
                    "document.querySelector('#status').textContent.startsWith('FINISHED')"
                )
        # The server has gone with its session: the page keeps the last state and says so.
        await phone.wait_for("!document.querySelector('#stale').hidden", "the stale banner")
        assert await phone.text("#link") == "stale"


async def test_the_page_asks_for_the_pin_and_view_only_hides_the_controls(
    tmp_path: Path,
) -> None:
    executable = chromium_or_skip()
    settings = WebSettings(port=0, host="127.0.0.1", pin="4821", controls=False)
    async with (
        Chromium.launch(executable, tmp_path) as browser,
        attached(tmp_path, settings) as rig,
    ):
        phone = await browser.page(**PHONE)  # type: ignore[arg-type]
        await phone.open(rig.url)
        await phone.wait_for("!document.querySelector('#pin-form').hidden", "the PIN form")
        await _shows(phone, "#pin-reason", "PIN required")
        for pin, reason in (("1234", "wrong PIN"), ("4821", None)):
            await phone.evaluate(f"document.querySelector('#pin').value = {pin!r}")
            await phone.tap("#pin-form button")
            if reason is not None:
                await _shows(phone, "#pin-reason", reason)
                await phone.wait_for("!document.querySelector('#pin-form').hidden")
        await phone.wait_for("document.querySelector('#pin-form').hidden", "the page")
        await rig.session.advance_until(lambda snap: snap.state is SessionState.RUNNING)
        await rig.session.advance(1)
        await _shows(phone, "#direction", "FORWARD")
        assert await phone.evaluate("document.querySelector('#controls').hidden") is True
        assert rig.view.stats.refused == 2
