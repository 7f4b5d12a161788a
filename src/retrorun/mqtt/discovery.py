"""Home Assistant MQTT discovery: the treadmill appears as a device with sensors and buttons.

Home Assistant reads retained JSON configs on
``<discovery_prefix>/<component>/<node_id>/<object_id>/config`` (component ``sensor`` or
``button``). Each config names the device it belongs to (the ``device`` block groups the
entities on one device page), a ``unique_id``, and ``availability_topic`` = our ``status``
topic with ``online``/``offline`` payloads, so the entities go unavailable when the bridge's
last will fires. Sensors read the retained ``state`` JSON with a ``value_template`` (a
``null`` renders as ``None``, which Home Assistant's MQTT sensor takes as "unknown"); buttons
publish ``payload_press`` (a command object) to our ``command`` topic.
Reference: https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery and the
``sensor.mqtt`` / ``button.mqtt`` platform pages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from retrorun import __version__
from retrorun.mqtt.payloads import encode
from retrorun.mqtt.topics import OFFLINE, ONLINE

if TYPE_CHECKING:
    from retrorun.mqtt.topics import Topics


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
    Sensor("direction", "Direction", "{{ value_json.direction }}", icon="mdi:swap-vertical"),
    Sensor("segment", "Segment", "{{ value_json.segment_label }}", icon="mdi:format-list-numbered"),
    Sensor("session_state", "Session", "{{ value_json.state }}", icon="mdi:run"),
)
BUTTONS = ("pause", "resume", "skip", "stop")


def device_block(treadmill_id: str, name: str | None) -> dict[str, Any]:
    """The ``device`` map shared by every entity of one treadmill."""
    return {
        "identifiers": [f"retrorun_{treadmill_id}"],
        "name": name or f"retrorun {treadmill_id}",
        "manufacturer": "retrorun",
        "model": "FTMS treadmill",
        "sw_version": __version__,
    }


def discovery_messages(
    topics: Topics,
    *,
    device_name: str | None = None,
    discovery_prefix: str = "homeassistant",
    buttons: bool = True,
) -> list[tuple[str, bytes]]:
    """``(topic, payload)`` of every discovery config (publish retained).

    `buttons` is False when remote commands are off: a button that is always refused would
    only mislead.
    """
    node = f"retrorun_{topics.treadmill_id}".replace("-", "_")
    device = device_block(topics.treadmill_id, device_name)
    common: dict[str, Any] = {
        "availability_topic": topics.status,
        "payload_available": ONLINE.decode(),
        "payload_not_available": OFFLINE.decode(),
        "device": device,
    }
    messages: list[tuple[str, bytes]] = []
    for sensor in SENSORS:
        config: dict[str, Any] = {
            "name": sensor.name,
            "unique_id": f"{node}_{sensor.key}",
            "state_topic": topics.state,
            "value_template": sensor.template,
            **common,
        }
        optional = {
            "unit_of_measurement": sensor.unit,
            "device_class": sensor.device_class,
            "state_class": sensor.state_class,
            "icon": sensor.icon,
        }
        config.update({key: value for key, value in optional.items() if value is not None})
        messages.append((f"{discovery_prefix}/sensor/{node}/{sensor.key}/config", encode(config)))
    if buttons:
        for command in BUTTONS:
            config = {
                "name": command.capitalize(),
                "unique_id": f"{node}_{command}",
                "command_topic": topics.command,
                "payload_press": json.dumps({"command": command}),
                **common,
            }
            messages.append((f"{discovery_prefix}/button/{node}/{command}/config", encode(config)))
    return messages
