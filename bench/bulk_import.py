"""Benchmark: bulk intake through the service layer (services.import_tickets).

    .venv/bin/python bench/bulk_import.py [--rows N] [--batch B] [--database-url URL]
    .venv/bin/python bench/bulk_import.py --database-url postgres://postgres@127.0.0.1:5432/shiyu_bench_import

import_tickets is what a migration from a city's old hotline system calls: it
validates every row (channel, type, texts, category, phone, coordinates), locates
each point in its grid, and writes the tickets and one audit event per ticket, all
or nothing. This times importing N rows (default 50,000) by an operator, in calls
of B rows (default 10,000; --batch 0 for one call), on the demo city.

SQLite by default, in a fresh temporary SHIYU_VAR_DIR. With --database-url (or
DATABASE_URL) a PostgreSQL database is used: created if missing, migrated, and the
demo city loaded (shiyu.demo.build.build_city) if it has none. The imported tickets
are deleted again afterwards (--keep to keep them).

Progress goes to stderr; ONE JSON object on the last line of stdout:
{"benchmark": "bulk_import", "rows", "seconds", "tickets_per_second", "database", ...}
The target is >= 5,000 tickets/s on SQLite and on PostgreSQL.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time

from _setup import log, run_in_database, setup_demo_city  # noqa: E402  (bench/ is on sys.path)


def make_rows(count: int, seed: int):
    """Realistic rows: texts from the demo text factory, points inside the city's
    grids, a leaf category and one of its request types, historical times."""
    import numpy as np
    import shapely

    from shiyu.demo.texts import TicketTextFactory
    from shiyu.geo.models import Grid
    from shiyu.tickets.models import Category
    from shiyu.tickets.reference import read_taxonomy
    from shiyu.tickets.services import TicketInput

    rng = np.random.default_rng(seed)
    grids = list(Grid.objects.values_list("boundary_wkt", flat=True))
    geoms = shapely.from_wkt(grids)
    shapely.prepare(geoms)
    bounds = shapely.bounds(geoms)
    pick = rng.integers(0, len(geoms), size=count)
    lon, lat = np.empty(count), np.empty(count)
    todo = np.arange(count)
    while len(todo):
        b = bounds[pick[todo]]
        x = np.round(b[:, 0] + rng.random(len(todo)) * (b[:, 2] - b[:, 0]), 6)
        y = np.round(b[:, 1] + rng.random(len(todo)) * (b[:, 3] - b[:, 1]), 6)
        inside = shapely.contains_xy(geoms[pick[todo]], x, y)
        lon[todo[inside]], lat[todo[inside]] = x[inside], y[inside]
        todo = todo[~inside]
    leaves = list(Category.objects.filter(level=3, active=True))
    texts = TicketTextFactory(read_taxonomy(), seed=seed)
    channels = ["hotline"] * 11 + ["app"] * 3 + ["web"] * 2 + ["grid"] * 2 + ["open311"]
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    rows = []
    for i in range(count):
        leaf = leaves[int(rng.integers(len(leaves)))]
        request_type = leaf.request_types[int(rng.integers(len(leaf.request_types)))] if leaf.request_types \
            else "complaint"
        title, description = texts.ticket(leaf.code, request_type, "阳光花园", "人民路") \
            if leaf.code in texts.leaf_codes else ("", f"{leaf.name}的问题，请尽快处理。")
        rows.append(TicketInput(
            channel=channels[i % len(channels)], request_type=request_type, description=description, title=title,
            category=leaf, address=f"人民路{i % 300 + 1}号", lat=float(lat[i]), long=float(lon[i]),
            reporter_name="张先生", reporter_phone=f"139{int(rng.integers(10**8)):08d}",
            created_at=start + dt.timedelta(seconds=int(rng.integers(0, 365 * 86400))),
        ))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=10_000, help="rows per import_tickets call (0: one call)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the imported tickets")
    args = parser.parse_args()

    run_in_database(args.database_url, "shiyu-bulk-import-", run, args)


def run(args) -> None:
    setup_demo_city(args.seed)
    from django.db import connection

    from shiyu.core.models import AuditEvent
    from shiyu.demo.users import ensure_demo_users
    from shiyu.geo.locate import locate
    from shiyu.tickets.models import Ticket
    from shiyu.tickets.services import import_tickets

    operator = ensure_demo_users(None)["operator"]
    log(f"making {args.rows:,} rows")
    rows = make_rows(args.rows, args.seed)
    locate(rows[0].lat, rows[0].long)  # build the grid index before the clock starts

    before = Ticket.objects.count()
    max_id = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    batch = args.batch or len(rows)
    log(f"importing in calls of {batch:,}")
    started, cpu_started = time.perf_counter(), time.process_time()
    imported = 0
    for start in range(0, len(rows), batch):
        imported += len(import_tickets(actor=operator, rows=rows[start:start + batch]))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert imported == len(rows) and Ticket.objects.count() == before + len(rows)
    events = AuditEvent.objects.filter(action="ticket.create", target_type="ticket", target_id__gt=max_id).count()
    assert events == len(rows), (events, len(rows))
    if not args.keep:
        AuditEvent.objects.filter(action="ticket.create", target_type="ticket", target_id__gt=max_id).delete()
        # In slices: the delete collects the rows that refer to each ticket with one `IN`
        # list, and PostgreSQL takes at most 65,535 parameters in a statement.
        while Ticket.objects.filter(pk__gt=max_id).exists():
            last = Ticket.objects.filter(pk__gt=max_id).order_by("pk").values_list("pk", flat=True)[9_999:10_000]
            Ticket.objects.filter(pk__gt=max_id, pk__lte=last[0] if last else 2**62).delete()

    print(json.dumps({
        "benchmark": "bulk_import",
        "rows": len(rows),
        "seconds": round(seconds, 2),
        "tickets_per_second": round(len(rows) / seconds),
        "database": connection.vendor,
        "batch": batch,
        "audit_events": events,
        "cpu_seconds": round(cpu, 2),  # this process only; the wall time also holds the database server's work
        "load_average": round(os.getloadavg()[0], 1),
    }))


if __name__ == "__main__":
    main()
