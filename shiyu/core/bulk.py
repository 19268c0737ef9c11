"""Fast bulk writes for the few paths that write tens of thousands of rows at once
(the bulk import service, the demo generator).

Django's bulk_create prepares every field of every object through the compiler,
which costs more than the database's own work (~250 µs a ticket of 40 fields).
BulkTable builds the INSERT once from the model's _meta and sends plain tuples:
executemany on SQLite, COPY on PostgreSQL. Values are converted only where Django
would convert them (datetimes, JSON, ...), with the field's own get_db_prep_save, so
the rows stored are the same as bulk_create's. Call it inside a transaction.
"""
from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import connections

# Fields whose Python value the database drivers take as it is.
_PLAIN = frozenset({
    "AutoField", "BigAutoField", "SmallAutoField", "CharField", "TextField", "SlugField", "EmailField",
    "URLField", "IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "PositiveBigIntegerField", "FloatField", "BooleanField", "ForeignKey",
    "OneToOneField",
})
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


class BulkTable:
    """Insert rows given as tuples in `names` (attnames) order.

    A concrete field not named gets its default; the primary key, if not named, is
    assigned by the database. With epoch_seconds=True, datetime fields arrive as int
    seconds since the epoch (UTC) instead of aware datetimes (SQLite converts them
    itself, which is what makes the demo generator fast). Fields named in `as_stored`
    arrive already as the database stores them (JSON as its text, say) and are passed
    through."""

    def __init__(self, model, names: Sequence[str], *, epoch_seconds: bool = False, as_stored: Sequence[str] = (),
                 using: str = "default"):
        self.connection = connections[using]
        meta = model._meta
        fields = {f.attname: f for f in meta.concrete_fields}
        unknown = [n for n in names if n not in fields]
        if unknown:
            raise ValueError(f"{meta.label} has no fields {unknown}")
        missing = [f for name, f in fields.items() if name not in names and not f.primary_key]
        self.model = model
        self.names = list(names)
        self.fields = [fields[n] for n in names]
        self.vendor = self.connection.vendor
        self.epoch_seconds = epoch_seconds
        self.extra = tuple(f.get_db_prep_save(f.get_default(), self.connection) for f in missing)
        is_time = [f.get_internal_type() == "DateTimeField" for f in self.fields]
        self.times = [i for i, t in enumerate(is_time) if t]
        self.convert = [i for i, f in enumerate(self.fields) if f.get_internal_type() not in _PLAIN
                        and not (epoch_seconds and is_time[i]) and f.attname not in as_stored]
        q = self.connection.ops.quote_name
        self.table = meta.db_table
        columns = [f.column for f in self.fields] + [f.column for f in missing]
        column_list = ", ".join(q(c) for c in columns)
        if self.vendor == "postgresql":
            self.sql = f"COPY {q(self.table)} ({column_list}) FROM STDIN"
        else:
            # SQLite: datetime(n, 'unixepoch') is 'YYYY-MM-DD HH:MM:SS', what Django
            # stores for an aware datetime in UTC without microseconds.
            marks = ["datetime(%s, 'unixepoch')" if epoch_seconds and i in self.times else "%s"
                     for i in range(len(columns))]
            self.sql = f"INSERT INTO {q(self.table)} ({column_list}) VALUES ({', '.join(marks)})"

    def write(self, rows: Iterable[Sequence]) -> None:
        rows = self._prepared(rows)
        if not rows:
            return
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(self.sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, rows)

    def _prepared(self, rows: Iterable[Sequence]) -> list[Sequence]:
        convert, fields, connection = self.convert, self.fields, self.connection
        seconds_to_text = self.epoch_seconds and self.vendor != "sqlite"
        if not convert and not seconds_to_text:
            out = rows if isinstance(rows, list) else list(rows)
        else:
            out = []
            # The same object in many rows (a batch's `now`) is converted once; ids are
            # stable here because every row, hence every value, is alive meanwhile.
            memo: dict[tuple[int, int], object] = {}
            for row in rows:
                row = list(row)
                for i in convert:
                    value = row[i]
                    if value is not None:  # None is NULL for every field; skip the round trip
                        key = (i, id(value))
                        if key not in memo:
                            memo[key] = fields[i].get_db_prep_save(value, connection)
                        row[i] = memo[key]
                if seconds_to_text:
                    for i in self.times:
                        if row[i] is not None:
                            row[i] = _EPOCH + dt.timedelta(seconds=row[i])
                out.append(row)
        if self.extra:
            out = [(*row, *self.extra) for row in out]
        return out

    def write_objects(self, objs: Sequence) -> None:
        """Insert model instances (epoch_seconds must be off); those without a primary
        key get one first, from reserve_ids, and all are marked as saved."""
        if self.epoch_seconds:
            raise ValueError("write_objects takes model instances with datetimes")
        pk = self.model._meta.pk
        if pk.attname not in self.names:
            raise ValueError("name the primary key to write objects")
        new = [obj for obj in objs if getattr(obj, pk.attname) is None]
        for obj, pk_value in zip(new, reserve_ids(self.model, len(new), using=self.connection.alias)):
            setattr(obj, pk.attname, pk_value)
        values = operator.attrgetter(*self.names)
        self.write([values(obj) for obj in objs] if len(self.names) > 1 else [(values(obj),) for obj in objs])
        for obj in objs:
            obj._state.adding = False
            obj._state.db = self.connection.alias

    def max_id(self) -> int:
        q = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX({q(self.model._meta.pk.column)}) FROM {q(self.table)}")
            return cursor.fetchone()[0] or 0


def reserve_ids(model, count: int, using: str = "default") -> Sequence[int]:
    """`count` primary keys no other writer will use: from the sequence on PostgreSQL;
    on SQLite, above both MAX(id) and the AUTOINCREMENT counter, which is safe because
    the caller's transaction holds SQLite's write lock (Django begins IMMEDIATE) and
    which moves the counter on as the rows go in."""
    if count <= 0:
        return []
    connection = connections[using]
    meta = model._meta
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [q(meta.db_table), meta.pk.column, count])
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"reserve_ids on {connection.vendor}")
        if not connection.in_atomic_block:
            raise RuntimeError("reserve_ids on SQLite must run inside a transaction")
        cursor.execute(f"SELECT MAX({q(meta.pk.column)}) FROM {q(meta.db_table)}")
        top = cursor.fetchone()[0] or 0
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
        if cursor.fetchone():
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [meta.db_table])
            row = cursor.fetchone()
            top = max(top, row[0] if row else 0)
    return range(top + 1, top + 1 + count)


@contextmanager
def large_cache(mib: int = 64, using: str = "default") -> Iterator[None]:
    """On SQLite, a page cache of at least `mib` MiB on this connection while it lasts:
    a bulk write touches pages of every index on tickets, and with a small cache they
    keep being evicted and read again. Settings give every connection 64 MiB; the demo
    generator asks for more while it writes a million tickets. Elsewhere, or when the
    cache is already that big, nothing."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        page_size = cursor.fetchone()[0]
    current_kib = -before if before < 0 else before * page_size // 1024
    if current_kib >= mib * 1024:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA cache_size = {-int(mib) * 1024}")
    try:
        yield
    finally:
        if connection.connection is not None:  # still open
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(before)}")


def refresh_statistics(models: Iterable, using: str = "default") -> None:
    """After a bulk load on PostgreSQL, fresh planner statistics for the tables written
    (ANALYZE, as after pg_restore): otherwise the first queries plan against none, or
    against stale ones for as long as autovacuum takes, and for ever where it is off.
    Planned against stale statistics, a look at the newest ids scans the whole table.
    Elsewhere, nothing."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
