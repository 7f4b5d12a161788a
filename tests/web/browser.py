"""Debian's headless chromium, driven over its DevTools protocol with aiohttp's client.

No browser is downloaded: `CHROMIUM` is the distribution's package (scripts/ensure-system-deps
installs it). `Chromium.launch` starts it on a DevTools port of its own choosing (read from
the ``DevToolsActivePort`` file it writes), `Chromium.page` opens a tab at a given screen size
and colour scheme, and `Page` does what a person would: load the page, read what it shows,
tap a button where it is drawn, take a screenshot. Every wait is bounded, in wall time.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = "install it with scripts/ensure-system-deps (apt-get install chromium)"
START_TIMEOUT_S = 30.0
WAIT_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0
_POLL_S = 0.02
FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root, where chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)


def chromium_or_skip() -> str:
    """The chromium executable; skips the test (fails it in CI) when it is not installed."""
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"chromium is not installed; {INSTALL_HINT}")
        pytest.skip(f"chromium is not installed; {INSTALL_HINT}")
    return found


class BrowserError(AssertionError):
    """The browser answered a DevTools command with an error."""


@dataclass
class Page:
    """One tab, over its own DevTools socket."""

    socket: aiohttp.ClientWebSocketResponse
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _waiting: dict[int, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    _reader: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.socket:
            data = json.loads(message.data)
            future = self._waiting.pop(data.get("id", -1), None)
            if future is not None and not future.done():
                future.set_result(data)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:  # noqa: ANN401
        ident = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[ident] = future
        await self.socket.send_str(json.dumps({"id": ident, "method": method, "params": params}))
        answer = await asyncio.wait_for(future, WAIT_TIMEOUT_S)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        result = answer.get("result", {})
        assert isinstance(result, dict)
        return result

    async def evaluate(self, expression: str) -> Any:  # noqa: ANN401 - whatever the page says
        answer = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in answer:
            raise BrowserError(f"{expression}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    async def text(self, selector: str) -> str:
        return str(await self.evaluate(f"document.querySelector({selector!r}).textContent"))

    async def wait_for(self, expression: str, what: str = "") -> None:
        """Poll `expression` in the page until it is true (bounded)."""
        deadline = time.monotonic() + WAIT_TIMEOUT_S
        while not await self.evaluate(expression):
            if time.monotonic() > deadline:
                shown = await self.evaluate("document.body.innerText")
                raise AssertionError(
                    f"the page never showed {what or expression}; it shows:\n{shown}"
                )
            await asyncio.sleep(_POLL_S)

    async def open(self, url: str) -> None:
        await self.send("Page.navigate", url=url)
        await self.wait_for("document.readyState === 'complete'", "the loaded page")

    async def tap(self, selector: str) -> None:
        """A press and release at the middle of the element, as a finger or mouse does."""
        box = await self.evaluate(
            f"(() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        x, y = box
        for kind in ("mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1
            )

    async def screenshot(self) -> bytes:
        """The tab as PNG bytes."""
        shot = await self.send("Page.captureScreenshot", format="png")
        return base64.b64decode(shot["data"])

    async def close(self) -> None:
        await self.socket.close()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await self._reader


@dataclass
class Chromium:
    process: asyncio.subprocess.Process
    port: int
    http: aiohttp.ClientSession
    pages: list[Page] = field(default_factory=list)

    @classmethod
    @contextlib.asynccontextmanager
    async def launch(cls, executable: str, profile: Path) -> AsyncIterator[Chromium]:
        """A headless chromium with its own profile folder; killed on the way out."""
        log = (profile / "chromium.log").open("wb")
        process = await asyncio.create_subprocess_exec(
            executable,
            *FLAGS,
            f"--user-data-dir={profile / 'user-data'}",
            "about:blank",
            stdout=log,
            stderr=log,
            start_new_session=True,  # its own process group: its helpers end with it
        )
        try:
            port = await _devtools_port(profile / "user-data" / "DevToolsActivePort", process)
            async with aiohttp.ClientSession() as http:
                browser = cls(process, port, http)
                try:
                    yield browser
                finally:
                    for page in browser.pages:
                        await page.close()
        finally:
            await _end(process)
            log.close()

    async def page(
        self, width: int, height: int, *, mobile: bool, dark: bool = False, scale: float = 1.0
    ) -> Page:
        """A new tab showing `width` x `height` CSS pixels."""
        async with self.http.put(f"http://127.0.0.1:{self.port}/json/new?about:blank") as made:
            target = await made.json()
        socket = await self.http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0)
        page = Page(socket)
        page.start()
        self.pages.append(page)
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=scale,
            mobile=mobile,
        )
        scheme = "dark" if dark else "light"
        await page.send(
            "Emulation.setEmulatedMedia",
            features=[{"name": "prefers-color-scheme", "value": scheme}],
        )
        return page


async def _end(process: asyncio.subprocess.Process) -> None:
    """End chromium and its helper processes (renderers, crash handler): its process group,
    politely first, so none is left writing into the profile folder."""
    for signal_number in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal_number)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
            return


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


async def _devtools_port(path: Path, process: asyncio.subprocess.Process) -> int:
    """The port chromium chose, from the file it writes once it listens."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        lines = await asyncio.to_thread(_lines, path)
        if lines:
            return int(lines[0])
        if process.returncode is not None or time.monotonic() > deadline:
            log = (path.parent.parent / "chromium.log").read_text(errors="replace")
            raise AssertionError(f"chromium did not start:\n{log[-2000:]}")
        await asyncio.sleep(_POLL_S)
