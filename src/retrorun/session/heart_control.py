"""What the session does with the heart rate: says when it goes stale, guards a backward
bout, holds a zone step's heart rate by speed.

* Freshness (`retrorun.session.heart`): every change is logged; while something acts on the
  heart rate (a zone step, the guard in a backward bout) a stale one is said out loud, and
  the speed holds.
* The guard (`EngineOptions.heart_rate`): above its ceiling in a backward bout, the speed
  steps down every ``every_s`` of active time, or the bout ends (``end-bout``, or a step
  that would go below turn speed).
* A zone step: one decision of `retrorun.session.zone.decide` every `ZONE_UPDATE_S` of the
  step's counted time, sent through the same safety layer as a nudge, said when the verdict
  changes. A change by hand (`HeartRateControl.override`) ends the hold for the step.

Pure: time comes from the `Ledger`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrorun.profiles import words
from retrorun.session.api import CueKind, Phase
from retrorun.session.heart import HR_STALE_S
from retrorun.session.zone import ZONE_UPDATE_S, Verdict, Zone, decide

if TYPE_CHECKING:
    from retrorun.profiles.plan import Segment
    from retrorun.session.course import Course
    from retrorun.session.heart import HeartRateSources
    from retrorun.session.inputs import EngineOptions
    from retrorun.session.ledger import Ledger
    from retrorun.session.outbox import Outbox
    from retrorun.session.setpoints import Setpoints
    from retrorun.session.stopping import Stopper

EPS = 1e-6


@dataclass
class _ZoneState:
    """A zone step's control, while it runs (`HeartRateControl.zone_control`)."""

    off: bool = False
    """Switched off for the rest of the step by a change by hand or the heart-rate guard."""
    next_at: float | None = None
    """Active time of the next decision (None: not started yet, or off)."""
    last_hr: int | None = None
    said: str | None = None


class HeartRateControl:
    """Freshness, the guard and the zone hold (see the module docstring)."""

    def __init__(
        self,
        hr: HeartRateSources,
        course: Course,
        belt: Setpoints,
        stopper: Stopper,
        out: Outbox,
        ledger: Ledger,
        options: EngineOptions,
    ) -> None:
        self._hr = hr
        self._course = course
        self._belt = belt
        self._stopper = stopper
        self._out = out
        self._ledger = ledger
        self._options = options
        self._guard_next = 0.0
        self._zone = _ZoneState()

    def heart_rate(self) -> int | None:
        """The heart rate to act on now: a fresh one (strap first), else None."""
        reading = self._hr.current(self._ledger.now)
        return reading.bpm if reading is not None else None

    def _matters(self) -> bool:
        """Whether something acts on the heart rate now: a zone step, or the guard in a
        backward bout."""
        seg = self._course.segment
        if not self._course.running or seg is None or seg.kind != "interval":
            return False
        if seg.heart_rate is not None:
            return True
        return self._options.heart_rate is not None and seg.direction == "backward"

    def freshness(self) -> None:
        """Log each change of the heart rate's freshness or source; when something acts on
        it, say so out loud: a stale heart rate is never acted on, the speed holds. Nothing
        once the session has ended (its summary is the log's last line)."""
        if self._stopper.ended is not None:
            return
        news = self._hr.news(self._ledger.now)
        if news is None:
            return
        before, reading = news
        if reading is None:
            self._out.log("heart_rate", state="stale", after_s=HR_STALE_S)
            if self._matters():
                self._out.cue(
                    CueKind.ALARM,
                    f"No heart rate for {HR_STALE_S:g} seconds: "
                    f"holding {words.speed_text(self._belt.speed_now(), self._out.units)}.",
                )
        else:
            self._out.log("heart_rate", state="fresh", source=reading.source)
            if before == "stale" and self._matters():
                self._out.cue(CueKind.OVERRIDE, f"Heart rate back: {reading.bpm}.")

    def guard(self) -> bool:
        """The guard's decision on a sample. True: the bout is over (the caller skips to
        what follows it)."""
        guard, seg, hr = self._options.heart_rate, self._course.segment, self.heart_rate()
        if guard is None or seg is None or hr is None or not self._course.running:
            return False
        if seg.kind != "interval" or seg.direction != "backward" or hr <= guard.ceiling_bpm:
            return False
        active = self._ledger.active
        phase = self._course.phase
        if phase not in (Phase.STEADY, Phase.RAMP) or active + EPS < self._guard_next:
            return False
        self._guard_next = active + guard.every_s
        lower = self._belt.speed_now() - guard.step_kmh
        if guard.action == "end-bout" or lower < self._belt.limits.turn_speed_kmh - EPS:
            self._out.cue(CueKind.ALARM, words.heart_rate_bout_over(hr, guard.ceiling_bpm))
            return True
        self.override("the heart-rate guard")
        value = self._belt.command_speed(lower, self._course.facing, reason="heart-rate guard")
        self._out.cue(
            CueKind.ALARM, words.heart_rate_slower(hr, guard.ceiling_bpm, value, self._out.units)
        )
        return False

    # ------------------------------------------------------------------ the zone hold

    def new_segment(self) -> None:
        self._zone = _ZoneState()

    def zone_due(self) -> float | None:
        """Active time of the zone hold's next decision (None: none coming)."""
        return self._zone.next_at

    def override(self, by: str = "a change by hand") -> None:
        """The console (or a nudge, or the heart-rate guard) wins for the rest of this
        interval: drop the plan's remaining steps, never the turn's, and stop holding a
        zone."""
        self._belt.keep_turn_steps()
        seg = self._course.segment
        if seg is not None and seg.heart_rate is not None and not self._zone.off:
            self._zone.off, self._zone.next_at = True, None
            self._out.log("zone", verdict="off", reason=f"the speed was set by {by}")

    def zone_control(self, seg: Segment) -> None:
        """A zone step's decision when one is due (`retrorun.session.zone`)."""
        hold, zone = seg.heart_rate, self._zone
        if hold is None or hold.low_bpm is None or hold.high_bpm is None:
            return
        if self._course.interval_phase is not Phase.STEADY or self._belt.steps:
            return
        active = self._ledger.active
        if zone.off:
            return
        if zone.next_at is None:
            zone.next_at = active + ZONE_UPDATE_S
            return
        if active + EPS < zone.next_at:
            return
        zone.next_at = active + ZONE_UPDATE_S
        hr = self.heart_rate()
        target = Zone(
            hold.low_bpm,
            hold.high_bpm,
            hold.min_speed_kmh,
            hold.max_speed_kmh,
            backward=seg.direction == "backward",
        )
        decision = decide(target, hr, zone.last_hr, self._belt.speed_now())
        zone.last_hr = hr
        self._out.log(
            "zone", verdict=decision.verdict, heart_rate_bpm=hr, speed_kmh=decision.speed_kmh
        )
        if decision.verdict in ("below", "above", "at_max", "at_min"):
            why = f"heart-rate zone: {hr} bpm, {hold.target} is {hold.low_bpm}-{hold.high_bpm}"
            value = self._belt.command_speed(decision.speed_kmh, self._course.facing, reason=why)
        else:
            value = self._belt.speed_now()
        # In the zone but outside the dead band: "low in", not "below".
        edge = hr is not None and hold.low_bpm <= hr <= hold.high_bpm
        self._zone_say(decision.verdict, hr, hold.target, value, edge=edge)

    def _zone_say(
        self, verdict: Verdict, hr: int | None, target: str, speed: float, *, edge: bool
    ) -> None:
        """Say what the zone hold does when that changes (not every 20 s)."""
        zone = self._zone
        if verdict in ("catching_up", zone.said):
            return
        zone.said = verdict
        shown = words.speed_text(speed, self._out.units)
        if verdict == "no_heart_rate":
            if self._hr.freshness(self._ledger.now) == "none":  # stale was said already
                self._out.cue(CueKind.ALARM, f"No heart rate yet: holding {shown}.")
            return
        texts = {
            "below": f"Heart rate {hr}, {'low in' if edge else 'below'} {target}: "
            f"speeding up to {shown}.",
            "above": f"Heart rate {hr}, {'high in' if edge else 'above'} {target}: "
            f"slowing to {shown}.",
            "in_zone": f"In {target}: holding {shown}.",
            "at_max": f"Heart rate {hr}, below {target} at {shown}, this step's fastest.",
            "at_min": f"Heart rate {hr}, above {target} at {shown}, this step's slowest. "
            "Ease off, or stop if you feel unwell.",
        }
        self._out.cue(CueKind.OVERRIDE, texts[verdict])
