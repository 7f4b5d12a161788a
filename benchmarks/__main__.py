"""Run every benchmark and print its figures."""

from benchmarks import codec, export, mqtt, simulator

codec.main()
simulator.main()
export.main()
mqtt.main()
