"""One entry point per direction: `decode` any characteristic's bytes, `encode` any record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retrorun.errors import EncodeError
from retrorun.ftms.advertisement import ServiceData, encode_service_data
from retrorun.ftms.control_point import (
    ControlPointRequest,
    ControlPointResponse,
    decode_control_point,
    encode_control_point,
)
from retrorun.ftms.feature import FitnessMachineFeature, decode_feature, encode_feature
from retrorun.ftms.heart_rate import HeartRateMeasurement, decode_heart_rate, encode_heart_rate
from retrorun.ftms.machine_status import MachineStatus, decode_machine_status, encode_machine_status
from retrorun.ftms.ranges import (
    InclinationRange,
    SpeedRange,
    decode_inclination_range,
    decode_speed_range,
    encode_inclination_range,
    encode_speed_range,
)
from retrorun.ftms.training_status import (
    TrainingStatus,
    decode_training_status,
    encode_training_status,
)
from retrorun.ftms.treadmill_data import (
    TreadmillData,
    decode_treadmill_data,
    encode_treadmill_data,
)
from retrorun.ftms.uuids import Characteristic, resolve_characteristic

if TYPE_CHECKING:
    from collections.abc import Callable

AnyRecord = (
    TreadmillData
    | FitnessMachineFeature
    | TrainingStatus
    | SpeedRange
    | InclinationRange
    | ControlPointRequest
    | ControlPointResponse
    | MachineStatus
    | HeartRateMeasurement
    | ServiceData
)

_DECODERS: dict[Characteristic, Callable[[bytes], AnyRecord]] = {
    Characteristic.TREADMILL_DATA: decode_treadmill_data,
    Characteristic.FEATURE: decode_feature,
    Characteristic.TRAINING_STATUS: decode_training_status,
    Characteristic.SPEED_RANGE: decode_speed_range,
    Characteristic.INCLINATION_RANGE: decode_inclination_range,
    Characteristic.CONTROL_POINT: decode_control_point,
    Characteristic.MACHINE_STATUS: decode_machine_status,
    Characteristic.HEART_RATE_MEASUREMENT: decode_heart_rate,
}


def decode(characteristic: Characteristic | str, data: bytes | bytearray) -> AnyRecord:
    """Decode ``data`` as a value of ``characteristic`` (an enum member, name or UUID).

    ``data`` may be the bytearray bleak hands to notification callbacks.

    Raises `DecodeError` only for bytes that cannot be such a record at all, and
    `InputError` for an unknown characteristic name.
    """
    if not isinstance(characteristic, Characteristic):
        characteristic = resolve_characteristic(characteristic)
    return _DECODERS[characteristic](bytes(data))


_ENCODERS: dict[type, Callable[[Any], bytes]] = {
    TreadmillData: encode_treadmill_data,
    FitnessMachineFeature: encode_feature,
    TrainingStatus: encode_training_status,
    SpeedRange: encode_speed_range,
    InclinationRange: encode_inclination_range,
    ControlPointRequest: encode_control_point,
    ControlPointResponse: encode_control_point,
    MachineStatus: encode_machine_status,
    HeartRateMeasurement: encode_heart_rate,
    ServiceData: encode_service_data,
}


def encode(record: AnyRecord) -> bytes:
    """The wire bytes of any record; a value outside its wire range raises `EncodeError`."""
    encoder = _ENCODERS.get(type(record))
    if encoder is None:
        raise EncodeError("record", type(record).__name__, "a retrorun.ftms record")
    return encoder(record)
