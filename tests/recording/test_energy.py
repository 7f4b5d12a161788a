"""Calories in FIT and TCX, the optional device identity, and the simulator's mark."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

import pytest

from retrorun.recording.activity import build_activity
from retrorun.recording.fit_activity import MANUFACTURER_GARMIN, DeviceIdentity, export_fit
from retrorun.recording.log_reader import parse_log
from retrorun.recording.tcx import TCX_NS, export_tcx
from retrorun.session.energy import BACKWARD_FACTOR, kcal_per_s, vo2_ml_per_kg_min
from tests.recording.fixtures import EVENTS, HEADER, SUMMARY, jsonl
from tests.recording.garmin import decode
from tests.recording.logs import bundled_plan, play

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult


def test_acsm_equations_by_hand() -> None:
    # 9 km/h = 150 m/min running: 0.2 x 150 + 3.5 = 33.5 ml/kg/min.
    assert vo2_ml_per_kg_min(9.0, 0.0) == pytest.approx(33.5)
    # 4.8 km/h = 80 m/min walking at 5 %: 0.1 x 80 + 1.8 x 80 x 0.05 + 3.5 = 18.7.
    assert vo2_ml_per_kg_min(4.8, 5.0) == pytest.approx(18.7)
    # 33.5 ml/kg/min x 70 kg = 2.345 l/min x 5 kcal/l = 11.725 kcal/min.
    assert kcal_per_s(9.0, 0.0, backward=False) * 60 == pytest.approx(11.725)
    backward = kcal_per_s(4.8, 0.0, backward=True)
    assert backward == pytest.approx(kcal_per_s(4.8, 0.0, backward=False) * BACKWARD_FACTOR)
    assert kcal_per_s(0.0, 3.0, backward=True) == 0.0


def test_garmins_sdk_reads_calories_in_the_session_and_every_lap() -> None:
    played = play(bundled_plan("one-minute-alternation"))
    log = parse_log(played.text.encode(), "run.jsonl")
    fit = decode(export_fit(log))
    session = fit["session_mesgs"][0]
    laps = fit["lap_mesgs"]
    # About 29 minutes of walking and jogging for the estimate's 70 kg runner.
    assert 150 < session["total_calories"] < 450
    assert all(lap["total_calories"] >= 0 for lap in laps)
    assert abs(sum(lap["total_calories"] for lap in laps) - session["total_calories"]) <= len(laps)
    activity = build_activity(log)
    assert activity.energy_source == "estimate"
    backward = [lap for lap in activity.laps if lap.group == "backward"]
    forward = [lap for lap in activity.laps if lap.group == "forward"]
    per_minute = [
        sum(x.energy_kcal for x in laps) / sum(x.timer_s for x in laps)
        for laps in (backward, forward)
    ]
    assert per_minute[0] > 0
    assert per_minute[1] > 0
    tcx = ET.fromstring(export_tcx(log))  # noqa: S314 - our own output
    calories = [int(c.text or "0") for c in tcx.iter(f"{{{TCX_NS}}}Calories")]
    assert sum(calories) == pytest.approx(session["total_calories"], abs=len(laps))
    assert max(calories) > 0


def test_the_treadmills_energy_count_wins_over_the_estimate() -> None:
    events = [
        {**event, "total_energy_kcal": 100 + index}  # carried over from before: a baseline
        if event["type"] == "telemetry"
        else event
        for index, event in enumerate(EVENTS)
    ]
    log = parse_log(jsonl(HEADER, *events, SUMMARY).encode(), "t.jsonl")
    activity = build_activity(log)
    assert activity.energy_source == "treadmill"
    fit = decode(export_fit(log))
    assert fit["session_mesgs"][0]["total_calories"] == activity.calories_kcal > 0
    assert [lap.calories_kcal for lap in activity.laps] == [
        lap["total_calories"] for lap in fit["lap_mesgs"]
    ]


def test_the_device_identity_is_retrorun_unless_one_is_named() -> None:
    log = parse_log(jsonl(HEADER, *EVENTS, SUMMARY).encode(), "t.jsonl")
    honest = decode(export_fit(log))
    assert honest["file_id_mesgs"][0]["manufacturer"] == "development"
    assert honest["device_info_mesgs"][0]["product_name"] == "retrorun"
    garmin = decode(
        export_fit(
            log, identity=DeviceIdentity(MANUFACTURER_GARMIN, 3113, 3_999_999_999, "Forerunner")
        )
    )
    file_id = garmin["file_id_mesgs"][0]
    assert file_id["manufacturer"] == "garmin"
    assert file_id["serial_number"] == 3_999_999_999
    creator = garmin["device_info_mesgs"][0]
    assert creator["manufacturer"] == "garmin"
    assert creator["serial_number"] == 3_999_999_999


def test_a_simulated_session_is_marked_in_the_fit() -> None:
    simulated = decode(export_fit(parse_log(jsonl(HEADER, *EVENTS, SUMMARY).encode(), "s")))
    treadmill = simulated["device_info_mesgs"][1]
    assert treadmill["descriptor"] == "simulated treadmill"
    assert treadmill["product_name"] == "RetroRun Treadmill"
    real_header = json.loads(json.dumps(HEADER))
    real_header["device"]["simulated"] = False
    real = decode(export_fit(parse_log(jsonl(real_header, *EVENTS, SUMMARY).encode(), "r")))
    assert "descriptor" not in real["device_info_mesgs"][1]


def test_a_simulated_session_counts_the_treadmills_energy_on_screen_in_the_log_and_exports(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    # The simulator counts energy as a treadmill does (FTMS Expended Energy): the session
    # reports that count live, in the log's summary, in `retrorun summary`, FIT and TCX.
    log = tmp_path / "run.jsonl"
    result = cli(
        "run", "six-week-1", "--sim", "--fast", "--log", str(log), "--export", "fit",
        "--export", "tcx",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    counts = [line["total_energy_kcal"] for line in lines if line["type"] == "telemetry"]
    summary = lines[-1]
    assert summary["energy_source"] == "treadmill"
    assert summary["energy_kcal"] == counts[-1] - counts[0] > 50
    kcal = round(summary["energy_kcal"])
    assert f"12 turns, {kcal} kcal (log:" in result.stdout
    progress = [line for line in result.stdout.splitlines() if " | " in line]
    assert f"| 1.67 km | {kcal} kcal |" in progress[-1]
    fit = decode((tmp_path / "run.fit").read_bytes())
    assert fit["session_mesgs"][0]["total_calories"] == pytest.approx(kcal, abs=1)
    tcx = ET.fromstring((tmp_path / "run.tcx").read_text())  # noqa: S314 - our own output
    calories = [int(c.text or "0") for c in tcx.iter(f"{{{TCX_NS}}}Calories")]
    assert sum(calories) == pytest.approx(kcal, abs=len(calories))
    shown = cli("summary", str(log))
    assert shown.stdout.splitlines()[1].endswith(f"12 turns, {kcal} kcal")
