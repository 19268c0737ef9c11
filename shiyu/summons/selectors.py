"""Every read of summonses: who sees which, and each department's punctuality."""
from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shiyu.core.errors import NotFound
from shiyu.core.models import Role
from shiyu.org.models import HandlingUnit

from .models import Summons, SummonsCall

CITY_WIDE_ROLES = {Role.SUPERVISOR, Role.LEADER, Role.ADMIN}


def visible_summonses(user) -> QuerySet[Summons]:
    """A subdistrict office sees its own summonses, a district government those of its
    subdistricts, a department those it is called to; supervisors, leaders and admins all."""
    summonses = Summons.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return summonses.none()
    if user.has_role(*CITY_WIDE_ROLES):
        return summonses
    if user.role != Role.HANDLER or user.unit_id is None:
        return summonses.none()
    called = SummonsCall.objects.filter(summons=OuterRef("pk"), unit_id=user.unit_id)
    scope = Q(unit_id=user.unit_id) | Q(Exists(called))
    if user.unit.kind == HandlingUnit.Kind.DISTRICT and user.unit.area_id:
        scope |= Q(unit__area__parent_id=user.unit.area_id)
    return summonses.filter(scope)


def get_visible_summons(user, pk: int) -> Summons:
    """One summons, or NotFound (also outside the scope, so a scope never leaks what exists)."""
    summons = (visible_summonses(user).select_related("unit", "ticket", "created_by", "closed_by")
               .filter(pk=pk).first())
    if summons is None:
        raise NotFound(f"summons {pk} not found")
    return summons


def calls_of(summons: Summons) -> list[SummonsCall]:
    return list(summons.calls.select_related("unit", "reported_by", "rated_by").order_by("id"))


def punctuality(start: dt.datetime, end: dt.datetime) -> dict[int, dict]:
    """Per summoned unit id, over summonses whistled in [start, end):
    {"summoned", "reported_on_time", "late", "missing", "mean_rating"}.

    Read from the times, not from the sweep's marks, so the figures do not depend on when
    the sweep last ran: late is reported after the deadline (also after a missing mark),
    missing is not reported with the deadline passed. A call whose deadline is still
    ahead counts only in `summoned`. mean_rating is the mean 1-5 score of the rated
    responses, None when none was rated."""
    now = timezone.now()
    reported = Q(reported_at__isnull=False)
    rows = (SummonsCall.objects.filter(summons__created_at__gte=start, summons__created_at__lt=end)
            .values("unit_id").order_by("unit_id")
            .annotate(n_summoned=Count("id"), n_on_time=Count("id", filter=reported & Q(late=False)),
                      n_late=Count("id", filter=reported & Q(late=True)),
                      n_missing=Count("id", filter=Q(reported_at__isnull=True, summons__report_by__lt=now)),
                      rating_mean=Avg("rating")))
    return {row["unit_id"]: {"summoned": row["n_summoned"], "reported_on_time": row["n_on_time"],
                             "late": row["n_late"], "missing": row["n_missing"],
                             "mean_rating": None if row["rating_mean"] is None else float(row["rating_mean"])}
            for row in rows}
