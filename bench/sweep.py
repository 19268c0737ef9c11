"""Benchmark: the deadline sweep (shiyu.deadlines.services.sweep) over a demo city.

    .venv/bin/python bench/sweep.py [--tickets N] [--var DIR] [--database-url URL]

Builds a demo city with N tickets (default 1,000,000) by running `shiyu demo` in a
fresh temporary SHIYU_VAR_DIR (SQLite there unless --database-url), or reuses the
database under --var DIR when it already holds one. Then times three sweeps, each
its own run of what Celery beat or the web processes' thread runs every minute:

  first   the first sweep over the generated year: every open ticket past or near
          its deadline turns red or yellow, each red one is escalated (督办) with an
          audit event and its unit notified;
  again   the same moment once more: nothing changes (idempotent), the steady cost;
  minute  one minute later: the deadlines that passed in that minute.

Progress goes to stderr; ONE JSON object on the last line of stdout:
{"benchmark": "sweep", "tickets", "open_tickets", "database", "first": {...}, "again": {...}, "minute": {...}}
each sweep with its seconds and what it changed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_demo(var: str, tickets: int, database_url: str) -> None:
    shiyu = Path(sys.executable).with_name("shiyu")
    command = [str(shiyu)] if shiyu.exists() else [sys.executable, "-m", "shiyu.cli"]
    env = {**os.environ, "SHIYU_VAR_DIR": var, "PYTHONUNBUFFERED": "1"}
    log(f"building the demo city with {tickets:,} tickets in {var}")
    started = time.perf_counter()
    subprocess.run([*command, "demo", "--tickets", str(tickets)], cwd=ROOT, env=env, stdout=sys.stderr,
                   stderr=sys.stderr, check=True)
    log(f"demo built in {time.perf_counter() - started:.0f} s")


def timed_sweep(label: str, now: dt.datetime) -> dict:
    from django.db import connection

    from shiyu.deadlines.services import sweep

    result = asdict(sweep(now))
    connection.close()  # the next sweep starts as a periodic runner's would: a new connection
    log(f"{label}: {result}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--var", default="", help="reuse (or build once into) this SHIYU_VAR_DIR")
    parser.add_argument("--database-url", default="", help="default: SQLite in the var directory")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (prints its path)")
    args = parser.parse_args()

    var = args.var or tempfile.mkdtemp(prefix="shiyu-bench-sweep-")
    os.environ["SHIYU_VAR_DIR"] = var
    os.environ.pop("DATABASE_URL", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    try:
        if args.database_url or not (Path(var) / "shiyu.sqlite3").exists():
            build_demo(var, args.tickets, args.database_url)  # adds no tickets where a demo exists already
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shiyu.settings")
        import django

        django.setup()
        from django.db import connection
        from django.utils import timezone

        from shiyu.deadlines.selectors import OPEN
        from shiyu.tickets.models import Ticket

        if connection.vendor == "postgresql":  # what autovacuum does soon after a bulk load, in a live database
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        tickets = Ticket.objects.count()
        open_tickets = Ticket.objects.filter(OPEN).count()
        now = timezone.now()
        figures = {"benchmark": "sweep", "tickets": tickets, "open_tickets": open_tickets,
                   "database": connection.vendor}
        figures["first"] = timed_sweep("first", now)
        figures["again"] = timed_sweep("again", now)
        figures["minute"] = timed_sweep("minute", now + dt.timedelta(minutes=1))
    finally:
        if args.keep or args.var:
            log(f"kept {var}")
        else:
            shutil.rmtree(var, ignore_errors=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
