"""The async shell around the engine: one treadmill, one plan, one `SessionHandle`.

`SessionRunner.run()` connects (through the ``connect`` function it is given), requests
control, announces `SessionStarted`, then feeds the engine: every input (a device event, a
command's answer from the treadmill, a person's `UserCommand`, a deadline) goes straight
into `Engine.handle` from the task that received it (handling is synchronous, so inputs
never interleave), and the actions that come back are performed in order: events are
published on the session's hub at once, treadmill commands go to one worker that runs
them one at a time (the control point takes one procedure at a time anyway).

Deadlines are absolute times on the injected `Clock` (``Engine.next_deadline``): one timer
task sleeps until the earliest and is replaced when it changes, so there is never a chain
of relative sleeps to drift.

Whatever ends the loop (the plan, a stop, cancellation by Ctrl-C or SIGTERM, an exception)
the belt is told to stop before `run` returns, and the last event published is always a
`SessionEnded`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from retrorun.device import (
    CommandRejectedError,
    HeartRateSample,
    NoAnswerError,
    StrapConnected,
    Telemetry,
)
from retrorun.errors import DeviceError
from retrorun.ftms import ResultCode
from retrorun.hub import Hub, Only, Subscription
from retrorun.profiles.safety import DeviceRange
from retrorun.session.api import (
    CommandKind,
    CommandResult,
    SessionEnded,
    SessionEvent,
    SessionStarted,
    Snapshot,
    UserCommand,
)
from retrorun.session.engine import Engine, Event
from retrorun.session.inputs import (
    Action,
    Answer,
    Done,
    EngineOptions,
    HeartRateReading,
    Publish,
    Ready,
    Result,
    Sample,
    Send,
    StrapLink,
    Tick,
)
from retrorun.session.lifecycle import Ending

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from retrorun.clock import Clock
    from retrorun.device import Treadmill
    from retrorun.device.heart_rate import StrapEvent
    from retrorun.profiles.plan import Plan
    from retrorun.profiles.safety import SafetyLimits

# Events a slow watcher may fall behind by before it loses the oldest (a whole session's
# log fits, so the log writer never loses a line while the session runs flat out).
HUB_BACKLOG = 200_000
# How long the belt gets to stop when the session is torn down.
STOP_TIMEOUT_S = 10.0
# How long the teardown then waits to see the belt measured at rest.
STOP_CONFIRM_S = 30.0


def device_range(treadmill: Treadmill) -> tuple[DeviceRange | None, bool]:
    """The treadmill's range as the safety layer wants it, and whether it takes inclines."""
    caps = treadmill.capabilities
    if caps is None:
        return None, False
    speed, incline = caps.speed_range, caps.inclination_range
    return (
        DeviceRange(
            speed_min_kmh=speed.min_speed_kmh,
            speed_max_kmh=speed.max_speed_kmh,
            speed_increment_kmh=speed.min_increment_kmh or 0.0,
            incline_min_pct=incline.min_inclination_pct if incline else 0.0,
            incline_max_pct=incline.max_inclination_pct if incline else 0.0,
            incline_increment_pct=(incline.min_increment_pct or 0.0) if incline else 0.0,
        ),
        caps.controls_incline,
    )


def limits_json(limits: SafetyLimits) -> dict[str, Any]:
    """The limits in force as the log's header carries them (None: no such limit)."""
    data = dataclasses.asdict(limits)
    return {key: value for key, value in data.items() if value is not None}


class SessionRunner:
    """Runs one session; implements `retrorun.session.api.SessionHandle`."""

    def __init__(  # noqa: PLR0913 - one keyword per thing a session is made of
        self,
        plan: Plan,
        connect: Callable[[], Awaitable[Treadmill]],
        *,
        clock: Clock,
        options: EngineOptions | None = None,
        profile_info: dict[str, Any] | None = None,
        device_info: dict[str, Any] | None = None,
        snapshot_interval_s: float | None = 0.25,
        on_send: Callable[[Send, float | None, float], None] | None = None,
        strap: Callable[[], AsyncIterator[StrapEvent]] | None = None,
    ) -> None:
        self._plan = plan
        self._connect = connect
        self._clock = clock
        self._engine = Engine(plan, clock.now(), options)
        self._profile_info = profile_info or {"name": plan.name}
        self._device_info = device_info or {}
        self._snapshot_interval_s = snapshot_interval_s
        self._on_send = on_send
        self._strap = strap
        """The chest strap's events for the whole session (it reconnects itself), or None:
        then the heart rate is only what the treadmill relays."""
        self._hub: Hub[SessionEvent] = Hub(backlog=HUB_BACKLOG)
        self._sends: asyncio.Queue[tuple[Send, float | None]] = asyncio.Queue()
        self._finished: asyncio.Future[None] | None = None
        self._treadmill: Treadmill | None = None
        self._timer: asyncio.Task[None] | None = None
        self._timer_at: float | None = None
        self._stopped = False
        self.belt_at_rest: bool | None = None
        """After `run`: whether the teardown saw the belt measured at rest (None: it had
        nothing to stop; False: the belt was not seen at rest, or could not be told)."""
        self._stop_first: UserCommand | None = None

    # ------------------------------------------------------------------ SessionHandle

    @property
    def plan(self) -> Plan:
        return self._plan

    def snapshot(self) -> Snapshot:
        return self._engine.snapshot(self._clock.now())

    def events(self, *, only: Only = None) -> Subscription[SessionEvent]:
        return self._hub.subscribe(only=only)

    async def command(self, command: UserCommand) -> CommandResult:
        if self._engine.ended is not None or self._finished is None:
            return CommandResult(command, accepted=False, reason="the session is not running")
        for action in self._feed(command, None):
            if isinstance(action, Answer):
                return action.result
        return CommandResult(command, accepted=False, reason="no answer")  # pragma: no cover

    def request_stop(self, source: str = "signal") -> None:
        """Ask the session to stop (safe from a signal handler on the loop)."""
        stop = UserCommand(CommandKind.STOP, source=source)
        if self._finished is None:
            self._stop_first = stop  # still connecting: stop before the belt ever starts
            return
        self._feed(stop, None)

    @property
    def treadmill(self) -> Treadmill | None:
        return self._treadmill

    # ------------------------------------------------------------------ run

    async def run(self) -> SessionEnded:
        """Run the session to its end; the `SessionEnded` it published last."""
        try:
            treadmill = await self._connect()
        except BaseException:
            self._hub.close()  # watchers see the end of the stream: nothing ever started
            raise
        self._treadmill = treadmill
        self._finished = asyncio.get_running_loop().create_future()
        tasks: list[asyncio.Task[None]] = []
        try:
            await self._take_control(treadmill)
            rng, incline = device_range(treadmill)
            self._hub.publish(
                SessionStarted(
                    started_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    profile=self._profile_info,
                    device={
                        "name": treadmill.name,
                        **self._device_info,
                        # What retrorun assumed where the treadmill said nothing useful.
                        "capability_notes": list(treadmill.capabilities.notes)
                        if treadmill.capabilities is not None
                        else [],
                    },
                    limits=limits_json(self._plan.limits.with_device(rng)),
                )
            )
            tasks = self._start_tasks(treadmill)
            self._feed(self._stop_first or Ready(rng, incline), None)
            await self._finished
        except BaseException as exc:
            now = self._clock.now()
            if self._engine.ended is None and isinstance(exc, asyncio.CancelledError):
                self._perform(self._engine.abort(Ending.CANCELLED, now))
            elif self._engine.ended is None:
                self._perform(
                    self._engine.abort(Ending.FAILURE, now, str(exc) or type(exc).__name__)
                )
            raise
        finally:
            for task in [*tasks, *([self._timer] if self._timer else [])]:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await self._stop_belt(treadmill)
            with contextlib.suppress(Exception):
                await treadmill.close()
            self._hub.close()
        ended = self._engine.ended
        if ended is None:  # pragma: no cover - the loop only returns once ended
            raise DeviceError("the session ended without a summary")
        return ended

    def _start_tasks(self, treadmill: Treadmill) -> list[asyncio.Task[None]]:
        """The tasks that feed the engine and perform its commands; one that fails ends the
        session."""
        tasks = [
            asyncio.ensure_future(self._read_device(treadmill.events())),
            asyncio.ensure_future(self._perform_sends(treadmill)),
        ]
        if self._snapshot_interval_s:
            tasks.append(asyncio.ensure_future(self._publish_snapshots()))
        if self._strap is not None:
            tasks.append(asyncio.ensure_future(self._read_strap(self._strap())))
        for task in tasks:
            task.add_done_callback(self._task_done)
        return tasks

    async def _take_control(self, treadmill: Treadmill) -> None:
        """Control, or the session ends as "control never granted" (with the reason)."""
        try:
            await treadmill.request_control()
        except DeviceError as exc:
            now = self._clock.now()
            self._perform(self._engine.abort(Ending.CONTROL_NEVER_GRANTED, now, str(exc)))
            raise

    def _feed(self, event: Event, planned: float | None) -> list[Action]:
        actions = self._engine.handle(event, self._clock.now())
        self._perform(actions, planned)
        if self._engine.ended is not None:
            if self._finished is not None and not self._finished.done():
                self._finished.set_result(None)
        else:
            self._arm_timer()
        return actions

    def _perform(self, actions: list[Action], planned: float | None = None) -> None:
        for action in actions:
            if isinstance(action, Publish):
                self._hub.publish(action.event)
            elif isinstance(action, Send):
                self._sends.put_nowait((action, planned))

    def _task_done(self, task: asyncio.Task[None]) -> None:
        """A feeding task that fails ends the session with its exception."""
        if task.cancelled() or self._finished is None or self._finished.done():
            return
        error = task.exception()
        if error is not None:
            self._finished.set_exception(error)

    # ------------------------------------------------------------------ tasks

    def _arm_timer(self) -> None:
        deadline = self._engine.next_deadline()
        if deadline == self._timer_at and self._timer is not None and not self._timer.done():
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = deadline
        self._timer = None
        if deadline is not None:
            self._timer = asyncio.ensure_future(self._fire(deadline))
            self._timer.add_done_callback(self._task_done)

    async def _fire(self, deadline: float) -> None:
        await self._clock.sleep_until(deadline)
        self._timer, self._timer_at = None, None
        self._feed(Tick(), deadline)

    async def _read_device(self, subscription: Subscription[Any]) -> None:
        treadmill = self._treadmill
        if treadmill is None:
            return
        async for event in subscription:
            if isinstance(event, Telemetry):
                self._feed(Sample(event, treadmill.ramp.rates), None)
            else:
                self._feed(event, None)

    async def _read_strap(self, events: AsyncIterator[StrapEvent]) -> None:
        async for event in events:
            if isinstance(event, HeartRateSample):
                # A strap without skin contact measures nothing worth acting on.
                if event.sensor_contact is not False:
                    self._feed(HeartRateReading(event.heart_rate_bpm), None)
            elif isinstance(event, StrapConnected):
                self._feed(StrapLink(connected=True, name=event.name), None)
            else:
                self._feed(StrapLink(connected=False, detail=event.reason), None)

    async def _publish_snapshots(self) -> None:
        interval = self._snapshot_interval_s or 0.25
        next_at = self._clock.now()
        while True:
            next_at += interval
            await self._clock.sleep_until(next_at)
            self._hub.publish(self.snapshot())

    async def _perform_sends(self, treadmill: Treadmill) -> None:
        while True:
            send, planned = await self._sends.get()
            if self._on_send is not None:
                self._on_send(send, planned, self._clock.now())
            done = await _execute(treadmill, send)
            self._stopped = send.request == "stop" and done.result == "success"
            self._feed(done, None)

    async def _stop_belt(self, treadmill: Treadmill) -> None:
        """Leave the belt stopped, whatever happened (shielded from cancellation), and see
        it measured at rest (`belt_at_rest`)."""
        if self._stopped:
            return
        if not treadmill.connected:
            self.belt_at_rest = False
            return

        async def stop_and_see() -> bool:
            await treadmill.stop()
            return await treadmill.confirm_speed(0, timeout_s=STOP_CONFIRM_S)

        self.belt_at_rest = False
        stop = asyncio.ensure_future(stop_and_see())
        with contextlib.suppress(Exception, asyncio.CancelledError):
            self.belt_at_rest = await asyncio.wait_for(
                asyncio.shield(stop), STOP_TIMEOUT_S + STOP_CONFIRM_S
            )


_RESULTS: dict[int, Result] = {
    ResultCode.OP_CODE_NOT_SUPPORTED: "op_code_not_supported",
    ResultCode.INVALID_PARAMETER: "invalid_parameter",
    ResultCode.OPERATION_FAILED: "operation_failed",
    ResultCode.CONTROL_NOT_PERMITTED: "control_not_permitted",
}


async def _execute(treadmill: Treadmill, send: Send) -> Done:
    """Run one command on the treadmill and describe how it went."""
    try:
        outcome: str | None = None
        if send.request == "speed" and send.value is not None:
            outcome = (await treadmill.set_speed(send.value)).value
        elif send.request == "incline" and send.value is not None:
            outcome = (await treadmill.set_incline(send.value)).value
        elif send.request == "start":
            await treadmill.start()
        elif send.request == "pause":
            await treadmill.pause()
        elif send.request == "stop":
            await treadmill.stop()
        elif send.request == "request_control":
            await treadmill.request_control()
        return Done(send.seq, "success", outcome=outcome)
    except CommandRejectedError as exc:
        return Done(send.seq, _RESULTS.get(exc.result_code, "failed"), reason=str(exc))
    except NoAnswerError as exc:
        return Done(send.seq, "timeout", reason=str(exc))
    except DeviceError as exc:
        return Done(send.seq, "failed", reason=str(exc))
