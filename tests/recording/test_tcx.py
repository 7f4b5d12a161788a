"""TCX export, checked against the TrainingCenterDatabase v2 structure with xml.etree."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from retrorun.recording.log_reader import parse_log
from retrorun.recording.tcx import EXT_NS, TCX_NS, export_tcx
from tests.recording.fixtures import TINY
from tests.recording.logs import bundled_plan, cut, play

NS = {"t": TCX_NS, "x": EXT_NS}
# Child order of the schema's sequences (TrainingCenterDatabasev2.xsd), optional ones included.
LAP_ORDER = [
    "TotalTimeSeconds",
    "DistanceMeters",
    "MaximumSpeed",
    "Calories",
    "AverageHeartRateBpm",
    "MaximumHeartRateBpm",
    "Intensity",
    "Cadence",
    "TriggerMethod",
    "Track",
    "Notes",
    "Extensions",
]
POINT_ORDER = [
    "Time",
    "Position",
    "AltitudeMeters",
    "DistanceMeters",
    "HeartRateBpm",
    "Cadence",
    "SensorState",
    "Extensions",
]
REQUIRED_LAP = {"TotalTimeSeconds", "DistanceMeters", "Calories", "Intensity", "TriggerMethod"}


def _root(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))  # noqa: S314 - our own output


def _local(element: ET.Element) -> str:
    namespace, _, name = element.tag[1:].partition("}")
    assert namespace == TCX_NS
    return name


def _in_order(children: list[str], order: list[str]) -> bool:
    positions = [order.index(name) for name in children]
    return positions == sorted(positions)


def _check_structure(root: ET.Element) -> list[ET.Element]:
    assert root.tag == f"{{{TCX_NS}}}TrainingCenterDatabase"
    (activity,) = root.findall("t:Activities/t:Activity", NS)
    assert activity.get("Sport") == "Running"
    names = [_local(child) for child in activity]
    assert names[0] == "Id"
    assert set(names[1:-1]) == {"Lap"}
    laps = activity.findall("t:Lap", NS)
    for lap in laps:
        assert lap.get("StartTime", "").endswith("Z")
        children = [_local(child) for child in lap]
        assert set(children) >= REQUIRED_LAP
        assert _in_order(children, LAP_ORDER)
        assert lap.findtext("t:Intensity", namespaces=NS) in ("Active", "Resting")
        for point in lap.iterfind("t:Track/t:Trackpoint", NS):
            assert _in_order([_local(child) for child in point], POINT_ORDER)
            assert point.find("t:Position", NS) is None
    return laps


def test_the_tiny_session_has_three_laps_with_directions_and_hand_computed_numbers() -> None:
    laps = _check_structure(_root(export_tcx(parse_log(TINY.encode(), "tiny.jsonl"))))
    assert [lap.findtext("t:Notes", namespaces=NS) for lap in laps] == [
        "FORWARD: forward run",
        "TURN: turn to backward",
        "BACKWARD: backward jog",
    ]
    assert [float(lap.findtext("t:DistanceMeters", "", NS)) for lap in laps] == [10, 2, 6]
    assert [float(lap.findtext("t:TotalTimeSeconds", "", NS)) for lap in laps] == [4, 2, 3]
    assert laps[0].findtext("t:AverageHeartRateBpm/t:Value", namespaces=NS) == "135"
    assert laps[1].find("t:AverageHeartRateBpm", NS) is None
    assert laps[2].findtext("t:Extensions/x:LX/x:AvgSpeed", namespaces=NS) == "2.000"
    first = laps[0].find("t:Track/t:Trackpoint", NS)
    assert first is not None
    assert first.findtext("t:Time", namespaces=NS) == "2026-11-21T06:00:03.000Z"
    assert first.findtext("t:Extensions/x:TPX/x:Speed", namespaces=NS) == "2.500"


def test_a_pause_ends_a_track_and_paused_readings_are_left_out() -> None:
    laps = _check_structure(_root(export_tcx(parse_log(TINY.encode(), "tiny.jsonl"))))
    tracks = laps[2].findall("t:Track", NS)
    times = [[p.findtext("t:Time", namespaces=NS) for p in track] for track in tracks]
    assert times == [
        ["2026-11-21T06:00:09.000Z"],
        ["2026-11-21T06:00:13.000Z", "2026-11-21T06:00:14.000Z"],
    ]


@pytest.mark.parametrize("interrupted", [False, True])
def test_a_simulated_session_exports_laps_per_segment(interrupted: bool) -> None:
    played = play(bundled_plan("six-week-3"), pauses=((200.0, 15.0),))
    text = cut(played.text, 700.0) if interrupted else played.text
    log = parse_log(text.encode(), "s.jsonl")
    laps = _check_structure(_root(export_tcx(log)))
    assert len(laps) == len(log.of_type("segment"))
    total = sum(float(lap.findtext("t:DistanceMeters", "", NS)) for lap in laps)
    last = log.of_type("telemetry")[-1].get("distance_m")
    assert total == pytest.approx(last, abs=0.05)
    distances = [
        float(p.findtext("t:DistanceMeters", "", NS))
        for p in _root(export_tcx(log)).iterfind(".//t:Trackpoint", NS)
    ]
    assert distances == sorted(distances)
