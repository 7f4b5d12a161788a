"""Steps that end on a heart rate: when an ``until_heart_rate`` interval is over.

Pure. An interval with ``until_heart_rate: {above: 150}`` (or ``{below: 120}``) ends as soon
as a **fresh** heart rate (`retrorun.session.heart`) is above (below) the value, and at the
latest after its duration. It is judged from `JUDGED_FROM_S` seconds after the interval's
clock starts (the belt at the step's speed): the runner hears what the step waits for
before it can end, and the belt is measured running it. It is never judged on a stale heart
rate or none: then the step runs on, to its duration unless a fresh heart rate comes back
and crosses the value, and the runner is told once per step.

The engine ends the step through its ordinary way to the next segment, so a turn after it
is run as always: an early end never skips a turn.

A repeat block with ``until_heart_rate`` is judged at the end of each of its rounds but the
last (`judge_rounds`), on a fresh heart rate only: met, the session goes on with the segment
after the block's last round (`RoundEnd.skip_to`), the plan's own successor of a round's
end, so a turn after the block runs as planned. A stale heart rate or none never ends a
block: it runs on, and the runner is told once per run of the block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from retrorun.profiles.timeline import RoundEnd, UntilHold

JUDGED_FROM_S = 5.0
"""Seconds of a step's counted time before its condition is judged."""
Verdict = Literal["met", "no_heart_rate", "waiting"]
"""``met``: end the step now; ``no_heart_rate``: no fresh heart rate, first time this step
(tell the runner); ``waiting``: go on."""
LEFT_EPS_S = 1e-6
"""Time left of a step at which it counts as run to its end."""
Outcome = Literal["met", "duration", "skipped"]
"""How an ``until_heart_rate`` step ended, as the session log says it."""


def crossed(until: UntilHold, bpm: int) -> bool:
    """Whether `bpm` meets the condition (strictly above or below its value)."""
    return bpm > until.bpm if until.above else bpm < until.bpm


@dataclass
class UntilWatch:
    """One step's watch of its heart-rate condition."""

    told: bool = False
    """The runner was told there is no heart rate to judge it on."""
    met: bool = False

    def judge(self, until: UntilHold, bpm: int | None, elapsed_s: float) -> Verdict:
        """`bpm` is the fresh heart rate now (None: stale or none), `elapsed_s` the step's
        counted time so far."""
        if elapsed_s + LEFT_EPS_S < JUDGED_FROM_S:
            return "waiting"
        if bpm is None:
            if self.told:
                return "waiting"
            self.told = True
            return "no_heart_rate"
        if crossed(until, bpm):
            self.met = True
            return "met"
        return "waiting"

    def outcome(self, remaining_s: float | None) -> Outcome:
        """How the step ended: its condition, its duration (nothing left of it), or a skip."""
        if self.met:
            return "met"
        return "duration" if remaining_s is None or remaining_s <= LEFT_EPS_S else "skipped"


RoundOutcome = Literal["met", "not_met", "no_heart_rate", "rounds"]
"""How the end of a block's round was judged, as the session log says it: ``met`` (the
block ends here), ``not_met`` and ``no_heart_rate`` (the next round runs), ``rounds`` (the
last round: the block ran all its rounds)."""


@dataclass(frozen=True)
class RoundVerdict:
    """One block's round end, judged."""

    end: RoundEnd
    outcome: RoundOutcome


def judge_rounds(ends: tuple[RoundEnd, ...], bpm: int | None) -> list[RoundVerdict]:
    """The verdicts on the rounds ending now (outermost block first), `bpm` the fresh heart
    rate (None: stale or none). They stop at the first block met: the blocks inside it end
    with it."""
    verdicts: list[RoundVerdict] = []
    for end in ends:
        if end.last:
            verdicts.append(RoundVerdict(end, "rounds"))
        elif bpm is None:
            verdicts.append(RoundVerdict(end, "no_heart_rate"))
        elif crossed(end.until, bpm):
            verdicts.append(RoundVerdict(end, "met"))
            break
        else:
            verdicts.append(RoundVerdict(end, "not_met"))
    return verdicts
