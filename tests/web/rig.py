"""A real session on the simulator with the web view attached, and browsers without a screen.

`attached` starts the TUI tests' `SimSession` (a `SessionRunner` driving the simulated
treadmill through the simulator's bleak backend, on a ManualClock) and a `WebView` on a free
loopback port. `Tab` is what a browser tab does on the socket, with aiohttp's own client:
say hello, collect every message, send commands. Nothing sleeps to let time pass: session
time moves with ``session.advance``; waits for the network are bounded polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp

from retrorun.web.server import WebTuning, WebView
from retrorun.web.settings import WebSettings
from tests.tui.rig import SimSession, short_profile

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable
    from pathlib import Path

IO_TIMEOUT_S = 5.0


@dataclass
class Tab:
    """One browser tab's socket: every message it received, in order."""

    socket: aiohttp.ClientWebSocketResponse
    received: list[dict[str, Any]] = field(default_factory=list)
    closed_with: int | None = None
    _reader: asyncio.Task[None] | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: int = 0

    def start(self) -> None:
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.socket:
            if message.type is aiohttp.WSMsgType.TEXT:
                self.received.append(json.loads(message.data))
                self._arrived.set()
        self.closed_with = self.socket.close_code
        self._arrived.set()

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [message for message in self.received if message["type"] == kind]

    @property
    def view(self) -> dict[str, Any]:
        """What the page shows now (the last state's words)."""
        states = self.of_type("state")
        assert states, f"no state yet; received {self.received}"
        view = states[-1]["view"]
        assert isinstance(view, dict)
        return view

    async def wait_for(self, condition: Callable[[], bool], what: str = "") -> None:
        """Wait (bounded, in wall time) until `condition()` holds over what arrived."""

        async def waiting() -> None:
            while not condition():
                self._arrived.clear()
                await self._arrived.wait()

        try:
            await asyncio.wait_for(waiting(), IO_TIMEOUT_S)
        except TimeoutError:
            raise AssertionError(f"never saw {what}; last: {self.received[-3:]}") from None

    async def send(self, message: dict[str, Any] | str) -> None:
        text = message if isinstance(message, str) else json.dumps(message)
        await self.socket.send_str(text)

    async def command(self, command: str, amount: float | None = None) -> dict[str, Any]:
        """Send one command the way the page does; the answer."""
        self._ids += 1
        ident = self._ids
        message: dict[str, Any] = {"type": "command", "command": command, "id": ident}
        if amount is not None:
            message["amount"] = amount
        await self.send(message)
        return await self.answer(ident)

    async def answer(self, ident: int | str | None) -> dict[str, Any]:
        await self.wait_for(
            lambda: any(r["id"] == ident for r in self.of_type("result")), f"answer {ident}"
        )
        return next(r for r in self.of_type("result") if r["id"] == ident)

    async def close(self) -> None:
        await self.socket.close()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, IO_TIMEOUT_S)


async def until(condition: Callable[[], bool], what: str) -> None:
    """Poll `condition` (bounded, in wall time) for what the network does by itself."""
    deadline = asyncio.get_running_loop().time() + IO_TIMEOUT_S
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, f"never saw {what}"
        await asyncio.sleep(0.005)


async def all_see(tabs: tuple[Tab, ...], condition: Callable[[Tab], bool], what: str) -> None:
    """Wait until `condition` holds for every tab."""
    for tab in tabs:
        await tab.wait_for(lambda tab=tab: condition(tab), what)  # type: ignore[misc]


@dataclass
class Attached:
    session: SimSession
    view: WebView
    http: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.view.port}/"

    @property
    def plan_name(self) -> str:
        return self.session.runner.plan.name

    async def tab(self, pin: str | None = None, *, hello: bool = True) -> Tab:
        """A connected tab that has said hello (with `pin`) and is reading."""
        socket = await self.http.ws_connect(self.url + "ws", timeout=aiohttp.ClientWSTimeout())
        tab = Tab(socket)
        tab.start()
        if hello:
            await tab.send({"type": "hello", "pin": pin} if pin else {"type": "hello"})
        return tab


@contextlib.asynccontextmanager
async def attached(
    folder: Path,
    settings: WebSettings | None = None,
    tuning: WebTuning | None = None,
) -> AsyncIterator[Attached]:
    """A running simulated session with a `WebView` on a free loopback port."""
    session = await SimSession.start(short_profile(folder), folder / "session.jsonl")
    settings = settings or WebSettings(port=0, host="127.0.0.1")
    try:
        async with (
            WebView(
                session.runner, settings, clock=session.clock, tuning=tuning or WebTuning()
            ) as view,
            aiohttp.ClientSession() as http,
        ):
            yield Attached(session, view, http)
    finally:
        await session.close()
