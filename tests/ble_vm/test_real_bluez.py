"""The real Bluetooth path: retrorun's device layer through BlueZ, against a treadmill on the air.

These run inside the virtual machine of ``make test-ble`` (scripts/ble-vm), where the Linux
kernel's virtual HCI driver, the system bus and bluetoothd are real: ``retrorun sim --ble
vhci`` (the real command) gives BlueZ a new adapter whose radio reaches the simulated
treadmill, and the real `bleak.BleakClient`, bleak-retry-connector and BlueZ's D-Bus API do
the rest, as on a runner's Linux machine. Outside that machine (no /dev/vhci, not root) they
are skipped; the default test run deselects them (marker ``ble_vm``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest
import pytest_asyncio

if not Path("/dev/vhci").exists() or os.geteuid() != 0:
    pytest.skip(
        "needs /dev/vhci, root and a running bluetoothd: run make test-ble",
        allow_module_level=True,
    )

from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from retrorun.clock import MonotonicClock
from retrorun.device import (
    ConnectionLost,
    DeviceEvent,
    Reconnected,
    find_treadmill,
    open_treadmill,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from retrorun.hub import Subscription
    from tests.conftest import CliResult

pytestmark = [pytest.mark.ble_vm, pytest.mark.asyncio(loop_scope="module")]

_E = TypeVar("_E", bound=DeviceEvent)
NAME = "RetroRun Treadmill"
ADAPTER = "org.bluez.Adapter1"
# Under software emulation everything is slow: Python starting with Bumble takes seconds.
APPEARS_WITHIN_S = 60.0
POWERED_WITHIN_S = 30.0
# How long `retrorun scan` listens: BlueZ starts discovering within a second, and hears an
# advertisement a few times a second.
SCAN_S = 3
# Above the 1 km/h a started belt runs at, so that telemetry confirms the set speed.
DRIVE_KMH = 1.5
# The presets the treadmill goes on the air as, in the order their tests run (pytest groups
# them by this module-scoped fixture's parameter).
PRESETS = ("strict", "urevo")
# What `python -m retrorun ARGS` does, in a Python that first imports what `retrorun sim --ble`
# needs (Bumble: seconds under emulation) and then waits for its arguments on a pipe (`Warm`).
# The next preset's simulator, started so, imports while the tests before it wait on the belt,
# and goes on the air once the one before has ended: BlueZ then has one adapter again, the
# one bleak picks.
WARM_START = """\
import importlib, json, os, sys
for name in sys.argv[2:]:
    importlib.import_module(name)
with os.fdopen(int(sys.argv[1])) as go:
    line = go.readline()
if line:
    from retrorun.cli import run
    run(json.loads(line))
"""
SIM_IMPORTS = ("retrorun.cli", "retrorun_sim.air")
INTERFACES_ADDED = (
    "type='signal',interface='org.freedesktop.DBus.ObjectManager',member='InterfacesAdded'"
)


def figure(text: str) -> None:
    """A measured figure, printed for docs/performance.md (the VM runs pytest with -s).

    Written to the process's own standard output: a test that runs a command in-process
    captures ``sys.stdout``.
    """
    print(f"figure: {text}", file=sys.__stdout__, flush=True)


class OnAir:
    """``retrorun sim --ble vhci`` running, and the BlueZ adapter it created."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.adapter = ""
        self.preset = ""
        self.output: list[str] = []

    async def read_output(self) -> None:
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            self.output.append(line.decode(errors="replace").rstrip())


async def _bluez_bus() -> MessageBus:
    return await MessageBus(bus_type=BusType.SYSTEM).connect()


async def _power_on(bus: MessageBus, adapter: str) -> None:
    """Power the adapter on, asking again while BlueZ is still setting it up."""
    async with asyncio.timeout(POWERED_WITHIN_S):
        while True:
            reply = await bus.call(
                Message(
                    destination="org.bluez",
                    path=adapter,
                    interface="org.freedesktop.DBus.Properties",
                    member="Set",
                    signature="ssv",
                    body=[ADAPTER, "Powered", Variant("b", True)],
                )
            )
            if reply is not None and reply.message_type is MessageType.METHOD_RETURN:
                return
            await asyncio.sleep(0.2)


class Warm:
    """A `retrorun` command in a Python started ahead (`WARM_START`), waiting for ``go``."""

    def __init__(self, process: asyncio.subprocess.Process, go_fd: int) -> None:
        self.process = process
        self._go_fd = go_fd

    @classmethod
    async def start(cls, imports: tuple[str, ...]) -> Warm:
        read_fd, write_fd = os.pipe()
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                WARM_START,
                str(read_fd),
                *imports,
                pass_fds=(read_fd,),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
        finally:
            os.close(read_fd)
        return cls(process, write_fd)

    def go(self, *args: str) -> None:
        """Run ``retrorun ARGS``."""
        os.write(self._go_fd, f"{json.dumps(args)}\n".encode())
        self._close()

    async def end(self) -> None:
        """Stop the command (SIGTERM, as Ctrl-C), or the Python never let go."""
        self._close()
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    def _close(self) -> None:
        if self._go_fd >= 0:
            os.close(self._go_fd)
            self._go_fd = -1


@contextlib.asynccontextmanager
async def treadmill_on_vhci(simulator: Warm, preset: str) -> AsyncIterator[OnAir]:
    """Run ``retrorun sim --ble vhci --preset PRESET`` and wait for BlueZ's new adapter.

    The adapter is announced by ObjectManager.InterfacesAdded, which is awaited (BlueZ needs
    a while after the controller appears before it takes commands, more so under emulation).
    """
    bus = await _bluez_bus()
    appeared: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def on_signal(message: Message) -> None:
        if message.message_type is MessageType.SIGNAL and message.member == "InterfacesAdded":
            path, interfaces = message.body
            if ADAPTER in interfaces and not appeared.done():
                appeared.set_result(path)

    bus.add_message_handler(on_signal)
    await bus.call(
        Message(
            destination="org.freedesktop.DBus",
            path="/org/freedesktop/DBus",
            interface="org.freedesktop.DBus",
            member="AddMatch",
            signature="s",
            body=[INTERFACES_ADDED],
        )
    )
    on_air = OnAir(simulator.process)
    on_air.preset = preset
    reader = asyncio.ensure_future(on_air.read_output())
    try:
        started = time.monotonic()
        simulator.go("sim", "--ble", "vhci", "--preset", preset)
        adapter = await asyncio.wait_for(appeared, APPEARS_WITHIN_S)
        await _power_on(bus, adapter)
        on_air.adapter = adapter
        figure(
            f"adapter {adapter} powered {time.monotonic() - started:.1f} s after the command ran"
        )
        yield on_air
    finally:
        bus.disconnect()
        await bus.wait_for_disconnect()  # type: ignore[no-untyped-call] # dbus-fast leaves it bare
        await simulator.end()
        await asyncio.gather(reader, return_exceptions=True)
        for line in on_air.output:
            figure(f"sim said: {line}")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def warming() -> AsyncIterator[dict[str, Warm]]:
    """Simulators started ahead of their tests ("sim PRESET"); those never let go are ended."""
    started: dict[str, Warm] = {}
    yield started
    for warm in started.values():
        await warm.end()


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=PRESETS)
async def on_air(request: pytest.FixtureRequest, warming: dict[str, Warm]) -> AsyncIterator[OnAir]:
    preset: str = request.param
    simulator = warming.pop(f"sim {preset}", None) or await Warm.start(SIM_IMPORTS)
    async with treadmill_on_vhci(simulator, preset) as running:
        # The next preset's simulator starts now, and imports while these tests wait on the belt.
        presets = {
            item.callspec.params.get("on_air")
            for item in request.session.items
            if isinstance(item, pytest.Function) and hasattr(item, "callspec")
        }
        later = [each for each in PRESETS[PRESETS.index(preset) + 1 :] if each in presets]
        if later:
            warming[f"sim {later[0]}"] = await Warm.start(SIM_IMPORTS)
        yield running


@pytest.mark.usefixtures("on_air")
async def test_retrorun_scan_finds_the_treadmill_by_name_and_service_data(
    cli: Callable[..., CliResult],
) -> None:
    # The real command, in this process (a thread: it runs its own event loop): a new Python
    # under emulation would cost seconds. The treadmill advertises a few times a second.
    scan = await asyncio.to_thread(cli, "scan", "--timeout", str(SCAN_S), "--json")
    assert scan.exit_code == 0, scan.stderr
    found = [each for each in json.loads(scan.stdout) if each["name"] == NAME]
    assert found, scan.stdout
    assert found[0]["machine_type"] == "treadmill"  # from the FTMS service data
    assert found[0]["available"] is True


@pytest.mark.usefixtures("on_air")
async def test_the_device_layer_drives_the_belt_through_bluez() -> None:
    clock = MonotonicClock()
    found = await find_treadmill(NAME, within_s=30)
    assert found.machine_type == "treadmill"

    started = time.monotonic()
    treadmill = await open_treadmill(found, clock=clock, scan_timeout=30)
    figure(f"connected and opened in {time.monotonic() - started:.1f} s")
    try:
        caps = treadmill.capabilities
        assert caps is not None
        assert caps.has_control_point
        assert caps.speed_range.min_speed_kmh == pytest.approx(1.0)
        assert caps.speed_range.max_speed_kmh == pytest.approx(16.0)

        await treadmill.request_control()
        assert treadmill.has_control
        await treadmill.start()
        # A walking speed: each km/h more is seconds of ramp up and down, and proves nothing more.
        await treadmill.set_speed(DRIVE_KMH)
        assert await treadmill.confirm_speed(DRIVE_KMH, timeout_s=40)

        stopping = time.monotonic()
        await treadmill.stop()
        assert await treadmill.confirm_speed(0, timeout_s=30)
        figure(f"{DRIVE_KMH:g} km/h to a stopped belt in {time.monotonic() - stopping:.1f} s")
    finally:
        await treadmill.close()


async def test_the_session_reconnects_when_the_treadmill_drops_the_link_and_comes_back(
    on_air: OnAir,
) -> None:
    if on_air.preset != "urevo":
        pytest.skip("one preset is enough for the reconnect")
    treadmill = await open_treadmill(NAME, clock=MonotonicClock(), scan_timeout=30)
    events = treadmill.events()
    try:
        await treadmill.request_control()
        # `retrorun sim --ble` drops the link on SIGUSR1, as a radio would, and advertises
        # again three seconds later.
        on_air.process.send_signal(signal.SIGUSR1)
        async with asyncio.timeout(30):
            lost = await _next(events, ConnectionLost)
        async with asyncio.timeout(60):
            back = await _next(events, Reconnected)
        figure(f"reconnected {back.at - lost.at:.1f} s after the link was lost")
        assert treadmill.connected
        assert treadmill.has_control  # control is asked for again on the new link
    finally:
        events.cancel()
        await treadmill.close()


async def _said(process: asyncio.subprocess.Process, answer: bytes, since: float) -> list[str]:
    """Answer a process and read its lines to its end, each with when it came (s since)."""
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(answer)
    await process.stdin.drain()
    process.stdin.close()
    said = [
        f"{time.monotonic() - since:5.1f} {line.decode(errors='replace').rstrip()}"
        async for line in process.stdout
    ]
    await process.wait()
    return said


async def _next(events: Subscription[DeviceEvent], kind: type[_E]) -> _E:
    async for event in events:
        if isinstance(event, kind):
            return event
    raise AssertionError(f"the events ended before a {kind.__name__}")


SHORT_PROFILE = """\
name: Short walk
description: A short walk on the treadmill on the air.
steps:
  - {duration: 5s, speed: 1.5, label: walk}
"""


async def test_retrorun_run_completes_a_short_profile_and_its_log_passes_the_audit(
    on_air: OnAir, tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    if on_air.preset != "strict":
        pytest.skip("one preset is enough for a whole session")
    profile = tmp_path / "short-walk.yaml"
    profile.write_text(SHORT_PROFILE)
    log = tmp_path / "session.jsonl"
    started = time.monotonic()
    run = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "retrorun",
        "run",
        str(profile),
        "--device",
        NAME,
        "--headless",
        "--no-voice",
        "--log",
        str(log),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    # A real treadmill first asks for the safety key to be clipped on: Enter, as a runner.
    said = await asyncio.wait_for(_said(run, b"\n", started), 240)
    for line in said:
        figure(f"run said: {line}")
    text = "\n".join(said)
    assert run.returncode == 0, text
    assert "Clip the safety key to your clothing" in text
    assert "Workout complete" in text
    took = time.monotonic() - started
    figure(f"retrorun run of a 5 s profile took {took:.1f} s")

    audit = cli("audit", str(log))
    assert audit.exit_code == 0, audit.stdout
    assert audit.stdout.strip() == "clean"
