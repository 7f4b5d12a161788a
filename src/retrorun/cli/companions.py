"""What runs beside a session, whichever view shows it: spoken cues, the MQTT bridge, and
the simulated runner turning around when the session says so.

`retrorun.cli.launch.launch_session` starts these once the session runner exists, and its
`LaunchedSession.close` stops them once the session has ended; the bridge's exit publishes
the retained ``offline`` status. A new companion is a field of `LaunchOptions` and one
block in `Companions.start`.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrorun.audio import AudioSettings
    from retrorun.cli.launch import LaunchOptions
    from retrorun.clock import Clock
    from retrorun.config import Config
    from retrorun.session.runner import SessionRunner
    from retrorun_sim import SimulatedTreadmill

STOP_WAIT_S = 5.0
"""How long the companions get to finish once the session is over (session seconds)."""


def audio_settings(config: Config, voice: bool | None) -> AudioSettings:  # noqa: FBT001
    """The config file's ``[audio]``, with ``--voice/--no-voice`` on top."""
    from retrorun.audio import AudioSettings  # noqa: PLC0415 - heavy imports stay lazy

    settings = asdict(config.audio)
    if voice is not None:
        settings["voice"] = voice
    return AudioSettings(**settings)


@dataclass
class Companions:
    """The tasks and the bridge running beside one session."""

    tasks: list[asyncio.Task[None]]
    stack: contextlib.AsyncExitStack
    notice: str | None
    """A one-time sentence for the runner (no speech program), or None."""

    @classmethod
    async def start(
        cls,
        runner: SessionRunner,
        options: LaunchOptions,
        *,
        clock: Clock,
        simulator: SimulatedTreadmill | None,
        device_address: str | None,
    ) -> Companions:
        """Start what `options` ask for beside `runner`'s session."""
        tasks: list[asyncio.Task[None]] = []
        stack = contextlib.AsyncExitStack()
        notice = None
        device_name = simulator.name if simulator is not None else options.device
        if options.audio is not None:
            from retrorun.audio import Announcer, Speaker  # noqa: PLC0415
            from retrorun.audio.speech import SpeechClips, default_cache_dir  # noqa: PLC0415

            speech = SpeechClips(Speaker(options.audio), cache_dir=default_cache_dir())
            announcer = Announcer(options.audio, clock=clock, speech=speech)
            # Finds the sound path and starts the player now, so `notice` can warn of a
            # silent setup before the belt moves; the plan's cues render in the background.
            await announcer.start(runner.plan, options.config.units)
            tasks += [
                asyncio.ensure_future(announcer.follow(runner.events())),
                asyncio.ensure_future(announcer.run()),
            ]
            notice = announcer.notice
        if options.mqtt is not None:
            from retrorun.mqtt.bridge import MqttBridge  # noqa: PLC0415

            bridge = MqttBridge(
                runner,
                options.mqtt.for_device(device_name, device_address),
                clock=clock,
                device_name=device_name,
            )
            await stack.enter_async_context(bridge)
        if options.web is not None:
            from retrorun.web.server import WebView  # noqa: PLC0415

            view = await stack.enter_async_context(WebView(runner, options.web, clock=clock))
            notice = view.notice if notice is None else f"{notice}\n{view.notice}"
        if simulator is not None:
            tasks.append(asyncio.ensure_future(_turn_with_the_session(runner, simulator)))
        return cls(tasks, stack, notice)

    async def stop(self) -> None:
        """Stop the tasks and close the bridge (it says ``offline`` on its way out).

        Bounded: a companion that does not finish within `STOP_WAIT_S` of being cancelled (a
        player or speech process that never reports its exit) is left behind, so the
        program always exits once the session is over."""
        for task in self.tasks:
            task.cancel()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=STOP_WAIT_S)
        await self.stack.aclose()


async def _turn_with_the_session(runner: SessionRunner, simulator: SimulatedTreadmill) -> None:
    """Turn the simulated runner around when the session says so (drives its heart rate)."""
    from retrorun.session.api import Snapshot  # noqa: PLC0415

    facing = "forward"
    async for event in runner.events(only=Snapshot):
        if isinstance(event, Snapshot) and event.direction != facing:
            facing = event.direction
            simulator.set_runner_direction(facing)
