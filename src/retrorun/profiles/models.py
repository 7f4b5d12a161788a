"""The profile format: what a runner or coach writes, as frozen pydantic models.

A profile is a list of steps. An interval step runs one way (forward or backward) for a
duration or a distance at a speed (or a from → to ramp) and an incline; a repeat step runs
its own steps several times and nests. Instead of a speed, a step may hold a heart-rate zone
(``heart_rate`` between ``min_speed`` and ``max_speed``) or keep the speed the belt already
runs (``keep_speed``); an ``open`` step ends when the runner presses skip (the lap button),
at the latest after its duration. Numbers here are bounded only by what a treadmill can
physically do; the rules that keep a runner safe live in `retrorun.profiles.safety` and are
checked when a profile is compiled or validated.

Human strings (``"90s"``, ``"400m"``, ``"6:00/km"``) are parsed into numbers by validators;
attribute names carry the unit of the parsed number, the file uses the short keys (aliases).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)

from retrorun.errors import shown_name
from retrorun.profiles.quantities import (
    KM_PER_MILE,
    PACE_HELP,
    SpeedUnits,
    parse_distance_m,
    parse_duration_s,
    parse_pace_kmh,
    parse_speed_kmh,
)
from retrorun.profiles.timeline import Direction

Finish = Literal["turn", "stop"]
"""How a workout that ends backward ends (`Profile.finish`)."""
FieldPath = tuple[str | int, ...]
"""Where a value sits in a profile file: ``("steps", 2, "repeat", "steps", 1, "speed")``."""


def format_path(path: FieldPath) -> str:
    """``("steps", 2, "repeat", "steps", 1, "speed")`` → ``steps[2].repeat.steps[1].speed``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{shown_name(part)}" if text else shown_name(part)
    return text


# Physical sanity bounds (what any consumer treadmill and any human can do), not safety rules.
MAX_SPEED_KMH = 30.0
MIN_INCLINE_PCT = -15.0
MAX_INCLINE_PCT = 40.0
MAX_DURATION_S = 24 * 3600.0
MAX_DISTANCE_M = 100_000.0
MAX_REPEAT = 100

Seconds = Annotated[float, BeforeValidator(parse_duration_s, json_schema_input_type=float | str)]
Metres = Annotated[float, BeforeValidator(parse_distance_m, json_schema_input_type=float | str)]
Kmh = Annotated[float, BeforeValidator(parse_speed_kmh, json_schema_input_type=float | str)]


class _Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        use_attribute_docstrings=True,
        validate_by_alias=True,
        validate_by_name=True,
        serialize_by_alias=True,
    )


class SpeedRamp(_Frozen):
    """A speed that changes steadily over the step, for warm-ups and cool-downs."""

    from_kmh: Kmh = Field(alias="from", gt=0, le=MAX_SPEED_KMH)
    """Speed at the start of the step (km/h, mph or pace like ``speed``)."""
    to_kmh: Kmh = Field(alias="to", gt=0, le=MAX_SPEED_KMH)
    """Speed at the end of the step."""


MIN_HR_BPM = 60
MAX_HR_BPM = 230
ZONES = 5
MIN_PERCENT_MAX = 30.0
"""The lowest % of max HR a zone step may target (below is standing still)."""
MAX_PERCENT_MAX = 100.0


class HeartRateTarget(_Frozen):
    """The heart rate a zone step holds: one of a zone, a bpm range or a % of max range."""

    zone: int | None = Field(default=None, ge=1, le=ZONES)
    """A zone number, 1 to 5, of the runner's zones (config ``[heart_rate]``)."""
    bpm: tuple[int, int] | None = None
    """A range in beats per minute, low then high: ``[120, 135]``."""
    percent_max: tuple[float, float] | None = None
    """A range in percent of the runner's maximum heart rate: ``[60, 70]``."""

    @model_validator(mode="after")
    def _one_target(self) -> HeartRateTarget:
        given = [v for v in (self.zone, self.bpm, self.percent_max) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'zone', 'bpm' or 'percent_max'")
        if self.bpm is not None and not MIN_HR_BPM <= self.bpm[0] < self.bpm[1] <= MAX_HR_BPM:
            raise ValueError(
                f"bpm must be [low, high] with {MIN_HR_BPM} <= low < high <= {MAX_HR_BPM}"
            )
        pct = self.percent_max
        if pct is not None and not MIN_PERCENT_MAX <= pct[0] < pct[1] <= MAX_PERCENT_MAX:
            raise ValueError(
                f"percent_max must be [low, high] with {MIN_PERCENT_MAX:g} <= low < high <= 100"
            )
        return self

    def describe(self) -> str:
        """``zone 2``, ``120-135 bpm``, ``60-70 % of max HR``."""
        if self.zone is not None:
            return f"zone {self.zone}"
        if self.bpm is not None:
            return f"{self.bpm[0]}-{self.bpm[1]} bpm"
        low, high = self.percent_max or (0.0, 0.0)
        return f"{low:g}-{high:g} % of max HR"


class UntilHeartRate(_Frozen):
    """A heart rate that ends a step early: ``{above: 150}`` or ``{below: 120}`` (bpm)."""

    above: int | None = Field(default=None, ge=MIN_HR_BPM, le=MAX_HR_BPM)
    """The step ends once the heart rate is above this (bpm): run until it has risen."""
    below: int | None = Field(default=None, ge=MIN_HR_BPM, le=MAX_HR_BPM)
    """The step ends once the heart rate is below this (bpm): recover until it has fallen."""

    @model_validator(mode="after")
    def _one_bound(self) -> UntilHeartRate:
        if (self.above is None) == (self.below is None):
            raise ValueError("give exactly one of 'above' or 'below'")
        return self

    def describe(self) -> str:
        """``HR above 150``, ``HR below 120``."""
        return f"HR above {self.above}" if self.above is not None else f"HR below {self.below}"


def _pace_as_speed(data: Any) -> Any:  # noqa: ANN401 - raw input by design
    """A step's ``pace`` (``"5:30/km"``, ``"8:50/mi"``) as the ``speed`` it stands for: the
    one place a pace key is read. A bad one is an error at the step's ``pace``."""
    if not isinstance(data, dict) or "pace" not in data:
        return data
    pace = data["pace"]
    rest = {key: value for key, value in data.items() if key != "pace"}
    try:
        if "speed" in data:
            raise ValueError("give 'speed' or 'pace', not both")  # noqa: TRY301 - one report
        kmh = parse_pace_kmh(pace)
        if kmh > MAX_SPEED_KMH:
            raise ValueError(  # noqa: TRY301
                f"{pace!r} is {kmh:.1f} km/h, faster than any treadmill ({MAX_SPEED_KMH:g} km/h)"
            )
    except ValueError as exc:
        raise ValidationError.from_exception_data(
            "IntervalStep",
            [{"type": "value_error", "loc": ("pace",), "input": pace, "ctx": {"error": exc}}],
        ) from None
    return {**rest, "speed": kmh}


def _pace_schema(schema: dict[str, Any]) -> None:
    """The ``pace`` key in the JSON Schema (it is read into ``speed``)."""
    schema["properties"]["pace"] = {
        "description": f"Instead of 'speed': a pace; {PACE_HELP}.",
        "type": "string",
    }


class IntervalStep(_Frozen):
    """One stretch of running or walking in one direction."""

    model_config = ConfigDict(json_schema_extra=_pace_schema)

    direction: Direction = "forward"
    """``forward`` (facing the console) or ``backward`` (facing away from it)."""
    duration_s: Seconds | None = Field(default=None, alias="duration", gt=0, le=MAX_DURATION_S)
    """How long: ``90``, ``"90s"``, ``"2m"``, ``"1:30"``. Give duration or distance."""
    distance_m: Metres | None = Field(default=None, alias="distance", gt=0, le=MAX_DISTANCE_M)
    """How far: ``400`` (metres), ``"400m"``, ``"1km"``, ``"0.25mi"``. Give duration or distance."""
    speed_kmh: Kmh | None = Field(default=None, alias="speed", gt=0, le=MAX_SPEED_KMH)
    """Target speed: a number in the profile's units, ``"9 km/h"``, ``"6 mph"``, ``"6:00/km"``."""
    ramp: SpeedRamp | None = None
    """Instead of ``speed``: change speed steadily ``from`` → ``to`` over the step."""
    incline_pct: float = Field(default=0.0, alias="incline", ge=MIN_INCLINE_PCT, le=MAX_INCLINE_PCT)
    """Incline in percent (negative is a decline)."""
    label: str | None = Field(default=None, min_length=1, max_length=60)
    """A short name shown on screen, e.g. ``"backward jog"``."""
    cue: str | None = Field(default=None, min_length=1, max_length=200)
    """Spoken when the step starts, e.g. ``"Hold the rails"``."""
    heart_rate: HeartRateTarget | None = None
    """A zone step: hold this heart rate by changing the speed between ``min_speed`` and
    ``max_speed`` (``speed``, when given, is where it starts; else ``min_speed``)."""
    min_speed_kmh: Kmh | None = Field(default=None, alias="min_speed", gt=0, le=MAX_SPEED_KMH)
    """A zone step's slowest speed."""
    max_speed_kmh: Kmh | None = Field(default=None, alias="max_speed", gt=0, le=MAX_SPEED_KMH)
    """A zone step's fastest speed."""
    keep_speed: bool = False
    """Keep the speed the belt runs now (after the step before it, nudges included)."""
    open_ended: bool = Field(default=False, alias="open")
    """Ends when the runner presses skip (the lap button), at the latest after ``duration``."""
    until_heart_rate: UntilHeartRate | None = None
    """Ends early once the heart rate is above or below a value, at the latest after
    ``duration``; judged on a fresh heart rate only (docs/profiles.md)."""

    @model_validator(mode="before")
    @classmethod
    def _pace_is_a_speed(cls, data: Any) -> Any:  # noqa: ANN401 - raw input by design
        return _pace_as_speed(data)

    @model_validator(mode="after")
    def _one_length_and_one_speed(self) -> IntervalStep:
        if (self.duration_s is None) == (self.distance_m is None):
            raise ValueError("give exactly one of 'duration' or 'distance'")
        if self.open_ended and self.duration_s is None:
            raise ValueError("an open step needs 'duration': the most it lasts")
        if self.until_heart_rate is not None and self.duration_s is None:
            raise ValueError("a step with 'until_heart_rate' needs 'duration': the most it lasts")
        if self.keep_speed:
            if self.speed_kmh is not None or self.ramp is not None or self.heart_rate is not None:
                raise ValueError("'keep_speed' takes no 'speed', 'ramp' or 'heart_rate'")
            if self.duration_s is None:
                raise ValueError("a 'keep_speed' step needs 'duration'")
        elif self.heart_rate is not None:
            self._check_zone_step()
        elif (self.speed_kmh is None) == (self.ramp is None):
            raise ValueError("give exactly one of 'speed' or 'ramp'")
        if self.heart_rate is None and (self.min_speed_kmh or self.max_speed_kmh):
            raise ValueError("'min_speed' and 'max_speed' belong to a 'heart_rate' step")
        return self

    def _check_zone_step(self) -> None:
        low, high = self.min_speed_kmh, self.max_speed_kmh
        if self.ramp is not None:
            raise ValueError("a 'heart_rate' step takes no 'ramp'")
        if low is None or high is None or low >= high:
            raise ValueError("a 'heart_rate' step needs 'min_speed' below 'max_speed'")
        if self.speed_kmh is not None and not low <= self.speed_kmh <= high:
            raise ValueError("a 'heart_rate' step's 'speed' must be between its min and max")

    @property
    def start_speed_kmh(self) -> float:
        """The speed at the start of the step."""
        return self.ramp.from_kmh if self.ramp else self._speed()

    @property
    def end_speed_kmh(self) -> float:
        """The speed at the end of the step."""
        return self.ramp.to_kmh if self.ramp else self._speed()

    def _speed(self) -> float:
        """The step's speed; a zone step's start speed. A ``keep_speed`` step has none of its
        own (the plan takes the speed of the step before it)."""
        if self.speed_kmh is None and self.min_speed_kmh is not None:
            return self.min_speed_kmh
        if self.speed_kmh is None:
            raise ValueError("a 'keep_speed' step has no speed of its own")
        return self.speed_kmh


class RepeatBlock(_Frozen):
    """Steps run ``times`` times in a row; with ``until_heart_rate``, at most ``times``."""

    times: int = Field(ge=1, le=MAX_REPEAT)
    """How many times to run the steps (with ``until_heart_rate``: the most rounds)."""
    steps: tuple[Step, ...] = Field(min_length=1)
    """The steps of one round; repeat blocks may nest."""
    until_heart_rate: UntilHeartRate | None = None
    """The block ends after a round once a fresh heart rate is above or below a value, at
    the latest after ``times`` rounds (docs/profiles.md)."""

    @model_validator(mode="after")
    def _times_bound(self) -> RepeatBlock:
        if self.until_heart_rate is not None and self.times < 2:  # noqa: PLR2004
            raise ValueError(
                "a repeat with 'until_heart_rate' needs 'times' of at least 2: it is judged "
                "at the end of each round but the last"
            )
        return self


class RepeatStep(_Frozen):
    """A repeat block in a list of steps: ``{repeat: {times: 8, steps: [...]}}``."""

    repeat: RepeatBlock
    """The block to repeat."""


def _step_kind(value: Any) -> str:  # noqa: ANN401 - pydantic hands over raw input
    if isinstance(value, dict):
        return "repeat" if "repeat" in value else "interval"
    return "repeat" if isinstance(value, RepeatStep) else "interval"


Step = Annotated[
    Annotated[IntervalStep, Tag("interval")] | Annotated[RepeatStep, Tag("repeat")],
    Discriminator(_step_kind),
]
STEP_TAGS = frozenset({"interval", "repeat"})
"""Tags pydantic puts in error locations after a step index; the loader removes them."""


class TurnSettings(_Frozen):
    """How the belt turns a runner around; unset fields take the safety defaults.

    Defaults and hard limits are those of DESIGN.md §2, owned by `retrorun.profiles.safety`.
    """

    speed_kmh: Kmh | None = Field(default=None, alias="speed", gt=0, le=MAX_SPEED_KMH)
    """Belt speed while the runner turns (default 2.5 km/h, at most 4.0 km/h)."""
    window_s: Seconds | None = Field(default=None, alias="window", gt=0, le=120)
    """How long the belt is held at turn speed (default 10 s, at least 5 s)."""
    settle_s: Seconds | None = Field(default=None, alias="settle", ge=0, le=120)
    """Time to settle after the turn before ramping to the new speed (default 5 s)."""
    warning_s: Seconds | None = Field(default=None, alias="warning", ge=0, le=120)
    """How early the turn is announced (default 10 s before it starts)."""
    backward_ramp_kmh_per_s: float | None = Field(default=None, alias="backward_ramp", gt=0, le=5)
    """Speed change rate while backward, km/h per second (default 0.25, at most 0.5)."""


class ExpertSettings(_Frozen):
    """Settings for experienced retro runners; they can only raise the backward speed cap."""

    backward_speed_max_kmh: Kmh | None = Field(
        default=None, alias="backward_speed_max", gt=0, le=MAX_SPEED_KMH
    )
    """Raise the backward speed cap from 8.0 km/h up to at most 10.0 km/h."""


class Progression(_Frozen):
    """This profile's place in a plan of several profiles run in order (a progression such
    as the bundled six-week plan); ``retrorun history`` and the start screen say which one is
    next."""

    plan: str = Field(min_length=1, max_length=80)
    """The plan's name, the same in each of its profiles."""
    step: int = Field(ge=1, le=MAX_REPEAT)
    """This profile's place in the plan: 1 is run first."""
    sessions: int = Field(default=1, ge=1, le=MAX_REPEAT)
    """How many finished sessions of this step come before the next step."""


class Profile(_Frozen):
    """An interval workout: a name, who it is for, turn settings and steps."""

    schema_: str | None = Field(default=None, alias="$schema")
    """Optional URL or path of the JSON Schema, for editors."""
    name: str = Field(min_length=1, max_length=80)
    """Short name shown in lists and on screen."""
    description: str = Field(default="", max_length=2000)
    """Who the workout is for and what it does."""
    units: SpeedUnits = "km/h"
    """How bare speed numbers are read: ``km/h``, ``mph`` or ``pace`` (minutes per km)."""
    turn: TurnSettings = TurnSettings()
    """How turns are run."""
    expert: ExpertSettings = ExpertSettings()
    """Expert settings (off by default)."""
    finish: Finish = "turn"
    """How a workout whose last step is backward ends: ``turn`` (the runner turns to face
    the console at turn speed before the belt stops) or ``stop`` (the belt slows to turn
    speed and stops with the runner on the rails, still facing away)."""
    progression: Progression | None = None
    """Its place in a plan of several profiles, if it has one."""
    steps: tuple[Step, ...] = Field(min_length=1)
    """The steps, in order."""

    @model_validator(mode="before")
    @classmethod
    def _apply_units(cls, data: Any) -> Any:  # noqa: ANN401 - raw input by design
        """Give bare speeds the profile's units before the steps parse them."""
        if isinstance(data, dict) and data.get("units") in ("mph", "pace"):
            units = data["units"]
            data = {**data, "steps": _unit_steps(data.get("steps"), units)}
            if isinstance(data.get("turn"), dict):
                data["turn"] = _unit_keys(data["turn"], ("speed",), units)
            if isinstance(data.get("expert"), dict):
                data["expert"] = _unit_keys(data["expert"], ("backward_speed_max",), units)
        return data


def _unit_steps(steps: Any, units: SpeedUnits) -> Any:  # noqa: ANN401
    if not isinstance(steps, list | tuple):
        return steps
    out: list[Any] = []
    for step in steps:
        if isinstance(step, dict) and isinstance(step.get("repeat"), dict):
            block = step["repeat"]
            step = {**step, "repeat": {**block, "steps": _unit_steps(block.get("steps"), units)}}  # noqa: PLW2901
        elif isinstance(step, dict):
            step = _unit_keys(step, ("speed", "min_speed", "max_speed"), units)  # noqa: PLW2901
            if isinstance(step.get("ramp"), dict):
                step = {**step, "ramp": _unit_keys(step["ramp"], ("from", "to"), units)}  # noqa: PLW2901
        out.append(step)
    return out


def _unit_keys(mapping: dict[str, Any], keys: tuple[str, ...], units: SpeedUnits) -> dict[str, Any]:
    out = dict(mapping)
    for key in keys:
        if key in out:
            out[key] = _with_units(out[key], units)
    return out


def _with_units(value: Any, units: SpeedUnits) -> Any:  # noqa: ANN401
    """A bare speed (number or numeric/pace string) converted to km/h; anything else as is."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return value
    try:
        return parse_speed_kmh(value, units)
    except ValueError:
        return value  # the field validator reports it with its path


__all__ = [
    "KM_PER_MILE",
    "Direction",
    "ExpertSettings",
    "FieldPath",
    "Finish",
    "HeartRateTarget",
    "IntervalStep",
    "Profile",
    "RepeatBlock",
    "RepeatStep",
    "SpeedRamp",
    "Step",
    "TurnSettings",
    "UntilHeartRate",
    "format_path",
]

RepeatBlock.model_rebuild()
RepeatStep.model_rebuild()
Profile.model_rebuild()
