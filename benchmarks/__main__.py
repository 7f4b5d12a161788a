"""Run every benchmark and print its figures."""

from benchmarks import codec, simulator

codec.main()
simulator.main()
