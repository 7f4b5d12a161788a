"""The FTMS codec: bytes of every treadmill characteristic to frozen values and back.

Pure: no I/O, no asyncio, no bleak. The device layer decodes what the treadmill sends; the
simulator encodes with the same functions. Decoding tolerates the ways real treadmills break
the spec (records marked ``truncated``, ``extra_bytes`` and ``quirks``); only bytes that cannot
be a record at all raise `retrorun.errors.DecodeError`. Encoders raise
`retrorun.errors.EncodeError` for values outside the wire range.
"""

from retrorun.ftms._record import Record
from retrorun.ftms.advertisement import (
    MachineType,
    ServiceData,
    decode_service_data,
    encode_service_data,
)
from retrorun.ftms.codec import AnyRecord, decode, encode
from retrorun.ftms.control import (
    ControlLost,
    ControlPointClient,
    ControlState,
    ProcedureAbandoned,
    ProcedureRejected,
    ProcedureSucceeded,
    UnexpectedResponse,
)
from retrorun.ftms.control_point import (
    ControlPointRequest,
    ControlPointResponse,
    OpCode,
    ResultCode,
    StopPause,
    decode_control_point,
    decode_control_point_request,
    decode_control_point_response,
    encode_control_point,
    request_control,
    reset,
    response,
    set_target_inclination,
    set_target_speed,
    set_targeted_distance,
    set_targeted_training_time,
    start_or_resume,
    stop_or_pause,
)
from retrorun.ftms.feature import (
    FitnessMachineFeature,
    MachineFeature,
    TargetSettingFeature,
    decode_feature,
    encode_feature,
)
from retrorun.ftms.heart_rate import (
    HeartRateMeasurement,
    decode_heart_rate,
    encode_heart_rate,
)
from retrorun.ftms.machine_status import (
    MachineStatus,
    StatusOpCode,
    decode_machine_status,
    encode_machine_status,
)
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
    TrainingStatusCode,
    decode_training_status,
    encode_training_status,
)
from retrorun.ftms.treadmill_data import (
    TreadmillData,
    TreadmillDataAssembler,
    TreadmillDataFlags,
    decode_treadmill_data,
    encode_treadmill_data,
    split_treadmill_data,
)
from retrorun.ftms.uuids import (
    FTMS_SERVICE_UUID,
    FTMS_SERVICE_UUID16,
    HEART_RATE_SERVICE_UUID,
    HEART_RATE_SERVICE_UUID16,
    Characteristic,
    resolve_characteristic,
    uuid16_of,
    uuid128,
)

__all__ = [
    "FTMS_SERVICE_UUID",
    "FTMS_SERVICE_UUID16",
    "HEART_RATE_SERVICE_UUID",
    "HEART_RATE_SERVICE_UUID16",
    "AnyRecord",
    "Characteristic",
    "ControlLost",
    "ControlPointClient",
    "ControlPointRequest",
    "ControlPointResponse",
    "ControlState",
    "FitnessMachineFeature",
    "HeartRateMeasurement",
    "InclinationRange",
    "MachineFeature",
    "MachineStatus",
    "MachineType",
    "OpCode",
    "ProcedureAbandoned",
    "ProcedureRejected",
    "ProcedureSucceeded",
    "Record",
    "ResultCode",
    "ServiceData",
    "SpeedRange",
    "StatusOpCode",
    "StopPause",
    "TargetSettingFeature",
    "TrainingStatus",
    "TrainingStatusCode",
    "TreadmillData",
    "TreadmillDataAssembler",
    "TreadmillDataFlags",
    "UnexpectedResponse",
    "decode",
    "decode_control_point",
    "decode_control_point_request",
    "decode_control_point_response",
    "decode_feature",
    "decode_heart_rate",
    "decode_inclination_range",
    "decode_machine_status",
    "decode_service_data",
    "decode_speed_range",
    "decode_training_status",
    "decode_treadmill_data",
    "encode",
    "encode_control_point",
    "encode_feature",
    "encode_heart_rate",
    "encode_inclination_range",
    "encode_machine_status",
    "encode_service_data",
    "encode_speed_range",
    "encode_training_status",
    "encode_treadmill_data",
    "request_control",
    "reset",
    "resolve_characteristic",
    "response",
    "set_target_inclination",
    "set_target_speed",
    "set_targeted_distance",
    "set_targeted_training_time",
    "split_treadmill_data",
    "start_or_resume",
    "stop_or_pause",
    "uuid16_of",
    "uuid128",
]
