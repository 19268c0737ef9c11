"""The command dashboard (综治中心): one page, and the JSON it polls every minute.
The counting is in shiyu.web.dashboard."""
from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from shiyu.metrics import core
from shiyu.metrics.selectors import CopyNotReady
from shiyu.tickets.selectors import visible_tickets

from .. import dashboard


def _choice(request, name: str, choices, default):
    """A query parameter from a fixed list; anything else is the default (the page only sends valid ones)."""
    value = request.GET.get(name, "")
    return next((choice for choice in choices if str(choice) == value), default)


@require_GET
@login_required
def page(request):
    if not dashboard.may_see_dashboard(request.user):
        raise PermissionDenied
    month = dashboard.current_month(timezone.now())
    return render(request, "web/dashboard/index.html", {
        "volume_days": dashboard.VOLUME_DAYS, "kinds": dashboard.RANKING_KINDS,
        "months": [(core.month_label(month), _("This month")), (core.month_label(month - 1), _("Last month"))],
    })


def data_view(view):
    """A JSON endpoint of the dashboard: 403 in JSON, not a login page, for anyone else
    (the page's scripts read the answer; a login form would not parse)."""
    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        if not dashboard.may_see_dashboard(request.user):
            return JsonResponse({"detail": _("Only supervisors, leaders and administrators see the dashboard.")},
                                status=403)
        return view(request, *args, **kwargs)
    return require_GET(checked)


@data_view
@cache_control(private=True, max_age=300)  # outlines change rarely; counts come apart, each minute
def grids(request):
    return HttpResponse(dashboard.grids_geojson(), content_type="application/geo+json")


@data_view
def grid_counts(request):
    now = timezone.now()
    return JsonResponse({"as_of": now, **dashboard.grid_counts(visible_tickets(request.user), now)})


@data_view
def volume(request):
    now = timezone.now()
    days = _choice(request, "days", dashboard.VOLUME_DAYS, dashboard.VOLUME_DAYS[0])
    return JsonResponse({"as_of": now, **dashboard.daily_volume(visible_tickets(request.user), days, now)})


@data_view
def categories(request):
    now = timezone.now()
    days = _choice(request, "days", dashboard.VOLUME_DAYS, dashboard.VOLUME_DAYS[0])
    return JsonResponse({"as_of": now, "days": days,
                         "categories": dashboard.category_split(visible_tickets(request.user), days, now)})


@data_view
def rates(request):
    this_month = dashboard.current_month(timezone.now())
    month = this_month - 1 if request.GET.get("month") == core.month_label(this_month - 1) else this_month
    kind = _choice(request, "kind", dashboard.RANKING_KINDS, "subdistrict")
    try:
        figures = dashboard.ranking_figures(month)
    except CopyNotReady as error:  # SHIYU_METRICS_SOURCE=analytics before its first sync
        return JsonResponse(error.as_dict(), status=error.status)
    return JsonResponse({key: figures[key] for key in ("month", "as_of", "computed_at", "source", "city")}
                        | {"kind": kind, "rows": figures["kinds"][kind]})


@data_view
def alerts(request):
    return JsonResponse(dashboard.alert_figures(request.user))


@data_view
def hot_issues(request):
    return JsonResponse(dashboard.hot_issue_figures())
