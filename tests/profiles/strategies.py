"""Hypothesis strategies for valid random profiles (raw dicts, as a file would hold them)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

Raw = dict[str, Any]

until_heart_rate = st.one_of(
    st.none(),
    st.builds(lambda bpm: {"above": bpm}, st.integers(100, 180)),
    st.builds(lambda bpm: {"below": bpm}, st.integers(80, 150)),
)
"""An ``until_heart_rate`` condition for a timed step, or none."""


def _until(draw: st.DrawFn, step: Raw) -> Raw:
    """`step`, when timed, maybe ending on a heart rate."""
    until = draw(until_heart_rate) if "duration" in step else None
    return {**step, "until_heart_rate": until} if until else step


@st.composite
def forward_steps(draw: st.DrawFn) -> Raw:
    length = draw(
        st.one_of(
            st.builds(lambda s: {"duration": s}, st.integers(15, 600)),
            st.builds(lambda m: {"distance": f"{m}m"}, st.integers(100, 3000)),
        )
    )
    speed: Raw = draw(
        st.one_of(
            st.builds(lambda v: {"speed": v}, st.floats(1.0, 20.0)),
            st.builds(
                lambda a, b: {"ramp": {"from": a, "to": b}},
                st.floats(1.0, 16.0),
                st.floats(1.0, 16.0),
            ),
        )
    )
    incline = draw(st.floats(-3.0, 15.0))
    return _until(draw, {"direction": "forward", **length, **speed, "incline": round(incline, 1)})


@st.composite
def backward_steps(draw: st.DrawFn) -> Raw:
    incline = round(draw(st.floats(0.0, 10.0)), 1)
    top = 5.0 if incline > 5 else 8.0
    speed = round(draw(st.floats(1.0, top)), 2)
    length = draw(
        st.one_of(
            st.builds(lambda s: {"duration": s}, st.integers(80, 300)),
            st.builds(lambda m: {"distance": m}, st.integers(200, 800)),
        )
    )
    return _until(draw, {"direction": "backward", "speed": speed, "incline": incline, **length})


@st.composite
def zone_steps(draw: st.DrawFn) -> Raw:
    """A heart-rate zone step (a bpm range: it needs no zones), forward or a backward walk."""
    low = draw(st.integers(60, 200))
    bpm = [low, draw(st.integers(low + 1, 230))]
    duration = draw(st.integers(60, 900))
    if draw(st.booleans()):
        slowest = round(draw(st.floats(1.0, 12.0)), 1)
        fastest = round(slowest + draw(st.floats(0.5, 8.0)), 1)
        incline = round(draw(st.floats(-3.0, 15.0)), 1)
        direction = "forward"
    else:
        incline = round(draw(st.floats(0.0, 10.0)), 1)
        slowest = round(draw(st.floats(1.0, 3.5)), 1)
        fastest = round(draw(st.floats(slowest + 0.5, 5.0 if incline > 5 else 5.5)), 1)
        direction = "backward"
    return {
        "direction": direction,
        "duration": duration,
        "heart_rate": {"bpm": bpm},
        "min_speed": slowest,
        "max_speed": fastest,
        "incline": incline,
    }


@st.composite
def kept_pairs(draw: st.DrawFn) -> Raw:
    """A forward step and an (open) keep_speed step after it, as a repeat of one round."""
    first = draw(forward_steps())
    kept = {"duration": draw(st.integers(15, 600)), "keep_speed": True}
    if draw(st.booleans()):
        kept["open"] = True
    return {"repeat": {"times": 1, "steps": [first, kept]}}


interval_steps = st.one_of(forward_steps(), backward_steps(), zone_steps(), kept_pairs())


def _block(times: int, steps: list[Raw], until: Raw | None) -> Raw:
    """A repeat block; of two rounds or more, maybe ending on a heart rate."""
    block: Raw = {"times": times, "steps": steps}
    if until and times > 1:
        block["until_heart_rate"] = until
    return {"repeat": block}


def _repeat(children: st.SearchStrategy[list[Raw]]) -> st.SearchStrategy[Raw]:
    return st.builds(_block, st.integers(1, 4), children, until_heart_rate)


steps = st.recursive(
    st.lists(interval_steps, min_size=1, max_size=4),
    lambda inner: st.lists(st.one_of(interval_steps, _repeat(inner)), min_size=1, max_size=4),
    max_leaves=12,
)

turn_settings = st.fixed_dictionaries(
    {},
    optional={
        "speed": st.floats(1.0, 4.0),
        "window": st.floats(5.0, 20.0),
        "settle": st.floats(0.0, 10.0),
        "warning": st.floats(0.0, 20.0),
        "backward_ramp": st.floats(0.2, 0.5),
    },
)

profiles = st.builds(
    lambda s, turn: {"name": "random", "turn": turn, "steps": s}, steps, turn_settings
)
