"""``retrorun check``: meet a treadmill before anyone stands on it.

`retrorun.check.judge` holds the pure judgements over telemetry, `retrorun.check.report`
what was found and the verdict, `retrorun.check.procedure` the async shell that drives a
`retrorun.device.Treadmill` through the check (docs/devices.md, "Checking a treadmill").
"""
