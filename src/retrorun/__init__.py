"""retrorun: forward and backward interval workouts on a Bluetooth FTMS treadmill."""

__version__ = "0.1.0"
