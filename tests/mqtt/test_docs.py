"""docs/mqtt.md documents every topic, command, setting and Home Assistant entity there is."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from retrorun.clock import ManualClock
from retrorun.mqtt.discovery import BUTTONS, SENSORS
from retrorun.mqtt.payloads import (
    AMOUNT_RANGES,
    MAX_COMMAND_BYTES,
    Rejection,
    parse_command,
    state_payload,
    telemetry_payload,
)
from retrorun.mqtt.settings import ENV
from retrorun.mqtt.topics import Topics
from retrorun.session.api import CommandKind, CueKind, Phase, SessionState
from tests.mqtt.fake_session import FakeSession

DOC = (Path(__file__).resolve().parents[2] / "docs" / "mqtt.md").read_text(encoding="utf-8")


def test_every_topic_is_documented() -> None:
    topics = Topics("x")
    for name in ("status", "state", "telemetry", "cue", "log", "command", "command_result"):
        leaf = getattr(topics, name).removeprefix("retrorun/x/")
        assert f"`{leaf}`" in DOC, leaf


def test_every_setting_is_documented() -> None:
    for key, variable in ENV.items():
        assert f"`{key}`" in DOC, key
        assert f"`{variable}`" in DOC, variable


@pytest.mark.parametrize("kind", list(CommandKind))
def test_every_command_and_its_range_is_documented(kind: CommandKind) -> None:
    row = next(line for line in DOC.splitlines() if line.startswith(f"| `{kind.value}` |"))
    if kind in AMOUNT_RANGES:
        low, high, _ = AMOUNT_RANGES[kind]
        assert f"{low:g} to {high:g}" in row


def test_every_state_phase_and_cue_kind_is_documented() -> None:
    for value in [*SessionState, *Phase, *CueKind]:
        assert f"`{value.value}`" in DOC, value


def test_home_assistant_entities_are_documented() -> None:
    for sensor in SENSORS:
        assert f"`{sensor.name}`" in DOC, sensor.name
    for button in BUTTONS:
        assert f"`{button.capitalize()}`" in DOC, button
    assert f"over {MAX_COMMAND_BYTES}" in DOC


def test_the_example_answers_match_what_the_bridge_says() -> None:
    examples = [
        line
        for line in DOC.splitlines()
        if line.startswith(('{"command": null', '{"command": "sprint"'))
    ]
    assert len(examples) == 2
    for line in examples:
        answer = json.loads(line)
        rejection = parse_command(b"sprint" if answer["command"] else b"")
        assert isinstance(rejection, Rejection)
        assert rejection.reason == answer["reason"]


def test_the_json_examples_are_json() -> None:
    blocks = re.findall(r"```json\n(.*?)```", DOC, flags=re.DOTALL)
    assert len(blocks) >= 5
    for block in blocks:
        for document in re.split(r"\n(?=\{)", block.strip()):
            json.loads(document)


def _block(language: str, containing: str) -> str:
    """The one fenced `language` block of the doc that contains `containing`."""
    blocks = re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.DOTALL)
    (block,) = [block for block in blocks if containing in block]
    return str(block)


def test_the_telegraf_recipe_reads_the_real_topics_and_fields() -> None:
    config = tomllib.loads(_block("toml", "inputs.mqtt_consumer"))
    (consumer,) = config["inputs"]["mqtt_consumer"]
    any_treadmill = Topics("+")
    assert consumer["topics"] == [any_treadmill.telemetry, any_treadmill.state]
    assert consumer["data_format"] == "json"
    snapshot = FakeSession(ManualClock()).snapshot()
    telemetry = set(json.loads(telemetry_payload(snapshot)))
    state = set(json.loads(state_payload(snapshot)))
    for name in consumer["tag_keys"] + consumer["json_string_fields"]:
        assert name in telemetry | state, name
    # The topic's parts name the measurement and the treadmill tag.
    (parsing,) = consumer["topic_parsing"]
    assert parsing["topic"] == "retrorun/+/+"
    assert parsing["measurement"].split("/").index("measurement") == 2
    assert parsing["tags"].split("/").index("treadmill") == 1


def test_the_grafana_query_names_real_telemetry_fields() -> None:
    query = _block("flux", "from(bucket")
    telemetry = set(json.loads(telemetry_payload(FakeSession(ManualClock()).snapshot())))
    fields = re.findall(r'r\._field == "(\w+)"', query)
    assert fields
    assert set(fields) <= telemetry
    assert 'r._measurement == "telemetry"' in query
