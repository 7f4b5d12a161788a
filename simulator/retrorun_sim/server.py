"""The server side of FTMS at the byte level, without I/O: bytes in, emissions out.

Theory of operation
-------------------
`FtmsServer` is one treadmill's GATT server for one connected client. The async shell
(`retrorun_sim.treadmill`) hands it what the client does (`read`, `write`,
`set_subscription`) and what happens by itself (`telemetry` each notification period,
`poll` at the times `next_event_s` names, console actions and faults), always with ``now``.
It answers with bytes or with `Emission`\\ s: a notification or indication to send at a given
time. It never sleeps and never sends; the shell does.

Control-point rules enforced (FTMS v1.0 §4.16, field notes §2.5):

* indications must be enabled before a write (ATT error 0xFD otherwise);
* one procedure at a time: a write before the previous response was delivered fails with
  ATT error 0xFE "Procedure Already In Progress";
* every op but Request Control needs control (result 0x05); Reset releases it;
* out-of-range targets answer 0x03; Start while running and Stop while stopped answer 0x04;
  ops a treadmill does not do answer 0x02.

The `Quirks` bend these rules the ways real machines do, including the hostile ones of
notes/real-treadmills-misbehave.md: acknowledged commands the belt ignores, Start refused
from the app, console actions without Machine Status, no telemetry until a console start.
What the belt really does is always `physical`, whatever was acknowledged or reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING

from retrorun.errors import DecodeError, ProtocolError
from retrorun.ftms import (
    Characteristic,
    ControlPointRequest,
    MachineStatus,
    OpCode,
    ResultCode,
    StatusOpCode,
    StopPause,
    TrainingStatus,
    decode_control_point_request,
    encode_control_point,
    encode_feature,
    encode_inclination_range,
    encode_speed_range,
    encode_training_status,
    response,
)
from retrorun_sim.physics import (
    BeltMode,
    BeltModel,
    BeltReadings,
    PhysicalBelt,
    SafetyStop,
    SetInclination,
    SetSpeed,
    Start,
    Stop,
)
from retrorun_sim.physics import Reset as BeltReset
from retrorun_sim.records import (
    KMH_PER_MPH,
    TRAINING_STATUS_BY_MODE,
    belt_speed,
    feature_record,
    inclination_range_record,
    machine_status_bytes,
    speed_range_record,
    treadmill_packets,
    treadmill_record,
    wire_speed,
)
from retrorun_sim.runner import RunnerDirection, RunnerModel, RunnerSpec

if TYPE_CHECKING:
    from retrorun_sim.quirks import Quirks


class AttErrorCode(IntEnum):
    """ATT error codes the server answers writes with (Core Vol 3 Part F §3.4.1.1, CSS)."""

    READ_NOT_PERMITTED = 0x02
    WRITE_NOT_PERMITTED = 0x03
    INSUFFICIENT_ENCRYPTION = 0x0F
    INVALID_ATTRIBUTE_VALUE_LENGTH = 0x0D
    CCCD_IMPROPERLY_CONFIGURED = 0xFD
    PROCEDURE_ALREADY_IN_PROGRESS = 0xFE


class AttError(ProtocolError):
    """The client did something the GATT server refuses at the ATT level."""

    def __init__(self, code: AttErrorCode, characteristic: Characteristic) -> None:
        self.code = code
        self.characteristic = characteristic
        super().__init__(f"{characteristic.cli_name}: ATT error 0x{code:02X} {code.name}")


class Delivery(StrEnum):
    NOTIFY = "notify"
    INDICATE = "indicate"


@dataclass(frozen=True, slots=True)
class Emission:
    """Bytes the server sends on its own: when, how, and whether it ends a procedure."""

    characteristic: Characteristic
    data: bytes
    at_s: float
    delivery: Delivery = Delivery.NOTIFY
    completes_procedure: bool = False


@dataclass(slots=True)
class _Connection:
    """Per-client state; a fresh one on every connect (control lasts until disconnect)."""

    subscribed: set[Characteristic] = field(default_factory=set)
    has_control: bool = False
    procedure_in_progress: bool = False


_READABLE = {
    Characteristic.FEATURE,
    Characteristic.TRAINING_STATUS,
    Characteristic.SPEED_RANGE,
    Characteristic.INCLINATION_RANGE,
}
_STOPPED = {BeltMode.IDLE, BeltMode.STOPPED}


class FtmsServer:
    """One simulated treadmill's FTMS server; see the module docstring."""

    def __init__(
        self, quirks: Quirks, *, runner: RunnerSpec | None = None, now: float = 0.0
    ) -> None:
        self.quirks = quirks
        self.belt = BeltModel(quirks.belt, now=now)
        self.runner = RunnerModel(runner, now=now)
        self._connection = _Connection()
        self._reported_mode = self.belt.mode
        self._reject_next = False
        self._delay_next_s = 0.0
        # Someone pressed Start on the console since power-on (`data_after_console_start`).
        self._console_started = False

    # ------------------------------------------------------------------ connection

    def connect(self) -> None:
        """A client connected: no control, no subscriptions, no procedure running."""
        self._connection = _Connection()

    def disconnect(self) -> None:
        """The link is gone: control and subscriptions go with it (FTMS §4.16.2.1)."""
        self._connection = _Connection()

    @property
    def has_control(self) -> bool:
        return self._connection.has_control

    def is_subscribed(self, characteristic: Characteristic) -> bool:
        return characteristic in self._connection.subscribed

    def set_subscription(self, characteristic: Characteristic, enabled: bool) -> None:  # noqa: FBT001
        """The client wrote the CCCD of ``characteristic``."""
        if enabled:
            self._connection.subscribed.add(characteristic)
        else:
            self._connection.subscribed.discard(characteristic)

    # ------------------------------------------------------------------ client requests

    def read(self, characteristic: Characteristic, now: float) -> bytes:
        """The value of a readable characteristic at ``now``."""
        if characteristic not in _READABLE:
            raise AttError(AttErrorCode.READ_NOT_PERMITTED, characteristic)
        match characteristic:
            case Characteristic.FEATURE:
                return encode_feature(feature_record(self.quirks))
            case Characteristic.SPEED_RANGE:
                return encode_speed_range(speed_range_record(self.quirks))
            case Characteristic.INCLINATION_RANGE:
                return encode_inclination_range(inclination_range_record(self.quirks))
            case _:
                self.belt.advance(now)
                return encode_training_status(
                    TrainingStatus(TRAINING_STATUS_BY_MODE[self.belt.mode])
                )

    def write(
        self,
        characteristic: Characteristic,
        data: bytes,
        now: float,
        *,
        with_response: bool,
    ) -> list[Emission]:
        """A write from the client; returns the response to send (if any).

        Raises `AttError` where the spec answers at the ATT level. A Write Command (without
        response) has no error response, so one the server refuses is simply lost.
        """
        request = self._accept(characteristic, data, with_response=with_response)
        if isinstance(request, AttErrorCode):
            if with_response:
                raise AttError(request, characteristic)
            return []
        connection = self._connection
        result = self._handle(request, now)
        connection.procedure_in_progress = True
        delay_s = self.quirks.response_latency_s + self._delay_next_s
        self._delay_next_s = 0.0
        return [
            Emission(
                Characteristic.CONTROL_POINT,
                encode_control_point(response(request.op_code, result)),
                now + delay_s,
                Delivery.NOTIFY if self.quirks.responses_as_notifications else Delivery.INDICATE,
                completes_procedure=True,
            )
        ]

    def _accept(
        self, characteristic: Characteristic, data: bytes, *, with_response: bool
    ) -> ControlPointRequest | AttErrorCode:
        """The control-point request in ``data``, or the ATT error that refuses the write."""
        takes_commands = self.quirks.control_point_write_without_response
        if characteristic is not Characteristic.CONTROL_POINT or with_response == takes_commands:
            return AttErrorCode.WRITE_NOT_PERMITTED
        if characteristic not in self._connection.subscribed:
            return AttErrorCode.CCCD_IMPROPERLY_CONFIGURED
        if self._connection.procedure_in_progress:
            return AttErrorCode.PROCEDURE_ALREADY_IN_PROGRESS
        try:
            return decode_control_point_request(data)
        except DecodeError:
            # Only an empty write cannot be a request at all.
            return AttErrorCode.INVALID_ATTRIBUTE_VALUE_LENGTH

    def procedure_complete(self) -> None:
        """The response was delivered (and confirmed): the next write may come."""
        self._connection.procedure_in_progress = False

    def _handle(self, request: ControlPointRequest, now: float) -> ResultCode:  # noqa: PLR0911 - one return per rule
        connection = self._connection
        if request.op_code == OpCode.REQUEST_CONTROL:
            connection.has_control = self.quirks.grants_control
            return (
                ResultCode.SUCCESS if connection.has_control else ResultCode.CONTROL_NOT_PERMITTED
            )
        if self.quirks.enforce_control_permission and not connection.has_control:
            return ResultCode.CONTROL_NOT_PERMITTED
        if self._reject_next:
            self._reject_next = False
            return ResultCode.OPERATION_FAILED
        if request.truncated:
            return ResultCode.INVALID_PARAMETER
        match request.op_code:
            case OpCode.RESET:
                self.belt.command(BeltReset(), now)
                connection.has_control = False
                return ResultCode.SUCCESS
            case OpCode.SET_TARGET_SPEED | OpCode.SET_TARGET_INCLINATION:
                return self._set_target(request, now)
            case OpCode.START_OR_RESUME:
                return self._start(now)
            case OpCode.STOP_OR_PAUSE:
                return self._stop(request, now)
            case _:
                return ResultCode.OP_CODE_NOT_SUPPORTED

    def _start(self, now: float) -> ResultCode:
        quirks = self.quirks
        if self.belt.settled_mode() is BeltMode.RUNNING:
            if not quirks.start_toggles:
                return ResultCode.OPERATION_FAILED
            self.belt.command(Stop(), now)
            return ResultCode.SUCCESS
        if quirks.refuses_app_start:
            return ResultCode.OPERATION_FAILED
        if not quirks.ignores_app_start:
            self.belt.command(Start(), now)
        return ResultCode.SUCCESS

    def _set_target(self, request: ControlPointRequest, now: float) -> ResultCode:
        spec = self.belt.spec
        quirks = self.quirks
        speed = request.op_code == OpCode.SET_TARGET_SPEED
        if quirks.rejects_incline and not speed:
            return ResultCode.OPERATION_FAILED
        if quirks.reject_targets_until_running and self.belt.mode is not BeltMode.RUNNING:
            return ResultCode.CONTROL_NOT_PERMITTED
        if request.value is None:
            return ResultCode.INVALID_PARAMETER
        if speed:
            value = belt_speed(request.value, quirks)
            low, high, step = spec.min_speed_kmh, spec.max_speed_kmh, spec.speed_increment_kmh
        else:
            value = request.value
            low, high = spec.min_inclination_pct, spec.max_inclination_pct
            step = spec.inclination_increment_pct
        # A small tolerance absorbs the wire's 0.01 resolution (and mph conversion).
        if not low - 0.01 <= value <= high + 0.01:
            return ResultCode.INVALID_PARAMETER
        if speed and quirks.ignores_speed:
            return ResultCode.SUCCESS
        value = round(value / step) * step
        if speed and quirks.speed_commands_in_mph:
            # The range check saw the number; the motor runs it as mph.
            value *= KMH_PER_MPH
        value = min(max(value, low), high)
        self.belt.command(SetSpeed(value) if speed else SetInclination(value), now)
        return ResultCode.SUCCESS

    def _stop(self, request: ControlPointRequest, now: float) -> ResultCode:
        which = request.stop_pause
        if not isinstance(which, StopPause):
            return ResultCode.INVALID_PARAMETER
        settled = self.belt.settled_mode()
        if settled in _STOPPED or (which is StopPause.PAUSE and settled is BeltMode.PAUSED):
            return ResultCode.OPERATION_FAILED
        if which is StopPause.STOP and self.quirks.ignores_stop:
            return ResultCode.SUCCESS
        self.belt.command(Stop(pause=which is StopPause.PAUSE), now)
        return ResultCode.SUCCESS

    # ------------------------------------------------------------------ time

    def readings(self, now: float) -> BeltReadings:
        return self.belt.readings(now)

    def physical(self, now: float) -> PhysicalBelt:
        """What the belt really does at ``now``, whatever telemetry says or was acknowledged."""
        return self.belt.physical(now)

    def heart_rate_bpm(self, now: float, readings: BeltReadings | None = None) -> float:
        readings = readings or self.belt.readings(now)
        moving = readings.speed_kmh if readings.runner_on_belt else 0.0
        return self.runner.update(now, moving, readings.inclination_pct)

    def telemetry(self, now: float) -> list[Emission]:
        """One Treadmill Data record as notifications (none when nobody subscribed)."""
        readings = self.belt.readings(now)
        heart_rate = self.heart_rate_bpm(now, readings)
        if Characteristic.TREADMILL_DATA not in self._connection.subscribed:
            return []
        if self.quirks.data_after_console_start and not self._console_started:
            return []
        record = treadmill_record(readings, self.quirks, heart_rate)
        return [
            Emission(Characteristic.TREADMILL_DATA, packet, now)
            for packet in treadmill_packets(record, self.quirks)
        ]

    def next_event_s(self) -> float | None:
        """When `poll` next has something to say (a command lands, a countdown ends)."""
        return self.belt.next_event_s()

    def poll(self, now: float) -> list[Emission]:
        """Training Status changes the belt went through by ``now``."""
        self.belt.advance(now)
        mode = self.belt.mode
        before = TRAINING_STATUS_BY_MODE[self._reported_mode]
        self._reported_mode = mode
        code = TRAINING_STATUS_BY_MODE[mode]
        if code == before:
            return []
        data = encode_training_status(TrainingStatus(code))
        return self._notify(Characteristic.TRAINING_STATUS, data, now)

    # ------------------------------------------------------------------ console, faults

    def console_speed(self, speed_kmh: float, now: float) -> list[Emission]:
        """Someone pressed the speed buttons: the set point changes at once."""
        self.belt.console(SetSpeed(speed_kmh), now)
        status = MachineStatus(
            StatusOpCode.TARGET_SPEED_CHANGED, wire_speed(speed_kmh, self.quirks)
        )
        return self._console_status(status, now)

    def console_incline(self, inclination_pct: float, now: float) -> list[Emission]:
        self.belt.console(SetInclination(inclination_pct), now)
        return self._console_status(
            MachineStatus(StatusOpCode.TARGET_INCLINE_CHANGED, inclination_pct), now
        )

    def console_start(self, now: float) -> list[Emission]:
        """Someone pressed Start on the console: countdown, status 0x04, telemetry flows."""
        self._console_started = True
        self.belt.console(Start(), now)
        return self._console_status(MachineStatus(StatusOpCode.STARTED_OR_RESUMED_BY_USER), now)

    def console_stop(self, now: float) -> list[Emission]:
        self.belt.console(Stop(), now)
        status = MachineStatus(StatusOpCode.STOPPED_OR_PAUSED_BY_USER, int(StopPause.STOP))
        return self._console_status(status, now)

    def safety_key(self, now: float) -> list[Emission]:
        """The safety key is pulled: the belt coasts down fast, status 0x03."""
        self.belt.console(SafetyStop(), now)
        return self._console_status(MachineStatus(StatusOpCode.STOPPED_BY_SAFETY_KEY), now)

    def revoke_control(self, now: float) -> list[Emission]:
        """The machine takes control back: status 0xFF Control Permission Lost."""
        self._connection.has_control = False
        return self._status(MachineStatus(StatusOpCode.CONTROL_PERMISSION_LOST), now)

    def reject_next_command(self) -> None:
        """The next command (after Request Control) answers 0x04 Operation Failed."""
        self._reject_next = True

    def delay_next_command(self, seconds: float) -> None:
        """The next command's response comes ``seconds`` later than usual."""
        self._delay_next_s += seconds

    def set_runner_direction(self, direction: RunnerDirection, now: float) -> None:
        self.heart_rate_bpm(now)
        self.runner.direction = direction

    def set_runner_on_belt(self, on_belt: bool, now: float) -> None:  # noqa: FBT001
        self.heart_rate_bpm(now)
        self.belt.set_runner_on_belt(on_belt, now)

    def _console_status(self, status: MachineStatus, now: float) -> list[Emission]:
        """What the console's change tells the client: Machine Status and Training Status.

        A `Quirks.silent_console` machine tells nothing; only Treadmill Data shows it.
        """
        if self.quirks.silent_console:
            self.belt.advance(now)
            self._reported_mode = self.belt.mode
            return []
        return self._status(status, now) + self.poll(now)

    def _status(self, status: MachineStatus, now: float) -> list[Emission]:
        data = machine_status_bytes(status, self.quirks)
        return self._notify(Characteristic.MACHINE_STATUS, data, now)

    def _notify(self, characteristic: Characteristic, data: bytes, now: float) -> list[Emission]:
        if characteristic not in self._connection.subscribed:
            return []
        return [Emission(characteristic, data, now)]
