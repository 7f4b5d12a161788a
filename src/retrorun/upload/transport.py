"""One request to a web service, with the failures every service shares handled alike.

* **Unreachable** (DNS, refused, timeout): `ServiceError` at once; nothing local changed.
* **5xx**: tried again after 1 s and 2 s, then `ServiceError`.
* **429 Too Many Requests**: wait for the window to reopen, then try again, unless that is
  longer than the service's `max_wait_s`: then `ServiceError` saying when to retry. The wait
  comes from ``Retry-After`` when given, else from Strava's documented headers
  ``X-RateLimit-Limit`` / ``X-RateLimit-Usage`` (``"200,2000"``: 15-minute and daily
  limits; the 15-minute windows start at :00, :15, :30 and :45, the daily one at midnight UTC).
* **An answer that is not the documented JSON**: `ServiceError` naming the service.

Time is a dependency: `Pacing` carries the sleep and the clock, so tests run a 15-minute
wait instantly and check how long it would have been.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from retrorun.errors import ServiceError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

TIMEOUT_S = 30.0
SERVER_ERROR_DELAYS_S = (1.0, 2.0)
MAX_RATE_LIMIT_WAITS = 3
DEFAULT_RATE_WAIT_S = 60.0
HTTP_SERVER_ERROR = 500
HTTP_TOO_MANY = 429


def _now() -> datetime:
    return datetime.now(UTC)


def _quiet(_: str) -> None:
    """No progress lines."""


@dataclass(frozen=True)
class Pacing:
    """How an upload waits and tells what it does: injectable for tests."""

    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    now: Callable[[], datetime] = _now
    progress: Callable[[str], None] = field(default=_quiet)


def rate_limit_wait_s(headers: Mapping[str, str], now: datetime) -> tuple[float, str]:
    """Seconds until a rate-limited service takes requests again, and why (for the line)."""
    retry_after = headers.get("retry-after", "").strip()
    if retry_after.isdigit():
        return float(retry_after), f"asked to wait {retry_after} s"
    limits = _pair(headers.get("x-ratelimit-limit"))
    usage = _pair(headers.get("x-ratelimit-usage"))
    if limits and usage:
        if usage[1] >= limits[1]:
            midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
            return (midnight - now).total_seconds(), f"daily limit of {limits[1]} requests used"
        quarter = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
        reopen = quarter + timedelta(minutes=15)
        return (reopen - now).total_seconds(), f"15-minute limit of {limits[0]} requests used"
    return DEFAULT_RATE_WAIT_S, "too many requests"


def _pair(text: str | None) -> tuple[int, int] | None:
    parts = (text or "").split(",")
    if len(parts) < 2 or not all(part.strip().isdigit() for part in parts[:2]):  # noqa: PLR2004
        return None
    return int(parts[0]), int(parts[1])


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


@dataclass
class Service:
    """A web service reached through one httpx client."""

    name: str
    client: httpx.AsyncClient
    pacing: Pacing
    retry: str
    """The command that tries the upload again (named in every failure)."""
    max_wait_s: float = 900.0

    def fail(self, message: str) -> ServiceError:
        return ServiceError(message, service=self.name, retry=self.retry)

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:  # noqa: ANN401
        """The service's answer to one request; 5xx and 429 are waited out as documented."""
        server_errors = 0
        rate_waits = 0
        while True:
            try:
                response = await self.client.request(method, url, **kwargs)
            except httpx.TimeoutException as exc:
                raise self.fail(
                    f"no answer within {TIMEOUT_S:.0f} s ({type(exc).__name__})"
                ) from exc
            except httpx.TransportError as exc:
                host = httpx.URL(url).host
                raise self.fail(f"cannot reach {host}: {exc or type(exc).__name__}") from exc
            if response.status_code >= HTTP_SERVER_ERROR:
                if server_errors >= len(SERVER_ERROR_DELAYS_S):
                    raise self.fail(
                        f"the service failed (HTTP {response.status_code} "
                        f"{response.reason_phrase}) {server_errors + 1} times"
                    )
                await self.pacing.sleep(SERVER_ERROR_DELAYS_S[server_errors])
                server_errors += 1
                continue
            if response.status_code == HTTP_TOO_MANY:
                wait_s, why = rate_limit_wait_s(response.headers, self.pacing.now())
                reopen = self.pacing.now() + timedelta(seconds=wait_s)
                if wait_s > self.max_wait_s or rate_waits >= MAX_RATE_LIMIT_WAITS:
                    raise self.fail(f"rate limit reached ({why}); it reopens at {reopen:%H:%M} UTC")
                self.pacing.progress(
                    f"{self.name}: rate limit reached ({why}); waiting {_clock(wait_s)} "
                    "for the next window"
                )
                await self.pacing.sleep(wait_s)
                rate_waits += 1
                continue
            return response

    def json(self, response: httpx.Response) -> dict[str, Any]:
        """The JSON object of an answer; `ServiceError` for anything else."""
        try:
            value = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            value = None
        if not isinstance(value, dict):
            start = response.content[:60].decode("utf-8", "replace")
            raise self.fail(
                f"answered HTTP {response.status_code} with something that is not the "
                f"documented JSON ({start!r})"
            )
        return value

    def error_text(self, response: httpx.Response) -> str:
        """A short reason from an error answer (JSON ``error``/``message`` or the text)."""
        try:
            value = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            value = None
        if isinstance(value, dict):
            for key in ("error", "message"):
                if isinstance(value.get(key), str):
                    return str(value[key])[:200]
        return response.content[:200].decode("utf-8", "replace").strip() or response.reason_phrase
