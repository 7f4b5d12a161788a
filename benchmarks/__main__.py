"""Run every benchmark and print its figures (the real-time one runs for minutes: run it
on its own with ``python -m benchmarks.session_realtime``)."""

from benchmarks import codec, export, mqtt, session_fast, simulator

codec.main()
simulator.main()
session_fast.main()
export.main()
mqtt.main()
