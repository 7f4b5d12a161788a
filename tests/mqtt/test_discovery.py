"""Home Assistant discovery: one device config per treadmill, and the old configs handed over.

The required fields are those of Home Assistant's device-based discovery payload
(https://www.home-assistant.io/integrations/mqtt/#device-discovery-payload): ``device`` and
``origin`` (with ``name``) at the top, and in ``components`` each entity's ``platform`` and
``unique_id``; an ``enum`` sensor lists its ``options``.
"""

from __future__ import annotations

import asyncio
import json
import typing
from typing import TYPE_CHECKING, Any

from retrorun import __version__
from retrorun.clock import ManualClock
from retrorun.mqtt.bridge import MqttBridge
from retrorun.mqtt.discovery import (
    BUTTONS,
    CLEAR,
    MIGRATE,
    SENSORS,
    device_config,
    discovery_sequence,
    legacy_topics,
)
from retrorun.mqtt.payloads import Request, parse_command
from retrorun.mqtt.topics import Topics
from retrorun.profiles.timeline import Direction
from retrorun.session.api import Phase, SessionState
from tests.mqtt.conftest import IO_TIMEOUT_S, observe
from tests.mqtt.fake_session import FakeSession

if TYPE_CHECKING:
    from tests.mqtt.conftest import Mosquitto

TOPICS = Topics("gym-3")
DEVICE_TOPIC = "homeassistant/device/retrorun_gym_3/config"
# What earlier versions published, spelled out as they published it.
OLD_TOPICS = [
    *(
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
    ),
    *(f"homeassistant/button/retrorun_gym_3/{key}/config" for key in BUTTONS),
]


def _config(**options: Any) -> dict[str, Any]:  # noqa: ANN401 - passes keywords through
    return device_config(TOPICS, **options)


def test_one_device_config_holds_the_documented_required_fields() -> None:
    config = _config(device_name="FS-T1")
    assert config["device"]["identifiers"] == ["retrorun_gym-3"]
    assert config["device"]["name"] == "FS-T1"
    assert config["origin"] == {"name": "retrorun", "sw_version": __version__}
    assert (
        config["availability_topic"],
        config["payload_available"],
        config["payload_not_available"],
    ) == ("retrorun/gym-3/status", "online", "offline")
    components = config["components"]
    assert set(components) == {sensor.key for sensor in SENSORS} | set(BUTTONS)
    for component in components.values():
        assert component["platform"] in {"sensor", "button"}
        assert component["unique_id"].startswith("retrorun_gym_3_")
        # Shared options live at the top, once; the device and origin cannot be overridden.
        assert not {"device", "origin", "availability_topic"} & set(component)
    unique_ids = [component["unique_id"] for component in components.values()]
    assert len(set(unique_ids)) == len(unique_ids)


def test_entities_keep_the_unique_ids_of_earlier_versions() -> None:
    # The hand-over to device-based discovery finds each entity by its unique id.
    unique_ids = {component["unique_id"] for component in _config()["components"].values()}
    old_keys = {topic.split("/")[3] for topic in OLD_TOPICS}
    assert {f"retrorun_gym_3_{key}" for key in old_keys} <= unique_ids


def test_entity_ids_are_proposed_with_default_entity_id_not_object_id() -> None:
    for key, component in _config()["components"].items():
        assert "object_id" not in component
        assert component["default_entity_id"] == f"{component['platform']}.retrorun_gym_3_{key}"


def test_sensors_read_the_retained_state() -> None:
    components = _config()["components"]
    speed = components["speed"]
    assert speed["state_topic"] == "retrorun/gym-3/state"
    assert speed["value_template"] == "{{ value_json.measured_speed_kmh }}"
    assert speed["unit_of_measurement"] == "km/h"
    assert speed["device_class"] == "speed"
    for sensor in SENSORS:
        assert components[sensor.key]["state_topic"] == "retrorun/gym-3/state"


def test_direction_phase_and_session_state_are_enum_sensors_with_every_value() -> None:
    components = _config()["components"]
    expected = {
        "direction": list(typing.get_args(Direction)),
        "phase": [phase.value for phase in Phase],
        "session_state": [state.value for state in SessionState],
    }
    for key, options in expected.items():
        component = components[key]
        assert component["device_class"] == "enum"
        assert component["options"] == options
        # Home Assistant refuses an enum sensor with a unit or a state class.
        assert "unit_of_measurement" not in component
        assert "state_class" not in component


def test_buttons_press_commands_the_bridge_accepts() -> None:
    components = _config()["components"]
    for command in BUTTONS:
        button = components[command]
        assert button["command_topic"] == "retrorun/gym-3/command"
        parsed = parse_command(button["payload_press"].encode())
        assert isinstance(parsed, Request)
        assert parsed.command.kind.value == command


def test_no_buttons_when_remote_commands_are_off() -> None:
    components = _config(buttons=False)["components"]
    assert {component["platform"] for component in components.values()} == {"sensor"}
    assert len(components) == len(SENSORS)


def test_sensor_templates_name_real_state_fields() -> None:
    state = FakeSession(ManualClock()).snapshot().to_json()
    for sensor in SENSORS:
        path = sensor.template.split("value_json.")[1].split()[0]
        value: Any = state
        for name in path.split("."):  # `totals.energy_kcal` reads inside `totals`
            assert isinstance(value, dict), sensor
            assert name in value, sensor
            value = value[name]


def test_the_old_configs_are_handed_over_around_the_device_config() -> None:
    assert legacy_topics(TOPICS) == OLD_TOPICS
    sequence = discovery_sequence(TOPICS, buttons=False)
    old = len(OLD_TOPICS)
    # Buttons are cleared even with remote commands off: an earlier run may have had them.
    assert [(m.topic, m.payload, m.retain) for m in sequence[:old]] == [
        (topic, MIGRATE, False) for topic in OLD_TOPICS
    ]
    assert json.loads(MIGRATE) == {"migrate_discovery": True}
    config = sequence[old]
    assert (config.topic, config.retain) == (DEVICE_TOPIC, True)
    assert json.loads(config.payload) == _config(buttons=False)
    assert [(m.topic, m.payload, m.retain) for m in sequence[old + 1 :]] == [
        (topic, CLEAR, True) for topic in OLD_TOPICS
    ]


def test_without_the_hand_over_only_the_device_config_goes_out() -> None:
    (config,) = discovery_sequence(TOPICS, discovery_prefix="ha", migrate=False)
    assert config.topic == "ha/device/retrorun_gym_3/config"
    assert all(topic.startswith("ha/") for topic in legacy_topics(TOPICS, "ha"))


async def test_the_bridge_retains_the_device_config_and_empties_the_old_topics(
    mosquitto: Mosquitto,
) -> None:
    async with observe(mosquitto, "homeassistant/#") as earlier:
        for topic in OLD_TOPICS:  # what an earlier version left on the broker
            await earlier.client.publish(topic, b'{"name": "old"}', qos=1, retain=True)
        await earlier.wait_for(lambda: all(earlier.on(topic) for topic in OLD_TOPICS))

    clock = ManualClock()
    settings = mosquitto.settings(treadmill_id="gym-3")
    async with observe(mosquitto, "homeassistant/#") as seen:
        await seen.wait_for(lambda: len(seen.messages) == len(OLD_TOPICS))  # the retained
        async with MqttBridge(FakeSession(clock), settings, clock=clock) as bridge:
            await asyncio.wait_for(bridge.wait_connected(), IO_TIMEOUT_S)
            await seen.wait_for(lambda: all(seen.on(topic)[-1] == b"" for topic in OLD_TOPICS))
        live = [(topic, payload) for topic, payload, retained in seen.messages if not retained]
    order = [topic for topic, _ in live]
    config_at = order.index(DEVICE_TOPIC)
    for topic in OLD_TOPICS:
        assert [payload for name, payload in live if name == topic] == [MIGRATE, CLEAR]
        assert order.index(topic) < config_at < len(order) - 1 - order[::-1].index(topic)

    async with observe(mosquitto, "homeassistant/#") as later:
        # The broker sends the retained messages of a subscription before anything its
        # subscriber publishes afterwards: once this one is back, every retained one is in.
        await later.publish("homeassistant/end-of-retained", b"")
        await later.wait_for(lambda: bool(later.on("homeassistant/end-of-retained")))
    retained = [topic for topic, _, was_retained in later.messages if was_retained]
    assert retained == [DEVICE_TOPIC]
    config = json.loads(later.on(DEVICE_TOPIC)[0])
    assert config["components"]["speed"]["unique_id"] == "retrorun_gym_3_speed"
