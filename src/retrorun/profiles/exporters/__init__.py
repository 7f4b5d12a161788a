"""Export profiles as workout files for other apps and watches: FIT workouts and Zwift .zwo.

Neither format has a direction (notes §3.5), so direction goes where people read it: FIT step
names and notes, .zwo text events.
"""
