"""Display-only widgets: each shows the attributes it is given and nothing else."""

from retrorun.tui.widgets.charts import ProfileChart, WorkoutProgress
from retrorun.tui.widgets.direction import DirectionIndicator
from retrorun.tui.widgets.readouts import CueBanner, Readouts, StateLine

__all__ = [
    "CueBanner",
    "DirectionIndicator",
    "ProfileChart",
    "Readouts",
    "StateLine",
    "WorkoutProgress",
]
