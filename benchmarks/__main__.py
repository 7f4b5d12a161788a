"""Run every benchmark and print its figures."""

from benchmarks import codec, export, simulator, tui

codec.main()
simulator.main()
export.main()
tui.main()
