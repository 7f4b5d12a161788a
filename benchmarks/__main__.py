"""Run every benchmark and print its figures (the real-time ones run for minutes: run them
on their own with ``python -m benchmarks.session_realtime`` and ``python -m benchmarks.tui``)."""

from benchmarks import (
    codec,
    cues,
    export,
    interval_fidelity,
    mqtt,
    session_fast,
    simulator,
    whole_command,
)

codec.main()
simulator.main()
session_fast.main()
interval_fidelity.main()
export.main()
mqtt.main()
cues.main()
whole_command.main()
