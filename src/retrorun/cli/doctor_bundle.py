"""What ``retrorun doctor`` collects about a treadmill, and the zip it writes.

`collect` hears the treadmill (its scan record, and how many other devices were heard,
never their names), opens it with every GATT crossing traced, reads what it says about
itself, listens with the belt idle for the seconds asked (no control-point command is
written then: the belt does not move), with ``--check`` runs `retrorun check`'s procedure
on the same connection (the belt then moves, with nobody on it), and closes it.
`write_bundle` writes the files to a temporary zip beside the output and renames it into
place, so the output is whole or not there at all; the treadmill's address is masked in
every file when asked.

Files in the bundle::

    README.txt               what this is, and what each file holds
    scan.json                the treadmill's advertisement (scan record), devices heard
    gatt.json                services, characteristics with properties, descriptors
    device-information.json  Device Information (0x180A): manufacturer, model, firmware, ...
    capabilities.json        feature bits, speed and incline ranges, capability notes
    trace.jsonl              every GATT crossing while connected (retrorun sim --replay)
    settings.toml            what `retrorun check` saved for it (or that nothing was)
    system.json              retrorun, OS, Python, bleak, bleak-retry-connector, BlueZ
    check.txt                with ``--check``: what the check measured, and its verdict
"""

from __future__ import annotations

import contextlib
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Callable

    from retrorun.check.procedure import Prompter
    from retrorun.clock import Clock
    from retrorun.device import Backends, Treadmill

SCAN_S = 5.0
"""How long the scan record is listened for."""
PROGRESS_EVERY_S = 10.0

README = """\
retrorun doctor bundle

Made by `retrorun doctor` to go with a bug report about a treadmill. It holds what the
treadmill said about itself and every byte it exchanged with retrorun, and nothing else
about you beyond the treadmill's Bluetooth address{masked}.

scan.json                the treadmill's advertisement (scan record); how many devices were heard
gatt.json                its GATT table: services, characteristics with properties, descriptors
device-information.json  Device Information (0x180A): manufacturer, model, firmware, ...
capabilities.json        feature bits, speed and incline ranges, and the capability notes
                         (every fallback retrorun applied where the treadmill said nothing useful)
trace.jsonl              every GATT crossing while connected, decoded, with its time; {seconds:g} s
                         of notifications with the belt idle (no command was sent then). It replays
                         through the simulator: retrorun sim --replay trace.jsonl
settings.toml            the settings `retrorun check` saved for this treadmill, if any
system.json              versions: retrorun, OS, Python, bleak, bleak-retry-connector, BlueZ
{check}"""
CHECK_README = """\
check.txt                what `retrorun check` measured with nobody on the belt (speeds,
                         ramps, reaction delay, pause, stop), and its verdict; the trace
                         holds every command it sent and everything the treadmill answered
"""


@dataclass
class Bundle:
    """The files of a bundle, by name, and the address to mask in them."""

    address: str
    seconds: float
    files: dict[str, str] = field(default_factory=dict)


def default_output() -> Path:
    """``retrorun-doctor-YYYYMMDD-HHMMSS.zip`` in the current folder."""
    return Path(f"retrorun-doctor-{datetime.now(UTC):%Y%m%d-%H%M%S}.zip")


async def collect(
    target: str,
    *,
    seconds: float,
    clock: Clock,
    backends: Backends | None,
    say: Callable[[str], None],
    key: str | None = None,
    check: Prompter | None = None,
) -> Bundle:
    """Everything the bundle holds about the treadmill at `target` (an address or name).

    Raises `DeviceError` when it cannot be found or reached, `InputError` when it is not a
    treadmill. `key` is where its saved settings are found (its address when None). With
    `check`, the runner beside the treadmill, the treadmill check runs after the idle
    recording (the belt moves; it is stopped and measured at rest whatever ends the check);
    what it learned goes in the bundle, never in the saved settings.
    """
    from retrorun.device import find_treadmill, open_treadmill, scan_devices  # noqa: PLC0415
    from retrorun.device.connection import matches  # noqa: PLC0415
    from retrorun.device.trace import GattTrace  # noqa: PLC0415

    say(f"listening for {target} ({SCAN_S:g} s)")
    heard = await scan_devices(duration_s=SCAN_S, backends=backends)
    found = await find_treadmill(target, within_s=10.0, backends=backends)
    others = sum(1 for device in heard if not matches(device, found.address))
    bundle = Bundle(found.address, seconds)
    bundle.files["scan.json"] = _json(
        {
            "treadmill": {**found.to_json(), "advertisement": found.advertisement.to_json()},
            "other_devices_heard": others,
            "ftms_devices_heard": sum(1 for device in heard if device.ftms),
            "scan_s": SCAN_S,
        }
    )
    lines: list[str] = []
    treadmill = await open_treadmill(
        found,
        clock=clock,
        backends=backends,
        trace=GattTrace(lines.append, clock=clock, as_json=True),
    )
    try:
        say(f"connected to {treadmill.name}: reading what it says about itself")
        bundle.files["gatt.json"] = _json(treadmill.gatt_table())
        bundle.files["device-information.json"] = _json(await treadmill.device_information())
        bundle.files["capabilities.json"] = _json(_capabilities(treadmill))
        await _listen(seconds, clock, say)
        if check is not None:
            runner = _Recorded(check)
            bundle.files["check.txt"] = await _check(treadmill, clock, runner, key or found.address)
    finally:
        await treadmill.close()
    bundle.files["trace.jsonl"] = "".join(line + "\n" for line in lines)
    bundle.files["settings.toml"] = _settings(key or found.address, found.name)
    bundle.files["system.json"] = _json(system_versions())
    return bundle


async def _listen(seconds: float, clock: Clock, say: Callable[[str], None]) -> None:
    """Wait `seconds` with the belt idle (the trace records what arrives)."""
    say(f"recording {seconds:g} s of notifications with the belt idle (Ctrl-C: nothing is written)")
    start = clock.now()
    while (left := start + seconds - clock.now()) > 0:
        await clock.sleep(min(left, PROGRESS_EVERY_S))
        if start + seconds - clock.now() > 0:
            say(f"{clock.now() - start:.0f} of {seconds:g} s")


async def _check(treadmill: Treadmill, clock: Clock, runner: _Recorded, key: str) -> str:
    """`retrorun check` on the open treadmill; what it said and its report, as lines."""
    from retrorun.check.procedure import TreadmillCheck  # noqa: PLC0415
    from retrorun.check.report import result_lines, verdict_of  # noqa: PLC0415

    findings = await TreadmillCheck(
        treadmill,
        clock=clock,
        prompter=runner,
        address=key,
        name=f"the simulator ({key[4:]})" if key.startswith("sim:") else None,
    ).run()
    lines = [*runner.said, *result_lines(findings), f"verdict: {verdict_of(findings).value}"]
    return "".join(f"{line}\n" for line in lines)


class _Recorded:
    """The runner's prompter, with every line the check says kept for the bundle."""

    def __init__(self, runner: Prompter) -> None:
        self._runner = runner
        self.said: list[str] = []

    def say(self, text: str) -> None:
        self.said.append(text)
        self._runner.say(text)

    async def confirm_empty_belt(self) -> bool:
        return await self._runner.confirm_empty_belt()

    async def press_console_start(self) -> None:
        await self._runner.press_console_start()

    async def press_console_stop(self) -> None:
        await self._runner.press_console_stop()

    async def console_units(self) -> Literal["kmh", "mph"] | None:
        return await self._runner.console_units()


def _capabilities(treadmill: Treadmill) -> dict[str, object]:
    caps = treadmill.capabilities
    if caps is None:
        return {"read": False}
    return {
        "features": caps.features.to_json() if caps.features is not None else None,
        "speed_range": caps.speed_range.to_json(),
        "inclination_range": caps.inclination_range.to_json()
        if caps.inclination_range is not None
        else None,
        "has_control_point": caps.has_control_point,
        "capability_notes": list(caps.notes),
    }


def _settings(key: str, name: str | None) -> str:
    """The saved settings entry of this treadmill, as in treadmills.toml."""
    from retrorun.config import treadmills_path  # noqa: PLC0415

    path = treadmills_path()
    if not path.exists():
        return "# no saved settings: this treadmill was never checked (retrorun check)\n"
    from retrorun.treadmill_settings import dumps, find_saved, load_saved  # noqa: PLC0415

    found = find_saved(load_saved(path), key) or (
        find_saved(load_saved(path), name) if name else None
    )
    if found is None:
        return "# no saved settings for this treadmill (retrorun check saves them)\n"
    address, entry = found
    return dumps({address: entry})


def system_versions() -> dict[str, str | None]:
    """What the bundle says about the system: no user names, no paths."""
    import platform  # noqa: PLC0415
    from importlib import metadata  # noqa: PLC0415

    from retrorun import __version__  # noqa: PLC0415

    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    return {
        "retrorun": __version__,
        "os": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "bleak": version("bleak"),
        "bleak-retry-connector": version("bleak-retry-connector"),
        "bluez": bluez_version(),
    }


def bluez_version() -> str | None:
    """BlueZ's version (``bluetoothctl --version``) on Linux; None elsewhere or without it."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    if not sys.platform.startswith("linux"):
        return None
    try:
        done = subprocess.run(
            ["bluetoothctl", "--version"],  # noqa: S607 - found on PATH like any tool
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"\d+(\.\d+)+", done.stdout)
    return found.group(0) if found else None


def masked(address: str) -> str:
    """``C4:5A:11:02:9E:31`` → ``XX:XX:XX:XX:XX:31``: enough to tell two apart."""
    parts = re.split(r"[:-]", address)
    if len(parts) == 6:  # noqa: PLR2004 - a MAC address's six bytes
        return ":".join(["XX"] * 5 + [parts[-1]])
    return "masked-address"


def write_bundle(bundle: Bundle, output: Path, *, mask: bool) -> None:
    """Write `bundle` as a zip at `output`, whole or not at all (never over a file)."""
    replace = (re.compile(re.escape(bundle.address), re.IGNORECASE), masked(bundle.address))
    note = " (masked here)" if mask else ""
    check = CHECK_README if "check.txt" in bundle.files else ""
    readme = README.format(masked=note, seconds=bundle.seconds, check=check)
    files = {"README.txt": readme, **bundle.files}
    partial = output.with_name(f".{output.name}.partial")
    try:
        with zipfile.ZipFile(partial, "x", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, text in files.items():
                archive.writestr(name, replace[0].sub(replace[1], text) if mask else text)
        if output.exists():  # appeared meanwhile: never replaced
            from retrorun.errors import InputError  # noqa: PLC0415

            raise InputError("the file exists: name a new one", location=f"--output {output}")
        partial.replace(output)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def _json(value: object) -> str:
    return json.dumps(value, indent=2) + "\n"
