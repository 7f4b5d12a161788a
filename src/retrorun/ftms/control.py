"""The control point dialogue, client side, as a sans-I/O state machine.

Theory of operation
===================

FTMS lets one client at a time control the machine (FTMS v1.0 §4.16.1). The client writes a
request to the Control Point and the server answers with one response ``80 op result``;
until that response arrives no other request may be written (§4.16.3: "Procedure Already
In Progress"). Every request except Request Control needs the permission that a successful
Request Control grants. The permission ends when the link drops, when the server notifies
Machine Status 0xFF (Control Permission Lost), or after a successful Reset procedure
(§4.16.2.2). A Machine Status 0x01 (the machine was reset, from its console or another
client) is treated like 0xFF: after a reset nobody can rely on holding control, and asking
again costs one round trip.

`ControlPointClient` tracks exactly that and nothing else. It does no I/O and knows no
clock: the async shell around it

* calls `send(request)` and writes the bytes it returns,
* feeds every value that arrives on the control point to `receive_response(data)`, whether
  it came as an indication (the spec) or as a notification (Urevo, field notes §3.6),
* feeds decoded Machine Status records to `receive_status(status)`,
* calls `timeout()` when it gives up waiting for a response, and
* calls `connection_lost()` when the link drops.

Each input returns the events it caused (a tuple, often empty). The whole state space is the
`TRANSITIONS` table: ``(state, input) -> next state``. A pair that is missing from the table
means "not allowed" for our own sends (`LocalProtocolError`: we asked for something
illegal) and "changes nothing" for inputs from the peer. A response that does not match
the procedure in flight (another op, or nothing in flight) is the peer's protocol error: it
is reported as an `UnexpectedResponse` event and changes nothing, because the right
response may still come.

``CONTROLLED`` and ``PROCEDURE`` are the states that hold the permission; leaving them for a
state without it emits `ControlLost` with the reason. Some treadmills do not enforce the
permission at all (CITYSPORTS answers Start without Request Control, field notes §3.8):
with ``enforces_permission=False`` a command may also be sent from ``NO_CONTROL``; it runs
in ``UNCONTROLLED_PROCEDURE`` and returns to ``NO_CONTROL``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, auto
from typing import TYPE_CHECKING

from retrorun.errors import DecodeError, LocalProtocolError
from retrorun.ftms.control_point import (
    ControlPointRequest,
    ControlPointResponse,
    OpCode,
    ResultCode,
    decode_control_point_response,
    encode_control_point,
)
from retrorun.ftms.machine_status import StatusOpCode

if TYPE_CHECKING:
    from retrorun.ftms.machine_status import MachineStatus


class ControlState(Enum):
    """Where the dialogue is."""

    NO_CONTROL = auto()
    REQUESTING_CONTROL = auto()
    CONTROLLED = auto()
    PROCEDURE = auto()
    UNCONTROLLED_PROCEDURE = auto()


class Input(Enum):
    """What can happen to the dialogue: our sends and what the peer or the link does."""

    SEND_REQUEST_CONTROL = auto()
    SEND_COMMAND = auto()
    RESPONSE_SUCCESS = auto()
    RESPONSE_RESET_SUCCESS = auto()
    RESPONSE_NOT_PERMITTED = auto()
    RESPONSE_REJECTED = auto()
    STATUS_CONTROL_LOST = auto()
    TIMEOUT = auto()
    CONNECTION_LOST = auto()


_S = ControlState
_I = Input

TRANSITIONS: dict[tuple[ControlState, Input], ControlState] = {
    # Without permission only Request Control may be sent (a command only when the device
    # does not enforce permission, see the module docstring).
    (_S.NO_CONTROL, _I.SEND_REQUEST_CONTROL): _S.REQUESTING_CONTROL,
    (_S.NO_CONTROL, _I.SEND_COMMAND): _S.UNCONTROLLED_PROCEDURE,
    (_S.NO_CONTROL, _I.STATUS_CONTROL_LOST): _S.NO_CONTROL,
    (_S.NO_CONTROL, _I.TIMEOUT): _S.NO_CONTROL,
    (_S.NO_CONTROL, _I.CONNECTION_LOST): _S.NO_CONTROL,
    # Request Control in flight.
    (_S.REQUESTING_CONTROL, _I.RESPONSE_SUCCESS): _S.CONTROLLED,
    (_S.REQUESTING_CONTROL, _I.RESPONSE_NOT_PERMITTED): _S.NO_CONTROL,
    (_S.REQUESTING_CONTROL, _I.RESPONSE_REJECTED): _S.NO_CONTROL,
    (_S.REQUESTING_CONTROL, _I.STATUS_CONTROL_LOST): _S.REQUESTING_CONTROL,
    (_S.REQUESTING_CONTROL, _I.TIMEOUT): _S.NO_CONTROL,
    (_S.REQUESTING_CONTROL, _I.CONNECTION_LOST): _S.NO_CONTROL,
    # Permission held, nothing in flight. Asking again is allowed (and harmless).
    (_S.CONTROLLED, _I.SEND_REQUEST_CONTROL): _S.REQUESTING_CONTROL,
    (_S.CONTROLLED, _I.SEND_COMMAND): _S.PROCEDURE,
    (_S.CONTROLLED, _I.STATUS_CONTROL_LOST): _S.NO_CONTROL,
    (_S.CONTROLLED, _I.TIMEOUT): _S.CONTROLLED,
    (_S.CONTROLLED, _I.CONNECTION_LOST): _S.NO_CONTROL,
    # A command in flight with permission.
    (_S.PROCEDURE, _I.RESPONSE_SUCCESS): _S.CONTROLLED,
    (_S.PROCEDURE, _I.RESPONSE_RESET_SUCCESS): _S.NO_CONTROL,
    (_S.PROCEDURE, _I.RESPONSE_NOT_PERMITTED): _S.NO_CONTROL,
    (_S.PROCEDURE, _I.RESPONSE_REJECTED): _S.CONTROLLED,
    (_S.PROCEDURE, _I.STATUS_CONTROL_LOST): _S.UNCONTROLLED_PROCEDURE,
    (_S.PROCEDURE, _I.TIMEOUT): _S.CONTROLLED,
    (_S.PROCEDURE, _I.CONNECTION_LOST): _S.NO_CONTROL,
    # A command in flight without permission (lost meanwhile, or not enforced).
    (_S.UNCONTROLLED_PROCEDURE, _I.RESPONSE_SUCCESS): _S.NO_CONTROL,
    (_S.UNCONTROLLED_PROCEDURE, _I.RESPONSE_RESET_SUCCESS): _S.NO_CONTROL,
    (_S.UNCONTROLLED_PROCEDURE, _I.RESPONSE_NOT_PERMITTED): _S.NO_CONTROL,
    (_S.UNCONTROLLED_PROCEDURE, _I.RESPONSE_REJECTED): _S.NO_CONTROL,
    (_S.UNCONTROLLED_PROCEDURE, _I.STATUS_CONTROL_LOST): _S.UNCONTROLLED_PROCEDURE,
    (_S.UNCONTROLLED_PROCEDURE, _I.TIMEOUT): _S.NO_CONTROL,
    (_S.UNCONTROLLED_PROCEDURE, _I.CONNECTION_LOST): _S.NO_CONTROL,
}

_WITH_PERMISSION = frozenset({_S.CONTROLLED, _S.PROCEDURE})
_IN_FLIGHT = frozenset({_S.REQUESTING_CONTROL, _S.PROCEDURE, _S.UNCONTROLLED_PROCEDURE})


@dataclass(frozen=True, slots=True)
class ProcedureSucceeded:
    """The server answered the request in flight with Success."""

    request: ControlPointRequest
    response: ControlPointResponse


@dataclass(frozen=True, slots=True)
class ProcedureRejected:
    """The server answered the request in flight with another result code."""

    request: ControlPointRequest
    response: ControlPointResponse

    @property
    def result_code(self) -> int:
        return self.response.result_code


@dataclass(frozen=True, slots=True)
class ProcedureAbandoned:
    """No response will be waited for any more (``timeout`` or ``connection lost``)."""

    request: ControlPointRequest
    reason: str


@dataclass(frozen=True, slots=True)
class ControlLost:
    """The permission to control the machine is gone; Request Control to get it back."""

    reason: str
    link_lost: bool = False
    """Lost with the link itself (not taken away by the machine or refused)."""


@dataclass(frozen=True, slots=True)
class UnexpectedResponse:
    """The peer sent a response that answers nothing in flight (a peer protocol error)."""

    data: bytes
    reason: str
    response: ControlPointResponse | None = None


Event = (
    ProcedureSucceeded | ProcedureRejected | ProcedureAbandoned | ControlLost | UnexpectedResponse
)


class ControlPointClient:
    """The client side of the control point dialogue; see the module docstring."""

    def __init__(self, *, enforces_permission: bool = True) -> None:
        self.enforces_permission = enforces_permission
        self._state = ControlState.NO_CONTROL
        self._in_flight: ControlPointRequest | None = None

    @property
    def state(self) -> ControlState:
        return self._state

    @property
    def in_flight(self) -> ControlPointRequest | None:
        """The request whose response is awaited, or None."""
        return self._in_flight

    @property
    def has_control(self) -> bool:
        return self._state in _WITH_PERMISSION

    def can_send(self, request: ControlPointRequest) -> bool:
        """Whether `send` would accept ``request`` now."""
        return self._send_target(request) is not None

    def send(self, request: ControlPointRequest) -> bytes:
        """Start ``request``; returns the bytes to write to the control point.

        Raises `LocalProtocolError` when a procedure is in flight, or when the request
        needs permission we do not hold; `EncodeError` (also a `LocalProtocolError`) when a
        value does not fit the wire. The state is unchanged when it raises.
        """
        if request.op_code == OpCode.RESPONSE_CODE:
            raise LocalProtocolError("0x80 is the server's response code, not a request")
        data = encode_control_point(request)
        target = self._send_target(request)
        if target is None:
            if self._in_flight is not None:
                raise LocalProtocolError(
                    f"cannot send {request.op_code_name}: "
                    f"{self._in_flight.op_code_name} is still in flight"
                )
            raise LocalProtocolError(
                f"cannot send {request.op_code_name} without control: request control first"
            )
        self._state = target
        self._in_flight = request
        return data

    def receive_response(self, data: bytes | bytearray) -> tuple[Event, ...]:
        """Feed a value received on the control point (indication or notification)."""
        try:
            response = decode_control_point_response(bytes(data))
        except DecodeError as exc:
            return (UnexpectedResponse(bytes(data), exc.reason),)
        request = self._in_flight
        if request is None:
            return (UnexpectedResponse(bytes(data), "no procedure in flight", response),)
        if response.request_op_code != request.op_code:
            reason = (
                f"answers {response.request_op_code_name} but {request.op_code_name} is in flight"
            )
            return (UnexpectedResponse(bytes(data), reason, response),)
        event: Event
        if response.result_code == ResultCode.SUCCESS:
            event = ProcedureSucceeded(request, response)
            reset = request.op_code == OpCode.RESET
            step = _I.RESPONSE_RESET_SUCCESS if reset else _I.RESPONSE_SUCCESS
        else:
            event = ProcedureRejected(request, response)
            denied = response.result_code == ResultCode.CONTROL_NOT_PERMITTED
            step = _I.RESPONSE_NOT_PERMITTED if denied else _I.RESPONSE_REJECTED
        self._in_flight = None
        return (event, *self._apply(step, f"{request.op_code_name}: {response.result_code_name}"))

    def receive_status(self, status: MachineStatus) -> tuple[Event, ...]:
        """Feed a Machine Status record; 0xFF and Reset take the permission away."""
        if status.op_code == StatusOpCode.CONTROL_PERMISSION_LOST:
            return self._apply(_I.STATUS_CONTROL_LOST, "control permission lost (status 0xFF)")
        if status.op_code == StatusOpCode.RESET:
            return self._apply(_I.STATUS_CONTROL_LOST, "machine reset (status 0x01)")
        return ()

    def timeout(self) -> tuple[Event, ...]:
        """Stop waiting for the response in flight (if any)."""
        return self._abandon(_I.TIMEOUT, "no response in time")

    def connection_lost(self) -> tuple[Event, ...]:
        """The link dropped: anything in flight is abandoned and the permission is gone."""
        return self._abandon(_I.CONNECTION_LOST, "connection lost")

    def _send_target(self, request: ControlPointRequest) -> ControlState | None:
        if request.op_code == OpCode.RESPONSE_CODE:
            return None
        if request.op_code == OpCode.REQUEST_CONTROL:
            return TRANSITIONS.get((self._state, _I.SEND_REQUEST_CONTROL))
        if self._state is _S.NO_CONTROL and self.enforces_permission:
            return None
        return TRANSITIONS.get((self._state, _I.SEND_COMMAND))

    def _abandon(self, step: Input, reason: str) -> tuple[Event, ...]:
        events: tuple[Event, ...] = ()
        if self._in_flight is not None:
            events = (ProcedureAbandoned(self._in_flight, reason),)
            self._in_flight = None
        return events + self._apply(step, reason)

    def _apply(self, step: Input, reason: str) -> tuple[Event, ...]:
        had_control = self.has_control
        self._state = TRANSITIONS.get((self._state, step), self._state)
        if self._state not in _IN_FLIGHT:
            self._in_flight = None
        if had_control and not self.has_control:
            return (ControlLost(reason, link_lost=step is _I.CONNECTION_LOST),)
        return ()
