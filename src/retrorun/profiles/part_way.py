"""A profile started part-way through (``retrorun run --start-at``, the simulator only): to
try the end of a long profile without running all of it.

`from_point` cuts a profile at a point of its plan's timeline (the ``start`` column of
``retrorun plan``) and returns a profile of what is left: the interval running at that point,
shortened (a ramp starting from the speed it had reached), and every step after it. A repeat
block keeps its shape: what is left of the round under way, then the rounds still to run as
a block, so the "Last interval" cue still opens the last round when more than one round is
left (a lone remaining round runs as plain steps). A point inside a turn starts at the
interval the turn leads to. The cut profile is compiled like any other, so its session
starts the way every session does: the belt from rest through the treadmill's start, and,
when what is left begins backward, forward at turn speed first and a whole turn (window and
settle) before the backward ramp. A backward interval is kept long enough for that ramp,
never shortened below it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrorun.errors import InputError
from retrorun.profiles.models import RepeatStep
from retrorun.profiles.plan import unrolled_steps
from retrorun.profiles.quantities import format_duration

if TYPE_CHECKING:
    from retrorun.profiles.models import IntervalStep, Profile, Step
    from retrorun.profiles.plan import Plan, Segment

MIN_LEFT_S = 5.0
"""The shortest rest of an interval worth running; less starts at the next one."""


def from_point(profile: Profile, plan: Plan, at_s: float) -> Profile:
    """`profile` (compiled to `plan`) from `at_s` seconds into the plan on; `InputError`
    naming ``--start-at`` when nothing of the plan is left there."""
    if at_s <= 0:
        return profile
    total = plan.total_duration_s
    at = next(
        (s for s in plan.segments if s.start_s <= at_s < s.start_s + s.estimated_duration_s),
        None,
    )
    if at is None:
        raise InputError(
            f"{format_duration(at_s)} is past the end of the plan ({format_duration(total)})",
            location="--start-at",
        )
    steps = unrolled_steps(profile)
    intervals = [s for s in plan.segments if s.kind == "interval"]
    later = [s for s in intervals if s.index > at.index]
    if at.kind == "turn":
        number, first = (
            (intervals.index(later[0]), steps[intervals.index(later[0])])
            if later
            else (len(steps), None)
        )
    else:
        number = intervals.index(at)
        first = _rest_of(steps[number], at, at_s - at.start_s, plan)
    rest = tuple(_from_interval(profile.steps, number, first))
    if not rest:
        raise InputError(
            f"nothing of the plan is left after {format_duration(at_s)}", location="--start-at"
        )
    return profile.model_copy(
        update={"name": f"{profile.name} (from {format_duration(at_s)})", "steps": rest}
    )


def _intervals_in(step: Step) -> int:
    """How many intervals `step` runs, repeats unrolled."""
    if isinstance(step, RepeatStep):
        return step.repeat.times * sum(_intervals_in(inner) for inner in step.repeat.steps)
    return 1


def _from_interval(steps: tuple[Step, ...], number: int, first: IntervalStep | None) -> list[Step]:
    """`steps` from their `number`-th interval (counted unrolled) on, that interval replaced
    by `first` (left out when None), repeat blocks kept as blocks."""
    for position, step in enumerate(steps):
        count = _intervals_in(step)
        if number >= count:
            number -= count
            continue
        if isinstance(step, RepeatStep):
            block = step.repeat
            per_round = count // block.times
            done, within = divmod(number, per_round)
            head = _from_interval(block.steps, within, first)
            left = block.times - done - 1
            if left == 1:
                head.extend(block.steps)
            elif left > 1:
                # The rounds left keep the block's heart-rate condition, if it has one.
                head.append(RepeatStep(repeat=block.model_copy(update={"times": left})))
        else:
            head = [first] if first is not None else []
        return head + list(steps[position + 1 :])
    return []


def _rest_of(step: IntervalStep, seg: Segment, into_s: float, plan: Plan) -> IntervalStep | None:
    """What is left of `step` (run as `seg`) `into_s` seconds into it, or None when too
    little is left."""
    length = seg.estimated_duration_s
    if step.ramp is not None or step.duration_s is None:
        left = 1.0 - into_s / length  # a ramp runs on the clock; a distance at its speed
    else:
        counted = max(0.0, into_s - (length - step.duration_s))  # after the ramp-in
        left = 1.0 - counted / step.duration_s
    seconds_left = left * (step.duration_s or length)
    if step.direction == "backward":
        # From turn speed up at the backward ramp rate, and then some of the interval.
        limits = plan.limits
        climb = abs(step.end_speed_kmh - limits.turn_speed_kmh) / limits.backward_ramp_kmh_per_s
        wanted = climb + MIN_LEFT_S
        if seconds_left < wanted:
            left = min(1.0, wanted / (step.duration_s or length))
    elif seconds_left < MIN_LEFT_S:
        return None
    update: dict[str, object] = {}
    if step.duration_s is not None:
        update["duration_s"] = round(step.duration_s * left, 3)
    else:
        update["distance_m"] = round((step.distance_m or 0.0) * left, 1)
    if step.ramp is not None:
        reached = step.ramp.to_kmh - (step.ramp.to_kmh - step.ramp.from_kmh) * left
        update["ramp"] = step.ramp.model_copy(update={"from_kmh": round(reached, 2)})
    return step.model_copy(update=update)
