"""The micro-benchmark suite: workload specs, statistics, peaks, and running both frameworks."""
