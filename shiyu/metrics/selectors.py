"""Reads for the rates, rankings and the monthly priority problem.

Counting happens in the platform's database (database_counts, the ORM on SQLite or
PostgreSQL) or in the analytics copy (analytics.fine_counts, DuckDB over Parquet),
as SHIYU_METRICS_SOURCE says; everything after the counting is core's."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from shiyu.core.errors import DomainError
from shiyu.core.models import Role
from shiyu.geo.models import AdminUnit
from shiyu.org.models import HandlingUnit
from shiyu.tickets.models import Category, Ticket

from . import analytics, core

LEADER_ROLES = {Role.LEADER, Role.SUPERVISOR, Role.ADMIN}
SOURCES = ("database", "analytics")


class CopyNotReady(DomainError):
    status = 503
    code = "not_ready"


def definitions() -> core.Definitions:
    return core.Definitions(weights=dict(settings.SHIYU_SCORE_WEIGHTS),
                            basically_satisfied_factor=settings.SHIYU_BASICALLY_SATISFIED_FACTOR,
                            bottom_group=settings.SHIYU_BOTTOM_GROUP,
                            governance_months=settings.SHIYU_GOVERNANCE_MONTHS)


def unit_directory() -> dict[str, core.Units]:
    """Every unit that is ranked, by kind: districts and subdistricts (with their
    population), active departments and public-service enterprises."""
    places = AdminUnit.objects.filter(level__in=["district", "subdistrict"]).values_list(
        "level", "id", "name", "code", "population")
    handlers = HandlingUnit.objects.filter(active=True, kind__in=["department", "enterprise"]).values_list(
        "kind", "id", "name", "key")
    rows: dict[str, list] = {kind: [] for kind in core.KINDS}
    for level, pk, name, code, population in places:
        rows[level].append((pk, name, code, population))
    for kind, pk, name, key in handlers:
        rows[kind].append((pk, name, key, None))
    return {kind: core.Units.of(kind, rows[kind]) for kind in core.KINDS}


# ---------------------------------------------------------------- counting in the database


def _live_tickets() -> QuerySet[Ticket]:
    return Ticket.objects.exclude(status__in=analytics.VOID_STATES).order_by()


def _count_part(tickets: QuerySet[Ticket], time_field: str, months: list[int], **counts) -> dict[str, np.ndarray]:
    """`counts` per (district, subdistrict, lead unit, month of `time_field`)."""
    start, end = core.month_bounds(months[0], months[-1], settings.TIME_ZONE)
    rows = (tickets.filter(**{f"{time_field}__gte": start, f"{time_field}__lt": end})
            .annotate(month=TruncMonth(time_field, tzinfo=timezone.get_default_timezone()))
            .values("district_id", "subdistrict_id", "lead_unit_id", "month").annotate(**counts))
    columns: dict[str, list] = {name: [] for name in (*core.KEYS, *counts)}
    for row in rows:
        row["month"] = core.month_of_datetime(row["month"], settings.TIME_ZONE)
        for name, values in columns.items():
            value = row[name]
            values.append(core.NULL_ID if value is None else value)
    return {name: np.array(values, dtype=np.int64) for name, values in columns.items()}


def database_counts(months: list[int], as_of: dt.datetime) -> dict[str, dict[str, np.ndarray]]:
    """core.PARTS counted in the platform's database, as core's docstring defines them."""
    live = _live_tickets()
    settled = Q(accepted_at__isnull=False) | Q(accept_due_at__lt=as_of)
    return {
        "received": _count_part(live, "created_at", months, received=Count("id")),
        "dispatch": _count_part(
            live.filter(settled, lead_unit__isnull=False, accept_due_at__isnull=False), "dispatched_at", months,
            dispatched=Count("id"), on_time=Count("id", filter=Q(accepted_at__lte=F("accept_due_at")))),
        "callback": _count_part(
            live.exclude(callback_rating=""), "callback_at", months, called_back=Count("id"),
            resolved=Count("id", filter=Q(callback_resolved=True)),
            satisfied=Count("id", filter=Q(callback_rating="satisfied")),
            basically_satisfied=Count("id", filter=Q(callback_rating="basically_satisfied"))),
        "overdue": _count_part(
            live.filter(Q(resolved_at__gt=F("resolve_due_at")) | Q(resolved_at__isnull=True,
                                                                   resolve_due_at__lt=as_of)),
            "resolve_due_at", months, overdue=Count("id")),
    }


def _punctuality(months: list[int]) -> dict[int, dict]:
    """吹哨报到 figures per month, from shiyu.summons (imported when called, so that
    neither app needs the other to import)."""
    from shiyu.summons.selectors import punctuality

    return {month: punctuality(*core.month_bounds(month, month, settings.TIME_ZONE)) for month in months}


# ---------------------------------------------------------------- rankings


@dataclass
class Ranking:
    month: int
    as_of: dt.datetime
    source: str
    definitions: core.Definitions
    kinds: dict[str, core.KindRanking]

    def rows(self, kind: str) -> list[dict]:
        return self.kinds[kind].rows(self.month, self.definitions)


def monthly_ranking(month: int, *, source: str | None = None, as_of: dt.datetime | None = None) -> Ranking:
    """Every kind's ranking for `month`, with last month's change and the governance
    streak. `as_of` (database only; default now) settles what is still open; the
    analytics copy is as of its last sync."""
    source = source or settings.SHIYU_METRICS_SOURCE
    if source not in SOURCES:
        raise ValueError(f"SHIYU_METRICS_SOURCE is one of {SOURCES}, not {source!r}")
    rules = definitions()
    months = rules.window(month)
    if source == "analytics":
        as_of = analytics.synced_at()
        if as_of is None:
            raise CopyNotReady(_("The analytics copy has not been made yet: run `shiyu manage metrics_sync`."))
        fine = analytics.fine_counts(months, core.to_microseconds(as_of))
    else:
        as_of = as_of or timezone.now()
        fine = database_counts(months, as_of)
    kinds = core.rank_all(fine, unit_directory(), months, rules, _punctuality(months))
    return Ranking(month, as_of, source, rules, kinds)


def own_rows(user, ranking: Ranking, kind: str) -> list[dict]:
    """The rows a user may read: all for leaders, supervisors and admins; a handling
    unit's staff their own unit's row (a subdistrict office its subdistrict's, a
    district government its district's); nobody else any."""
    rows = ranking.rows(kind)
    if user.has_role(*LEADER_ROLES):
        return rows
    own = own_unit(user)
    return [row for row in rows if (row["kind"], row["unit_id"]) == own]


def own_unit(user) -> tuple[str, int] | None:
    """The (kind, unit id) a handler's unit is ranked as."""
    unit = user.unit if user.role == Role.HANDLER else None
    if unit is None:
        return None
    if unit.kind in (HandlingUnit.Kind.DISTRICT, HandlingUnit.Kind.SUBDISTRICT):
        return (unit.kind, unit.area_id) if unit.area_id else None
    return unit.kind, unit.pk


def may_read_rankings(user) -> bool:
    return user.has_role(*LEADER_ROLES) or own_unit(user) is not None


# ---------------------------------------------------------------- monthly priority problem


def priority_problems(month: int) -> dict:
    """每月一题 for `month`: (second-level category, subdistrict) pairs with the most
    tickets received, and with the fastest growth over last month (core.priority_pairs),
    each with its newest tickets. Second level: a leaf is too narrow (one problem is
    filed under several leaves), the first level too broad to act on."""
    counts = _pair_counts(month - 1, month)
    keys = sorted(set(counts[month]) | set(counts[month - 1]))
    category = np.array([k[0] for k in keys], dtype=np.int64)
    subdistrict = np.array([k[1] for k in keys], dtype=np.int64)
    current = np.array([counts[month].get(k, 0) for k in keys], dtype=np.int64)
    previous = np.array([counts[month - 1].get(k, 0) for k in keys], dtype=np.int64)
    most, fastest = core.priority_pairs(category, subdistrict, current, previous,
                                        min_tickets=settings.SHIYU_PRIORITY_MIN_TICKETS,
                                        top=settings.SHIYU_PRIORITY_TOP)
    chosen = {keys[i] for i in most + fastest}
    categories = Category.objects.in_bulk([k[0] for k in chosen])
    places = AdminUnit.objects.select_related("parent").in_bulk([k[1] for k in chosen])

    def pair(i: int) -> dict:
        key = keys[i]
        return {"category": categories[key[0]], "subdistrict": places[key[1]],
                "district": places[key[1]].parent, "tickets_count": int(current[i]),
                "previous_count": int(previous[i]),
                "growth": round(float((current[i] - previous[i]) / max(previous[i], 1)), 6),
                "tickets": _pair_tickets(month, key)}

    return {"month": month, "min_tickets": settings.SHIYU_PRIORITY_MIN_TICKETS,
            "most": [pair(i) for i in most], "fastest": [pair(i) for i in fastest],
            "hot_issues": _hot_issues(month)}


def _hot_issues(month: int) -> list[dict]:
    """The month's hottest issues (shiyu.proactive: the same problem at one place from several
    residents), as dicts with ticket ids; imported when called, as _punctuality is."""
    from shiyu.proactive.selectors import hot_issues

    start, end = core.month_bounds(month, month, settings.TIME_ZONE)
    return [issue.as_dict() for issue in hot_issues(start, end, top=settings.SHIYU_PRIORITY_TOP).issues]


def _pair_counts(first: int, last: int) -> dict[int, dict[tuple[int, int], int]]:
    start, end = core.month_bounds(first, last, settings.TIME_ZONE)
    rows = (_live_tickets().filter(created_at__gte=start, created_at__lt=end, category__level=3,
                                   subdistrict__isnull=False)
            .annotate(month=TruncMonth("created_at", tzinfo=timezone.get_default_timezone()))
            .values("category__parent_id", "subdistrict_id", "month").annotate(n=Count("id")))
    out: dict[int, dict] = {month: {} for month in range(first, last + 1)}
    for row in rows:
        month = core.month_of_datetime(row["month"], settings.TIME_ZONE)
        out[month][(row["category__parent_id"], row["subdistrict_id"])] = row["n"]
    return out


def _pair_tickets(month: int, key: tuple[int, int]) -> list[Ticket]:
    start, end = core.month_bounds(month, month, settings.TIME_ZONE)
    return list(_live_tickets().filter(created_at__gte=start, created_at__lt=end, category__parent_id=key[0],
                                       subdistrict_id=key[1])
                .only("id", "code", "title", "created_at", "status")
                .order_by("-created_at", "-id")[:settings.SHIYU_PRIORITY_TICKETS])
