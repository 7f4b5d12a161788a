"""The start screen: profiles with their previews, treadmills from a scan, the simulator,
the remembered choice, and the move to the session screen."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from textual.widgets import Label, OptionList, Static

from retrorun.clock import ManualClock
from retrorun.device import scan_treadmills
from retrorun.errors import InputError
from retrorun.session.api import SessionState
from retrorun.tui import SIMULATOR, Choice, FoundDevice, Launched, RetrorunApp
from retrorun.tui.memory import load_choice, save_choice
from retrorun.tui.screens import HelpScreen, SafetyKeyScreen, SessionScreen, StartScreen
from tests.tui.rig import SHORT_PROFILE, SIM_BACKENDS, SimSession

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

SIZE = (80, 24)


class Launcher:
    """Starts what the start screen chose as a real simulated session (and stops it)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.clock = ManualClock()
        self.choices: list[Choice] = []
        self.sessions: list[SimSession] = []

    async def __call__(self, choice: Choice) -> Launched:
        self.choices.append(choice)
        session = await SimSession.start(
            Path(choice.profile), self.folder / "session.jsonl", clock=self.clock
        )
        self.sessions.append(session)
        return session.launched()


@pytest.fixture
def user_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "short-alternation.yaml").write_text(SHORT_PROFILE, encoding="utf-8")
    return folder


@pytest.fixture
async def launcher(tmp_path: Path) -> AsyncIterator[Launcher]:
    launcher = Launcher(tmp_path)
    yield launcher
    for session in launcher.sessions:
        await session.close()


async def test_choosing_a_profile_and_the_simulator_starts_the_session(
    launcher: Launcher, user_folder: Path, tmp_path: Path
) -> None:
    memory = tmp_path / "memory.json"
    app = RetrorunApp(starter=launcher, memory_path=memory, user_folder=user_folder)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, StartScreen)
        profiles = screen.query_one("#start-profiles", OptionList)
        assert str(profiles.get_option_at_index(0).prompt) == "short-alternation (mine)"
        shown = str(screen.query_one("#start-profile", Static).render())
        assert "Short alternation" in shown
        assert "backward" in shown
        assert "Forty seconds forward" in shown
        await pilot.press("s")
        await pilot.pause()
        assert launcher.choices == [Choice(str(user_folder / "short-alternation.yaml"))]
        assert isinstance(app.screen, SessionScreen)
        session = launcher.sessions[0]
        await session.advance_until(lambda s: s.state == SessionState.RUNNING)
        assert load_choice(memory) == launcher.choices[0]


async def test_the_last_choice_is_offered_again(
    launcher: Launcher, user_folder: Path, tmp_path: Path
) -> None:
    memory = tmp_path / "memory.json"
    save_choice(memory, Choice("one-minute-alternation", SIMULATOR))
    app = RetrorunApp(starter=launcher, memory_path=memory, user_folder=user_folder)
    async with app.run_test(size=SIZE) as pilot:
        profiles = app.screen.query_one("#start-profiles", OptionList)
        assert profiles.highlighted is not None
        assert str(profiles.get_option_at_index(profiles.highlighted).prompt) == (
            "one-minute-alternation"
        )
        await pilot.press("enter")  # takes the profile, moves to the treadmill list
        await pilot.press("enter")  # starts on the highlighted treadmill
        await pilot.pause()
        assert launcher.choices[-1].profile.endswith("/one-minute-alternation.yaml")
        assert launcher.choices[-1].device == SIMULATOR


async def test_a_scan_lists_treadmills_in_range_beside_the_simulator(
    launcher: Launcher, user_folder: Path, tmp_path: Path
) -> None:
    from retrorun_sim import SimulatedTreadmill  # noqa: PLC0415

    nearby = SimulatedTreadmill(clock=ManualClock(), name="Garage Treadmill")
    await nearby.start()

    async def scanner() -> list[FoundDevice]:
        found = await scan_treadmills(duration_s=0.05, backends=SIM_BACKENDS)
        return [FoundDevice(f"{t.name} ({t.address})", t.address) for t in found]

    try:
        app = RetrorunApp(
            starter=launcher,
            scanner=scanner,
            memory_path=tmp_path / "memory.json",
            user_folder=user_folder,
        )
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            devices = app.screen.query_one("#start-devices", OptionList)
            labels = [
                str(devices.get_option_at_index(i).prompt) for i in range(devices.option_count)
            ]
            assert labels == ["Simulator", f"Garage Treadmill ({nearby.address})"]
            devices.highlighted = 1
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, SafetyKeyScreen)  # a real treadmill: key first
            assert launcher.choices == []
            await pilot.press("enter")
            await pilot.pause()
            assert launcher.choices[-1].device == nearby.address
    finally:
        await nearby.stop()


@pytest.mark.parametrize("key", ["q", "escape", "ctrl+c"])
async def test_leaving_at_the_safety_key_starts_nothing(
    launcher: Launcher, user_folder: Path, tmp_path: Path, key: str
) -> None:
    async def scanner() -> list[FoundDevice]:
        return [FoundDevice("Garage Treadmill (AA:BB:CC:DD:EE:FF)", "AA:BB:CC:DD:EE:FF")]

    said: list[str] = []

    async def speaker(text: str) -> None:
        said.append(text)

    app = RetrorunApp(
        starter=launcher,
        scanner=scanner,
        speaker=speaker,
        memory_path=tmp_path / "memory.json",
        user_folder=user_folder,
    )
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.query_one("#start-devices", OptionList).highlighted = 1
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SafetyKeyScreen)
        shown = str(app.screen.query_one("#safety-key-prompt", Label).render())
        assert shown == "Clip the safety key to your clothing, then press Enter"
        await app.workers.wait_for_complete()
        assert said == [shown]  # spoken too
        await pilot.press(key)
        await pilot.pause()
    assert app.safety_key_refused
    assert launcher.choices == []


async def test_a_launch_that_fails_says_why_and_returns_to_the_start(
    user_folder: Path, tmp_path: Path
) -> None:
    async def failing(choice: Choice) -> Launched:
        raise InputError("no treadmill named X found in 10 s", location=choice.device)

    app = RetrorunApp(starter=failing, memory_path=tmp_path / "m.json", user_folder=user_folder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert app.launch_error is not None
        assert "no treadmill named X" in app.launch_error


async def test_q_on_the_start_screen_leaves(user_folder: Path, tmp_path: Path) -> None:
    app = RetrorunApp(memory_path=tmp_path / "m.json", user_folder=user_folder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
    assert app.return_code == 0


async def test_question_mark_lists_the_start_screens_keys(
    launcher: Launcher, user_folder: Path, tmp_path: Path
) -> None:
    app = RetrorunApp(starter=launcher, memory_path=tmp_path / "m.json", user_folder=user_folder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = str(app.screen.query_one("#help-keys", Static).render())
        assert "scan for treadmills again" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)


async def test_a_long_profile_name_stays_on_one_line(
    launcher: Launcher, user_folder: Path, tmp_path: Path
) -> None:
    # At 80 columns "four-hundred-forward-backward" does not fit the list: it ends in an
    # ellipsis on its own line instead of wrapping into the next profile's.
    app = RetrorunApp(starter=launcher, memory_path=tmp_path / "m.json", user_folder=user_folder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        profiles = app.screen.query_one("#start-profiles", OptionList)
        assert any(
            len(str(option.prompt)) > profiles.content_size.width
            for option in (profiles.get_option_at_index(i) for i in range(profiles.option_count))
        )
        assert profiles.virtual_size.height == profiles.option_count  # one line each


async def test_the_plans_next_step_is_shown_and_preselected(
    launcher: Launcher, user_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three finished sessions of week 1 in the runner's history: week 2 is next, whatever
    # was chosen last time.
    from retrorun.cli.tui_session import next_in_plan  # noqa: PLC0415
    from tests.recording.logs import bundled_plan, play  # noqa: PLC0415

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    folder = tmp_path / "data" / "retrorun" / "sessions"
    folder.mkdir(parents=True)
    text = play(bundled_plan("six-week-1")).text
    text = text.replace('"source": "test"', '"source": "six-week-1"')
    for day in range(3):
        (folder / f"2026-11-0{day + 1}T07-00-00-week-1.jsonl").write_text(text)
    memory = tmp_path / "memory.json"
    save_choice(memory, Choice("one-minute-alternation", SIMULATOR))
    app = RetrorunApp(
        starter=launcher, memory_path=memory, user_folder=user_folder, next_up=next_in_plan()
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = app.screen.query_one("#start-next", Label)
        assert str(shown.content) == "six-week: next is six-week-2 (step 2 of 6, session 1 of 3)"
        profiles = app.screen.query_one("#start-profiles", OptionList)
        assert profiles.highlighted is not None
        assert str(profiles.get_option_at_index(profiles.highlighted).prompt) == (
            "six-week-2 (next)"
        )
