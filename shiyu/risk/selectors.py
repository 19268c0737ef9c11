"""Every read of risk alerts and mutes: who sees which, the dashboard's figures, and the
daily ticket counts the spike signal judges."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from shiyu.core.audit import trail
from shiyu.core.errors import NotFound
from shiyu.core.models import AuditEvent, Role
from shiyu.org.models import HandlingUnit
from shiyu.tickets.models import Ticket

from .models import Level, RiskAlert, RiskMute

CITY_WIDE_ROLES = {Role.SUPERVISOR, Role.LEADER, Role.ADMIN}
TARGET = "risk_alert"


def visible_alerts(user) -> QuerySet[RiskAlert]:
    """Supervisors, leaders and admins see every alert; a handler those assigned to them
    or their unit, and a subdistrict or district government also those in its area."""
    alerts = RiskAlert.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return alerts.none()
    if user.has_role(*CITY_WIDE_ROLES):
        return alerts
    if user.role != Role.HANDLER:
        return alerts.none()
    scope = _assigned_to(user)
    if user.unit_id:
        if user.unit.area_id and user.unit.kind == HandlingUnit.Kind.SUBDISTRICT:
            scope |= Q(subdistrict_id=user.unit.area_id)
        elif user.unit.area_id and user.unit.kind == HandlingUnit.Kind.DISTRICT:
            scope |= Q(subdistrict__parent_id=user.unit.area_id)
    return alerts.filter(scope)


def alerts_to_report(user) -> QuerySet[RiskAlert]:
    """The assigned alerts waiting for this handler's (or their unit's) report back."""
    if user is None or not user.is_authenticated or user.role != Role.HANDLER:
        return RiskAlert.objects.none()
    return RiskAlert.objects.filter(_assigned_to(user), status=RiskAlert.Status.ASSIGNED)


def _assigned_to(user) -> Q:
    """Alerts assigned to the handler or to their unit."""
    mine = Q(assigned_user=user)
    return mine | Q(assigned_unit_id=user.unit_id) if user.unit_id else mine


def get_visible_alert(user, pk: int) -> RiskAlert:
    """One alert, or NotFound (also outside the scope, so a scope never leaks what exists)."""
    alert = (visible_alerts(user).select_related("subdistrict", "category", "assigned_unit", "assigned_user",
                                                 "acknowledged_by", "reported_by", "resolved_by")
             .filter(pk=pk).first())
    if alert is None:
        raise NotFound(f"alert {pk} not found")
    return alert


def alert_trail(alert: RiskAlert) -> list[AuditEvent]:
    return trail(TARGET, alert.pk)


def visible_mutes(user) -> QuerySet[RiskMute]:
    """Mutes are the city's supervisors' business: they, leaders and admins see them."""
    if user is None or not user.is_authenticated or not user.has_role(*CITY_WIDE_ROLES):
        return RiskMute.objects.none()
    return RiskMute.objects.all()


def in_force(now: dt.datetime) -> Q:
    """Mutes neither unmuted nor expired at `now` (as RiskMute.active_at)."""
    return Q(unmuted_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def active_mutes(now: dt.datetime) -> list[RiskMute]:
    return list(RiskMute.objects.filter(in_force(now)))


# ---------------------------------------------------------------- the dashboard


def open_alerts_by_level(user) -> dict[str, int]:
    """Unresolved alerts in the user's scope per level, most serious first (zeros included)."""
    counts = dict(visible_alerts(user).exclude(status=RiskAlert.Status.RESOLVED).order_by()
                  .values_list("level").annotate(n=Count("id")))
    return {level: counts.get(level, 0) for level in Level.values}


def recent_alerts(user, limit: int = 10) -> list[RiskAlert]:
    """The newest unresolved alerts in the user's scope."""
    return list(visible_alerts(user).exclude(status=RiskAlert.Status.RESOLVED)
                .select_related("subdistrict", "category").order_by("-updated_at", "-id")[:limit])


# ---------------------------------------------------------------- daily counts for spikes


def _top_category():
    """A ticket's top-level category, whatever the level of its own (normally a leaf)."""
    return Coalesce(F("category__parent__parent_id"), F("category__parent_id"), F("category_id"))


def _areas_and_categories(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.filter(subdistrict__isnull=False, category__isnull=False)


def daily_counts(first: dt.date, days: int) -> dict[tuple[int, int], np.ndarray]:
    """Tickets received per (subdistrict id, top-level category id) on each of `days` days
    from `first` (Asia/Shanghai days). Series without a ticket in the window are absent:
    they have nothing to spike from and nothing to compare. One indexed query a day:
    grouping by the local date would convert every row's time (in Python, on SQLite)."""
    series: defaultdict[tuple[int, int], np.ndarray] = defaultdict(lambda: np.zeros(days))
    for offset in range(days):
        start = day_start(first + dt.timedelta(days=offset))
        for key, n in counts_between(start, start + dt.timedelta(days=1)).items():
            series[key][offset] = n
    return dict(series)


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


def counts_between(start: dt.datetime, end: dt.datetime) -> dict[tuple[int, int], int]:
    """Tickets received in [start, end) per (subdistrict id, top-level category id). Both
    bounds: without the upper one SQLite (no statistics) walks the subdistrict index
    through every ticket instead of the creation index through the day's."""
    rows = (_areas_and_categories(Ticket.objects.filter(created_at__gte=start, created_at__lt=end)).order_by()
            .annotate(top=_top_category()).values_list("subdistrict_id", "top").annotate(n=Count("id")))
    return {(subdistrict_id, category_id): n for subdistrict_id, category_id, n in rows}


def series_tickets(subdistrict_id: int, category_id: int, start: dt.datetime, end: dt.datetime,
                   limit: int = 200) -> list[int]:
    """The newest tickets of one series in [start, end): what a spike alert links to."""
    return list(_areas_and_categories(Ticket.objects.filter(created_at__gte=start, created_at__lt=end))
                .annotate(top=_top_category()).filter(subdistrict_id=subdistrict_id, top=category_id)
                .order_by("-created_at").values_list("pk", flat=True)[:limit])


def first_ticket_day() -> dt.date | None:
    first = Ticket.objects.order_by("created_at").values_list("created_at", flat=True).first()
    return None if first is None else timezone.localdate(first)
