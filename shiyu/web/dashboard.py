"""The command dashboard's reads (综治中心): the grids as GeoJSON, open and overdue
tickets per grid, the daily volume, the split by top-level category, the three rates
and the ranking, the open risk alerts and the hot issues.

What is counted live and what is stored, measured over the demo city with 1,000,000
tickets on SQLite (bench/pages.py): per-grid counts read the open tickets only
(a few per cent of all, through the open-state indexes), the daily volume is one
index-only range count a day, the category split one per top-level category; each
stays under 100 ms, so they are counted on every call and are never stale. The
monthly ranking (shiyu.metrics, counted in the database) takes 10-30 s a month there
and the hot issues (shiyu.proactive, clustering the day's tickets) 1-2 s, so the
deadline sweep stores them (DashboardFigure) and the dashboard reads what it stored:
ten minutes old is fresh enough for these, and no request waits.

Every dashboard role reads the whole city (tickets.selectors.CITY_WIDE_ROLES and
metrics' LEADER_ROLES both hold them); the counts still start from visible_tickets,
so a scope rule added there reaches the dashboard too."""
from __future__ import annotations

import datetime as dt
import functools
import json

import numpy as np
import shapely
from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from shiyu.core.versioned import VersionedCache
from shiyu.geo.locate import stored_grid_version
from shiyu.geo.models import Grid
from shiyu.metrics import core
from shiyu.metrics.selectors import LEADER_ROLES, CopyNotReady, monthly_ranking
from shiyu.proactive.selectors import hot_issues
from shiyu.risk.models import Level
from shiyu.risk.selectors import open_alerts_by_level, recent_alerts
from shiyu.tickets.lifecycle import OPEN_STATES
from shiyu.tickets.models import Category, Ticket
from shiyu.tickets.selectors import overdue_q

from .models import DashboardFigure

# Whoever reads every unit's ranking reads the dashboard: supervisors, leaders, admins.
DASHBOARD_ROLES = tuple(LEADER_ROLES)
VOLUME_DAYS = (30, 90)
# A month's ranking stops changing a few days after it ends (late sign-fors settle);
# a snapshot taken after that is final and is not computed again.
SETTLED_AFTER = dt.timedelta(days=3)
RANKING_KINDS = core.KINDS
# Hot issues of the last day: clustering costs about 1.5 ms of CPU a ticket and memory
# that grows with the square of their number (shiyu.nlp.hotspots), so a day of a large
# city (~3,000 tickets) is what the sweep can afford every few minutes.
HOT_ISSUES_KEY = "hot-issues"
HOT_ISSUE_HOURS = 24
HOT_ISSUES_TOP = 10
HOT_ISSUE_IDS = 20  # ticket ids kept per issue: enough to open a few


def may_see_dashboard(user) -> bool:
    return user.is_authenticated and user.has_role(*DASHBOARD_ROLES)


# ---------------------------------------------------------------- the map


def _grid_collection() -> bytes:
    """Every grid as a GeoJSON Feature; its id joins it to grid_counts. Not through
    geo.geojson.feature_collection: the whole city is thousands of grids, and here the
    coordinates are rounded to 5 decimals (a metre: a quarter fewer bytes to download)
    and the text is joined without parsing each feature back (several times faster)."""
    rows = list(Grid.objects.order_by("id").values_list(
        "id", "code", "name", "community__name", "community__parent__name", "boundary_wkt"))
    shapes = shapely.transform(shapely.from_wkt([row[-1] for row in rows]), lambda xy: np.round(xy, 5))
    features = [
        '{"type":"Feature","properties":%s,"geometry":%s}' % (json.dumps(
            {"id": pk, "code": code, "name": name, "area": f"{subdistrict} · {community}"}, ensure_ascii=False),
            geometry)
        for (pk, code, name, community, subdistrict, _wkt), geometry in zip(rows, shapely.to_geojson(shapes))]
    return ('{"type":"FeatureCollection","features":[%s]}' % ",".join(features)).encode()


# Built once per process and rebuilt when the grids change (GridVersion), as the locator's index is.
_grids = VersionedCache(_grid_collection, stored_grid_version)


def grids_geojson() -> bytes:
    return _grids.get(recheck_seconds=5.0)


def grid_counts(tickets: QuerySet[Ticket], now: dt.datetime) -> dict:
    """Open and overdue (open past the resolution deadline, as of now) tickets per grid
    id; grids with none are left out. One pass over the open tickets counts both."""
    rows = (tickets.filter(status__in=list(OPEN_STATES)).exclude(grid=None).order_by().values_list("grid_id")
            .annotate(n=Count("id"), overdue=Count("id", filter=overdue_q(now))))
    counts: dict[str, dict[int, int]] = {"open": {}, "overdue": {}}
    for grid_id, n, overdue in rows:
        counts["open"][grid_id] = n
        if overdue:
            counts["overdue"][grid_id] = overdue
    return counts


# ---------------------------------------------------------------- volume


def _day_starts(days: int, now: dt.datetime) -> list[dt.datetime]:
    """Local midnights from `days` - 1 days ago to tomorrow: days + 1 bounds."""
    today = timezone.localdate(now)
    zone = timezone.get_current_timezone()
    return [dt.datetime.combine(today - dt.timedelta(days=days - 1 - i), dt.time(), zone) for i in range(days + 1)]


def daily_volume(tickets: QuerySet[Ticket], days: int, now: dt.datetime) -> dict:
    """Tickets received on each of the last `days` local days, today included; merged
    and invalid ones too: they are the load the hotline took. One count a day: each
    is an index-only range scan, where one GROUP BY on the local date would call a
    time-zone function for every row (SQLite has none built in)."""
    starts = _day_starts(days, now)
    tickets = tickets.order_by()
    return {"days": [start.date().isoformat() for start in starts[:-1]],
            "counts": [tickets.filter(created_at__gte=start, created_at__lt=end).count()
                       for start, end in zip(starts, starts[1:])]}


def category_split(tickets: QuerySet[Ticket], days: int, now: dt.datetime) -> list[dict]:
    """Tickets received in the last `days` days per top-level category, largest first;
    code None for tickets not categorised yet. One count per top-level category, naming
    its categories: the (category, created_at) index answers each alone, where one
    GROUP BY reads every recent ticket's row (4-5 times slower on PostgreSQL)."""
    subtrees: dict[str, list[int]] = {}
    for pk, code in Category.objects.values_list("id", "code"):
        subtrees.setdefault(code[:2], []).append(pk)  # codes nest: 01 > 0101 > 010101
    names = dict(Category.objects.filter(level=1).values_list("code", "name"))
    recent = tickets.filter(created_at__gte=_day_starts(days, now)[0]).order_by()
    counts = {code: recent.filter(category_id__in=ids).count() for code, ids in subtrees.items()}
    counts[None] = recent.filter(category=None).count()
    return [{"code": code, "name": names.get(code, ""), "count": n}
            for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0] or "")) if n]


# ---------------------------------------------------------------- stored figures


def current_month(now: dt.datetime) -> int:
    return core.month_of_datetime(now, settings.TIME_ZONE)


def ranking_figures(month: int) -> dict:
    """The month's three rates for the whole city and every kind's ranking rows."""
    return _stored(_ranking_key(month), lambda now: _ranking(month, now))


def hot_issue_figures() -> dict:
    """The hottest issues among the tickets of the last HOT_ISSUE_HOURS."""
    return _stored(HOT_ISSUES_KEY, _hot_issues)


def refresh_figures(now: dt.datetime) -> list[str]:
    """Called by the deadline sweep: count again the stored figures older than
    SHIYU_DASHBOARD_REFRESH_SECONDS (a month's ranking not once it is settled).
    Returns the keys counted."""
    month = current_month(now)
    computers = {_ranking_key(m): functools.partial(_ranking, m) for m in (month - 1, month)}
    computers[HOT_ISSUES_KEY] = _hot_issues
    stored = dict(DashboardFigure.objects.filter(key__in=list(computers)).values_list("key", "computed_at"))
    max_age = dt.timedelta(seconds=settings.SHIYU_DASHBOARD_REFRESH_SECONDS)
    due = [key for key in computers if key not in stored or (
        now - stored[key] >= max_age and not (key.startswith("ranking:") and _settled(key, stored[key])))]
    counted = []
    for key in due:
        try:
            _store(key, computers[key](now), now)
        except CopyNotReady:  # rankings counted in the analytics copy, which is not made yet
            continue
        counted.append(key)
    return counted


def _stored(key: str, compute) -> dict:
    """What the sweep stored under `key`; counted now (and stored) if it never has been."""
    figure = DashboardFigure.objects.filter(key=key).first()
    if figure is None:
        now = timezone.now()
        figure = _store(key, compute(now), now)
    return {**figure.data, "computed_at": figure.computed_at.isoformat()}


def _store(key: str, data: dict, now: dt.datetime) -> DashboardFigure:
    figure, _created = DashboardFigure.objects.update_or_create(key=key, defaults={"data": data, "computed_at": now})
    return figure


def _ranking_key(month: int) -> str:
    return f"ranking:{core.month_label(month)}"


def _settled(key: str, computed_at: dt.datetime) -> bool:
    month = core.parse_month(key.removeprefix("ranking:"))
    return computed_at >= core.month_bounds(month, month, settings.TIME_ZONE)[1] + SETTLED_AFTER


def _ranking(month: int, now: dt.datetime) -> dict:
    ranking = monthly_ranking(month, as_of=now)  # the analytics copy counts as of its last sync instead
    kinds = {kind: ranking.rows(kind) for kind in RANKING_KINDS}
    return {"month": core.month_label(month), "as_of": ranking.as_of.isoformat(), "source": ranking.source,
            "city": city_rates(kinds["district"], ranking.definitions.basically_satisfied_factor), "kinds": kinds}


def _hot_issues(now: dt.datetime) -> dict:
    since = now - dt.timedelta(hours=HOT_ISSUE_HOURS)
    found = hot_issues(since, now, top=HOT_ISSUES_TOP)
    return {"since": since.isoformat(), "as_of": now.isoformat(), "hours": HOT_ISSUE_HOURS, "tickets": found.rows,
            "issues": [{**issue.as_dict(), "ids": issue.ids[:HOT_ISSUE_IDS]} for issue in found.issues]}


def city_rates(district_rows: list[dict], basically_satisfied_factor: float) -> dict:
    """The city's three rates: its districts' counts summed (every placed ticket has a
    district), then divided as metrics.core defines each rate."""
    total = {m: sum(row[m] for row in district_rows) for m in core.MEASURES}

    def ratio(numerator: float, denominator: int) -> float | None:
        return round(numerator / denominator, 6) if denominator else None

    return {**total,
            "response_rate": ratio(total["on_time"], total["dispatched"]),
            "resolution_rate": ratio(total["resolved"], total["called_back"]),
            "satisfaction_rate": ratio(total["satisfied"] + basically_satisfied_factor
                                       * total["basically_satisfied"], total["called_back"])}


# ---------------------------------------------------------------- alerts


def alert_figures(user, limit: int = 10) -> dict:
    """Unresolved risk alerts in the user's scope: how many per level, most serious
    first, and the newest `limit` of them (shiyu.risk's own dashboard reads)."""
    by_level = open_alerts_by_level(user)
    return {
        "levels": [{"level": level, "label": str(label), "count": by_level[level]}
                   for level, label in Level.choices],
        "alerts": [{"id": alert.pk, "level": alert.level, "level_label": alert.get_level_display(),
                    "signal": alert.get_kind_display(), "status": alert.get_status_display(),
                    "reason": alert.reason, "subdistrict": alert.subdistrict.name if alert.subdistrict else "",
                    "category": alert.category.name if alert.category else "",
                    "updated_at": alert.updated_at.isoformat(), "times_raised": alert.times_raised}
                   for alert in recent_alerts(user, limit)],
    }
