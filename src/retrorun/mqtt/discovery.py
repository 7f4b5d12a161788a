"""Home Assistant MQTT discovery: the treadmill appears as one device with sensors and buttons.

Device-based discovery: ONE retained JSON config per treadmill on
``<discovery_prefix>/device/<node_id>/config``. Its top level holds what every entity shares:
the ``device`` block (groups the entities on one device page), the ``origin`` block (which
program published the config; Home Assistant requires it here) and the availability options
(our ``status`` topic with ``online``/``offline``, so the entities go unavailable when the
bridge's last will fires). ``components`` maps an id to each entity's own config, which names
its ``platform`` (``sensor`` or ``button``) and ``unique_id``. Sensors read the retained
``state`` JSON with a ``value_template`` (a ``null`` renders as ``None``, which Home
Assistant's MQTT sensor takes as "unknown"); the direction, phase and session state are
``enum`` sensors that list their ``options``; buttons publish ``payload_press`` (a command
object) to our ``command`` topic. ``default_entity_id`` replaces the deprecated ``object_id``.
Reference: https://www.home-assistant.io/integrations/mqtt/#device-discovery-payload and the
``sensor.mqtt`` / ``button.mqtt`` platform pages.

Earlier versions published one config per entity on
``<discovery_prefix>/<component>/<node_id>/<key>/config``. `discovery_sequence` hands those
entities over in the order Home Assistant documents for a migration to device-based discovery
(each step must reach the broker after the one before it):

1. ``{"migrate_discovery": true}`` (not retained) on every old topic: Home Assistant lets go
   of the old config but keeps the entity, its id and history;
2. the device config (retained): the same ``unique_id``\\ s pick up those entities;
3. an empty retained payload on every old topic: the broker forgets the old config, and
   Home Assistant, the migration done, removes nothing.
"""

from __future__ import annotations

import json
import typing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from retrorun import __version__
from retrorun.mqtt.payloads import encode
from retrorun.mqtt.topics import OFFLINE, ONLINE
from retrorun.profiles.timeline import Direction
from retrorun.session.api import Phase, SessionState

if TYPE_CHECKING:
    from retrorun.mqtt.topics import Topics

ORIGIN_NAME = "retrorun"


@dataclass(frozen=True)
class Sensor:
    """One value of the ``state`` snapshot, as a Home Assistant sensor."""

    key: str
    name: str
    template: str
    unit: str | None = None
    device_class: str | None = None
    state_class: str | None = None
    icon: str | None = None
    options: tuple[str, ...] | None = None
    """The values of an ``enum`` sensor (its device class is then ``enum``)."""


SENSORS = (
    Sensor("speed", "Speed", "{{ value_json.measured_speed_kmh }}", "km/h", "speed", "measurement"),
    Sensor(
        "incline",
        "Incline",
        "{{ value_json.measured_incline_pct }}",
        "%",
        None,
        "measurement",
        "mdi:slope-uphill",
    ),
    Sensor(
        "distance",
        "Distance",
        "{{ value_json.distance_m | round(0) }}",
        "m",
        "distance",
        "total_increasing",
    ),
    Sensor(
        "energy",
        "Energy",
        "{{ value_json.totals.energy_kcal | round(0) }}",
        "kcal",
        None,
        "total_increasing",
        "mdi:fire",
    ),
    Sensor(
        "heart_rate",
        "Heart rate",
        "{{ value_json.heart_rate_bpm }}",
        "bpm",
        None,
        "measurement",
        "mdi:heart-pulse",
    ),
    Sensor(
        "remaining",
        "Remaining",
        "{{ value_json.remaining_s | round(0) }}",
        "s",
        "duration",
        "measurement",
    ),
    Sensor(
        "direction",
        "Direction",
        "{{ value_json.direction }}",
        icon="mdi:swap-vertical",
        options=typing.get_args(Direction),
    ),
    Sensor(
        "phase",
        "Phase",
        "{{ value_json.phase }}",
        icon="mdi:sine-wave",
        options=tuple(phase.value for phase in Phase),
    ),
    Sensor("segment", "Segment", "{{ value_json.segment_label }}", icon="mdi:format-list-numbered"),
    Sensor(
        "session_state",
        "Session",
        "{{ value_json.state }}",
        icon="mdi:run",
        options=tuple(state.value for state in SessionState),
    ),
)
BUTTONS = ("pause", "resume", "skip", "stop")

# What earlier versions published, one config each: fixed here, not derived from SENSORS
# and BUTTONS, because the clean-up is about what was published then. Buttons are cleared
# even when remote commands are off now: an earlier run may have had them on.
LEGACY_SENSOR_KEYS = (
    "speed",
    "incline",
    "distance",
    "heart_rate",
    "remaining",
    "direction",
    "segment",
    "session_state",
)
LEGACY_BUTTONS = BUTTONS

MIGRATE = encode({"migrate_discovery": True})
CLEAR = b""


@dataclass(frozen=True)
class Publish:
    """One discovery message, to be sent in its place in the sequence."""

    topic: str
    payload: bytes
    retain: bool


def node_id(topics: Topics) -> str:
    """The treadmill's id in discovery topics, unique ids and entity ids."""
    return f"retrorun_{topics.treadmill_id}".replace("-", "_")


def device_topic(topics: Topics, discovery_prefix: str = "homeassistant") -> str:
    return f"{discovery_prefix}/device/{node_id(topics)}/config"


def legacy_topics(topics: Topics, discovery_prefix: str = "homeassistant") -> list[str]:
    """The per-entity config topics that earlier versions published."""
    node = node_id(topics)
    return [
        *(f"{discovery_prefix}/sensor/{node}/{key}/config" for key in LEGACY_SENSOR_KEYS),
        *(f"{discovery_prefix}/button/{node}/{command}/config" for command in LEGACY_BUTTONS),
    ]


def device_block(treadmill_id: str, name: str | None) -> dict[str, Any]:
    """The ``device`` map: the one device page all the treadmill's entities are on."""
    return {
        "identifiers": [f"retrorun_{treadmill_id}"],
        "name": name or f"retrorun {treadmill_id}",
        "manufacturer": "retrorun",
        "model": "FTMS treadmill",
        "sw_version": __version__,
    }


def device_config(
    topics: Topics, *, device_name: str | None = None, buttons: bool = True
) -> dict[str, Any]:
    """The device-based discovery config (see the module docstring for its layout).

    `buttons` is False when remote commands are off: a button that is always refused would
    only mislead.
    """
    node = node_id(topics)
    components: dict[str, dict[str, Any]] = {}
    for sensor in SENSORS:
        component: dict[str, Any] = {
            "platform": "sensor",
            "name": sensor.name,
            "unique_id": f"{node}_{sensor.key}",
            "default_entity_id": f"sensor.{node}_{sensor.key}",
            "state_topic": topics.state,
            "value_template": sensor.template,
        }
        optional = {
            "unit_of_measurement": sensor.unit,
            "device_class": "enum" if sensor.options else sensor.device_class,
            "options": list(sensor.options) if sensor.options else None,
            "state_class": sensor.state_class,
            "icon": sensor.icon,
        }
        component.update({key: value for key, value in optional.items() if value is not None})
        components[sensor.key] = component
    if buttons:
        for command in BUTTONS:
            components[command] = {
                "platform": "button",
                "name": command.capitalize(),
                "unique_id": f"{node}_{command}",
                "default_entity_id": f"button.{node}_{command}",
                "command_topic": topics.command,
                "payload_press": json.dumps({"command": command}),
            }
    return {
        "device": device_block(topics.treadmill_id, device_name),
        "origin": {"name": ORIGIN_NAME, "sw_version": __version__},
        "availability_topic": topics.status,
        "payload_available": ONLINE.decode(),
        "payload_not_available": OFFLINE.decode(),
        "components": components,
    }


def discovery_sequence(
    topics: Topics,
    *,
    device_name: str | None = None,
    discovery_prefix: str = "homeassistant",
    buttons: bool = True,
    migrate: bool = True,
) -> list[Publish]:
    """Every discovery message, in the order they must reach the broker.

    With `migrate`, the hand-over of the old per-entity configs (module docstring) comes
    around the device config; without, the device config alone.
    """
    config = Publish(
        device_topic(topics, discovery_prefix),
        encode(device_config(topics, device_name=device_name, buttons=buttons)),
        retain=True,
    )
    if not migrate:
        return [config]
    old = legacy_topics(topics, discovery_prefix)
    return [
        *(Publish(topic, MIGRATE, retain=False) for topic in old),
        config,
        *(Publish(topic, CLEAR, retain=True) for topic in old),
    ]
