"""Compile a profile into a plan: a flat, checked timeline a session can drive.

Theory of operation
-------------------
Repeat blocks are unrolled into a tuple of `Segment`s. Every change of direction gets a
**turn** segment: the belt slows to turn speed (in backward ramp steps when the runner is
still facing away), is held there for the turn window while the runner turns on the rails,
then for the settle time. The next interval's incline is commanded at the start of the turn
window, because a backward runner may only have the incline move while straddling the belt;
two backward steps at different inclines therefore get a turn between them too (the runner
steps onto the rails and back, facing the same way). The runner starts facing the console,
so a profile that begins backward begins with a turn.

Interval time counts at the interval's speed, so "1 min at 9 km/h" is a minute at 9 km/h:
the belt's ramp from turn speed up to the target comes before the interval's clock starts
(the session starts it when the belt is measured there), and the slow-down to turn speed
belongs to the turn that follows. The plan estimates both with the belt's default rates
(`retrorun.belt.DEFAULT_RATES`): a turn's `estimated_duration_s` includes its approach, and
a time interval's includes its ramp-in, so the totals are what a session really takes. A
warm-up or cool-down ramp of the profile runs on the clock (the ramp is the plan), and a
distance interval counts every metre from its start.
Backward speed changes are commanded in small steps at the backward ramp rate
(`safety.backward_ramp`); forward warm-up/cool-down ramps in steps of
`FORWARD_RAMP_STEP_KMH`.

A plan carries everything a session needs, including the `SafetyLimits` it was checked
against; the session still passes every command through the safety layer's clamps.
Distance segments also carry an estimated duration (distance at the target speed), which is
what the totals and cue offsets use.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from retrorun.belt import DEFAULT_RATES
from retrorun.errors import ProfileError, ProfileErrors
from retrorun.profiles import safety, words
from retrorun.profiles.heart_zones import target_bpm
from retrorun.profiles.models import IntervalStep, Profile, RepeatStep, format_path
from retrorun.profiles.quantities import format_duration
from retrorun.profiles.timeline import (
    COUNTDOWN_BEEPS_S,
    Command,
    Cue,
    CueKind,
    Plan,
    RoundEnd,
    Segment,
    SpeedStep,
    UntilHold,
    ZoneHold,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from retrorun.belt import RampRates
    from retrorun.profiles.heart_zones import HeartRateZones
    from retrorun.profiles.models import Direction, FieldPath, Step, UntilHeartRate
    from retrorun.profiles.safety import SafetyLimits, Violation

__all__ = [
    "Command",
    "Cue",
    "Locator",
    "Plan",
    "Segment",
    "SpeedStep",
    "approach_s",
    "compile_plan",
    "finish_note",
    "ramp_in_s",
    "unrolled_steps",
]

FORWARD_RAMP_STEP_KMH = 0.1
FINAL_TURN_LABEL = "turn to forward to finish"
FINAL_STOP_LABEL = "slow down to stop"
FINAL_STOP_CUE = "Hold the rails, the belt is stopping"
PREVIEW_LEAD_S = 8.0
"""A backward step's cue is said this long before the turn warning that leads to it."""
FINAL_HOLD_S = 5.0
"""With ``finish: stop``, how long the belt runs at turn speed before it stops: long enough
for a runner facing away to take hold of the rails."""
OPEN_STEP_CUE = "Press skip, the lap button, when you are ready to go on"
# Nested repeats multiply; a plan longer than this is a typo, not a workout (and would
# take a long time and much memory to unroll).
MAX_INTERVALS = 2000
# Cue thresholds: a halfway cue only makes sense in a bout long enough to need one (in a
# short one, only for a runner who asks for chatty cues: `words.SHORT_BOUT_S`), and a
# countdown only when the bout is longer than the countdown itself.
HALFWAY_MIN_S = 40.0
COUNTDOWN_LEAD_S = 10.0
LEAD_MARGIN_S = 1.0
"""Telemetry arrives about once a second: a sample a second old must already show arrival."""


def approach_s(steps: Sequence[SpeedStep], from_kmh: float, rates: RampRates) -> float:
    """Seconds from the start of a turn with speed `steps` (the belt at ``from_kmh``) until
    the belt is expected at turn speed, so the window can open.

    The last step's change is timed at the slower of the acceleration and deceleration:
    until the belt has been seen slowing only its acceleration is known, and a window due a
    second late is harmless (it opens when the belt is measured at turn speed) while one due
    early keeps the runner waiting after the countdown.
    """
    before = steps[-2].speed_kmh if len(steps) > 1 else from_kmh
    rate = min(rates.accel_kmh_per_s, rates.decel_kmh_per_s)
    change = abs(steps[-1].speed_kmh - before)
    return steps[-1].offset_s + rates.reaction_delay_s + change / rate + LEAD_MARGIN_S


def ramp_in_s(steps: Sequence[SpeedStep], from_kmh: float, rates: RampRates) -> float:
    """Seconds from the start of an interval with speed `steps` (the belt at ``from_kmh``)
    until the belt is expected at its speed: when its clock starts."""
    before = steps[-2].speed_kmh if len(steps) > 1 else from_kmh
    return steps[-1].offset_s + rates.time_to_change_speed(before, steps[-1].speed_kmh)


class Locator(Protocol):
    """Turns a message and a field path into a `ProfileError` naming the place."""

    def error(self, message: str, path: FieldPath) -> ProfileError: ...


@dataclass(frozen=True)
class _Flat:
    """An interval step in unrolled order, with where it came from."""

    step: IntervalStep
    path: FieldPath
    repeat_round: str | None = None
    final: bool = True
    """In the last round of every repeat block around it."""
    repeated: bool = False
    """Inside a repeat block of more than one round."""
    ends: tuple[_RoundMark, ...] = ()
    """The rounds of blocks ending on a heart rate that end with this step, outermost
    first."""

    @property
    def last_round(self) -> bool:
        """In the final round of a repeated block: its first interval is "the last one"."""
        return self.final and self.repeated


@dataclass(frozen=True)
class _RoundMark:
    """The end of a round of a block ending on a heart rate, before the plan knows where
    the block's last round ends (`RoundEnd.skip_to`)."""

    instance: int
    """Which run of the block (a block inside another repeat runs once per outer round)."""
    until: UntilHold
    round_no: int
    times: int
    block: str


def unrolled_steps(profile: Profile) -> tuple[IntervalStep, ...]:
    """The profile's interval steps in the order they run, repeats unrolled: the plan's
    interval segments, one for one."""
    return tuple(flat.step for flat in _unroll(profile.steps, ("steps",)))


def _unroll(
    steps: tuple[Step, ...], path: FieldPath, runs: Iterator[int] | None = None
) -> Iterator[_Flat]:
    """The interval steps in running order; `runs` numbers the runs of blocks ending on a
    heart rate."""
    runs = itertools.count() if runs is None else runs
    for index, step in enumerate(steps):
        if not isinstance(step, RepeatStep):
            yield _Flat(step, (*path, index))
            continue
        block = step.repeat
        inner = (*path, index, "repeat", "steps")
        until = _until(block.until_heart_rate)
        instance = next(runs) if until is not None else -1
        for round_no in range(1, block.times + 1):
            flats = list(_unroll(block.steps, inner, runs))
            for position, flat in enumerate(flats):
                tag = f"{round_no}/{block.times}"
                ends = flat.ends
                if until is not None and position == len(flats) - 1:
                    where = format_path((*path, index, "repeat"))
                    ends = (_RoundMark(instance, until, round_no, block.times, where), *ends)
                yield replace(
                    flat,
                    repeat_round=flat.repeat_round or tag,
                    final=flat.final and round_no == block.times,
                    repeated=flat.repeated or block.times > 1,
                    ends=ends,
                )


@dataclass
class _State:
    """What the belt was last told, while compiling."""

    direction: Direction = "forward"
    speed_kmh: float = 0.0
    incline_pct: float = 0.0
    since_last_s: float = math.inf
    start_s: float = 0.0
    started: bool = False


def _linear_steps(from_kmh: float, to_kmh: float, duration_s: float) -> tuple[SpeedStep, ...]:
    count = max(1, math.ceil(abs(to_kmh - from_kmh) / FORWARD_RAMP_STEP_KMH - 1e-9))
    if count == 1:
        return (SpeedStep(0.0, to_kmh),)
    spacing = duration_s / count
    return tuple(
        SpeedStep(round(k * spacing, 6), round(from_kmh + k * (to_kmh - from_kmh) / (count - 1), 6))
        for k in range(count)
    )


def _distance(steps: tuple[SpeedStep, ...], start_kmh: float, duration_s: float) -> float:
    """Metres covered if the belt ran at each commanded speed until the next command."""
    metres, speed, t = 0.0, start_kmh, 0.0
    for step in steps:
        offset = min(step.offset_s, duration_s)
        metres += speed / 3.6 * (offset - t)
        speed, t = step.speed_kmh, offset
    return metres + speed / 3.6 * (duration_s - t)


def _too_long(segments: list[Segment]) -> list[Violation]:
    """A violation when the plan (its estimate, for distance steps) lasts over the maximum.

    The simulator, and real treadmills, count elapsed time in 16 bits (FTMS), so no session
    may come near 65,535 s; ten hours is far beyond any interval workout.
    """
    total = sum(seg.estimated_duration_s for seg in segments)
    if total <= safety.SESSION_LENGTH_MAX_S:
        return []
    return [
        safety.Violation(
            ("steps",),
            "session length",
            total,
            safety.SESSION_LENGTH_MAX_S,
            f"the plan lasts {format_duration(total)}, more than "
            f"{format_duration(safety.SESSION_LENGTH_MAX_S)}; split it into shorter sessions",
        )
    ]


def compile_plan(
    profile: Profile,
    personal: safety.PersonalLimits | None = None,
    device: safety.DeviceRange | None = None,
    *,
    where: Locator | None = None,
    zones: HeartRateZones | None = None,
) -> Plan:
    """Check `profile` against the safety layer and compile it into a `Plan`.

    Raises `ProfileErrors` listing every violation (named through `where`, usually the
    loader's `ProfileDocument`, so messages carry file and line). Zone steps get their bpm
    range from `zones` (a bpm target needs none; without zones the others stay unresolved:
    `heart_zones.step_needing_zones` says which step a session could not run).
    """
    limits, _ = safety.resolve_limits(profile, personal, device)
    violations = list(safety.check_profile(profile, personal, device))
    count = _unrolled_count(profile.steps)
    if count > MAX_INTERVALS:
        violations.append(
            safety.Violation(
                ("steps",),
                "plan size",
                count,
                MAX_INTERVALS,
                f"the repeats unroll to {count} intervals, more than {MAX_INTERVALS}; "
                "use fewer or shorter repeats",
            )
        )
    segments: list[Segment] = []
    last_round: frozenset[int] = frozenset()
    if not violations:
        segments, last_round = _segments(profile, limits, violations, zones)
        violations.extend(_too_long(segments))
    if violations:
        unique = list(dict.fromkeys((v.path, v.message) for v in violations))
        locate = where.error if where else _plain_error
        raise ProfileErrors(tuple(locate(message, path) for path, message in unique))
    return Plan(
        profile.name, profile.description, tuple(_with_cues(segments, last_round, limits)), limits
    )


def _unrolled_count(steps: tuple[Step, ...]) -> int:
    return sum(
        step.repeat.times * _unrolled_count(step.repeat.steps)
        if isinstance(step, RepeatStep)
        else 1
        for step in steps
    )


def _plain_error(message: str, path: FieldPath) -> ProfileError:
    return ProfileError(message, path=format_path(path) or None)


def _segments(
    profile: Profile,
    limits: SafetyLimits,
    violations: list[Violation],
    zones: HeartRateZones | None = None,
) -> tuple[list[Segment], frozenset[int]]:
    """Segments in order, and the indices of those in the last round of a repeat."""
    state = _State()
    segments: list[Segment] = []
    last_round: set[int] = set()
    last: _Flat | None = None
    marks: list[tuple[int, _RoundMark]] = []
    block_ends: dict[int, int] = {}
    """A run of a block ending on a heart rate → the segment after its last round."""
    for flat in _unroll(profile.steps, ("steps",)):
        last = flat
        step = flat.step
        turn_needed = step.direction != state.direction or (
            step.direction == "backward" and step.incline_pct != state.incline_pct
        )
        if step.keep_speed and (turn_needed or not state.started):
            violations.append(
                safety.Violation(
                    (*flat.path, "keep_speed"),
                    "keep_speed follows a step",
                    0.0,
                    0.0,
                    "a keep_speed step keeps the speed of the step before it: it needs one "
                    "before it in the same direction (and, backward, at the same incline)",
                )
            )
            continue
        if turn_needed:
            segments.append(
                _turn(
                    len(segments),
                    step.direction,
                    step.incline_pct,
                    flat,
                    state,
                    limits,
                )
            )
        if flat.last_round:
            last_round.add(len(segments))
        for mark in flat.ends:
            marks.append((len(segments), mark))
            if mark.round_no == mark.times:
                block_ends[mark.instance] = len(segments) + 1
        segments.append(_interval(len(segments), flat, state, limits, violations, zones))
    if state.direction == "backward" and last is not None:
        final = _Flat(last.step, ("finish",), last.repeat_round)
        if profile.finish == "stop":
            segments.append(_final_stop(len(segments), final, state, limits))
        else:
            turn = _turn(len(segments), "forward", state.incline_pct, final, state, limits)
            segments.append(replace(turn, label=FINAL_TURN_LABEL))
    return _with_round_ends(segments, marks, block_ends), frozenset(last_round)


def _with_round_ends(
    segments: list[Segment], marks: list[tuple[int, _RoundMark]], block_ends: dict[int, int]
) -> list[Segment]:
    """The intervals that end a round of a block ending on a heart rate, with where the
    session goes on when it is met: the segment the plan has after the block's last round,
    so a turn after the block runs as planned (the last round ends the way every round
    does: the same step, direction, incline and speed)."""
    ends: dict[int, list[RoundEnd]] = {}
    for index, mark in marks:
        skip_to = block_ends.get(mark.instance, index + 1)
        end = RoundEnd(mark.until, mark.round_no, mark.times, skip_to, mark.block)
        ends.setdefault(index, []).append(end)
    return [
        replace(seg, round_ends=tuple(ends[seg.index])) if seg.index in ends else seg
        for seg in segments
    ]


def finish_note(profile: Profile, limits: SafetyLimits) -> tuple[FieldPath, str] | None:
    """Why a plan ends the way it does, when its last step is backward (None otherwise):
    the runner never rides a stopping belt facing away without a turn or a warning."""
    steps: tuple[Step, ...] = profile.steps
    path: FieldPath = ("steps",)
    while True:
        last = steps[-1]
        path = (*path, len(steps) - 1)
        if not isinstance(last, RepeatStep):
            break
        steps, path = last.repeat.steps, (*path, "repeat", "steps")
    if last.direction != "backward":
        return None
    speed = f"{limits.turn_speed_kmh:g} km/h"
    if profile.finish == "stop":
        why = (
            f"the workout ends backward: the belt slows to the turn speed ({speed}) and "
            f'stops after "{FINAL_STOP_CUE}" (finish: stop)'
        )
    else:
        why = (
            f"the workout ends backward: the plan adds a turn to forward at the turn speed "
            f"({speed}) so the runner faces the console when the belt stops (set "
            "'finish: stop' to stop at turn speed facing backward instead)"
        )
    return path, why


def _advance(state: _State, seg: Segment) -> None:
    state.direction = seg.direction
    state.speed_kmh = seg.speed_steps[-1].speed_kmh
    state.incline_pct = seg.incline_pct
    state.since_last_s = seg.estimated_duration_s - seg.speed_steps[-1].offset_s
    state.start_s += seg.estimated_duration_s
    state.started = True


def _turn(
    index: int,
    direction: Direction,
    incline_pct: float,
    flat: _Flat,
    state: _State,
    limits: SafetyLimits,
) -> Segment:
    turn_kmh = limits.turn_speed_kmh
    if state.direction == "backward" and state.speed_kmh > turn_kmh:
        ramp = safety.backward_ramp(state.speed_kmh, turn_kmh, limits, state.since_last_s)
        steps = tuple(SpeedStep(offset, speed) for offset, speed in ramp)
    else:
        steps = (SpeedStep(0.0, turn_kmh),)
    window_start = approach_s(steps, state.speed_kmh, DEFAULT_RATES)
    duration = window_start + limits.turn_window_s + limits.settle_s
    seg = Segment(
        index=index,
        kind="turn",
        direction=direction,
        from_direction=state.direction,
        speed_kmh=turn_kmh,
        incline_pct=incline_pct,
        incline_offset_s=window_start,
        duration_s=duration,
        distance_m=None,
        estimated_duration_s=duration,
        estimated_distance_m=_distance(steps, state.speed_kmh, duration),
        start_s=state.start_s,
        speed_steps=steps,
        ramp_from_kmh=None,
        ramp_to_kmh=None,
        window_s=limits.turn_window_s,
        settle_s=limits.settle_s,
        label=f"turn to {direction}"
        if direction != state.direction
        else "incline change on the rails",
        cue=None,
        source_path=format_path(flat.path),
        repeat_round=flat.repeat_round,
        cues=(),
    )
    _advance(state, seg)
    return seg


def _final_stop(index: int, flat: _Flat, state: _State, limits: SafetyLimits) -> Segment:
    """The belt slowed to turn speed in backward steps and held there `FINAL_HOLD_S` with
    the runner on the rails, then the session's Stop: a workout ending backward with
    ``finish: stop``. The hold counts from the belt at turn speed, so a slow-down longer
    than the hold is fine here."""
    hold = IntervalStep(
        direction="backward",
        duration_s=FINAL_HOLD_S,
        speed_kmh=limits.turn_speed_kmh,
        incline_pct=state.incline_pct,
        label=FINAL_STOP_LABEL,
        cue=FINAL_STOP_CUE,
    )
    return _interval(index, replace(flat, step=hold), state, limits, [])


def _zone_hold(step: IntervalStep, zones: HeartRateZones | None) -> ZoneHold | None:
    target = step.heart_rate
    if target is None or step.min_speed_kmh is None or step.max_speed_kmh is None:
        return None
    bpm = target_bpm(target, zones)
    return ZoneHold(
        target.describe(),
        step.min_speed_kmh,
        step.max_speed_kmh,
        bpm[0] if bpm else None,
        bpm[1] if bpm else None,
    )


def _until(until: UntilHeartRate | None) -> UntilHold | None:
    if until is None:
        return None
    above = until.above is not None
    return UntilHold(until.above if until.above is not None else until.below or 0, above)


def _label(step: IntervalStep, speed_kmh: float) -> str:
    if step.label:
        return step.label
    if step.heart_rate is not None:
        return f"{step.direction} {step.heart_rate.describe()}"
    if step.keep_speed:
        return f"{step.direction} at the same speed"
    return f"{step.direction} {speed_kmh:.1f} km/h"


def _interval(
    index: int,
    flat: _Flat,
    state: _State,
    limits: SafetyLimits,
    violations: list[Violation],
    zones: HeartRateZones | None = None,
) -> Segment:
    step = flat.step
    estimate = safety.step_duration_s(step)
    # A keep_speed step commands nothing: the plan estimates it at the speed before it.
    speed = state.speed_kmh if step.keep_speed else step.end_speed_kmh
    if step.keep_speed:
        steps: tuple[SpeedStep, ...] = (SpeedStep(0.0, speed),)
    elif step.ramp is not None:
        steps = _linear_steps(step.ramp.from_kmh, step.ramp.to_kmh, estimate)
    elif step.direction == "backward":
        ramp = safety.backward_ramp(state.speed_kmh, step.end_speed_kmh, limits, state.since_last_s)
        steps = tuple(SpeedStep(offset, speed) for offset, speed in ramp)
        if state.speed_kmh != step.end_speed_kmh and steps[-1].offset_s >= estimate:
            violations.append(safety.ramp_too_long(flat.path, steps[-1].offset_s, estimate))
    else:
        steps = (SpeedStep(0.0, step.end_speed_kmh),)
    if step.distance_m is not None:
        distance = step.distance_m
    else:
        distance = _distance(
            steps, state.speed_kmh if state.started else steps[0].speed_kmh, estimate
        )
    if step.ramp is None and step.duration_s is not None and not step.keep_speed:
        # The clock starts when the belt is at the speed; the ramp-in comes on top.
        ramp_in = ramp_in_s(steps, state.speed_kmh, DEFAULT_RATES)
        distance += ramp_in * (state.speed_kmh + step.end_speed_kmh) / 2 / 3.6
        estimate += ramp_in
    seg = Segment(
        index=index,
        kind="interval",
        direction=step.direction,
        from_direction=step.direction,
        speed_kmh=speed,
        incline_pct=step.incline_pct,
        incline_offset_s=0.0,
        duration_s=step.duration_s,
        distance_m=step.distance_m,
        estimated_duration_s=estimate,
        estimated_distance_m=distance,
        start_s=state.start_s,
        speed_steps=steps,
        ramp_from_kmh=step.ramp.from_kmh if step.ramp else None,
        ramp_to_kmh=step.ramp.to_kmh if step.ramp else None,
        window_s=None,
        settle_s=None,
        label=_label(step, speed),
        cue=step.cue,
        source_path=format_path(flat.path),
        repeat_round=flat.repeat_round,
        cues=(),
        heart_rate=_zone_hold(step, zones),
        keep_speed=step.keep_speed,
        open_ended=step.open_ended,
        until_heart_rate=_until(step.until_heart_rate),
    )
    _advance(state, seg)
    return seg


def _preview_cue(seg: Segment, preview: tuple[int, str] | None, limits: SafetyLimits) -> list[Cue]:
    """The cue of the backward interval after the next turn, ahead of the turn warning."""
    if preview is None:
        return []
    length = seg.estimated_duration_s
    at = max(0.0, length - min(limits.turn_warning_s, length) - PREVIEW_LEAD_S)
    return [Cue(at, CueKind.TEXT, preview[1])]


def _previews(segments: list[Segment]) -> dict[int, tuple[int, str]]:
    """Backward intervals after a turn whose cue is said before it: the index of the interval
    before the turn → (the backward interval's index, what to say)."""
    previews: dict[int, tuple[int, str]] = {}
    for position in range(2, len(segments)):
        before, turn, seg = segments[position - 2 : position + 1]
        if (
            seg.cue
            and seg.direction == "backward"
            and (before.kind, turn.kind, seg.kind) == ("interval", "turn", "interval")
        ):
            previews[position - 2] = (position, f"Next, backward: {seg.cue}")
    return previews


def _opening_cues(seg: Segment, *, own_cue: bool) -> list[Cue]:
    """What an interval says as it starts: its label, its own cue (unless said before it),
    how an open step or one ending on a heart rate ends."""
    cues = [Cue(0.0, CueKind.START, seg.label)]
    if seg.cue and own_cue:
        cues.append(Cue(0.0, CueKind.TEXT, seg.cue))
    if seg.open_ended:
        cues.append(Cue(0.0, CueKind.TEXT, OPEN_STEP_CUE))
    until = seg.until_heart_rate
    if until is not None:
        text = words.until_heart_rate(until.condition, seg.duration_s or 0.0)
        cues.append(Cue(0.0, CueKind.TEXT, text))
    return cues


def _with_cues(
    segments: list[Segment], last_round: frozenset[int], limits: SafetyLimits
) -> Iterator[Segment]:
    """Attach cue times: start, text, halfway, 10 s and 3-2-1 before a change, turn warning.

    A step's cue is said when it starts, with two exceptions that put it before the runner
    needs it: the first interval's cue is the plan's `Plan.opening_cue`, said before the belt
    starts moving (a safety-key reminder), and a backward interval that comes after a turn
    has its cue said in the interval before the turn, ahead of the turn warning (form cues
    before the first backward steps, not once the turn is over).

    A turn's own cues ("Turn around now", its countdown, "Settle in") hang on its window,
    which opens only when the belt is measured at turn speed: the session says them
    (`retrorun.session.cues`), and ``retrorun plan --cues`` shows when.
    """
    last_round_seen = False
    opening = next((i for i, seg in enumerate(segments) if seg.kind == "interval"), -1)
    previews = _previews(segments)
    said_before = {target for target, _ in previews.values()} | {opening}
    for position, seg in enumerate(segments):
        following = segments[position + 1] if position + 1 < len(segments) else None
        length = seg.estimated_duration_s
        cues: list[Cue] = []
        if seg.kind == "interval":
            if position in last_round and not last_round_seen:
                cues.append(Cue(0.0, CueKind.LAST_INTERVAL, words.LAST_INTERVAL))
                last_round_seen = True
            cues.extend(_opening_cues(seg, own_cue=position not in said_before))
            cues.extend(_preview_cue(seg, previews.get(position), limits))
            counted = seg.duration_s if seg.duration_s is not None else length
            # Halfway through the counted time; a step that may end early has no halfway.
            early = seg.open_ended or seg.until_heart_rate is not None
            if counted >= HALFWAY_MIN_S and not early:
                cues.append(Cue(length - counted / 2, CueKind.HALFWAY, words.HALFWAY))
        if following is not None and following.kind == "turn":
            lead = min(limits.turn_warning_s, length)
            cues.append(
                Cue(
                    length - lead,
                    CueKind.TURN_WARNING,
                    words.segment_warning(following, lead, slowing=True),
                )
            )
        elif following is not None and seg.kind == "interval" and length > COUNTDOWN_LEAD_S:
            stopping = following.label == FINAL_STOP_LABEL and following.source_path == "finish"
            cues.append(
                Cue(
                    length - COUNTDOWN_LEAD_S,
                    CueKind.COUNTDOWN,
                    words.stopping_in(COUNTDOWN_LEAD_S)
                    if stopping
                    else words.change_in(COUNTDOWN_LEAD_S),
                )
            )
        if seg.kind == "interval" and length > COUNTDOWN_BEEPS_S[0]:
            cues.extend(
                Cue(length - beep, CueKind.COUNTDOWN, f"{beep:.0f}") for beep in COUNTDOWN_BEEPS_S
            )
        if following is None:
            cues.append(Cue(length, CueKind.FINISH, words.FINISH))
        yield replace(seg, cues=tuple(sorted(cues, key=lambda cue: cue.offset_s)))
