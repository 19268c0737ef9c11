"""Grid worker pages (网格员), made for a phone held in one hand: my grid on a map,
report an event where it is, my tasks by deadline."""
from __future__ import annotations

import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shiyu.core.errors import DomainError, NotFound
from shiyu.core.models import Role
from shiyu.deadlines.selectors import Thresholds
from shiyu.geo.geojson import feature_collection
from shiyu.intake.services import take_in_report
from shiyu.tickets.lifecycle import OPEN_STATES
from shiyu.tickets.models import Channel, DeadlineState, RequestType
from shiyu.tickets.selectors import (get_visible_ticket, open_counts_by_grid, own_grid_tickets, search_tickets,
                                     visible_tickets)
from shiyu.tickets.services import add_attachment

from .reporting import PHOTO_TYPES, GridReportForm, refuse, submit_report

TICKETS_SHOWN = 100  # a phone list; the workbench has the full lists
BY_DEADLINE = {"status": sorted(OPEN_STATES), "ordering": "resolve_due_at"}


class PhotoForm(forms.Form):
    photo = forms.FileField(label=gettext_lazy("Progress photo"),
                            widget=forms.ClearableFileInput(attrs={"accept": PHOTO_TYPES}))


def gridworker_only(view):
    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        if not request.user.has_role(Role.GRIDWORKER):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return login_required(checked)


def _own_grids(user):
    return user.grids.select_related("community").order_by("code")


def _with_deadlines(tickets) -> list[dict]:
    """Each open ticket with its deadline colour as of now (None while no clock runs)."""
    thresholds = Thresholds.at(timezone.now())
    return [{"ticket": ticket, "deadline": DeadlineState(thresholds.state(
                ticket.resolve_due_at, bool(ticket.category_id and ticket.category.urgent)))
             if ticket.resolve_due_at else None}
            for ticket in tickets]


@gridworker_only
def my_grid(request):
    counts = open_counts_by_grid(request.user)
    tickets = search_tickets(own_grid_tickets(request.user), BY_DEADLINE).select_related("grid")[:TICKETS_SHOWN]
    return render(request, "web/grid/my_grid.html", {
        "grids": [(grid, counts.get(grid.pk, 0)) for grid in _own_grids(request.user)],
        "rows": _with_deadlines(tickets),
    })


@gridworker_only
def grids_geojson(request):
    counts = open_counts_by_grid(request.user)
    return JsonResponse(feature_collection(_own_grids(request.user), lambda grid: {
        "code": grid.code, "name": grid.name, "open": counts.get(grid.pk, 0)}))


@gridworker_only
def report(request):
    form = GridReportForm(request.POST, request.FILES) if request.method == "POST" else GridReportForm()
    status = 200
    if request.method == "POST":
        ticket, status = submit_report(form, lambda valid: take_in_report(
            actor=request.user, data=valid.ticket_input(Channel.GRID, RequestType.REPORT),
            photo=valid.cleaned_data["photo"]))
        if ticket:
            messages.success(request, _("Event %(code)s reported.") % {"code": ticket.code})
            return redirect("web:grid-tasks")
    return render(request, "web/grid/report.html", {"form": form}, status=status)


@gridworker_only
def tasks(request):
    return _tasks_page(request, PhotoForm())


def _tasks_page(request, photo_form: PhotoForm, status: int = 200, code: str = ""):
    tickets = search_tickets(visible_tickets(request.user), BY_DEADLINE).select_related("grid")[:TICKETS_SHOWN]
    return render(request, "web/grid/tasks.html", {"rows": _with_deadlines(tickets), "photo_form": photo_form,
                                                   "refused_code": code}, status=status)


@require_POST
@gridworker_only
def task_photo(request, code: str):
    """Progress on a task, as far as a grid worker may act on a ticket: a photo of it."""
    try:
        ticket = get_visible_ticket(request.user, code)
    except NotFound:
        raise Http404 from None
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _tasks_page(request, form, 400, ticket.code)
    try:
        add_attachment(actor=request.user, ticket=ticket, upload=form.cleaned_data["photo"])
    except DomainError as error:
        return _tasks_page(request, form, refuse(form, error), ticket.code)
    messages.success(request, _("Photo added to %(code)s.") % {"code": ticket.code})
    return redirect("web:grid-tasks")
