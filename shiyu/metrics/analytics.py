"""The analytics copy: the columns the rankings need, one Parquet file per month of
receipt, counted in-process by DuckDB.

Layout: SHIYU_ANALYTICS_DIR/tickets/created=YYYY-MM/part.parquet, one row per ticket
received that month (core.analytics_columns says which columns), and state.json with
the last sync's time, watermark and highest ticket id.

Kept in step by sync() (`shiyu manage metrics_sync`, every few minutes): the months
to rewrite are those of the tickets changed since the last watermark (updated_at,
which every service moves) and of the tickets added since (ids above the last
highest: a bulk load writes past updated_at values). Each such month is read again
whole from the database and its file replaced atomically, so a sync can stop at any
point and the next one repairs it. The watermark is taken before reading and read
back with an overlap of a few minutes, so a transaction that commits a little after
it is not missed; rewriting a month twice is harmless.

The copy is as fresh as its last sync, and rankings from it are computed as of that
moment (the sync time is their `as_of`).
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
from django.conf import settings
from django.db.models import BigIntegerField, Case, F, Func, IntegerField, Max, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from shiyu.tickets.models import Status, Ticket

from . import core

# Column -> DuckDB type, in file order. Columns with NULLs hold core's NULL markers
# in numpy and are written as real NULLs.
SCHEMA = {
    "id": "BIGINT", "created_at": "BIGINT", "district_id": "INTEGER", "subdistrict_id": "INTEGER",
    "lead_unit_id": "INTEGER", "category_id": "INTEGER", "created_month": "SMALLINT", "dispatch_month": "SMALLINT",
    "accept_state": "TINYINT", "accept_due_open": "BIGINT", "callback_month": "SMALLINT", "rating": "TINYINT",
    "callback_resolved": "BOOLEAN", "due_month": "SMALLINT", "reply_late": "BOOLEAN", "reply_due_open": "BIGINT",
}
_NULL_MARKERS = {
    **dict.fromkeys(("district_id", "subdistrict_id", "lead_unit_id", "category_id"), core.NULL_ID),
    **dict.fromkeys(("created_month", "dispatch_month", "callback_month", "due_month"), core.NULL_MONTH),
    **dict.fromkeys(("accept_due_open", "reply_due_open"), core.NULL_TIME),
    "rating": 0,
}
# What each part counts: (the month it counts in, its counts, its condition).
_PART_SQL = {
    "received": ("created_month", "count(*) AS received", "TRUE"),
    "dispatch": ("dispatch_month",
                 f"count(*) AS dispatched, count(*) FILTER (accept_state = {core.SIGNED_ON_TIME}) AS on_time",
                 f"(accept_state <> {core.UNSIGNED} OR accept_due_open < $as_of)"),
    "callback": ("callback_month",
                 "count(*) AS called_back, count(*) FILTER (callback_resolved) AS resolved, "
                 f"count(*) FILTER (rating = {core.RATING_CODES['satisfied']}) AS satisfied, "
                 f"count(*) FILTER (rating = {core.RATING_CODES['basically_satisfied']}) AS basically_satisfied",
                 "TRUE"),
    "overdue": ("due_month", "count(*) AS overdue", "(reply_late OR reply_due_open < $as_of)"),
}
# Rows per Parquet row group: small enough that a month's query skips most of the
# other months' groups by their min/max statistics.
ROW_GROUP = 122_880
WATERMARK_OVERLAP = dt.timedelta(minutes=5)
_CHUNK = 50_000
VOID_STATES = (Status.MERGED, Status.INVALID)


class EpochMicroseconds(Func):
    """A datetime column as integer microseconds since the epoch, NULL as core.NULL_TIME,
    computed in the database: exact, and no datetime objects on the way (reading them
    is most of an export's time)."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        # Whole seconds and microseconds apart: EXTRACT(EPOCH) is a float before PostgreSQL 14.
        template = (f"COALESCE(EXTRACT(EPOCH FROM date_trunc('second', %(expressions)s))::bigint * 1000000 "
                    f"+ mod(EXTRACT(MICROSECONDS FROM %(expressions)s)::bigint, 1000000), {core.NULL_TIME})")
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC. '%%%%s' ends as strftime's '%s'
        # after this template and the SQLite cursor's own %-substitution.
        template = (f"COALESCE(CAST(strftime('%%%%s', %(expressions)s) AS INTEGER) * 1000000 "
                    f"+ CAST(substr(%(expressions)s, 21, 6) AS INTEGER), {core.NULL_TIME})")
        return self.as_sql(compiler, connection, template=template, **extra)


def _code(field: str, codes: dict, default: int = 0) -> Case:
    return Case(*(When(**{field: value}, then=Value(code)) for value, code in codes.items()), default=Value(default),
                output_field=IntegerField())


# What the export reads of each ticket, all as integers, in the names core.analytics_columns uses.
_EXPORT_COLUMNS = {
    "id": F("id"),
    **{name: EpochMicroseconds(name) for name in ("created_at", "dispatched_at", "accepted_at", "accept_due_at",
                                                  "resolved_at", "resolve_due_at", "callback_at")},
    **{name: Coalesce(name, Value(core.NULL_ID), output_field=BigIntegerField()) for name in ("district_id", "subdistrict_id", "lead_unit_id",
                                                              "category_id")},
    "rating": _code("callback_rating", core.RATING_CODES),
    "callback_resolved": _code("callback_resolved", {True: 1}),
    "void": _code("status__in", {VOID_STATES: 1}),
}


def default_root() -> Path:
    return Path(settings.SHIYU_ANALYTICS_DIR)


def partition_path(root: Path, month: int) -> Path:
    return root / "tickets" / f"created={core.month_label(month)}" / "part.parquet"


def _files(root: Path) -> list[str]:
    return sorted(str(p) for p in (root / "tickets").glob("created=*/part.parquet"))


# ---------------------------------------------------------------- writing


def write_partition(path: Path, columns: dict[str, np.ndarray], con: duckdb.DuckDBPyConnection | None = None) -> None:
    """Write one month's rows (core.analytics_columns' arrays) to `path`, replacing it
    atomically; rows in order of receipt, so row groups follow the calendar."""
    con = con or duckdb.connect()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    select = ", ".join(
        f"CAST(NULLIF({name}, {_NULL_MARKERS[name]}) AS {kind}) AS {name}" if name in _NULL_MARKERS
        else f"CAST({name} AS {kind}) AS {name}" for name, kind in SCHEMA.items())
    con.register("batch", {name: columns[name] for name in SCHEMA})
    try:
        target = str(temporary).replace("'", "''")
        con.execute(f"COPY (SELECT {select} FROM batch ORDER BY created_at, id) TO '{target}' "
                    f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP})")
    finally:
        con.unregister("batch")
    os.replace(temporary, path)


# ---------------------------------------------------------------- counting


def fine_counts(months: list[int], as_of_us: int, root: Path | None = None,
                con: duckdb.DuckDBPyConnection | None = None) -> dict[str, dict[str, np.ndarray]]:
    """The copy's counts per (district, subdistrict, lead unit, month) for each of
    core.PARTS, over `months` (consecutive), as of `as_of_us` (microseconds)."""
    files = _files(root or default_root())
    if not files:
        return {part: core.empty_part(part) for part in core.PARTS}
    con = con or duckdb.connect()
    parameters = {"files": files, "first": months[0], "last": months[-1], "as_of": as_of_us}
    out = {}
    for part, (month, counts, condition) in _PART_SQL.items():
        sql = (f"SELECT district_id, subdistrict_id, lead_unit_id, {month} AS month, {counts} "
               f"FROM read_parquet($files) WHERE {month} BETWEEN $first AND $last AND {condition} GROUP BY ALL")
        named = {k: v for k, v in parameters.items() if f"${k}" in sql}  # DuckDB refuses unused ones
        result = con.execute(sql, named).fetchnumpy()
        out[part] = {name: np.ma.filled(np.ma.asarray(values).astype(np.int64), core.NULL_ID)
                     for name, values in result.items()}
    return out


# ---------------------------------------------------------------- keeping in step


@dataclass(frozen=True)
class SyncReport:
    months: list[str]
    tickets: int
    seconds: float
    synced_at: dt.datetime


def read_state(root: Path | None = None) -> dict | None:
    path = (root or default_root()) / "state.json"
    return json.loads(path.read_text()) if path.exists() else None


def synced_at(root: Path | None = None) -> dt.datetime | None:
    state = read_state(root)
    return None if state is None else dt.datetime.fromisoformat(state["synced_at"])


def sync(root: Path | None = None, *, full: bool = False) -> SyncReport:
    """Bring the copy in step with the database: every month on the first run or with
    `full` (which also drops months no longer in the database), else the months
    changed since the last sync."""
    root = root or default_root()
    started, clock = timezone.now(), time.perf_counter()
    state = None if full else read_state(root)
    highest = Ticket.objects.aggregate(highest=Max("id"))["highest"] or 0
    if state is None:
        months = _months_of(Ticket.objects.all())
    else:
        since = dt.datetime.fromisoformat(state["watermark"]) - WATERMARK_OVERLAP
        months = _months_of(Ticket.objects.filter(updated_at__gte=since)) | _months_of(
            Ticket.objects.filter(id__gt=state["highest_id"]))
    if full and (root / "tickets").exists():
        for stale in set((root / "tickets").iterdir()) - {partition_path(root, m).parent for m in months}:
            shutil.rmtree(stale)
    con = duckdb.connect()
    written = sum(_export_month(root, month, con) for month in sorted(months))
    root.mkdir(parents=True, exist_ok=True)
    (root / "state.json").write_text(json.dumps({
        "synced_at": started.isoformat(), "watermark": started.isoformat(), "highest_id": highest}))
    return SyncReport([core.month_label(m) for m in sorted(months)], written, time.perf_counter() - clock, started)


def _months_of(tickets) -> set[int]:
    tz = settings.TIME_ZONE
    starts = (tickets.order_by().annotate(month=TruncMonth("created_at", tzinfo=timezone.get_default_timezone()))
              .values_list("month", flat=True).distinct())
    return {core.month_of_datetime(start, tz) for start in starts}


def _export_month(root: Path, month: int, con) -> int:
    """Read the month's tickets from the database and replace its file; how many."""
    start, end = core.month_bounds(month, month, settings.TIME_ZONE)
    rows = (Ticket.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
            .values_list(*_EXPORT_COLUMNS.values()).iterator(chunk_size=_CHUNK))
    raw = _raw_columns(rows)
    path = partition_path(root, month)
    if not len(raw["id"]):
        if path.exists():
            shutil.rmtree(path.parent)
        return 0
    write_partition(path, core.analytics_columns(raw, settings.TIME_ZONE), con)
    return len(raw["id"])


def _raw_columns(rows) -> dict[str, np.ndarray]:
    """The rows of _EXPORT_COLUMNS (all integers) as the numpy columns
    core.analytics_columns reads, a chunk at a time."""
    chunks = [np.array(chunk, dtype=np.int64).reshape(-1, len(_EXPORT_COLUMNS))
              for chunk in iter(lambda: list(itertools.islice(rows, _CHUNK)), [])]
    table = np.concatenate(chunks) if chunks else np.zeros((0, len(_EXPORT_COLUMNS)), dtype=np.int64)
    raw = {name: table[:, i] for i, name in enumerate(_EXPORT_COLUMNS)}
    raw["callback_resolved"] = raw["callback_resolved"].astype(bool)
    raw["void"] = raw["void"].astype(bool)
    return raw
