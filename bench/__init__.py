"""Benchmarks that print numbers: `make bench` runs them all (bench/run.py)."""
