"""The control point dialogue, driven input by input without an event loop."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from retrorun.errors import EncodeError, LocalProtocolError
from retrorun.ftms import (
    ControlLost,
    ControlPointClient,
    ControlPointRequest,
    ControlState,
    MachineStatus,
    OpCode,
    ProcedureAbandoned,
    ProcedureRejected,
    ProcedureSucceeded,
    StatusOpCode,
    UnexpectedResponse,
    request_control,
    reset,
    set_target_speed,
    start_or_resume,
)
from retrorun.ftms.control import TRANSITIONS, Input

if TYPE_CHECKING:
    from collections.abc import Callable

S = ControlState


def state(client: ControlPointClient) -> ControlState:
    # Read through a call so the type checker does not pin the state between inputs.
    return client.state


def controlled(*, enforces_permission: bool = True) -> ControlPointClient:
    client = ControlPointClient(enforces_permission=enforces_permission)
    client.send(request_control())
    client.receive_response(bytes.fromhex("800001"))
    assert state(client) is S.CONTROLLED
    return client


def in_procedure(request: ControlPointRequest | None = None) -> ControlPointClient:
    client = controlled()
    client.send(request or set_target_speed(8.0))
    return client


def test_request_control_then_speed_then_success() -> None:
    client = ControlPointClient()
    assert client.send(request_control()) == bytes.fromhex("00")
    assert state(client) is S.REQUESTING_CONTROL
    (granted,) = client.receive_response(bytes.fromhex("800001"))
    assert isinstance(granted, ProcedureSucceeded)
    assert client.has_control
    assert client.send(set_target_speed(8.0)) == bytes.fromhex("022003")
    assert client.in_flight == set_target_speed(8.0)
    (done,) = client.receive_response(bytes.fromhex("800201"))
    assert isinstance(done, ProcedureSucceeded)
    assert done.request.target_speed_kmh == 8.0
    assert state(client) is S.CONTROLLED
    assert client.in_flight is None


def test_urevo_responses_as_notifications_are_fed_the_same_way() -> None:
    # Urevo answers `80 00 01` and `80 03 01` as notifications (field notes §3.6).
    client = ControlPointClient()
    client.send(request_control())
    assert isinstance(client.receive_response(bytes.fromhex("800001"))[0], ProcedureSucceeded)
    client.send(ControlPointRequest(OpCode.SET_TARGET_INCLINATION, 7.0))
    assert isinstance(client.receive_response(bytes.fromhex("800301"))[0], ProcedureSucceeded)


@pytest.mark.parametrize(
    ("make", "req"),
    [
        # One procedure in flight at a time (FTMS §4.16.3).
        (in_procedure, set_target_speed(9.0)),
        (in_procedure, request_control()),
        # Without control only Request Control may be sent.
        (ControlPointClient, set_target_speed(5.0)),
        (ControlPointClient, start_or_resume()),
        # 0x80 is the server's op code.
        (controlled, ControlPointRequest(OpCode.RESPONSE_CODE)),
    ],
)
def test_misuse_raises_local_protocol_error(
    make: Callable[[], ControlPointClient], req: ControlPointRequest
) -> None:
    client = make()
    before = (state(client), client.in_flight)
    assert not client.can_send(req)
    with pytest.raises(LocalProtocolError):
        client.send(req)
    assert (state(client), client.in_flight) == before


def test_a_value_off_the_wire_raises_encode_error_and_changes_nothing() -> None:
    client = controlled()
    with pytest.raises(EncodeError):
        client.send(set_target_speed(-1.0))
    assert state(client) is S.CONTROLLED


def test_device_that_does_not_enforce_permission() -> None:
    # CITYSPORTS answers Start without Request Control (field notes §3.8).
    client = ControlPointClient(enforces_permission=False)
    client.send(start_or_resume())
    assert state(client) is S.UNCONTROLLED_PROCEDURE
    (done,) = client.receive_response(bytes.fromhex("800701"))
    assert isinstance(done, ProcedureSucceeded)
    assert state(client) is S.NO_CONTROL


@pytest.mark.parametrize(
    ("response", "event_type", "expected"),
    [
        ("800204", ProcedureRejected, S.CONTROLLED),  # Operation Failed
        ("800203", ProcedureRejected, S.CONTROLLED),  # Invalid Parameter
        ("800202", ProcedureRejected, S.CONTROLLED),  # Op Code Not Supported
        ("800205", ProcedureRejected, S.NO_CONTROL),  # Control Not Permitted
    ],
)
def test_result_codes_become_typed_events(
    response: str, event_type: type, expected: ControlState
) -> None:
    client = in_procedure()
    events = client.receive_response(bytes.fromhex(response))
    assert isinstance(events[0], event_type)
    assert isinstance(events[0], ProcedureRejected)
    assert events[0].result_code == bytes.fromhex(response)[2]
    assert state(client) is expected
    assert any(isinstance(e, ControlLost) for e in events) == (expected is S.NO_CONTROL)


def test_successful_reset_releases_control() -> None:
    client = in_procedure(reset())
    events = client.receive_response(bytes.fromhex("800101"))
    assert [type(e) for e in events] == [ProcedureSucceeded, ControlLost]
    assert state(client) is S.NO_CONTROL
    with pytest.raises(LocalProtocolError):
        client.send(set_target_speed(3.0))


@pytest.mark.parametrize("op", [StatusOpCode.CONTROL_PERMISSION_LOST, StatusOpCode.RESET])
def test_status_takes_control_away(op: StatusOpCode) -> None:
    client = controlled()
    (lost,) = client.receive_status(MachineStatus(op))
    assert isinstance(lost, ControlLost)
    assert state(client) is S.NO_CONTROL


def test_status_while_a_procedure_is_in_flight_keeps_waiting() -> None:
    client = in_procedure()
    events = client.receive_status(MachineStatus(StatusOpCode.CONTROL_PERMISSION_LOST))
    assert [type(e) for e in events] == [ControlLost]
    assert state(client) is S.UNCONTROLLED_PROCEDURE
    (done,) = client.receive_response(bytes.fromhex("800201"))
    assert isinstance(done, ProcedureSucceeded)
    assert state(client) is S.NO_CONTROL


def test_other_statuses_change_nothing() -> None:
    client = controlled()
    assert client.receive_status(MachineStatus(StatusOpCode.TARGET_SPEED_CHANGED, 5.0)) == ()
    assert state(client) is S.CONTROLLED


@pytest.mark.parametrize(
    ("make", "data"),
    [
        (in_procedure, "800701"),  # answers Start while Set Target Speed is in flight
        (controlled, "800201"),  # nothing in flight
        (in_procedure, "0201"),  # not a response at all
        (in_procedure, "80"),  # cut short
    ],
)
def test_unexpected_responses_are_events_not_crashes(
    make: Callable[[], ControlPointClient], data: str
) -> None:
    client = make()
    before = (state(client), client.in_flight)
    (event,) = client.receive_response(bytes.fromhex(data))
    assert isinstance(event, UnexpectedResponse)
    assert event.data == bytes.fromhex(data)
    assert (state(client), client.in_flight) == before


def test_timeout_abandons_the_procedure_and_keeps_control() -> None:
    client = in_procedure()
    (abandoned,) = client.timeout()
    assert isinstance(abandoned, ProcedureAbandoned)
    assert abandoned.request == set_target_speed(8.0)
    assert state(client) is S.CONTROLLED
    # The late response now answers nothing.
    assert isinstance(client.receive_response(bytes.fromhex("800201"))[0], UnexpectedResponse)
    assert client.timeout() == ()


def test_timeout_of_request_control() -> None:
    client = ControlPointClient()
    client.send(request_control())
    assert [type(e) for e in client.timeout()] == [ProcedureAbandoned]
    assert state(client) is S.NO_CONTROL


def test_connection_loss_resets_everything() -> None:
    client = in_procedure()
    events = client.connection_lost()
    assert [type(e) for e in events] == [ProcedureAbandoned, ControlLost]
    assert state(client) is S.NO_CONTROL
    assert client.in_flight is None
    client.send(request_control())
    assert state(client) is S.REQUESTING_CONTROL


def test_every_state_survives_every_peer_and_link_input() -> None:
    # The table covers each (state, input) pair the peer or the link can cause, so no input
    # from outside ever leaves the dialogue undefined.
    outside = [
        Input.STATUS_CONTROL_LOST,
        Input.TIMEOUT,
        Input.CONNECTION_LOST,
    ]
    for each in ControlState:
        for step in outside:
            assert (each, step) in TRANSITIONS
        assert TRANSITIONS[each, Input.CONNECTION_LOST] is S.NO_CONTROL
