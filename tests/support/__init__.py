"""Helpers the test suite and the benchmarks share (real servers on loopback)."""
