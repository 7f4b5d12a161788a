"""The ``--web ...`` options of ``retrorun run``: the session in a browser (docs/web.md).

`web_options` adds ``--web [HOST:]PORT``, ``--web-pin [PIN]`` and ``--web-view-only`` to a
click command; `resolve_web` merges them with the config file's ``[web]`` table (options
win) into `WebSettings`, or None when no address is given anywhere (the web view is off).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from retrorun.web.settings import WebSettings

_F = TypeVar("_F", bound="Callable[..., object]")

# ``--web-pin`` alone asks for a random PIN; the value must match `settings.RANDOM_PIN`
# (kept literal here so ``--help`` imports nothing from the web package).
_RANDOM_PIN = "random"

_OPTIONS = (
    click.option(
        "--web",
        "web",
        metavar="[HOST:]PORT",
        default=None,
        help="Show the session in a browser on this port (e.g. 8080, or 127.0.0.1:8080).",
    ),
    click.option(
        "--web-pin",
        metavar="[PIN]",
        is_flag=False,
        flag_value=_RANDOM_PIN,
        default=None,
        help="Ask browsers for a PIN: this one (4-8 digits), or alone for a random one.",
    ),
    click.option(
        "--web-view-only",
        is_flag=True,
        default=None,
        help="The page shows the session, with no controls.",
    ),
)


def web_options(command: _F) -> _F:
    """Add ``--web``, ``--web-pin`` and ``--web-view-only`` to `command`."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


def resolve_web(
    *,
    web: str | None,
    web_pin: str | None = None,
    web_view_only: bool | None = None,
    table: Mapping[str, Any] | None = None,
    where: str = "config file",
) -> WebSettings | None:
    """Settings from the options over the ``[web]`` table (`ConfigError` naming the place;
    `where` names the config file)."""
    from retrorun.web.settings import resolve_web_settings  # noqa: PLC0415 - keep --help fast

    return resolve_web_settings(
        listen=web, pin=web_pin, view_only=web_view_only, table=table, where=where
    )
