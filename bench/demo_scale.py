"""Benchmark: `shiyu demo --tickets N` end to end, as a user runs it.

    .venv/bin/python bench/demo_scale.py [--tickets N] [--database-url URL] [--seed S]

Runs the real command (no --serve) as a subprocess in a fresh temporary
SHIYU_VAR_DIR: migrate, build the default 4,000-grid city, generate N tickets over
12 months. SQLite (in that directory) unless --database-url is given; a PostgreSQL
database given that way should be empty or disposable (the command loads the city
only if none is there, and adds N tickets).

Measures the wall time and the peak RSS of the command and its worker processes
(resource.getrusage(RUSAGE_CHILDREN).ru_maxrss: the largest single process).
The command's own output goes to stderr; ONE JSON object is printed on the last
line of stdout:
{"benchmark": "demo_scale", "tickets", "seconds", "tickets_per_second", "peak_rss_mib", "database", ...}
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--database-url", default="", help="default: SQLite in the temporary directory")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (prints its path)")
    args = parser.parse_args()

    shiyu = Path(sys.executable).with_name("shiyu")
    command = [str(shiyu)] if shiyu.exists() else [sys.executable, "-m", "shiyu.cli"]
    command += ["demo", "--tickets", str(args.tickets), "--seed", str(args.seed)]
    var = tempfile.mkdtemp(prefix="shiyu-demo-scale-")
    env = {**os.environ, "SHIYU_VAR_DIR": var, "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    database = "postgresql" if args.database_url.startswith(("postgres", "pgsql")) else (
        "sqlite" if not args.database_url else args.database_url.split(":", 1)[0])
    try:
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, env=env, stdout=sys.stderr, stderr=sys.stderr)
        seconds = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        if result.returncode:
            sys.exit(f"shiyu demo failed with exit code {result.returncode}")
        size = sum(p.stat().st_size for p in Path(var).glob("shiyu.sqlite3*")) if not args.database_url else None
    finally:
        if args.keep:
            print(f"kept {var}", file=sys.stderr)
        else:
            shutil.rmtree(var, ignore_errors=True)
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    print(json.dumps({
        "benchmark": "demo_scale",
        "tickets": args.tickets,
        "seconds": round(seconds, 1),
        "tickets_per_second": round(args.tickets / seconds),
        "peak_rss_mib": round(peak, 1),
        "database": database,
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "cpus": os.cpu_count(),
        "database_mib": None if size is None else round(size / 2**20),
        "note": "whole command: migrate, build the 4,000-grid city, generate the tickets",
    }))


if __name__ == "__main__":
    main()
