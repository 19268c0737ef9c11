"""The analytics copy (DuckDB over Parquet) counts what the database counts, and
sync keeps it in step."""
import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from shiyu.demo.tickets import generate_tickets
from shiyu.metrics import analytics, core
from shiyu.metrics.selectors import database_counts, definitions, monthly_ranking, unit_directory
from shiyu.tickets.models import Ticket

from .conftest import at

pytestmark = pytest.mark.django_db
END = dt.date(2025, 6, 30)
YEAR = list(range(core.parse_month("2024-06"), core.parse_month("2025-06") + 1))


@pytest.fixture
def copy(settings, tmp_path):
    settings.SHIYU_ANALYTICS_DIR = tmp_path / "analytics"
    return settings.SHIYU_ANALYTICS_DIR


@pytest.fixture
def year_of_tickets(db):
    """1,500 demo tickets: returns, extensions, reopens, merges, late and open ones."""
    generate_tickets(1500, seed=5, end=END)


def both_ways(months, as_of):
    directory, rules = unit_directory(), definitions()
    database = core.rank_all(database_counts(months, as_of), directory, months, rules)
    copy = core.rank_all(analytics.fine_counts(months, core.to_microseconds(as_of)), directory, months, rules)
    return database, copy


@pytest.mark.parametrize("as_of", [at("2025-06-29 15:00"), at("2025-09-01 00:00")])
def test_database_and_copy_agree_on_every_count_and_rank(year_of_tickets, copy, as_of):
    analytics.sync()
    database, copied = both_ways(YEAR, as_of)
    for kind in core.KINDS:
        for measure in core.MEASURES:
            assert np.array_equal(database[kind].table[measure], copied[kind].table[measure]), (kind, measure)
        assert np.array_equal(database[kind].rank, copied[kind].rank), kind
        assert np.array_equal(database[kind].bottom_streak, copied[kind].bottom_streak), kind
    # The data is worth comparing: every part counted something, most units were ranked.
    subdistricts = database["subdistrict"]
    assert all(subdistricts.table[m].sum() > 0 for m in core.MEASURES)
    assert (subdistricts.rank[:, -2] > 0).all()


def test_monthly_ranking_from_either_source(year_of_tickets, copy):
    report = analytics.sync()
    may = core.parse_month("2025-05")
    copied = monthly_ranking(may, source="analytics")
    assert copied.as_of == report.synced_at
    database = monthly_ranking(may, source="database", as_of=report.synced_at)
    for kind in core.KINDS:
        assert copied.rows(kind) == database.rows(kind)


def test_sync_rewrites_only_the_months_that_changed(year_of_tickets, copy):
    first = analytics.sync()
    assert first.tickets == Ticket.objects.count() and len(first.months) >= 12
    assert analytics.sync().months == []

    march = core.parse_month("2025-03")
    start, end = core.month_bounds(march, march, "Asia/Shanghai")
    changed = Ticket.objects.filter(created_at__gte=start, created_at__lt=end, status="closed").first()
    Ticket.objects.filter(pk=changed.pk).update(status="invalid", updated_at=timezone.now())
    assert analytics.sync().months == ["2025-03"]

    received = lambda: analytics.fine_counts([march], core.to_microseconds(timezone.now()))["received"]["received"]
    database = database_counts([march], timezone.now())["received"]["received"]
    assert received().sum() == database.sum()


def test_sync_finds_bulk_loaded_tickets_by_their_ids(year_of_tickets, copy, ticket):
    analytics.sync()
    old = ticket(created="2024-08-03 10:00")  # updated_at in 2024, as a bulk load writes it
    assert analytics.sync().months == ["2024-08"]
    august = core.parse_month("2024-08")
    counts = analytics.fine_counts([august], core.to_microseconds(timezone.now()))
    assert counts["received"]["received"].sum() == database_counts([august], timezone.now())[
        "received"]["received"].sum()
    assert old.pk in set(_ids(copy))


def test_full_sync_drops_months_no_longer_in_the_database(copy, ticket):
    lonely = ticket(created="2024-01-10 10:00")
    ticket(created="2024-02-10 10:00")
    analytics.sync()
    Ticket.objects.filter(pk=lonely.pk).delete()
    assert analytics.sync(full=True).months == ["2024-02"]
    assert [p.parent.name for p in sorted((copy / "tickets").glob("*/part.parquet"))] == ["created=2024-02"]


def test_an_empty_copy_counts_nothing_and_the_api_says_so(settings, copy, api):
    counts = analytics.fine_counts(YEAR, 0)
    assert all(len(part["month"]) == 0 for part in counts.values())
    settings.SHIYU_METRICS_SOURCE = "analytics"
    response = api("leader").get("/api/metrics/rankings/", {"month": "2025-04"})
    assert response.status_code == 503 and response.json()["code"] == "not_ready"


def _ids(root):
    import duckdb

    files = [str(p) for p in root.glob("tickets/*/part.parquet")]
    return [row[0] for row in duckdb.connect().execute(f"SELECT id FROM read_parquet({files!r})").fetchall()]


def test_sync_command(copy, ticket, capsys):
    from django.core.management import call_command

    ticket(created="2024-02-10 10:00")
    call_command("metrics_sync")
    assert "1 tickets in 1 months (2024-02)" in capsys.readouterr().out
    call_command("metrics_sync", "--full")
    assert (copy / "tickets" / "created=2024-02" / "part.parquet").exists()


def test_the_copy_keeps_microseconds(copy, ticket):
    """Signed for exactly at the deadline is on time; one microsecond later is not."""
    times = dict(created="2025-03-03 09:00", dispatched="2025-03-03 10:00", accept_due="2025-03-03 12:00",
                 accepted="2025-03-03 12:00")
    ticket(**times)
    late = ticket(**times)
    Ticket.objects.filter(pk=late.pk).update(accepted_at=late.accept_due_at + dt.timedelta(microseconds=1))
    analytics.sync()
    march, now = [core.parse_month("2025-03")], timezone.now()
    for counts in (database_counts(march, now), analytics.fine_counts(march, core.to_microseconds(now))):
        assert (counts["dispatch"]["dispatched"].sum(), counts["dispatch"]["on_time"].sum()) == (2, 1)
