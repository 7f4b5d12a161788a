"""MQTT bridge: publish throughput, the cost to the caller, and a fast-forward control loop.

Run: ``python -m benchmarks.mqtt`` (needs Debian's ``mosquitto``; it starts its own on a free
loopback port). Figures:

* throughput: cue messages per second from the outbox to the broker, with the sender unpaced
  (by default it sends at most 20 messages a wall second);
* caller cost: microseconds one ``hub.publish(snapshot)`` costs the session with the bridge
  subscribed, broker up and broker stopped (and with a plain reader instead, for scale);
* fast-forward loop: a one-hour session's worth of snapshots (4 per second) and cues, on a
  virtual-time loop like ``--fast``, with no bridge, with the bridge and the broker up, and
  with the broker stopped.

`fast_session_overhead` measures the real thing, ``retrorun run --sim --fast`` with and
without ``--mqtt``, once that command exists.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from retrorun.clock import LoopClock, run_virtual
from retrorun.hub import Hub, Only
from retrorun.mqtt.bridge import BridgeTuning, MqttBridge
from retrorun.mqtt.outbox import Lane, Outbox, Outgoing
from retrorun.mqtt.payloads import cue_payload
from retrorun.mqtt.settings import Broker, MqttSettings
from retrorun.session.api import Cue, CueKind, Phase, SessionState, Snapshot, Totals

if TYPE_CHECKING:
    from collections.abc import Iterator

    from retrorun.hub import Subscription
    from retrorun.profiles.plan import Plan
    from retrorun.session.api import CommandResult, SessionEvent, UserCommand

THROUGHPUT_MESSAGES = 20_000
CALLER_CALLS = 50_000
SESSION_S = 3600
TICKS_PER_S = 4


def _snapshot(t: float) -> Snapshot:
    return Snapshot(
        t=t,
        state=SessionState.RUNNING,
        plan_name="benchmark",
        segment_count=30,
        segment_index=int(t // 120),
        segment_kind="interval",
        segment_label="Backward 2:00",
        direction="backward",
        phase=Phase.STEADY,
        target_speed_kmh=5.0,
        target_incline_pct=2.0,
        measured_speed_kmh=4.9,
        measured_incline_pct=2.0,
        heart_rate_bpm=140,
        distance_m=t * 1.36,
        segment_elapsed_s=t % 120,
        segment_remaining_s=120 - t % 120,
        segment_remaining_m=None,
        elapsed_s=t,
        remaining_s=SESSION_S - t,
        next_segment=None,
        totals=Totals(),
    )


class LoopSession:
    """The publishing side of a session, without the treadmill: snapshots and cues on a hub."""

    def __init__(self) -> None:
        self.hub: Hub[SessionEvent] = Hub()
        self.current = _snapshot(0.0)

    @property
    def plan(self) -> Plan:
        raise NotImplementedError("the benchmark session has no plan")

    def snapshot(self) -> Snapshot:
        return self.current

    def events(self, *, only: Only = None) -> Subscription[SessionEvent]:
        return self.hub.subscribe(only=only)

    async def command(self, command: UserCommand) -> CommandResult:
        raise NotImplementedError(f"the benchmark session takes no commands ({command})")

    async def run(self) -> None:
        """A one-hour session's events at 4 snapshots per clock second, a cue every 10 s."""
        clock = LoopClock()
        start = clock.now()
        for tick in range(1, SESSION_S * TICKS_PER_S + 1):
            await clock.sleep_until(start + tick / TICKS_PER_S)
            self.current = _snapshot(tick / TICKS_PER_S)
            self.hub.publish(self.current)
            if tick % (10 * TICKS_PER_S) == 0:
                self.hub.publish(Cue(self.current.t, CueKind.COUNTDOWN, "Ten seconds."))
        self.hub.close()


@dataclass
class LocalBroker:
    """A mosquitto of our own on a free loopback port."""

    port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        executable = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        config = self.folder / "mosquitto.conf"
        config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
            "set_tcp_nodelay true\npersistence false\n"
        )
        self.process = subprocess.Popen(  # noqa: S603 - Debian's mosquitto, our own config
            [executable, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.01)
        raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    @property
    def settings(self) -> MqttSettings:
        return MqttSettings(Broker("127.0.0.1", self.port), treadmill_id="bench", discovery=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _broker() -> Iterator[LocalBroker]:
    with tempfile.TemporaryDirectory() as folder:
        broker = LocalBroker(_free_port(), Path(folder))
        broker.start()
        try:
            yield broker
        finally:
            broker.stop()


async def throughput_per_s(broker: LocalBroker) -> float:
    """Cue messages per second through the outbox and the connection to the broker."""
    session = LoopSession()
    cue = Cue(1.0, CueKind.TEXT, "Backward in ten seconds. Slow down and hold the rails.")
    outbox = Outbox(events_limit=THROUGHPUT_MESSAGES)
    for _ in range(THROUGHPUT_MESSAGES):  # queued before connecting: sent once connected
        outbox.put(Outgoing("retrorun/bench/cue", cue_payload(cue), Lane.EVENTS))
    unpaced = BridgeTuning(send_rate_hz=None)
    async with MqttBridge(session, broker.settings, outbox=outbox, tuning=unpaced) as bridge:
        await asyncio.wait_for(bridge.wait_connected(), 10)
        start = time.perf_counter()
        # Polling the counter as fast as the loop turns is the measurement itself.
        while bridge.stats.published < THROUGHPUT_MESSAGES:  # noqa: ASYNC110
            await asyncio.sleep(0)
        return THROUGHPUT_MESSAGES / (time.perf_counter() - start)


async def caller_cost_us(settings: MqttSettings | None, *, connected: bool = False) -> float:
    """Median microseconds per ``hub.publish(snapshot)``, the session's cost of publishing,
    with the bridge subscribed (or no bridge when `settings` is None); rounds of 1000."""
    session = LoopSession()
    snapshots = [_snapshot(n / 4) for n in range(1000)]
    rounds: list[float] = []
    async with contextlib.AsyncExitStack() as stack:
        if settings is not None:
            bridge = await stack.enter_async_context(MqttBridge(session, settings))
            if connected:
                await asyncio.wait_for(bridge.wait_connected(), 10)
        else:
            stack.callback(session.events().cancel)  # one reader, as the TUI would be
        for _ in range(CALLER_CALLS // 1000):
            start = time.perf_counter()
            for snapshot in snapshots:
                session.hub.publish(snapshot)
            rounds.append((time.perf_counter() - start) / 1000 * 1e6)
            await asyncio.sleep(0.01)  # let the bridge take them in between rounds
    return statistics.median(rounds)


async def _fast_session(settings: MqttSettings | None) -> None:
    session = LoopSession()
    if settings is None:
        await session.run()
        return
    async with MqttBridge(session, settings):
        await session.run()


def fast_loop_s(settings: MqttSettings | None) -> float:
    """Wall seconds for a one-hour session's events on a virtual-time loop (best of 3)."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        run_virtual(_fast_session(settings))
        times.append(time.perf_counter() - start)
    return min(times)


def fast_session_overhead(profile: str = "one-minute-alternation") -> tuple[float, float]:
    """``retrorun run PROFILE --sim --fast`` wall time without and with ``--mqtt`` (seconds).

    The issue's target: publishing must not slow ``--fast`` by more than 20 %. Needs the
    ``run`` command (the session); until it exists this raises `RuntimeError`.
    """
    probe = subprocess.run(
        [sys.executable, "-m", "retrorun", "run", "--help"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        raise RuntimeError("`retrorun run` does not exist yet")
    results = []
    with _broker() as broker:
        for extra in ([], ["--mqtt", f"mqtt://127.0.0.1:{broker.port}"]):
            start = time.perf_counter()
            subprocess.run(  # noqa: S603 - our own command line, with our own arguments
                [
                    sys.executable,
                    "-m",
                    "retrorun",
                    "run",
                    profile,
                    "--sim",
                    "--fast",
                    "--headless",
                    *extra,
                ],
                capture_output=True,
                check=True,
            )
            results.append(time.perf_counter() - start)
    return results[0], results[1]


def main() -> None:
    with _broker() as broker:
        rate = asyncio.run(throughput_per_s(broker))
        print(f"mqtt publish throughput through the outbox: {rate:,.0f} messages/s")
        alone = asyncio.run(caller_cost_us(None))
        up = asyncio.run(caller_cost_us(broker.settings, connected=True))
        print(
            f"hub.publish(snapshot) cost to the session: {alone:.1f} us with one other reader, "
            f"{up:.1f} us with the bridge, broker up"
        )
        none = fast_loop_s(None)
        with_broker = fast_loop_s(broker.settings)
        settings = broker.settings
        broker.stop()
        down = asyncio.run(caller_cost_us(settings))
        print(f"hub.publish(snapshot) cost to the session, broker stopped: {down:.1f} us")
        without_broker = fast_loop_s(settings)
    print(
        f"1-hour session events on a virtual-time loop: {none:.2f} s without a bridge, "
        f"{with_broker:.2f} s with the broker up ({with_broker / none - 1:+.0%}), "
        f"{without_broker:.2f} s with it stopped ({without_broker / none - 1:+.0%})"
    )
    try:
        plain, published = fast_session_overhead()
    except RuntimeError as exc:
        print(f"retrorun run --fast with/without --mqtt: not measured ({exc})")
    else:
        print(
            f"retrorun run --fast: {plain:.2f} s, with --mqtt {published:.2f} s "
            f"({published / plain - 1:+.0%})"
        )


if __name__ == "__main__":
    main()
