"""What a runner hears: every cue text, in one place, and which cues a runner can quiet.

Pure code, standard library only. A runner facing backward cannot see the screen, so the
words matter:

* texts say what is physically happening ("The belt is slowing — hold the rails", never
  "slow down": it is the belt that slows), and every number carries its unit;
* `spoken` turns the screen's symbols into words on the way to the speech program:
  "4.5 km/h" is said "four and a half kilometres per hour" (espeak-ng reads "km/h" as
  "kay em slash aitch" and "4.5" as "four point five"); the screen, the log and MQTT keep
  the symbols;
* every cue belongs to a `CueGroup` and has a `Verbosity` level: `CueSettings` (the config
  file's ``[cues]``) says which are spoken. Safety cues (the turn warning, the countdown
  into a turn, "turn around now", hold the rails, pause, stop, alarms) are always spoken,
  whatever the settings.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from retrorun.profiles.quantities import KM_PER_MILE, M_PER_MILE
from retrorun.profiles.timeline import CueKind

if TYPE_CHECKING:
    from retrorun.profiles.timeline import Direction, Segment

Units = Literal["metric", "imperial"]
UNITS: tuple[Units, ...] = ("metric", "imperial")


class Verbosity(enum.IntEnum):
    """How much is said: each cue is said from its level up."""

    QUIET = 0
    """Safety cues only: turns, hold the rails, pause and stop, alarms, the finish."""
    NORMAL = 1
    """What a runner needs: each interval, the profile's words, changes, countdowns."""
    CHATTY = 2
    """Everything: halfway in short bouts too, each bout's name right after a turn."""


class CueGroup(enum.StrEnum):
    """What a cue is about, for turning a kind of cue off."""

    SAFETY = "safety"
    """Never turned off and said at every verbosity."""
    SEGMENTS = "segments"
    """The name of each interval as it starts; "Last interval"."""
    PROFILE = "profile"
    """The profile's own words for a step (its ``cue:``)."""
    HALFWAY = "halfway"
    COUNTDOWNS = "countdowns"
    """Before a change of speed that is not a turn: "Change in 10 seconds", 3-2-1."""
    CHANGES = "changes"
    """A speed or incline the safety layer limited, the console's or the runner's changes."""


OPTIONAL_GROUPS: tuple[str, ...] = tuple(g.value for g in CueGroup if g is not CueGroup.SAFETY)
"""The groups a runner can turn off."""

_GROUP_OF_KIND: dict[CueKind, CueGroup] = {
    CueKind.ALARM: CueGroup.SAFETY,
    CueKind.TURN_NOW: CueGroup.SAFETY,
    CueKind.TURN_WARNING: CueGroup.SAFETY,
    CueKind.PAUSE: CueGroup.SAFETY,
    CueKind.FINISH: CueGroup.SAFETY,
    CueKind.START: CueGroup.SEGMENTS,
    CueKind.LAST_INTERVAL: CueGroup.SEGMENTS,
    CueKind.TEXT: CueGroup.PROFILE,
    CueKind.HALFWAY: CueGroup.HALFWAY,
    CueKind.COUNTDOWN: CueGroup.COUNTDOWNS,
    CueKind.OVERRIDE: CueGroup.CHANGES,
}


def group_of(kind: CueKind) -> CueGroup:
    """The usual group of a cue of `kind` (a session names another where it knows better:
    the countdown into a turn and the session's first words are safety cues)."""
    return _GROUP_OF_KIND[kind]


@dataclass(frozen=True)
class CueSettings:
    """Which cues are said: ``[cues]`` in the config file."""

    verbosity: Verbosity = Verbosity.NORMAL
    off: frozenset[CueGroup] = frozenset()
    """Groups turned off (`CueGroup.SAFETY` cannot be)."""

    def says(self, group: CueGroup, level: Verbosity = Verbosity.NORMAL) -> bool:
        """Whether a cue of `group`, said from `level` up, is said."""
        if group is CueGroup.SAFETY:
            return True
        return group not in self.off and level <= self.verbosity


SHORT_BOUT_S = 90.0
"""A bout shorter than this is short: no halfway, and no name after a turn (the turn has
just said which way), unless the runner asks for chatty cues."""

# ---------------------------------------------------------------------------- units


def _number(value: float) -> str:
    """``9.0`` → ``9``, ``4.5`` → ``4.5`` (one decimal at most)."""
    return f"{round(value, 1):g}"


def speed_text(kmh: float, units: Units = "metric") -> str:
    """A speed as the screen shows it: ``4.5 km/h`` or ``2.8 mph``."""
    if units == "imperial":
        return f"{_number(kmh / KM_PER_MILE)} mph"
    return f"{_number(kmh)} km/h"


def speed_span(kmh: float, ramp_from_kmh: float | None = None, units: Units = "metric") -> str:
    """``8.0 km/h``, or ``5.0→8.0 km/h`` for a ramp of the plan (``3.1→5.0 mph``)."""
    unit = "mph" if units == "imperial" else "km/h"
    scale = KM_PER_MILE if units == "imperial" else 1.0
    if ramp_from_kmh is None:
        return f"{kmh / scale:.1f} {unit}"
    return f"{ramp_from_kmh / scale:.1f}→{kmh / scale:.1f} {unit}"


def speed_number(kmh: float, units: Units = "metric") -> float:
    """A speed in the runner's units (km/h or mph)."""
    return kmh / KM_PER_MILE if units == "imperial" else kmh


def speed_unit(units: Units = "metric") -> str:
    return "mph" if units == "imperial" else "km/h"


def distance_text(metres: float, units: Units = "metric") -> str:
    """``400 m``, ``1.20 km``; ``0.25 mi`` in imperial units."""
    if units == "imperial":
        return f"{metres / M_PER_MILE:.2f} mi"
    if metres < 1000:  # noqa: PLR2004
        return f"{metres:.0f} m"
    return f"{metres / 1000:.2f} km"


def total_distance_text(metres: float, units: Units = "metric") -> str:
    """A running total: ``1.23 km`` or ``0.76 mi``, always two decimals, so the figure on a
    screen never jumps from metres to kilometres."""
    if units == "imperial":
        return f"{metres / M_PER_MILE:.2f} mi"
    return f"{metres / 1000:.2f} km"


def pace_text(kmh: float, units: Units = "metric") -> str:
    """A speed as a pace: ``5:00/km`` or ``8:03/mi`` (``-`` when standing)."""
    if kmh <= 0:
        return "-"
    per = KM_PER_MILE if units == "imperial" else 1.0
    total = round(3600 * per / kmh)
    return f"{total // 60}:{total % 60:02d}/{'mi' if units == 'imperial' else 'km'}"


_METRIC_SPEED = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?) ?km/h\b")
_METRIC_DISTANCE = re.compile(r"(?<![\w.:])(\d+(?:\.\d+)?) ?(km|m)(?![\w/])")
_METRIC_PACE = re.compile(r"(?<![\w.:])(\d+):(\d\d) ?/ ?km\b")


def in_units(text: str, units: Units) -> str:
    """A human text (a cue, a label, a note) with its speeds, distances and paces in
    `units`: in imperial units "4.5 km/h" becomes "2.8 mph", "400 m" "0.25 mi" and
    "6:00/km" "9:39/mi". Metric texts are returned as they are."""
    if units == "metric":
        return text
    text = _METRIC_SPEED.sub(lambda m: speed_text(float(m.group(1)), units), text)
    text = _METRIC_PACE.sub(
        lambda m: (
            pace_text(3600 / (int(m.group(1)) * 60 + int(m.group(2))), units)
            if m.group(1) != "0" or m.group(2) != "00"
            else m.group(0)
        ),
        text,
    )
    return _METRIC_DISTANCE.sub(
        lambda m: distance_text(float(m.group(1)) * (1000 if m.group(2) == "km" else 1), units),
        text,
    )


# ---------------------------------------------------------------------------- the texts


def session_start(name: str) -> str:
    return f"Starting {name}. The belt starts moving."


FINISH = "Workout complete. Well done!"
BELT_STOPPED = "The belt has stopped. You can step off."
PAUSED = "Paused."
RESUMED = "Resumed."
LAST_INTERVAL = "Last interval"
HALFWAY = "Halfway"
DECK_MOVING = "Hold the rails: the incline is still moving."
HOLD_RAILS = "hold the rails"
BELT_SLOWING = "The belt is slowing"


def change_in(seconds: float) -> str:
    return f"Change in {seconds:.0f} seconds"


def stopping_in(seconds: float) -> str:
    """Before the last slow-down of a workout that ends backward with ``finish: stop``."""
    return f"The belt slows to stop in {seconds:.0f} seconds"


def in_seconds(seconds: float) -> str:
    """``in 1 second``, ``in 10 seconds`` (rounded, at least 1)."""
    whole = max(1, round(seconds))
    return f"in {whole} second{'' if whole == 1 else 's'}"


def turn_warning(direction: Direction, seconds: float, *, turning: bool, slowing: bool) -> str:
    """ "Backward in 10 seconds. The belt is slowing — hold the rails." `slowing` False: the
    belt is already at turn speed, and only the rails are mentioned."""
    what = direction.capitalize() if turning else "Incline change"
    hold = f"{BELT_SLOWING} — {HOLD_RAILS}." if slowing else f"{HOLD_RAILS.capitalize()}."
    return f"{what} {in_seconds(seconds)}. {hold}"


def turn_now(*, turning: bool) -> str:
    return "Turn around now." if turning else "Hold the rails: the incline changes now."


def settle(direction: Direction) -> str:
    return f"Settle in, facing {direction}."


def segment_warning(seg: Segment, seconds: float, *, slowing: bool) -> str:
    """The turn warning for the turn `seg`."""
    turning = seg.direction != seg.from_direction
    return turn_warning(seg.direction, seconds, turning=turning, slowing=slowing)


def speed_limited(kmh: float, reason: str, units: Units = "metric") -> str:
    return f"Speed limited to {speed_text(kmh, units)}: {reason}."


def incline_limited(pct: float, reason: str) -> str:
    return f"Incline limited to {_number(pct)} %: {reason}."


def speed_set(kmh: float, units: Units = "metric") -> str:
    return f"Speed {speed_text(kmh, units)}."


def incline_set(pct: float) -> str:
    return f"Incline {_number(pct)} %."


def console_speed_kept(kmh: float, units: Units = "metric") -> str:
    return f"Console speed {speed_text(kmh, units)} kept for this interval."


def console_incline_kept(pct: float) -> str:
    return f"Console incline {_number(pct)} % kept for this interval."


def console_speed_refused(kmh: float, safe_kmh: float, reason: str, units: Units) -> str:
    return (
        f"The console set {speed_text(kmh, units)}: back to {speed_text(safe_kmh, units)}, "
        f"{reason}."
    )


def console_incline_refused(pct: float, safe_pct: float, reason: str) -> str:
    return f"The console set {_number(pct)} %: back to {_number(safe_pct)} %, {reason}."


def heart_rate_bout_over(bpm: int, ceiling: int) -> str:
    return f"Heart rate {bpm} above {ceiling}: bout over."


def heart_rate_slower(bpm: int, ceiling: int, kmh: float, units: Units = "metric") -> str:
    return f"Heart rate {bpm} above {ceiling}: {speed_text(kmh, units)}."


def length_words(seconds: float) -> str:
    """``10 minutes``, ``1 minute 30 seconds``, ``45 seconds`` (whole seconds)."""
    minutes, rest = divmod(max(1, round(seconds)), 60)
    parts = [f"{minutes} minute{'' if minutes == 1 else 's'}"] if minutes else []
    if rest:
        parts.append(f"{rest} second{'' if rest == 1 else 's'}")
    return " ".join(parts)


def until_heart_rate(condition: str, seconds: float) -> str:
    """An interval that ends on a heart rate, as it starts: ``condition`` is ``above 150``."""
    return f"Until your heart rate is {condition}, at most {length_words(seconds)}."


def until_heart_rate_met(bpm: int, condition: str) -> str:
    return f"Heart rate {bpm}, {condition}: step over."


def until_without_heart_rate(seconds_left: float | None) -> str:
    """No fresh heart rate to end an ``until_heart_rate`` interval on."""
    left = f", {length_words(seconds_left)} more" if seconds_left else ""
    return f"No heart rate: this step runs to its end{left}."


def rounds_met(bpm: int, condition: str) -> str:
    """A repeat block ending on a heart rate, met at the end of a round."""
    return f"Heart rate {bpm}, {condition}: that was the last round."


def no_turn_after_all(direction: str) -> str:
    """A turn was announced, but what comes next faces the same way."""
    return f"No turn after all: keep facing {direction}."


def rounds_without_heart_rate(times: int) -> str:
    """No fresh heart rate to end a repeat block on, at the end of a round."""
    return f"No heart rate: the rounds go on, {times} at most."


def belt_still_runs_after_pause(kmh: float, units: Units = "metric") -> str:
    return (
        f"The belt did not stop: it runs {speed_text(kmh, units)}. "
        "Press stop on the treadmill or pull the safety key."
    )


# ---------------------------------------------------------------------------- spoken

_ONES = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def _integer_words(n: int) -> str:
    if n < 20:  # noqa: PLR2004
        return _ONES[n]
    if n < 100:  # noqa: PLR2004
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:  # noqa: PLR2004
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" and {_integer_words(rest)}" if rest else "")
    return str(n)  # a speech program reads big numbers well


def number_words(number: str) -> str:
    """A written number in words: ``4.5`` → ``four and a half``, ``2.8`` → ``two point
    eight``, ``-3`` → ``minus three``."""
    sign = "minus " if number.startswith("-") else ""
    whole, _, fraction = number.lstrip("-+").partition(".")
    fraction = fraction.rstrip("0")
    words = _integer_words(int(whole or "0"))
    if not fraction:
        return sign + words
    if fraction == "5" and words != "zero":
        return f"{sign}{words} and a half"
    return f"{sign}{words} point {' '.join(_ONES[int(d)] for d in fraction)}"


# (unit as written, singular, plural)
_UNITS = {
    "km/h": ("kilometre per hour", "kilometres per hour"),
    "mph": ("mile per hour", "miles per hour"),
    "%": ("percent", "percent"),
    "km": ("kilometre", "kilometres"),
    "mi": ("mile", "miles"),
    "m": ("metre", "metres"),
}
_QUANTITY = re.compile(r"(?<![\w.])(-?\d+(?:\.\d+)?) ?(km/h|mph|%|km|mi|m)(?!\w|/)")
_BARE_UNIT = re.compile(r"\b(km/h|mph)\b")


def _say_quantity(match: re.Match[str]) -> str:
    number, unit = match.groups()
    one, many = _UNITS[unit]
    return f"{number_words(number)} {one if float(number) == 1 else many}"


def spoken(text: str) -> str:
    """`text` as it should be said: quantities in words ("4.5 km/h" → "four and a half
    kilometres per hour"); the screen keeps the symbols."""
    text = _QUANTITY.sub(_say_quantity, text)
    return _BARE_UNIT.sub(lambda m: _UNITS[m.group(1)][1], text)
