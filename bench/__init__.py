"""Benchmarks (make bench): measured figures and naive baselines from the same run; never asserted in tests."""
