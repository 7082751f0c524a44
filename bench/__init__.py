"""The performance benchmark: bench/run.py (make bench)."""
