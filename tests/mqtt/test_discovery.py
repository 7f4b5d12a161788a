"""Home Assistant discovery configs: the treadmill's sensors and buttons, on one device."""

from __future__ import annotations

import json

from retrorun.clock import ManualClock
from retrorun.mqtt.discovery import BUTTONS, SENSORS, discovery_messages
from retrorun.mqtt.payloads import Request, parse_command
from retrorun.mqtt.topics import Topics
from tests.mqtt.fake_session import FakeSession

TOPICS = Topics("gym-3")


def test_sensors_read_the_retained_state_and_go_unavailable_with_the_will() -> None:
    configs = {topic: json.loads(payload) for topic, payload in discovery_messages(TOPICS)}
    sensors = {t: c for t, c in configs.items() if t.startswith("homeassistant/sensor/")}
    assert set(sensors) == {
        f"homeassistant/sensor/retrorun_gym_3/{key}/config"
        for key in (
            "speed",
            "incline",
            "distance",
            "heart_rate",
            "remaining",
            "direction",
            "segment",
            "session_state",
        )
    }
    speed = sensors["homeassistant/sensor/retrorun_gym_3/speed/config"]
    assert speed["state_topic"] == "retrorun/gym-3/state"
    assert speed["value_template"] == "{{ value_json.measured_speed_kmh }}"
    assert speed["unit_of_measurement"] == "km/h"
    assert speed["device_class"] == "speed"
    for config in configs.values():
        assert config["availability_topic"] == "retrorun/gym-3/status"
        assert (config["payload_available"], config["payload_not_available"]) == (
            "online",
            "offline",
        )
        assert config["device"]["identifiers"] == ["retrorun_gym-3"]
    unique_ids = [config["unique_id"] for config in configs.values()]
    assert len(set(unique_ids)) == len(unique_ids) == len(SENSORS) + len(BUTTONS)


def test_buttons_press_commands_the_bridge_accepts() -> None:
    configs = dict(discovery_messages(TOPICS, device_name="FS-T1"))
    for command in BUTTONS:
        config = json.loads(configs[f"homeassistant/button/retrorun_gym_3/{command}/config"])
        assert config["command_topic"] == "retrorun/gym-3/command"
        assert config["device"]["name"] == "FS-T1"
        parsed = parse_command(config["payload_press"].encode())
        assert isinstance(parsed, Request)
        assert parsed.command.kind.value == command


def test_no_buttons_when_remote_commands_are_off() -> None:
    topics = [topic for topic, _ in discovery_messages(TOPICS, buttons=False)]
    assert not any("/button/" in topic for topic in topics)
    assert len(topics) == len(SENSORS)


def test_sensor_templates_name_real_state_fields() -> None:
    fields = set(FakeSession(ManualClock()).snapshot().to_json())
    for sensor in SENSORS:
        name = sensor.template.split("value_json.")[1].split()[0]
        assert name in fields, sensor
