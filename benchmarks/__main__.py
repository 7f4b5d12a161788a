"""Run every benchmark and print its figures."""

from benchmarks import codec

codec.main()
