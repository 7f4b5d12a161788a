"""Speed and memory measurements; `python -m benchmarks` runs them all."""
