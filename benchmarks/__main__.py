"""Run every benchmark and print its figures."""

from benchmarks import codec, export, simulator

codec.main()
simulator.main()
export.main()
