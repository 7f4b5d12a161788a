"""The running session in a browser: a small HTTP server for the page and a WebSocket per tab.

```python
async with WebView(handle, settings, clock=clock) as view:
    print(view.notice)                # "Web view: http://192.168.1.20:8080/ (PIN 4821)"
    await session_finished            # the view runs alongside, on its own tasks
```

The one module that imports aiohttp (server and WebSocket in one maintained package, on
asyncio, no ASGI stack to assemble). Theory of operation, none of which the session waits for:

* while any browser is in (and only then: with none, the view costs the session nothing),
  the *ticker* wakes every `WebTuning.tick_s` on the injected clock, takes the session's
  events that arrived since (a hub subscription, which drops the oldest rather than block
  the session), and offers them to every browser's `ClientOutbox` (newest state wins;
  cues and answers bounded, oldest dropped);
* each admitted browser has a *writer* task that sends what its outbox holds; a browser
  that never reads blocks only its own writer (aiohttp waits for the socket to drain once
  `WRITER_LIMIT` bytes are pending), while its outbox keeps only the newest state;
* each socket's handler reads the page's messages: a ``hello`` (with the PIN when one is
  set) first, then commands, checked by `messages.parse_message` and handed to
  ``handle.command``, the session's single command path and safety layer. A refused
  message is answered with its reason; the session never hears of it.

The page itself is static files shipped in the package (`STATIC`), read once at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.resources
import os
import socket
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

from aiohttp import WSCloseCode, WSMsgType, web

from retrorun.clock import LoopClock
from retrorun.errors import ConfigError, RetrorunError
from retrorun.session.api import CommandResult, Cue, SessionEnded, Snapshot
from retrorun.web import messages
from retrorun.web.access import Gate
from retrorun.web.outbox import EVENTS_LIMIT, MIN_GAP_S, ClientOutbox

if TYPE_CHECKING:
    from types import TracebackType

    from retrorun.clock import Clock
    from retrorun.hub import Subscription
    from retrorun.session.api import SessionEvent, SessionHandle
    from retrorun.web.settings import WebSettings

STATIC = {
    "/": ("index.html", "text/html"),
    "/app.js": ("app.js", "text/javascript"),
    "/style.css": ("style.css", "text/css"),
    "/icon.svg": ("icon.svg", "image/svg+xml"),
}
HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self'; img-src 'self'; style-src 'self'; "
        "script-src 'self'; frame-ancestors 'none'"
    ),
}
WRITER_LIMIT = 64 * 1024
# Refusals close the socket with a code the page understands (4000-4999 are the
# application's own, RFC 6455 section 7.4.2).
CLOSE_REFUSED = 4001
_GOODBYE_POLL_S = 0.01


@dataclass(frozen=True)
class WebTuning:
    """Rates and limits of the view (the defaults suit real sessions and ``--fast``)."""

    tick_s: float = 0.25
    """How often, on the view's clock, new events are passed to the browsers."""
    min_gap_s: float = MIN_GAP_S
    """Least wall time between two snapshots that differ only in their numbers."""
    events_limit: int = EVENTS_LIMIT
    max_clients: int = 16
    """Sockets open at once, admitted or not; more are refused (503)."""
    close_timeout_s: float = 1.0  # wall seconds, whatever the session's clock
    """Bound of the final flush to the browsers when the view closes."""


DEFAULT_TUNING = WebTuning()


@dataclass(frozen=True)
class WebStats:
    """What the view has done, for status lines, tests and benchmarks."""

    clients: int
    """Browsers admitted and connected now."""
    admitted: int
    refused: int
    """Connections refused (wrong or missing PIN, too many, cross-site)."""
    sent: int
    dropped: int
    """Snapshots skipped in favour of newer ones, and cues pushed out, over all browsers."""
    following: bool
    """Whether the view is subscribed to the session (only while a browser is in)."""


@dataclass(eq=False)
class _Client:
    socket: web.WebSocketResponse
    outbox: ClientOutbox
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    sending: bool = False


class WebView:
    """Serves the page and follows one session for every browser (see the module docstring).

    `clock` drives how often browsers get news (default: the event loop's clock, so a
    ``--fast`` session is shown at four updates a second of its own time, paced in wall
    time). `ConfigError` from ``__aenter__`` when the address cannot be listened on.
    """

    def __init__(
        self,
        handle: SessionHandle,
        settings: WebSettings,
        *,
        clock: Clock | None = None,
        tuning: WebTuning = DEFAULT_TUNING,
    ) -> None:
        self._handle = handle
        self._settings = settings
        self._clock: Clock = clock if clock is not None else LoopClock()
        self._tuning = tuning
        self._gate = Gate(settings.pin)
        self._clients: set[_Client] = set()
        self._sockets = 0
        self._admitted = 0
        self._refused = 0
        self._sent = 0
        self._dropped_by_gone = 0
        self._subscription: Subscription[SessionEvent] | None = None
        self._encoded: tuple[Snapshot, str] | None = None
        self._files: dict[str, tuple[bytes, str]] = {}
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._writers: set[asyncio.Task[None]] = set()
        self.port = settings.port
        """The port listened on (the one the system chose when the settings said 0)."""

    # ------------------------------------------------------------------ lifecycle
    async def __aenter__(self) -> Self:
        package = importlib.resources.files(__package__ or "retrorun.web") / "static"
        self._files = {
            path: (package.joinpath(name).read_bytes(), kind)
            for path, (name, kind) in STATIC.items()
        }
        app = web.Application()
        app.router.add_get("/ws", self._socket)
        for path in STATIC:
            app.router.add_get(path, self._static)
        # A short shutdown: by then every socket has been sent its goodbye and closed.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, self._settings.host, self._settings.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            host, port = self._settings.host, self._settings.port
            # asyncio words it "error while attempting to bind on address ...": the errno's
            # own words are the part a person needs.
            reason = os.strerror(exc.errno) if exc.errno else str(exc)
            raise ConfigError(
                f"the web view cannot listen on {host}:{port}: {reason}",
                location=self._settings.where,
            ) from exc
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        failure = await self._stop_following()
        try:
            # The goodbye: the last state to every browser, bounded in wall time (a browser
            # that does not read is not waited for).
            self._offer_state(self._handle.snapshot())
            for client in self._clients:
                client.wakeup.set()
            deadline = time.monotonic() + self._tuning.close_timeout_s
            while any(c.sending or len(c.outbox) for c in self._clients):
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(_GOODBYE_POLL_S)
            closing = [
                asyncio.ensure_future(c.socket.close(code=WSCloseCode.GOING_AWAY))
                for c in self._clients
            ]
            if closing:
                await asyncio.wait(closing, timeout=self._tuning.close_timeout_s)
            for task in (*closing, *self._writers):
                task.cancel()
            await asyncio.gather(*closing, *self._writers, return_exceptions=True)
        finally:
            if self._runner is not None:
                await self._runner.cleanup()
        if isinstance(failure, Exception):  # a bug in the ticker: raised, not lost
            raise failure

    @property
    def stats(self) -> WebStats:
        dropped = sum(c.outbox.dropped for c in self._clients) + self._dropped_by_gone
        return WebStats(
            clients=len(self._clients),
            admitted=self._admitted,
            refused=self._refused,
            sent=self._sent,
            dropped=dropped,
            following=self._subscription is not None,
        )

    @property
    def pin(self) -> str | None:
        return self._settings.pin

    @property
    def urls(self) -> list[str]:
        """Addresses to type into a phone's browser (the LAN address first)."""
        host = self._settings.host
        hosts = [_lan_address(), "localhost"] if host in {"0.0.0.0", "::"} else [host]  # noqa: S104
        return [
            f"http://{f'[{name}]' if ':' in name else name}:{self.port}/"
            for name in hosts
            if name is not None
        ]

    @property
    def notice(self) -> str:
        """One line for the terminal: where the page is, and its PIN or that it is view only."""
        extra = [f"PIN {self.pin}"] if self.pin is not None else []
        if not self._settings.controls:
            extra.append("view only")
        return f"Web view: {self.urls[0]}" + (f" ({', '.join(extra)})" if extra else "")

    # ------------------------------------------------------------------ session -> browsers
    def _start_following(self) -> None:
        """Subscribe to the session (when the first browser is let in: with none, the view
        costs the session nothing)."""
        if self._ticker is None:
            self._subscription = self._handle.events()
            self._ticker = asyncio.create_task(self._tick(), name="web-ticker")

    async def _stop_following(self) -> BaseException | None:
        """Unsubscribe (when the last browser has gone, and at the end): what the ticker
        died of, if anything, after passing on what arrived."""
        ticker, self._ticker = self._ticker, None
        if ticker is None:
            return None
        ticker.cancel()
        (failure,) = await asyncio.gather(ticker, return_exceptions=True)
        self._take_events()
        if self._subscription is not None:
            self._subscription.cancel()
            self._subscription = None
        return failure if isinstance(failure, Exception) else None

    async def _tick(self) -> None:
        deadline = self._clock.now()
        while True:
            deadline += self._tuning.tick_s
            await self._clock.sleep_until(deadline)
            self._take_events()

    def _take_events(self) -> None:
        """Pass every event that arrived since the last time to every browser."""
        if self._subscription is None:
            return
        newest: Snapshot | None = None
        for event in self._subscription.drain():
            if isinstance(event, Snapshot):
                newest = event
            elif isinstance(event, Cue):
                self._offer_event(messages.cue(event))
            elif isinstance(event, SessionEnded):
                newest = self._handle.snapshot()
                self._offer_event(messages.ended(event))
        if newest is not None:
            self._offer_state(newest)
        # Writers are woken only with something to send: a state held back by the pace is
        # looked at again on a later tick, not in a loop of its own.
        now = time.monotonic()
        for client in self._clients:
            if client.outbox.ready(now):
                client.wakeup.set()

    def _offer_state(self, snap: Snapshot) -> None:
        for client in self._clients:
            client.outbox.offer_state(snap)

    def _offer_event(self, text: str) -> None:
        for client in self._clients:
            client.outbox.offer_event(text)

    def _state_text(self, snap: Snapshot) -> str:
        """The snapshot's message, encoded once however many browsers get it."""
        if self._encoded is None or self._encoded[0] is not snap:
            self._encoded = (snap, messages.state(snap, self._settings.units))
        return self._encoded[1]

    async def _write(self, client: _Client) -> None:
        with contextlib.suppress(ConnectionError):
            while not client.socket.closed:
                await client.wakeup.wait()
                client.wakeup.clear()
                client.sending = True
                for text in client.outbox.take(time.monotonic()):
                    await client.socket.send_str(text)
                    self._sent += 1
                client.sending = False

    # ------------------------------------------------------------------ HTTP
    async def _static(self, request: web.Request) -> web.Response:
        body, kind = self._files[request.path]
        return web.Response(body=body, content_type=kind, charset="utf-8", headers=HEADERS)

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin is not None and urllib.parse.urlsplit(origin).netloc != request.host:
            # Another site's page in the runner's browser must not drive the treadmill.
            self._refused += 1
            return web.Response(status=403, text="cross-site socket refused", headers=HEADERS)
        if self._sockets >= self._tuning.max_clients:
            self._refused += 1
            return web.Response(status=503, text="too many browsers", headers=HEADERS)
        ws = web.WebSocketResponse(
            compress=False, max_msg_size=messages.MAX_MESSAGE_CHARS * 4, writer_limit=WRITER_LIMIT
        )
        await ws.prepare(request)
        self._sockets += 1
        try:
            await self._serve(ws)
        finally:
            self._sockets -= 1
        return ws

    async def _serve(self, ws: web.WebSocketResponse) -> None:
        first = await ws.receive()
        if first.type in {WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR}:
            return
        hello = messages.parse_message(first.data) if first.type is WSMsgType.TEXT else None
        reason: str | None = "the first message must be a hello"
        if isinstance(hello, messages.Hello):
            reason = self._gate.refusal(hello.pin)
        if reason is not None:
            self._refused += 1
            await ws.send_str(messages.refused(reason))
            await ws.close(code=CLOSE_REFUSED, message=reason.encode()[:120])
            return
        outbox = ClientOutbox(
            self._state_text,
            events_limit=self._tuning.events_limit,
            min_gap_s=self._tuning.min_gap_s,
        )
        client = _Client(ws, outbox)
        client.outbox.offer_event(
            messages.welcome(controls=self._settings.controls, plan=self._handle.plan.name)
        )
        client.outbox.offer_state(self._handle.snapshot())
        client.wakeup.set()
        self._start_following()
        self._clients.add(client)
        self._admitted += 1
        writer = asyncio.create_task(self._write(client), name="web-writer")
        self._writers.add(writer)
        try:
            async for message in ws:
                if message.type in {WSMsgType.TEXT, WSMsgType.BINARY}:
                    await self._answer(client, message.data)
        finally:
            self._clients.discard(client)
            self._dropped_by_gone += client.outbox.dropped
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)
            self._writers.discard(writer)
            if not self._clients:
                failure = await self._stop_following()
                if failure is not None:  # a bug in the ticker: raised, not lost
                    raise failure

    async def _answer(self, client: _Client, data: str | bytes) -> None:
        parsed = messages.parse_message(data)
        if isinstance(parsed, messages.Hello):
            parsed = messages.Refusal("already said hello")
        if isinstance(parsed, messages.Request) and not self._settings.controls:
            parsed = messages.Refusal(
                "controls are turned off (view only)", parsed.command.kind.value, parsed.request_id
            )
        if isinstance(parsed, messages.Refusal):
            client.outbox.offer_event(messages.refusal(parsed))
        else:
            try:
                result = await self._handle.command(parsed.command)
            except RetrorunError as exc:  # the session could not act: say why, carry on
                result = CommandResult(parsed.command, accepted=False, reason=str(exc))
            self._take_events()  # every browser sees the effect (paused, ...) at once
            client.outbox.offer_event(messages.result(result, parsed.request_id))
        client.wakeup.set()


def _lan_address() -> str | None:
    """This machine's address on its default route, without sending anything (a UDP
    socket's connect only picks the route); None when there is no network."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routed by default, never reached
            return str(probe.getsockname()[0])
        except OSError:
            return None
