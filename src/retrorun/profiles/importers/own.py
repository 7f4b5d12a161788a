"""Reading back what retrorun's exporters wrote, and keeping directions honest on import.

`retrorun.profiles.exporters.steps` writes every turn as three steps named by `TURN_HEAD`;
`TurnSteps` drops them (the plan makes the turns again) and keeps their speed, window and
settle time as the profile's ``turn`` settings where they differ from the defaults; it drops
a backward step's speed change step too (the plan ramps the belt again). A last
backward step named ``"slow down to stop"`` is ``finish: stop`` written out.

Two rules every import ends with. `honest`: a step that runs forward never carries a
label or cue that speaks of running backward. Direction comes across faithfully (from
retrorun's own names) or not at all, so a session never says "backward" while the belt
runs a forward step with no turn. `clamp_inclines`: an incline beyond what any profile
allows (a QZ program from an outdoor route may go down to -20 %) is clamped into that range
with one note for the file, not refused; the treadmill's own range decides at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from retrorun.profiles.exporters.steps import (
    SETTLE,
    SLOW,
    SPEED_CHANGE_HEAD,
    TURN,
    TURN_HEAD,
    TURN_SETTINGS,
    TURN_TEXT,
)
from retrorun.profiles.models import MAX_INCLINE_PCT, MIN_INCLINE_PCT
from retrorun.profiles.plan import FINAL_STOP_CUE, FINAL_STOP_LABEL
from retrorun.profiles.safety import SAFETY_NUMBERS

Raw = dict[str, Any]
BACKWARD_WORDS = re.compile(r"\b(backwards?|retro|reverse)\b", re.IGNORECASE)
"""Words that say a step runs backward."""
_DEFAULTS = {
    "speed": SAFETY_NUMBERS["turn_speed_default"].value,
    "window": SAFETY_NUMBERS["turn_window_default"].value,
    "settle": SAFETY_NUMBERS["settle_default"].value,
    "warning": SAFETY_NUMBERS["turn_warning_default"].value,
    "backward_ramp": SAFETY_NUMBERS["backward_ramp_default"].value,
}


@dataclass
class TurnSteps:
    """The turn steps of one of our own exports, seen while importing it."""

    settings: dict[str, float] = field(default_factory=dict)

    def take(self, text: str) -> bool:
        """Whether `text` (a FIT step's name + notes, a .zwo message) is a turn step (its
        speed and time are then noted) or a speed change step."""
        if SPEED_CHANGE_HEAD.match(text):
            return True
        head = TURN_HEAD.match(text)
        if head is None:
            return False
        timing = TURN_TEXT.search(text)
        phase = int(head["phase"])
        noted = TURN_SETTINGS.search(text) if phase == SLOW else None
        if noted is not None:
            for key, group in (("warning", "warning"), ("backward_ramp", "ramp")):
                if noted[group]:
                    self.settings.setdefault(key, float(noted[group]))
        if timing is not None and phase in (TURN, SETTLE):
            self.settings.setdefault("speed", float(timing["speed"]))
            key = "window" if phase == TURN else "settle"
            self.settings.setdefault(key, float(timing["seconds"]))
        return True

    def turn(self) -> Raw:
        """The profile's ``turn`` settings: what differs from the defaults."""
        return {key: value for key, value in self.settings.items() if value != _DEFAULTS[key]}


def read_back(raw: Raw, turns: TurnSteps) -> Raw:
    """`raw` with our own export's turn settings and ``finish: stop`` step read back."""
    steps = list(raw["steps"])
    last = steps[-1] if steps else None
    if (
        isinstance(last, dict)
        and len(steps) > 1
        and last.get("direction") == "backward"
        and last.get("label") == FINAL_STOP_LABEL
        and last.get("cue") == FINAL_STOP_CUE
    ):
        steps.pop()
        raw = {**raw, "finish": "stop"}
    turn = turns.turn()
    return {**raw, "steps": steps, **({"turn": turn} if turn else {})}


def fold_first_round(steps: list[Raw]) -> list[Raw]:
    """A repeat block written with its first round on its own before it (as the exporters
    do when the first round differs only in its turns) becomes one block again."""
    out: list[Raw] = []
    for step in steps:
        if "repeat" in step:
            inner = fold_first_round(step["repeat"]["steps"])
            times = step["repeat"]["times"]
            size = len(inner)
            if len(out) >= size and out[len(out) - size :] == inner:
                del out[len(out) - size :]
                times += 1
            step = {"repeat": {**step["repeat"], "times": times, "steps": inner}}  # noqa: PLW2901
        out.append(step)
    return out


def honest(steps: list[Raw], notes: list[str], where: str = "steps") -> list[Raw]:
    """Steps without any backward label or cue on a forward step (each one dropped is
    noted)."""
    out: list[Raw] = []
    for index, step in enumerate(steps):
        if "repeat" in step:
            inner = honest(step["repeat"]["steps"], notes, f"{where}[{index}].repeat.steps")
            out.append({"repeat": {**step["repeat"], "steps": inner}})
            continue
        kept = dict(step)
        if kept.get("direction", "forward") == "forward":
            for key in ("label", "cue"):
                text = kept.get(key)
                if isinstance(text, str) and BACKWARD_WORDS.search(text):
                    del kept[key]
                    notes.append(
                        f"{where}[{index}]: the {key} {text!r} speaks of running backward on "
                        "a step the file gives no direction, so it is imported forward without "
                        "it; make the step backward by hand if it is"
                    )
        out.append(kept)
    return out


def clamp_inclines(steps: list[Raw], notes: list[str]) -> list[Raw]:
    """Steps with every incline inside what a profile allows; one note when any moved."""
    moved: list[float] = []

    def clamp(level: list[Raw]) -> list[Raw]:
        out: list[Raw] = []
        for step in level:
            if "repeat" in step:
                inner = clamp(step["repeat"]["steps"])
                out.append({"repeat": {**step["repeat"], "steps": inner}})
                continue
            incline = step.get("incline")
            if isinstance(incline, int | float) and not (
                MIN_INCLINE_PCT <= incline <= MAX_INCLINE_PCT
            ):
                moved.append(float(incline))
                step = {**step, "incline": min(max(incline, MIN_INCLINE_PCT), MAX_INCLINE_PCT)}  # noqa: PLW2901
            out.append(step)
        return out

    clamped = clamp(steps)
    if moved:
        low, high = min(moved), max(moved)
        found = f"{low:g} %" if low == high else f"{low:g} to {high:g} %"
        steps_with = f"{len(moved)} step{'s' if len(moved) > 1 else ''}"
        notes.append(
            f"{steps_with} had an incline of {found}, outside the {MIN_INCLINE_PCT:g} to "
            f"{MAX_INCLINE_PCT:g} % a profile allows: clamped into that range (the "
            "treadmill's own range decides at run time)"
        )
    return clamped
