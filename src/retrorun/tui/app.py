"""The retrorun Textual app: a thin shell around a session handle it is given.

The app owns one task that follows ``handle.events()`` and turns each event into a message
for the session screen (`retrorun.tui.messages`); keys and buttons come back as
`UserCommand`s through `send_command`, which awaits ``handle.command`` and posts the
answer. It never runs the session itself: whoever composed it (``retrorun run``) runs the
session, and stops the belt if the app is closed while the session still runs.

Without a session it opens on the start screen and asks its `Starter` for one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from retrorun.errors import RetrorunError
from retrorun.session.api import (
    CommandKind,
    CommandResult,
    Cue,
    CueKind,
    SessionEnded,
    Snapshot,
    UserCommand,
)
from retrorun.session.keys import SAFETY_KEY_PROMPT
from retrorun.tui.memory import default_path, load_choice, save_choice
from retrorun.tui.messages import (
    CommandAnswered,
    CommandRequested,
    CueArrived,
    SessionFinished,
    SnapshotArrived,
)
from retrorun.tui.ports import SIMULATOR
from retrorun.tui.screens import SessionScreen, StartScreen, SummaryScreen
from retrorun.tui.screens.dialogs import ConfirmQuit, SafetyKeyScreen

if TYPE_CHECKING:
    from pathlib import Path

    from retrorun.hub import Subscription
    from retrorun.session.api import SessionEvent
    from retrorun.tui.ports import Choice, Launched, NextInPlan, Scanner, Speaker, Starter


class RetrorunApp(App[None]):
    """Shows `launched` (or the start screen, then what `starter` launches)."""

    CSS_PATH: ClassVar[str] = "retrorun.tcss"
    TITLE = "retrorun"
    ENABLE_COMMAND_PALETTE = False
    # Textual's own Ctrl-C only tells how to quit, and its Ctrl-Q quits at once: here
    # Ctrl-C stops the session (the belt stops) and leaves, as the docs promise, and Ctrl-Q
    # asks first, like q.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "interrupt", show=False, priority=True),
        Binding("ctrl+q", "ask_to_quit", show=False, priority=True),
    ]

    def __init__(
        self,
        launched: Launched | None = None,
        *,
        starter: Starter | None = None,
        scanner: Scanner | None = None,
        speaker: Speaker | None = None,
        memory_path: Path | None = None,
        user_folder: Path | None = None,
        next_up: NextInPlan | None = None,
    ) -> None:
        super().__init__()
        self.next_up = next_up
        """The plan's next profile, preselected on the start screen."""
        self.launched = launched
        self.starter = starter
        self.scanner = scanner
        self.speaker = speaker
        self.memory_path = memory_path or default_path()
        self.user_folder = user_folder
        self.session_screen: SessionScreen | None = None
        self.ended: SessionEnded | None = None
        """How the session ended, once it has."""
        self.answers: list[CommandResult] = []
        """Every answer to a key or button, in order."""
        self.launch_error: str | None = None
        """Why the last launch from the start screen failed, if it did."""
        self.safety_key_refused = False
        """The runner left at the safety-key confirmation (nothing was started)."""

    def on_mount(self) -> None:
        if self.launched is not None:
            self.open_session(self.launched)
        else:
            self.show_start()

    # ------------------------------------------------------------------ start

    def show_start(self) -> None:
        screen = StartScreen(
            last=load_choice(self.memory_path),
            scanner=self.scanner,
            user_folder=self.user_folder,
            next_up=self.next_up,
        )
        self.push_screen(screen, self._chosen)

    def _chosen(self, choice: Choice | None) -> None:
        if choice is None or self.starter is None:
            return
        save_choice(self.memory_path, choice)
        if choice.device == SIMULATOR:
            self.run_worker(self._launch(self.starter, choice), group="start")
            return
        # A real treadmill: the safety key goes on before anything connects or moves.
        starter = self.starter
        self.push_screen(SafetyKeyScreen(), lambda clipped: self._clipped(starter, choice, clipped))
        if self.speaker is not None:
            self.run_worker(self.speaker(SAFETY_KEY_PROMPT), group="speech")

    def _clipped(self, starter: Starter, choice: Choice, clipped: bool | None) -> None:  # noqa: FBT001
        if not clipped:
            self.safety_key_refused = True
            self.exit()
            return
        self.run_worker(self._launch(starter, choice), group="start")

    async def _launch(self, starter: Starter, choice: Choice) -> None:
        try:
            launched = await starter(choice)
        except RetrorunError as exc:
            self.launch_error = str(exc)
            self.notify(self.launch_error, title="cannot start", severity="error", timeout=10)
            self.show_start()
            return
        self.open_session(launched)

    # ------------------------------------------------------------------ session

    def open_session(self, launched: Launched) -> None:
        """Show `launched` and follow its events (subscribed now, so nothing is missed)."""
        self.launched = launched
        handle = launched.handle
        subscription = handle.events()
        screen = SessionScreen(handle.plan, handle.snapshot(), launched.units)
        self.session_screen = screen
        self.push_screen(screen)
        if launched.notice:
            screen.post_message(CueArrived(Cue(handle.snapshot().t, CueKind.TEXT, launched.notice)))
        self.run_worker(self._follow(subscription), group="session")

    async def _follow(self, subscription: Subscription[SessionEvent]) -> None:
        screen = self.session_screen
        try:
            async for event in subscription:
                if screen is None:
                    break
                if isinstance(event, Snapshot):
                    screen.post_message(SnapshotArrived(event))
                elif isinstance(event, Cue):
                    screen.post_message(CueArrived(event))
                elif isinstance(event, SessionEnded):
                    self.post_message(SessionFinished(event))
                    break
        finally:
            subscription.cancel()

    def on_session_finished(self, message: SessionFinished) -> None:
        self.ended = message.ended
        launched = self.launched
        if self.session_screen is not None and launched is not None:
            self.session_screen.show(launched.handle.snapshot())
        report, units = (launched.report, launched.units) if launched else (None, "metric")
        self.push_screen(SummaryScreen(message.ended, report, units))

    def on_command_requested(self, message: CommandRequested) -> None:
        self.send_command(message.command)

    def send_command(self, command: UserCommand) -> None:
        """Ask the session for `command`; its answer reaches the session screen."""
        if self.launched is not None:
            self.run_worker(self._command(command), group="commands")

    async def _command(self, command: UserCommand) -> None:
        if self.launched is None:
            return
        result = await self.launched.handle.command(command)
        self.answers.append(result)
        if self.session_screen is not None:
            self.session_screen.post_message(CommandAnswered(result))

    # ------------------------------------------------------------------ leaving

    @property
    def session_running(self) -> bool:
        """A session was launched and has not ended yet."""
        return self.launched is not None and self.ended is None

    async def action_interrupt(self) -> None:
        """Ctrl-C: stop a running session (the belt stops), then leave; whoever composed
        the app waits for the session's end and reports it."""
        if isinstance(self.screen, SafetyKeyScreen):
            self.safety_key_refused = True
        if self.launched is not None and self.session_running:
            stop = UserCommand(CommandKind.STOP, source="key")
            self.answers.append(await self.launched.handle.command(stop))
        self.exit()

    def action_ask_to_quit(self) -> None:
        """Ctrl-Q: with a session running, ask as q does; otherwise leave."""
        if isinstance(self.screen, ConfirmQuit):
            return
        if self.session_screen is not None and self.session_running:
            self.session_screen.action_stop()
            return
        self.exit()
