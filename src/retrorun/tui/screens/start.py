"""The start screen: pick a profile (with its description, length, backward share and a
preview chart) and a treadmill (scan results, and the simulator, always offered)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from retrorun.errors import RetrorunError
from retrorun.profiles.chart import render as render_chart
from retrorun.profiles.library import bundled_dir, profile_files, user_dir
from retrorun.profiles.loader import load_profile
from retrorun.profiles.plan import compile_plan
from retrorun.profiles.quantities import format_duration
from retrorun.profiles.safety import PersonalLimits
from retrorun.tui.ports import SIMULATOR, Choice, FoundDevice, NextInPlan

if TYPE_CHECKING:
    from pathlib import Path

    from textual.app import ComposeResult

    from retrorun.tui.ports import Scanner

PREVIEW_WIDTH = 36
PREVIEW_HEIGHT = 4


def profile_choices(user_folder: Path | None = None) -> list[tuple[str, Path]]:
    """(label, file) of the user's profiles, then the bundled ones."""
    user = [(f"{p.stem} (mine)", p) for p in profile_files(user_folder or user_dir())]
    return user + [(p.stem, p) for p in profile_files(bundled_dir())]


def describe(path: Path) -> str:
    """Name, description, length and backward share of a profile file (or why it fails)."""
    try:
        document = load_profile(path)
        plan = compile_plan(document.profile, PersonalLimits(), where=document)
    except RetrorunError as exc:
        return f"cannot use this profile: {exc}"
    chart = render_chart(plan, width=PREVIEW_WIDTH, height=PREVIEW_HEIGHT)
    return "\n".join(
        [
            plan.name,
            (
                f"{format_duration(plan.total_duration_s)}, {plan.total_distance_m / 1000:.1f} km, "
                f"backward {plan.backward_share:.0%}"
            ),
            plan.description,
            "",
            *chart[:-1],
        ]
    )


class StartScreen(Screen[Choice]):
    """Dismisses with the `Choice` when the runner presses Start (or enter on a device)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "start", "start"),
        Binding("r", "scan", "scan again"),
        Binding("q,escape", "leave", "quit"),
        Binding("question_mark", "help", "keys"),
    ]

    def __init__(
        self,
        *,
        last: Choice | None = None,
        scanner: Scanner | None = None,
        user_folder: Path | None = None,
        next_up: NextInPlan | None = None,
    ) -> None:
        super().__init__()
        self.profiles = profile_choices(user_folder)
        self.last = last
        self.next_up = next_up
        self.scanner = scanner
        self.devices: list[FoundDevice] = [FoundDevice("Simulator", SIMULATOR)]
        self._descriptions: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        yield Label("retrorun: choose a workout and a treadmill", id="start-title")
        if self.next_up is not None:
            yield Label(self.next_up.text, id="start-next")
        nxt = self.next_up.profile if self.next_up is not None else None
        labels = [f"{label} (next)" if path.stem == nxt else label for label, path in self.profiles]
        with Horizontal(id="start-main"):
            yield OptionList(*(Option(label) for label in labels), id="start-profiles")
            yield Static("", id="start-profile")
        with Vertical(id="start-device-box"):
            yield Label("Treadmill", id="start-device-title")
            yield OptionList(Option("Simulator"), id="start-devices")
        with Horizontal(id="buttons"):
            yield Button("s Start", action="screen.start", variant="success", compact=True)
            yield Button("r Scan again", action="screen.scan", compact=True)
            yield Button("q Quit", action="screen.leave", compact=True)

    def on_mount(self) -> None:
        profiles = self.query_one("#start-profiles", OptionList)
        index = 0
        # The plan's next step comes first; else the profile chosen last time.
        wanted = self.next_up.profile if self.next_up is not None else None
        wanted = wanted or (self.last.profile if self.last is not None else None)
        for number, (_, path) in enumerate(self.profiles):
            if wanted in (str(path), path.stem):
                index = number
                break
        if self.profiles:
            profiles.highlighted = index
        self.query_one("#start-devices", OptionList).highlighted = 0
        profiles.focus()
        self.action_scan()

    def action_help(self) -> None:
        from retrorun.tui.screens.dialogs import START_HELP, HelpScreen  # noqa: PLC0415

        self.app.push_screen(HelpScreen(START_HELP))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id != "start-profiles":
            return
        index = event.option_index
        if index not in self._descriptions:
            self._descriptions[index] = describe(self.profiles[index][1])
        self.query_one("#start-profile", Static).update(self._descriptions[index])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "start-profiles":
            self.query_one("#start-devices", OptionList).focus()
        else:
            self.action_start()

    def action_scan(self) -> None:
        if self.scanner is not None:
            self.run_worker(self._scan(self.scanner), exclusive=True, group="scan")

    async def _scan(self, scanner: Scanner) -> None:
        title = self.query_one("#start-device-title", Label)
        title.update("Treadmill (scanning...)")
        try:
            found = await scanner()
        except RetrorunError as exc:
            # The first clause is the news ("Bluetooth is not available"); the rest is detail.
            title.update(f"Treadmill (scan failed: {str(exc).split(': ')[0]})")
            return
        self.devices = [FoundDevice("Simulator", SIMULATOR), *found]
        devices = self.query_one("#start-devices", OptionList)
        devices.clear_options()
        devices.add_options([Option(device.label) for device in self.devices])
        remembered = next(
            (n for n, d in enumerate(self.devices) if self.last and d.address == self.last.device),
            0,
        )
        devices.highlighted = remembered
        title.update(f"Treadmill ({len(found)} found)")

    def action_start(self) -> None:
        profiles = self.query_one("#start-profiles", OptionList)
        devices = self.query_one("#start-devices", OptionList)
        if profiles.highlighted is None or not self.profiles:
            return
        device = self.devices[devices.highlighted or 0]
        self.dismiss(Choice(str(self.profiles[profiles.highlighted][1]), device.address))

    def action_leave(self) -> None:
        self.app.exit()
