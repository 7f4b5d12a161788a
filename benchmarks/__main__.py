"""Run every benchmark and print its figures."""

from benchmarks import codec, mqtt, simulator

codec.main()
simulator.main()
mqtt.main()
