"""A browser that never reads: the web view's worst client, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import socket

_HANDSHAKE = (
    b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)
_HELLO = b'{"type":"hello"}'
# Clients must mask their frames (RFC 6455 section 5.3); a zero mask leaves the text as is.
_HELLO_FRAME = bytes([0x81, 0x80 | len(_HELLO)]) + b"\x00\x00\x00\x00" + _HELLO


async def stalled_browser(port: int) -> socket.socket:
    """Connect to the view on `port`, say hello, and never read: a raw socket with a tiny
    receive buffer, so what the server sends backs up at once. Close it when done."""
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    raw.setblocking(False)
    loop = asyncio.get_running_loop()
    await loop.sock_connect(raw, ("127.0.0.1", port))
    await loop.sock_sendall(raw, _HANDSHAKE + _HELLO_FRAME)
    return raw
