"""Where the web view listens and who may use it: `WebSettings` and how it is resolved.

From, first match wins: the command-line options (``--web [HOST:]PORT``, ``--web-pin [PIN]``,
``--web-view-only``), then the ``[web]`` table of the config file:

```toml
[web]
listen = "8080"        # [HOST:]PORT; HOST defaults to every interface (the phone is on the LAN)
pin = true             # ask for a PIN, a new random one each session, shown in the terminal
# pin = "4821"         # ...or always this one (4 to 8 digits)
view_only = false      # true: the page shows the session, no controls at all
```

A bad value raises `ConfigError` naming where it came from (``--web``, ``config.toml web.pin``),
which the command line reports with exit 2. Pure: no I/O; a random PIN comes from the
`new_pin` function passed in (`secrets` by default).
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from retrorun.errors import ConfigError, shown_name

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from retrorun.profiles.words import Units

DEFAULT_HOST = "0.0.0.0"  # noqa: S104 - a phone on the LAN is the point of the web view
RANDOM_PIN = "random"
"""The value of ``--web-pin`` given without a PIN (and of ``pin = true``): make one up."""
PIN_DIGITS = (4, 8)
RANDOM_PIN_DIGITS = 4
TABLE_KEYS = frozenset({"listen", "pin", "view_only"})
_PIN = re.compile(r"[0-9]+")
_HOST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,252})")


@dataclass(frozen=True)
class WebSettings:
    """What the web view needs to know: where to listen, the PIN, whether it may control."""

    port: int
    """TCP port; 0 picks a free one (the view reports the one it got)."""
    host: str = DEFAULT_HOST
    pin: str | None = None
    """Digits a browser must send before it sees or controls anything; None: no PIN."""
    controls: bool = True
    """False: view only (the page shows no controls and every command is refused)."""
    where: str = "--web"
    """Where the address was given, for the one-line error when the port is taken."""
    units: Units = "metric"
    """What the page shows speeds and distances in (the config file's ``[display] units``)."""


def random_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(RANDOM_PIN_DIGITS))


def parse_listen(value: object, *, where: str) -> tuple[str, int]:
    """``[HOST:]PORT`` (``8080``, ``127.0.0.1:8080``, ``[::1]:8080``, ``pi.local:80``) as
    ``(host, port)``; a bare port listens on every interface."""
    if isinstance(value, int) and not isinstance(value, bool):
        return DEFAULT_HOST, _port(str(value), where)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"must be [HOST:]PORT like 8080 or 127.0.0.1:8080, not {value!r}", location=where
        )
    text = value.strip()
    if "://" in text:
        raise ConfigError(f"give [HOST:]PORT, not a URL: {text!r}", location=where)
    host, sep, port = text.rpartition(":")
    if not sep:
        return DEFAULT_HOST, _port(text, where)
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise ConfigError(
            f"an IPv6 address goes in brackets: [{host}]:{port}, not {text!r}", location=where
        )
    return _host(host, where), _port(port, where)


def _port(text: str, where: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:  # noqa: PLR2004 - the TCP port range
        raise ConfigError(f"port must be a number from 0 to 65535, not {text!r}", location=where)
    return int(text)


def _host(text: str, where: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    if not _HOST_NAME.fullmatch(text):
        raise ConfigError(
            f"not a host name or IP address {text!r} (IPv6 goes in brackets: [::1]:8080)",
            location=where,
        )
    return text


def parse_pin(value: object, *, where: str, new_pin: Callable[[], str] = random_pin) -> str | None:
    """A PIN setting: digits (kept), ``true``/``"random"`` (a new random PIN), ``false``
    (none)."""
    if value is False:
        return None
    if value is True or value == RANDOM_PIN:
        return new_pin()
    if isinstance(value, int) and not isinstance(value, bool):
        # TOML ``pin = 4821``: accepted, but a leading zero would already be lost.
        value = str(value)
    low, high = PIN_DIGITS
    if not isinstance(value, str) or not _PIN.fullmatch(value) or not low <= len(value) <= high:
        raise ConfigError(
            f"PIN must be {low} to {high} digits (or true for a random one), not {value!r}",
            location=where,
        )
    return value


def parse_flag(value: object, *, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"must be true or false, not {value!r}", location=where)
    return value


def parse_web_table(
    table: Mapping[str, Any], where: str, *, new_pin: Callable[[], str] = random_pin
) -> WebSettings | None:
    """The config file's ``[web]`` table (as loaded from TOML) as settings, or None when it
    names no ``listen`` address (the web view is off). `where` names the file for messages
    (``"config.toml"``); each key is reported as ``<where> web.<key>``."""
    return resolve_web_settings(
        listen=None, pin=None, view_only=None, table=table, where=where, new_pin=new_pin
    )


def resolve_web_settings(
    *,
    listen: str | None,
    pin: str | None,
    view_only: bool | None,
    table: Mapping[str, Any] | None = None,
    where: str = "config file",
    new_pin: Callable[[], str] = random_pin,
) -> WebSettings | None:
    """Options (None = not given) over the ``[web]`` table; None when no address is given
    anywhere. `pin` is digits or `RANDOM_PIN`."""
    table = table or {}
    for key in table:
        if key not in TABLE_KEYS:
            raise ConfigError(
                f"unknown key web.{shown_name(key)}; known: {', '.join(sorted(TABLE_KEYS))}",
                location=f"{where} web.{shown_name(key)}",
            )
    if listen is not None:
        address, listen_where = listen, "--web"
    elif "listen" in table:
        address, listen_where = table["listen"], f"{where} web.listen"
    else:
        return None
    host, port = parse_listen(address, where=listen_where)
    if pin is not None:
        chosen_pin = parse_pin(pin, where="--web-pin", new_pin=new_pin)
    elif "pin" in table:
        chosen_pin = parse_pin(table["pin"], where=f"{where} web.pin", new_pin=new_pin)
    else:
        chosen_pin = None
    if view_only:
        only = True
    elif "view_only" in table:
        only = parse_flag(table["view_only"], where=f"{where} web.view_only")
    else:
        only = False
    return WebSettings(port, host, chosen_pin, controls=not only, where=listen_where)
