"""The session screen: what the runner sees while running.

Every value on it comes from the last `Snapshot` (countdowns included), so it is exactly as
fresh as the session's ~4 Hz snapshots and never runs its own timer. Keys (the map of
`retrorun.session.keys`, the same as the headless view's) and buttons become
`UserCommand`s sent through the app to ``handle.command``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Digits, Label

from retrorun.profiles.words import total_distance_text
from retrorun.session.api import CommandKind, SessionState, UserCommand
from retrorun.session.energy import energy_text
from retrorun.session.keys import EXTEND_S, KEY_MAP, Key, KeyAction, ViewAction, shown
from retrorun.tui import text
from retrorun.tui.messages import CommandRequested
from retrorun.tui.widgets import (
    CueBanner,
    DirectionIndicator,
    ProfileChart,
    Readouts,
    StateLine,
    WorkoutProgress,
)

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from retrorun.profiles.plan import Plan, Segment
    from retrorun.profiles.words import Units
    from retrorun.session.api import SegmentPreview, Snapshot
    from retrorun.tui.messages import CommandAnswered, CueArrived, SnapshotArrived

# How long (session seconds) the cue banner stays lit after a cue or a command's answer.
FLASH_S = 2.0


def _action(key: Key) -> str:
    """The screen's action for `key`: ``action_<what it does>(<amount>)``."""
    return str(key.action) if key.amount is None else f"{key.action}({key.amount})"


def _button(label: str, action: KeyAction, amount: float | None = None) -> tuple[str, str]:
    """A button doing what the map's key for `action` (and `amount`) does, labelled with it."""
    key = next(k for k in KEY_MAP if k.action == action and k.amount == amount)
    return f"{'␣' if key.characters[0] == ' ' else key.characters[0]} {label}", _action(key)


BUTTONS: tuple[tuple[str, str], ...] = (
    _button("Pause", ViewAction.PAUSE_TOGGLE),
    _button("Skip", CommandKind.SKIP),
    _button("0.1", CommandKind.SPEED, -0.1),
    _button("0.1", CommandKind.SPEED, 0.1),
    _button("Incl-", CommandKind.INCLINE, -0.5),
    _button("Incl+", CommandKind.INCLINE, 0.5),
    _button("+30", CommandKind.EXTEND, EXTEND_S),
    _button("Help", ViewAction.HELP),
    _button("Quit", CommandKind.STOP),
)
"""(label, action) of the buttons along the bottom: the mouse's way to the same keys."""


class SessionScreen(Screen[None]):
    """Shows one session; `last` is the snapshot on screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(",".join(map(shown, key.characters)), _action(key), key.words, show=False)
        for key in KEY_MAP
    ]

    def __init__(self, plan: Plan, first: Snapshot, units: Units = "metric") -> None:
        super().__init__()
        self.plan = plan
        self.units: Units = units
        self.last = first
        self._starts_s = tuple(segment.start_s for segment in plan.segments)
        self._banner_t: float | None = None

    def compose(self) -> ComposeResult:
        yield StateLine(id="state")
        with Horizontal(id="top"):
            yield DirectionIndicator(id="direction")
            with Vertical(id="clock"):
                yield Digits("-:--", id="remaining")
                yield Label("", id="remaining-label")
        yield CueBanner(id="banner")
        yield Readouts(id="readouts")
        yield WorkoutProgress(self.plan, id="progress")
        yield ProfileChart(self.plan, id="chart", units=self.units)
        with Horizontal(id="buttons"):
            for label, action in BUTTONS:
                yield Button(label, action=f"screen.{action}", compact=True)

    def on_mount(self) -> None:
        self.show(self.last)

    # ------------------------------------------------------------------ display

    def show(self, snap: Snapshot) -> None:
        """Put `snap` on screen. Widgets repaint only when what they show changes, so a
        snapshot that changes nothing visible costs next to nothing."""
        self.last = snap
        state = self.query_one(StateLine)
        state.text = f"{text.state_text(snap)}   {snap.plan_name}"
        state.state = str(snap.state)
        direction = self.query_one(DirectionIndicator)
        direction.word = "DONE" if snap.state.ended else text.direction_word(snap)
        direction.kind = (
            "idle"
            if snap.state.ended or snap.segment_index is None
            else ("turn" if text.turning(snap) else snap.direction)
        )
        direction.detail = text.direction_detail(snap, self.units)
        digits = self.query_one("#remaining", Digits)
        value = text.remaining_digits(snap)
        if digits.value != value:
            digits.update(value)
        label = self.query_one("#remaining-label", Label)
        words = text.remaining_label(snap)
        if str(label.content) != words:
            label.update(words)
        readouts = self.query_one(Readouts)
        readouts.speed = text.speed_readout(snap, self.units)
        readouts.incline = text.incline_text(snap.target_incline_pct)
        index = snap.segment_index
        current = self.plan.segments[index] if index is not None and not snap.state.ended else None
        readouts.heart_rate = text.heart_rate_text(snap, current)
        readouts.distance = total_distance_text(snap.distance_m, self.units)
        readouts.energy = energy_text(snap.totals.energy_kcal, snap.totals.energy_source)
        next_up = ""
        if not snap.state.ended:
            preview, after, planned = self._next(snap)
            next_up = text.preview_text(preview, after, self.units, planned)
        readouts.next_up = next_up
        total = self.plan.total_duration_s
        fraction = text.plan_position_s(snap, self._starts_s, total) / total if total else 0.0
        self.query_one(WorkoutProgress).fraction = fraction
        self.query_one(ProfileChart).fraction = fraction
        banner = self.query_one(CueBanner)
        banner.flash = self._banner_t is not None and snap.t - self._banner_t < FLASH_S

    def _next(self, snap: Snapshot) -> tuple[SegmentPreview | None, Segment | None, Segment | None]:
        """The next segment, the one after it when the next is a turn, and the plan's own
        next segment (how it may end sooner)."""
        preview = snap.next_segment
        segments = self.plan.segments
        if preview is None:
            return None, None, None
        planned = segments[preview.index] if preview.index < len(segments) else None
        if preview.kind != "turn":
            return preview, None, planned
        following = preview.index + 1
        return preview, segments[following] if following < len(segments) else None, planned

    def announce(self, words: str, t: float) -> None:
        """Show `words` in the banner and light it up from session time `t`."""
        banner = self.query_one(CueBanner)
        banner.text = words
        self._banner_t = t
        banner.flash = True

    def on_snapshot_arrived(self, message: SnapshotArrived) -> None:
        self.show(message.snapshot)

    def on_cue_arrived(self, message: CueArrived) -> None:
        self.announce(message.cue.text, message.cue.t)

    def on_command_answered(self, message: CommandAnswered) -> None:
        result = message.result
        if result.accepted:
            self.announce(f"{result.command.kind}: {result.reason}", self.last.t)
        else:
            self.announce(f"{result.command.kind} refused: {result.reason}", self.last.t)

    # ------------------------------------------------------------------ actions

    def _send(self, kind: CommandKind, amount: float | None = None) -> None:
        self.post_message(CommandRequested(UserCommand(kind, amount, source="key")))

    def action_pause_toggle(self) -> None:
        paused = self.last.state == SessionState.PAUSED
        self._send(CommandKind.RESUME if paused else CommandKind.PAUSE)

    def action_pause(self) -> None:
        self._send(CommandKind.PAUSE)

    def action_resume(self) -> None:
        self._send(CommandKind.RESUME)

    def action_skip(self) -> None:
        self._send(CommandKind.SKIP)

    def action_speed(self, amount: float) -> None:
        self._send(CommandKind.SPEED, amount)

    def action_incline(self, amount: float) -> None:
        self._send(CommandKind.INCLINE, amount)

    def action_extend(self, seconds: float = EXTEND_S) -> None:
        self._send(CommandKind.EXTEND, seconds)

    def action_help(self) -> None:
        from retrorun.tui.screens.dialogs import HelpScreen  # noqa: PLC0415 - avoids a cycle

        self.app.push_screen(HelpScreen())

    def action_stop(self) -> None:
        """q: ask first, then stop the session (the belt stops)."""
        from retrorun.tui.screens.dialogs import ConfirmQuit  # noqa: PLC0415 - avoids a cycle

        if self.last.state.ended:
            self.app.exit()
            return

        def answered(stop: bool | None) -> None:  # noqa: FBT001 - the dialog's result
            if stop:
                self._send(CommandKind.STOP)

        self.app.push_screen(ConfirmQuit(), answered)
