"""Who may use the web view: the PIN check, and its limit on guessing.

The page is served on the local network, so a PIN (when set) is asked before a browser
sees or controls anything. After `MAX_WRONG_PINS` wrong PINs in one session every further
attempt is refused, whatever it says: a four-digit PIN cannot be guessed by trying them
all, and browsers already in keep working. Pure.
"""

from __future__ import annotations

import hmac

MAX_WRONG_PINS = 10


class Gate:
    """Admits a browser or says why not."""

    def __init__(self, pin: str | None, *, max_wrong: int = MAX_WRONG_PINS) -> None:
        self._pin = pin
        self._max_wrong = max_wrong
        self.wrong = 0
        """Wrong PINs offered so far."""

    @property
    def needs_pin(self) -> bool:
        return self._pin is not None

    def refusal(self, offered: str | None) -> str | None:
        """None when `offered` lets the browser in; otherwise the reason it does not."""
        if self._pin is None:
            return None
        if self.wrong >= self._max_wrong:
            return "too many wrong PINs: restart the session for a new one"
        if offered is None:
            return "PIN required"
        if hmac.compare_digest(offered.encode(), self._pin.encode()):
            return None
        self.wrong += 1
        return "wrong PIN"
