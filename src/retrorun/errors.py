"""One error family for everything retrorun raises on purpose.

Two branches matter to the command line:

* `InputError` and its children mean the *user* gave us something wrong (a profile, a hex
  string, a config value, a file). The command line prints the message as one line and
  exits with code 2. Each carries where the problem is, so the message can name it.
* Everything else under `RetrorunError` is a runtime failure (exit code 1).

Protocol errors follow h11's split: `ProtocolError` when the peer sent bytes that cannot be
what they claim to be, `LocalProtocolError` when our own code asked for something illegal.
Library exceptions are translated at the seam with ``raise ... from``.
"""

from __future__ import annotations

import reprlib

MAX_NAME_CHARS = 40


def shown_name(name: str) -> str:
    """A name taken from the user's input (a key, a field) as it may appear in a message:
    as it is when short and printable, else quoted, escaped and shortened, so a message
    stays one line (a key may hold a line break or a terminal escape)."""
    if name.isprintable() and 0 < len(name) <= MAX_NAME_CHARS:
        return name
    return reprlib.repr(name)


class RetrorunError(Exception):
    """Base of every error retrorun raises on purpose."""


class InputError(RetrorunError):
    """Something the user gave us is wrong; the message names where.

    `location` is a short human pointer such as ``profile.yaml:12 steps[2].speed`` or
    ``byte 3``; it is prefixed to the message when given.
    """

    def __init__(self, message: str, *, location: str | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)


class ConfigError(InputError):
    """A configuration file, environment variable or option value is invalid."""


class ProfileError(InputError):
    """A profile is invalid: names the file, the field path and the line."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        path: str | None = None,
        line: int | None = None,
    ) -> None:
        self.file = file
        self.path = path
        self.line = line
        where = ":".join(part for part in (file, str(line) if line else None) if part)
        location = " ".join(part for part in (where, path) if part) or None
        super().__init__(message, location=location)


class ProfileErrors(ProfileError):  # noqa: N818 - a group of ProfileError, named as one
    """Several problems in one profile, each a `ProfileError`; the message has one line each.

    A file with many mistakes reports all of them at once, so the author fixes them in one go.
    """

    def __init__(self, problems: tuple[ProfileError, ...]) -> None:
        if not problems:
            raise ValueError("ProfileErrors needs at least one problem")
        self.problems = problems
        first = problems[0]
        super().__init__(first.message, file=first.file, path=first.path, line=first.line)
        self.args = ("\n".join(str(problem) for problem in problems),)

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


class ProtocolError(RetrorunError):
    """The peer sent something that cannot be what it claims to be."""


class DecodeError(ProtocolError, InputError):
    """Bytes that cannot be a record of the named characteristic at all.

    It is also an `InputError`: when the bytes come from the user (``ftms decode``) the
    command line reports it as bad input.
    """

    def __init__(self, characteristic: str, offset: int, reason: str) -> None:
        self.characteristic = characteristic
        self.offset = offset
        self.reason = reason
        InputError.__init__(self, f"{characteristic}: byte {offset}: {reason}")


class LocalProtocolError(RetrorunError):
    """Our own code asked for something the protocol does not allow."""


class EncodeError(LocalProtocolError, ValueError):
    """A value does not fit the wire format it is being encoded into."""

    def __init__(self, field: str, value: object, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field}={value!r} is outside the wire range {allowed}")


class DeviceError(RetrorunError):
    """Talking to a treadmill (or heart-rate strap) failed; names the device."""

    def __init__(self, message: str, *, device: str | None = None) -> None:
        self.device = device
        super().__init__(f"{device}: {message}" if device else message)


class BrokerError(RetrorunError):
    """Talking to the MQTT broker failed (refused, unreachable, dropped); names the broker."""

    def __init__(self, message: str, *, broker: str | None = None) -> None:
        self.broker = broker
        super().__init__(f"{broker}: {message}" if broker else message)


class ServiceError(RetrorunError):
    """A web service (intervals.icu, Strava) failed or answered nonsense; names the service.

    The user did nothing wrong (exit 1): the local files are untouched and `retry` says the
    command that tries again.
    """

    def __init__(self, message: str, *, service: str, retry: str | None = None) -> None:
        self.service = service
        self.retry = retry
        text = f"{service}: {message}"
        super().__init__(f"{text}; retry with: {retry}" if retry else text)
