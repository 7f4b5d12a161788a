"""The running session in a browser: a second screen for the backward runner (docs/web.md).

Pure modules (no I/O, no asyncio): `settings` (``--web [HOST:]PORT``, the PIN, view only, the
``[web]`` config table), `messages` (what travels on the page's WebSocket, and the checks a
message from the page passes), `display` (the words the page shows), `outbox` (one browser's
bounded queue, newest state wins), `access` (the PIN check).

`server` is the one module that imports aiohttp: `server.WebView`, the async shell that
serves the page in `static/` and follows the session. Importing this package loads none of it.
"""
