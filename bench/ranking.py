"""Benchmark: the monthly ranking of all units on N tickets over 12 months.

    .venv/bin/python bench/ranking.py --tickets 1000000,5000000,25000000 --json

The same as `shiyu bench ranking ...` (shiyu/metrics/benchmark.py says what is
generated and timed). The Parquet files go under var/bench/ranking/ and are deleted
afterwards unless --keep; 25 million tickets take about half a GB there.
"""
import sys

from shiyu.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", "ranking", *sys.argv[1:]]))
