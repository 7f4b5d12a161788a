"""The control point as async calls: one procedure at a time, answers awaited on the clock.

An async shell over the codec's sans-I/O `ControlPointClient`. Writes are serialised by a
lock; each waits for its 0x80 response (fed in from notifications or indications by
`feed_response`) with a timeout on the injected clock. Control is requested whenever it is
not held, "Control Not Permitted" is retried with backoff, and an ATT "Procedure Already
In Progress" error (FTMS §4.16.3) is retried after a pause. A procedure whose caller is
cancelled while it waits is still in the treadmill's hands: the next one waits for its
answer (at most until it was due) instead of being refused as "in progress".
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from retrorun.device.link import GattRefusedError
from retrorun.device.timing import backoff, first_of
from retrorun.errors import DeviceError
from retrorun.ftms import (
    Characteristic,
    ControlPointClient,
    ControlPointRequest,
    ProcedureRejected,
    ProcedureSucceeded,
    ResultCode,
    request_control,
)
from retrorun.ftms import ControlLost as CodecControlLost

if TYPE_CHECKING:
    from retrorun.clock import Clock
    from retrorun.device.link import Link
    from retrorun.ftms.control import Event
    from retrorun.ftms.machine_status import MachineStatus

# ATT error "Procedure Already In Progress" (FTMS §4.16.3, CSS Part B §1.2).
ATT_PROCEDURE_IN_PROGRESS = 0xFE
_BUSY_RETRIES = 3

Answer = ProcedureSucceeded | ProcedureRejected


class CommandRejectedError(DeviceError):
    """The treadmill answered a procedure with a result other than Success."""

    def __init__(self, request: ControlPointRequest, result_code: int, result_name: str) -> None:
        self.request = request
        self.result_code = result_code
        super().__init__(f"{request.op_code_name} refused by the treadmill: {result_name}")


class NoAnswerError(DeviceError):
    """The treadmill did not answer a procedure in time."""


class ControlChannel:
    """Serialised control-point procedures over one link at a time."""

    def __init__(
        self,
        *,
        clock: Clock,
        response_timeout_s: float,
        not_permitted_retries: int,
    ) -> None:
        self._clock = clock
        self._response_timeout_s = response_timeout_s
        self._retries = not_permitted_retries
        self._client = ControlPointClient()
        self._lock = asyncio.Lock()
        self._pending: asyncio.Future[Answer] | None = None
        self._abandoned_until: float | None = None
        """When the answer to a procedure given up on is due (`_pending` is its future)."""
        self._link: Link | None = None
        self.lost: list[CodecControlLost] = []
        """Losses of control since last read (the owner drains and publishes them)."""

    @property
    def has_control(self) -> bool:
        return self._client.has_control

    def use(self, link: Link) -> None:
        """Send over ``link`` from now on (after a connect or reconnect)."""
        self._link = link

    async def run(self, request: ControlPointRequest) -> ProcedureSucceeded:
        """Run one procedure to Success, requesting control first when needed.

        Raises `CommandRejectedError` for any other result, `DeviceError` when the answer
        does not come or control is refused every time.
        """
        async with self._lock:
            for attempt in range(self._retries + 1):
                await self._ensure_control()
                answer = await self._exchange(request)
                if isinstance(answer, ProcedureSucceeded):
                    return answer
                if answer.result_code != ResultCode.CONTROL_NOT_PERMITTED:
                    name = answer.response.result_code_name
                    raise CommandRejectedError(request, answer.result_code, name)
                await self._clock.sleep(backoff(attempt))
            raise DeviceError(
                f"{request.op_code_name}: control not permitted after {self._retries + 1} tries"
            )

    async def request_control(self) -> None:
        """Hold control permission (asked for, with backoff, when not held)."""
        async with self._lock:
            await self._ensure_control()

    def feed_response(self, data: bytes) -> None:
        """A value arrived on the control point (indication or notification)."""
        self._settle(self._client.receive_response(data))

    def feed_status(self, status: MachineStatus) -> None:
        """A Machine Status record arrived (0xFF and reset take control away)."""
        self._settle(self._client.receive_status(status))

    def connection_lost(self) -> None:
        """The link dropped: the procedure in flight fails, control is gone."""
        self._settle(self._client.connection_lost())
        if self._pending is not None and not self._pending.done():
            self._pending.set_exception(
                DeviceError("the connection dropped while waiting for an answer")
            )

    async def _ensure_control(self) -> None:
        for attempt in range(self._retries + 1):
            if self._client.has_control:
                return
            if isinstance(await self._exchange(request_control()), ProcedureSucceeded):
                return
            await self._clock.sleep(backoff(attempt))
        raise DeviceError("the treadmill does not grant control")

    async def _exchange(self, request: ControlPointRequest) -> Answer:
        """Write one request and wait for its answer (the caller holds the lock)."""
        if self._link is None:
            raise DeviceError("not connected")
        await self._wait_out_abandoned()
        for attempt in range(_BUSY_RETRIES):
            data = self._client.send(request)
            sent_at = self._clock.now()
            future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
            self._pending = future
            try:
                await self._link.write(Characteristic.CONTROL_POINT, data)
                return await first_of(future, self._clock.sleep(self._response_timeout_s))
            except GattRefusedError as exc:
                self._settle(self._client.timeout())
                if exc.code != ATT_PROCEDURE_IN_PROGRESS or attempt == _BUSY_RETRIES - 1:
                    raise
            except TimeoutError:
                self._settle(self._client.timeout())
                raise NoAnswerError(
                    f"no answer to {request.op_code_name} within {self._response_timeout_s:g} s"
                ) from None
            except DeviceError:
                self._settle(self._client.timeout())
                raise
            except asyncio.CancelledError:
                # Given up on (Ctrl-C, a session ending) while the treadmill still works on
                # it: the next procedure, a stop above all, waits for its answer instead of
                # being refused as "in progress".
                self._abandoned_until = sent_at + self._response_timeout_s
                raise
            finally:
                if self._abandoned_until is None:
                    self._pending = None
            await self._clock.sleep(backoff(attempt))
        raise AssertionError  # pragma: no cover - the loop returns or raises

    async def _wait_out_abandoned(self) -> None:
        """Wait for the answer to a procedure whose caller gave up on it, at most until its
        answer was due; then the channel is free either way."""
        pending, until = self._pending, self._abandoned_until
        if pending is None or until is None:
            return
        try:
            left = until - self._clock.now()
            if left > 0 and not pending.done():
                await first_of(pending, self._clock.sleep(left))
        except (TimeoutError, DeviceError):
            pass  # not answered in time, or the link dropped: nothing is in flight now
        finally:
            if pending.done() and not pending.cancelled():
                pending.exception()  # retrieved: a dropped link was said where it happened
            if self._client.in_flight is not None:
                self._settle(self._client.timeout())
            self._pending = None
            self._abandoned_until = None

    def _settle(self, events: tuple[Event, ...]) -> None:
        for event in events:
            if isinstance(event, ProcedureSucceeded | ProcedureRejected):
                if self._pending is not None and not self._pending.done():
                    self._pending.set_result(event)
            elif isinstance(event, CodecControlLost):
                self.lost.append(event)
