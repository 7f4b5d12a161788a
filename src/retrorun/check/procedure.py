"""The check's async shell: drive one treadmill through the check and fill in `Findings`.

The order (docs/devices.md, "Checking a treadmill"): describe the treadmill; with the
runner's word that nobody is on the belt, take control; Start (and find out whether only
the console's Start works); three speed steps (low, low + 2 km/h, low, where low is 2 km/h
or the treadmill's minimum); an incline step where incline is offered; enough distance to
compare the treadmill's distance with its integrated speed; Pause, Start again; Stop. Every
"did the belt do it" is decided by `retrorun.check.judge` from telemetry, never from an
acknowledgement.

Whatever ends the check (the end, a failure, Ctrl-C cancelling the task) the belt is
stopped and measured at rest before `run` returns: Stop, resent; Pause when Stop does
nothing; then the runner is asked to use the console while the check keeps watching.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Literal, Protocol

from retrorun.check.judge import (
    AT_REST_KMH,
    MIN_DISTANCE_M,
    Change,
    Follow,
    Point,
    distance_ratio,
    follow_of,
    mean,
    measure,
    plausible_time_s,
    reads_as_kmh,
    settled,
)
from retrorun.check.report import Findings, description_lines
from retrorun.device import CommandRejectedError, Telemetry
from retrorun.device.capabilities import KMH_PER_MPH
from retrorun.device.timing import first_of
from retrorun.errors import DeviceError

if TYPE_CHECKING:
    from collections.abc import Callable

    from retrorun.clock import Clock
    from retrorun.device import Treadmill

# The check's speeds: low is this or the treadmill's minimum, high is low + the step.
LOW_KMH = 2.0
STEP_KMH = 2.0
INCLINE_STEP_PCT = 2.0
# How long a Start may take to show a moving belt (a 3 s countdown, a slow reaction).
START_WAIT_S = 20.0
# How long the runner gets to press a button on the console.
CONSOLE_WAIT_S = 60.0
# Stops, and how long each may take (slow coasting belts take 20 s, QZ #470).
STOP_ATTEMPTS = 3
STOP_WAIT_S = 30.0
# A stop slower than this is worth a note.
SLOW_STOP_S = 10.0


class Prompter(Protocol):
    """The runner beside the treadmill: answers questions, presses console buttons."""

    def say(self, text: str) -> None:
        """Tell the runner something (one line)."""

    async def confirm_empty_belt(self) -> bool:
        """Whether nobody is on the belt and it may start."""

    async def press_console_start(self) -> None:
        """Ask for Start on the console (the check then watches for a moving belt)."""

    async def press_console_stop(self) -> None:
        """Ask for Stop on the console or the safety key (the check then watches)."""

    async def console_units(self) -> Literal["kmh", "mph"] | None:
        """What the console shows speeds in (None: not asked, or not known)."""


class _Abort(Exception):  # noqa: N818 - control flow inside the check, never escapes
    """The check cannot go on; `Findings.interrupted` says why."""


class TreadmillCheck:
    """One check of one open treadmill; `run` returns what it found."""

    def __init__(
        self,
        treadmill: Treadmill,
        *,
        clock: Clock,
        prompter: Prompter,
        address: str,
        name: str | None = None,
    ) -> None:
        self._treadmill = treadmill
        self._clock = clock
        self._prompter = prompter
        self.findings = Findings(address=address, name=name or treadmill.name)
        self._samples: list[Telemetry] = []
        self._new_sample = asyncio.Event()
        self._commanded = False
        self._mph = False

    async def run(self) -> Findings:
        """Run the whole check; cancelling the task ends it early, with the belt at rest."""
        listener = asyncio.ensure_future(self._listen())
        try:
            await self._describe()
            if not await self._prompter.confirm_empty_belt():
                self.findings.interrupted = "nobody confirmed that the belt is empty"
                return self.findings
            await self._take_control()
            await self._start()
            low = await self._speed_steps()
            await self._incline_step()
            await self._units()
            await self._distance(low)
            await self._pause_and_resume(low)
            await self._stop()
        except _Abort:
            pass
        except asyncio.CancelledError:
            self.findings.interrupted = "interrupted"
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
        except DeviceError as exc:
            self.findings.interrupted = str(exc)
        finally:
            try:
                await self._make_safe()
            finally:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener
        self._finish()
        return self.findings

    # ------------------------------------------------------------------ the steps

    async def _describe(self) -> None:
        caps = self._treadmill.capabilities
        if caps is None:
            raise DeviceError("the treadmill is not open", device=self._treadmill.name)
        found = self.findings
        with contextlib.suppress(DeviceError):
            found.device_information = await self._treadmill.device_information()
        if caps.features is not None:
            names = caps.features.to_json()
            found.features = [
                *names["machine_feature_names"],  # type: ignore[misc]
                *(f"target {n}" for n in names["target_setting_names"]),  # type: ignore[attr-defined]
            ]
        rng = caps.speed_range
        found.speed_range = (
            f"{rng.min_speed_kmh:g}-{rng.max_speed_kmh:g} in {rng.min_increment_kmh or 0.1:g}"
        )
        incline = caps.inclination_range
        if incline is not None:
            found.incline_range = (
                f"{incline.min_inclination_pct:g}-{incline.max_inclination_pct:g} % "
                f"in {incline.min_increment_pct or 1:g}"
            )
        found.capability_notes = list(caps.notes)
        found.min_speed_kmh = rng.min_speed_kmh
        for line in description_lines(found):
            self._say(line)
        if not caps.has_control_point:
            found.control_granted = False
            self._abort("the treadmill has no control point: retrorun can watch it, not drive it")

    async def _take_control(self) -> None:
        try:
            await self._treadmill.request_control()
        except DeviceError as exc:
            self.findings.control_granted = False
            self._abort(
                f"the treadmill did not grant control ({exc}): close other apps that use it "
                "(a phone, a watch), then check again"
            )
        self.findings.control_granted = True
        self._say("control: granted")

    async def _start(self) -> None:
        self._commanded = True
        since = self._clock.now()
        try:
            await self._treadmill.start()
            refused = False
        except CommandRejectedError:
            refused = True
        if not refused and await self._wait(lambda: self._moving(since), START_WAIT_S):
            self.findings.console_start = False
            self.findings.telemetry_seen = True
            self._say("Start: the belt runs")
        else:
            self._say("Start from the app did not run the belt: it needs the console's Start")
            self.findings.console_start = True
            await self._console_start(since)
        # The first speed step starts from a belt at rest at its starting speed.
        await self._wait(
            lambda: settled(self._speeds(), commanded_at=since, start=0.0), START_WAIT_S
        )

    async def _console_start(self, since: float) -> None:
        await self._prompter.press_console_start()
        if not await self._wait(lambda: self._moving(since), CONSOLE_WAIT_S):
            self.findings.telemetry_seen = bool(self._samples)
            self._abort(
                "the belt was not seen moving after Start"
                + ("" if self._samples else " (the treadmill sent no data)")
            )
        self.findings.telemetry_seen = True
        self._say("the belt runs after the console's Start")
        self._treadmill.assume_running()

    async def _speed_steps(self) -> float:
        caps = self._treadmill.capabilities
        assert caps is not None  # noqa: S101 - described above
        low = self._treadmill.fit_speed(max(LOW_KMH, caps.speed_range.min_speed_kmh))
        high = self._treadmill.fit_speed(low + STEP_KMH)
        changes: list[Change] = []
        for asked in (low, high, low):
            change = await self._speed_step(asked)
            changes.append(change)
            follow = follow_of(change)
            self.findings.follows.append(follow)
            self._say(
                f"speed {asked:g} km/h asked: the belt settled at {change.settled:g} km/h "
                f"after {change.settled_at - change.commanded_at:.0f} s ({follow.value})"
            )
            self.findings.settled.append((asked, round(change.settled, 2)))
        rising = [c.rate_per_s for c in changes if c.settled > c.start]
        falling = [c.rate_per_s for c in changes if c.settled < c.start]
        self.findings.accel_kmh_per_s = mean(rising)
        self.findings.decel_kmh_per_s = mean(falling)
        self.findings.reaction_delay_s = mean([c.reaction_s for c in changes])
        return low

    async def _speed_step(self, asked: float) -> Change:
        start = self._speed()
        since = self._clock.now()
        try:
            await self._treadmill.set_speed(asked)
        except CommandRejectedError as exc:
            self.findings.notes.append(f"a speed of {asked:g} km/h was refused ({exc})")
        furthest = max(asked, asked * KMH_PER_MPH)
        await self._wait(
            lambda: settled(self._speeds(), commanded_at=since, start=start),
            plausible_time_s(start, furthest),
        )
        return measure(self._speeds(), commanded_at=since, start=start, asked=asked)

    async def _incline_step(self) -> None:
        treadmill = self._treadmill
        caps = treadmill.capabilities
        if caps is None or not caps.controls_incline or caps.inclination_range is None:
            return
        if not self._inclines():
            self.findings.notes.append(
                "the treadmill reports no incline: incline changes cannot be verified"
            )
            return
        start = self._incline()
        rng = caps.inclination_range
        asked = treadmill.fit_incline(min(start + INCLINE_STEP_PCT, rng.max_inclination_pct))
        since = self._clock.now()
        try:
            await treadmill.set_incline(asked)
        except CommandRejectedError as exc:
            self.findings.incline_works = False
            self.findings.notes.append(
                f"incline targets are refused ({exc}): sessions keep the deck where it is"
            )
            return
        await self._wait(
            lambda: settled(self._inclines(), commanded_at=since, start=start, incline=True),
            plausible_time_s(start, asked, incline=True),
        )
        change = measure(self._inclines(), commanded_at=since, start=start, asked=asked)
        self.findings.incline_works = abs(change.settled - asked) <= 0.3  # noqa: PLR2004 - the session's tolerance
        self.findings.incline_pct_per_s = change.rate_per_s
        self._say(f"incline {asked:g} % asked: the deck settled at {change.settled:g} %")
        if not self.findings.incline_works:
            self.findings.notes.append(
                f"the deck settled at {change.settled:g} % when {asked:g} % was asked"
            )
        back = self._clock.now()
        with contextlib.suppress(CommandRejectedError):
            await treadmill.set_incline(start)
            await self._wait(
                lambda: settled(self._inclines(), commanded_at=back, start=asked, incline=True),
                plausible_time_s(asked, start, incline=True),
            )

    async def _units(self) -> None:
        units = await self._prompter.console_units()
        self.findings.console_units = units

    async def _distance(self, low: float) -> None:
        """Run on until the distance is long enough to compare with integrated speed."""
        moving = self._moving_samples()
        if not moving or moving[0].distance_m is None:
            self.findings.notes.append("the treadmill reports no distance")
            return
        hold_s = plausible_time_s(0.0, 0.0) + MIN_DISTANCE_M / max(low, 1.0) * 3.6
        await self._wait(lambda: self._integrated() >= MIN_DISTANCE_M, hold_s)
        moving = self._moving_samples()
        first, last = moving[0], moving[-1]
        if first.distance_m is None or last.distance_m is None:
            return
        ratio = distance_ratio(last.distance_m - first.distance_m, self._integrated())
        self.findings.distance_ratio = None if ratio is None else round(ratio, 3)
        if ratio is not None:
            self._say(
                f"distance: {last.distance_m - first.distance_m:g} m reported for "
                f"{self._integrated():.0f} m of reported speed (ratio {ratio:.2f})"
            )
        if (
            ratio is not None
            and not reads_as_kmh(ratio)
            and not self.findings.distance_ratio_says_mph
        ):
            self.findings.notes.append(
                f"the treadmill's distance is {ratio:.2f} times its integrated speed"
            )

    async def _pause_and_resume(self, low: float) -> None:
        treadmill = self._treadmill
        start = self._speed()
        since = self._clock.now()
        try:
            await treadmill.pause()
        except CommandRejectedError as exc:
            self.findings.pause_works = False
            self.findings.notes.append(f"Pause is refused ({exc}): use the console's stop to pause")
            return
        await self._wait(
            lambda: (
                self._at_rest(since) or settled(self._speeds(), commanded_at=since, start=start)
            ),
            plausible_time_s(start, 0.0),
        )
        paused = self._speed()
        self.findings.pause_works = paused <= AT_REST_KMH
        where = "is at rest" if self.findings.pause_works else f"runs on at {paused:g} km/h"
        self._say(f"Pause: the belt {where}")
        if not self.findings.pause_works:
            self.findings.pause_speed_kmh = round(paused, 2)
            self.findings.notes.append(
                f"Pause leaves the belt at {paused:g} km/h: use the console's stop to pause"
            )
        resumed_at = self._clock.now()
        try:
            await treadmill.start()
        except CommandRejectedError:
            if not self.findings.console_start:
                raise
            await self._console_start(resumed_at)
        if not await self._wait(lambda: self._moving(resumed_at, above=paused), START_WAIT_S):
            self.findings.notes.append("the belt did not run again after Pause and Start")
            return
        await self._wait(
            lambda: settled(self._speeds(), commanded_at=resumed_at, start=paused),
            plausible_time_s(paused, low),
        )
        caps = treadmill.capabilities
        minimum = caps.speed_range.min_speed_kmh if caps else 0.0
        now = self._speed()
        self._say(f"Start after Pause: the belt runs at {now:g} km/h")
        at_minimum = (
            is_followed(self.findings)
            and abs(now - minimum) <= AT_REST_KMH + 0.1  # a reading's noise
            and abs(low - minimum) > 0.3  # noqa: PLR2004 - told apart from the speed asked
        )
        self.findings.resumed_at_minimum = at_minimum
        if at_minimum:
            self.findings.notes.append(
                "after Pause, Start resumes at the minimum speed: retrorun sends the speed again"
            )

    async def _stop(self) -> None:
        since = self._clock.now()
        for attempt in range(1, STOP_ATTEMPTS + 1):
            sent = self._clock.now()
            with contextlib.suppress(CommandRejectedError):
                await self._treadmill.stop()
            if await self._wait(lambda: self._at_rest(sent), STOP_WAIT_S):  # noqa: B023 - awaited here
                self.findings.stop_works = True
                self.findings.stop_time_s = round(self._clock.now() - since, 1)
                self._say(f"Stop: the belt is at rest after {self.findings.stop_time_s:g} s")
                if attempt > 1:
                    self.findings.notes.append(f"the belt stopped after {attempt} Stop commands")
                elif self.findings.stop_time_s > SLOW_STOP_S:
                    self.findings.notes.append(
                        f"the belt takes {self.findings.stop_time_s:g} s to stop"
                    )
                return
        self.findings.stop_works = False
        self._say("Stop: acknowledged, and the belt runs on")

    async def _make_safe(self) -> None:
        """Leave the belt measured at rest (or say plainly that it was not)."""
        if not self._commanded:
            return
        since = self._clock.now()
        if self._at_rest(since - 1.5):
            self.findings.belt_at_rest = True
            return
        self._say("stopping the belt")
        # A treadmill that just ran on after three Stops gets Pause at once.
        commands = (self._treadmill.stop, self._treadmill.pause)
        for command in commands[1:] if self.findings.stop_works is False else commands:
            sent = self._clock.now()
            with contextlib.suppress(DeviceError):
                await command()
            if await self._wait(lambda: self._at_rest(sent), STOP_WAIT_S):  # noqa: B023 - awaited here
                self.findings.belt_at_rest = True
                return
        asked = self._clock.now()
        self._say("the belt does not stop: press Stop on the console or pull the safety key")
        await self._prompter.press_console_stop()
        self.findings.belt_at_rest = await self._wait(lambda: self._at_rest(asked), CONSOLE_WAIT_S)

    def _finish(self) -> None:
        """Speeds in km/h whatever the firmware's unit (rates measured in its unit)."""
        found = self.findings
        if found.mph_mode != "mph":
            return
        for name in ("accel_kmh_per_s", "decel_kmh_per_s", "min_speed_kmh"):
            value = getattr(found, name)
            if value is not None:
                setattr(found, name, round(value * KMH_PER_MPH, 2))

    def _say(self, text: str) -> None:
        self._prompter.say(text)

    def _abort(self, why: str) -> None:
        self.findings.interrupted = why
        raise _Abort(why)

    # ------------------------------------------------------------------ telemetry

    async def _listen(self) -> None:
        async for sample in self._treadmill.telemetry():
            self._samples.append(sample)
            self._new_sample.set()

    async def _wait(self, done: Callable[[], bool], timeout_s: float) -> bool:
        """Whether ``done()`` holds after some sample within ``timeout_s`` of clock time."""
        deadline = self._clock.now() + timeout_s
        while not done():
            remaining = deadline - self._clock.now()
            if remaining <= 0:
                return False
            self._new_sample.clear()
            try:
                await first_of(
                    asyncio.ensure_future(self._new_sample.wait()), self._clock.sleep(remaining)
                )
            except TimeoutError:
                return done()
        return True

    def _speeds(self) -> list[Point]:
        return [Point(s.at, s.speed_kmh) for s in self._samples if s.speed_kmh is not None]

    def _inclines(self) -> list[Point]:
        return [
            Point(s.at, s.inclination_pct) for s in self._samples if s.inclination_pct is not None
        ]

    def _speed(self) -> float:
        speeds = self._speeds()
        return speeds[-1].value if speeds else 0.0

    def _incline(self) -> float:
        inclines = self._inclines()
        return inclines[-1].value if inclines else 0.0

    def _moving(self, since: float, *, above: float = AT_REST_KMH) -> bool:
        return any(p.t >= since and p.value > above for p in self._speeds())

    def _at_rest(self, since: float) -> bool:
        speeds = [p for p in self._speeds() if p.t >= since]
        return bool(speeds) and speeds[-1].value <= AT_REST_KMH

    def _moving_samples(self) -> list[Telemetry]:
        return [s for s in self._samples if (s.speed_kmh or 0.0) > AT_REST_KMH]

    def _integrated(self) -> float:
        moving = self._moving_samples()
        if len(moving) < 2:  # noqa: PLR2004 - a span needs two ends
            return 0.0
        return moving[-1].integrated_distance_m - moving[0].integrated_distance_m


def is_followed(findings: Findings) -> bool:
    """Whether every speed step settled where it was asked (in the firmware's units)."""
    return bool(findings.follows) and all(f is Follow.FOLLOWED for f in findings.follows)
