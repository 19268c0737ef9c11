"""未诉先办: the hot issues of a period, from which a supervisor opens proactive tasks, and
the tasks' list and pages with one form per action the user may take now (accept,
complete, cancel). Every write is one call of shiyu.proactive.services, which judges it:
a stale page gets a clear 403, 409 or 422 and nothing changes.

Clustering a month of tickets can take seconds when the answer is not cached
(proactive.selectors.hot_issues), so the hot-issue page paints at once and asks for the
list itself as an htmx partial (hot_issue_list)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shiyu.core.audit import trail
from shiyu.core.errors import DomainError
from shiyu.core.pii import mask_text
from shiyu.deadlines.selectors import Thresholds, work_calendar
from shiyu.geo.models import AdminUnit
from shiyu.org.models import HandlingUnit
from shiyu.proactive import selectors, services
from shiyu.proactive.models import ProactiveTask
from shiyu.tickets.models import DeadlineState
from shiyu.tickets.permissions import SUPERVISE_ROLES
from shiyu.tickets.selectors import visible_tickets

from .workbench import (action_forms, error_response, for_page, for_roles, invalid_form, linked_tickets, page_of,
                        query_without, run_form)

HOT_TOP = 20
TICKETS_SHOWN = 50  # per hot issue and per task
PERIOD_DAYS = (7, 30)
TASK_TEMPLATE = "web/proactive/task.html"
OPEN_TEMPLATE = "web/proactive/open.html"
TARGET = "proactive_task"
ACTIVE_UNITS = HandlingUnit.objects.filter(active=True).order_by("kind", "key")
State = ProactiveTask.State
EVENT_LABELS = {
    "proactive.open": gettext_lazy("opened"),
    "proactive.accept": gettext_lazy("accepted"),
    "proactive.complete": gettext_lazy("completed"),
    "proactive.cancel": gettext_lazy("cancelled"),
    "proactive.overdue": gettext_lazy("missed its deadline"),
}
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


# ---------------------------------------------------------------- the period of hot issues


class PeriodForm(forms.Form):
    """The last 7 or 30 days (today included), or a calendar month (YYYY-MM), which wins."""

    days = forms.TypedChoiceField(label=gettext_lazy("Period"), required=False, coerce=int, empty_value=PERIOD_DAYS[0],
                                  choices=[(7, gettext_lazy("Last 7 days")), (30, gettext_lazy("Last 30 days"))])
    month = forms.CharField(label=gettext_lazy("or a month"), required=False, max_length=7,
                            widget=forms.TextInput(attrs={"type": "month"}))
    # A district or a subdistrict: the city's hot issues, or one area's (its smaller ones too).
    area = forms.ModelChoiceField(
        label=gettext_lazy("Area"), required=False, empty_label=gettext_lazy("Whole city"),
        queryset=AdminUnit.objects.filter(level__in=[AdminUnit.Level.DISTRICT, AdminUnit.Level.SUBDISTRICT])
        .order_by("code"))

    def clean_month(self) -> tuple[int, int] | None:
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        match = MONTH.match(value)
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
            raise forms.ValidationError(_("A month as YYYY-MM."))
        year, month = int(match[1]), int(match[2])
        today = timezone.localdate()
        if (year, month) > (today.year, today.month):
            raise forms.ValidationError(_("Not a month in the future."))
        return year, month

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[since, until) in local time."""
        tz = timezone.get_current_timezone()
        if self.cleaned_data.get("month"):
            year, month = self.cleaned_data["month"]
            first = dt.date(year, month, 1)
            after = dt.date(year + month // 12, month % 12 + 1, 1)
        else:
            after = timezone.localdate() + dt.timedelta(days=1)
            first = after - dt.timedelta(days=self.cleaned_data.get("days") or PERIOD_DAYS[0])
        return dt.datetime.combine(first, dt.time(), tz), dt.datetime.combine(after, dt.time(), tz)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class OpenTaskForm(forms.Form):
    """A proactive task for a unit, from a hot issue (title, place, heat and tickets prefilled)."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=services.TITLE_MAX)
    unit = forms.ModelChoiceField(label=gettext_lazy("Handling unit"), queryset=ACTIVE_UNITS, to_field_name="key")
    working_days = forms.IntegerField(label=gettext_lazy("Working days to do it"), required=False,
                                      min_value=1, max_value=services.MAX_WORKING_DAYS,
                                      initial=services.DEFAULT_WORKING_DAYS)
    due_date = forms.DateField(label=gettext_lazy("Or by a date (wins over the days)"), required=False,
                               widget=DateInput())
    place = forms.CharField(label=gettext_lazy("Place"), required=False, max_length=services.PLACE_MAX)
    note = forms.CharField(label=gettext_lazy("What to do"), required=False, max_length=services.NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))
    tickets = forms.CharField(required=False, widget=forms.HiddenInput)
    heat = forms.FloatField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_tickets(self) -> list:
        raw = [part for part in re.split(r"[,\s]+", self.cleaned_data["tickets"]) if part]
        if not all(part.isdigit() for part in raw):
            raise forms.ValidationError(_("Ticket ids separated by commas."))
        ids = {int(part) for part in raw}
        if len(ids) > services.MAX_TICKETS:
            raise forms.ValidationError(_("At most %(max)d tickets.") % {"max": services.MAX_TICKETS})
        found = list(visible_tickets(self.user).filter(pk__in=ids))
        missing = sorted(ids - {t.pk for t in found})
        if missing:
            raise forms.ValidationError(_("No such tickets: %(ids)s.") % {"ids": ", ".join(map(str, missing[:10]))})
        return found

    def clean(self):
        data = super().clean()
        due = data.get("due_date")
        if due is not None:
            days = _working_days_until(due)
            if not 1 <= days <= services.MAX_WORKING_DAYS:
                self.add_error("due_date", _("A date from the next working day to %(max)d working days ahead.")
                               % {"max": services.MAX_WORKING_DAYS})
            data["working_days"] = days
        elif data.get("working_days") is None and "working_days" not in self.errors:
            data["working_days"] = services.DEFAULT_WORKING_DAYS
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("title", "unit", "working_days", "place", "note", "tickets", "heat")}


def _working_days_until(day: dt.date) -> int:
    """Working days after today up to `day` included (the deadline falls on the last of them)."""
    calendar, today = work_calendar(), timezone.localdate()
    if (day - today).days > 3 * services.MAX_WORKING_DAYS:
        return services.MAX_WORKING_DAYS + 1
    return sum(1 for n in range(1, (day - today).days + 1) if calendar.is_workday(today + dt.timedelta(days=n)))


# ---------------------------------------------------------------- hot issues


@for_page("hot-issues")
@require_GET
def hot_issue_page(request):
    """The page paints at once; the list comes from hot_issue_list (hx-get on load)."""
    period = PeriodForm(request.GET)
    valid = period.is_valid()
    return render(request, "web/proactive/hot_issues.html", {
        "period": period, "list_url": f"{reverse('web:hot-issues-list')}?{request.GET.urlencode()}" if valid else "",
    }, status=200 if valid else 400)


@for_page("hot-issues")
@require_GET
def hot_issue_list(request):
    period = PeriodForm(request.GET)
    if not period.is_valid():
        return render(request, "web/proactive/_hot_issues.html", {"period": period}, status=400)
    since, until = period.bounds()
    found = selectors.hot_issues(since, until, period.cleaned_data.get("area"), top=HOT_TOP)
    ids = {pk for issue in found.issues for pk in issue.ids[:TICKETS_SHOWN]}
    tickets = {t.pk: t for t in visible_tickets(request.user).filter(pk__in=ids).only("pk", "code", "title", "status")}
    may_open = request.user.has_role(*SUPERVISE_ROLES)
    unit_choices = list(OpenTaskForm().fields["unit"].choices) if may_open and found.issues else []
    issues = []
    for issue in found.issues:
        form = None
        if may_open:
            form = OpenTaskForm(auto_id=f"id_hot{issue.rank}_%s", initial={
                "title": mask_text(issue.title)[:services.TITLE_MAX], "place": issue.place[:services.PLACE_MAX],
                "tickets": ",".join(map(str, issue.ids[:services.MAX_TICKETS])), "heat": round(issue.heat, 3)})
            form.fields["unit"].choices = unit_choices  # one query for the units, not one a form
        shown = [tickets[pk] for pk in issue.ids[:TICKETS_SHOWN] if pk in tickets]
        issues.append({"issue": issue, "tickets": shown, "hidden": len(issue.ids) - len(shown), "form": form})
    return render(request, "web/proactive/_hot_issues.html", {
        "period": period, "issues": issues, "since": since, "until": until - dt.timedelta(days=1),
        "warnings": found.warnings, "back": request.get_full_path(),
    })


# ---------------------------------------------------------------- opening a task


@for_roles(SUPERVISE_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def open_task(request):
    if request.method != "POST":
        return render(request, OPEN_TEMPLATE, {"form": OpenTaskForm(user=request.user)})
    form = OpenTaskForm(request.POST, user=request.user)
    try:
        if not form.is_valid():
            raise invalid_form()
        task = services.open_task(actor=request.user, **form.service_arguments())
    except DomainError as error:
        return error_response(request, error, OPEN_TEMPLATE, {"form": form}, form=form)
    messages.success(request, _("Proactive task opened for %(unit)s.") % {"unit": task.unit.name})
    return redirect("web:proactive-task", pk=task.pk)


# ---------------------------------------------------------------- the tasks


class TaskFilter(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False,
                              choices=[("", gettext_lazy("Any")), ("live", gettext_lazy("Open or accepted")),
                                       *State.choices])
    colour = forms.ChoiceField(label=gettext_lazy("Deadline"), required=False,
                               choices=[("", gettext_lazy("Any")), *DeadlineState.choices])


def deadline_colour(task: ProactiveTask, thresholds: Thresholds) -> str:
    """The deadline's colour now for a running task (the sweep's may be minutes old); '' once finished."""
    return thresholds.state(task.due_at, False) if task.state in services.LIVE_STATES else ""


@for_page("proactive-tasks")
@require_GET
def task_list(request):
    filters = TaskFilter(request.GET)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    tasks = selectors.visible_tasks(request.user).select_related("unit", "created_by")
    if chosen.get("state") == "live":
        tasks = tasks.filter(state__in=services.LIVE_STATES)
    elif chosen.get("state"):
        tasks = tasks.filter(state=chosen["state"])
    if chosen.get("colour"):
        tasks = tasks.filter(state__in=services.LIVE_STATES, deadline_state=chosen["colour"])
    page = page_of(request, tasks.order_by("-created_at", "-id"))
    thresholds = Thresholds.at(timezone.now())
    return render(request, "web/proactive/tasks.html", {
        "filters": filters, "page": page, "query": query_without(request, "page"),
        "rows": [(task, deadline_colour(task, thresholds)) for task in page],
        "may_open": request.user.has_role(*SUPERVISE_ROLES),
    })


class CompleteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("What the unit did"), max_length=services.NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Why it is no longer needed (optional)"), required=False,
                           max_length=services.NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))


@dataclass(frozen=True)
class Action:
    name: str  # in the URL and as data-action on its button
    label: str
    form: type[forms.Form]
    service: str


ACTIONS = {action.name: action for action in [
    Action("accept", gettext_lazy("Accept"), forms.Form, "accept_task"),
    Action("complete", gettext_lazy("Complete"), CompleteForm, "complete_task"),
    Action("cancel", gettext_lazy("Cancel the task"), CancelForm, "cancel_task"),
]}


@for_page("proactive-tasks")
@require_GET
def task_page(request, pk: int):
    task = selectors.get_visible_task(request.user, pk)
    return render(request, TASK_TEMPLATE, _task_context(request, task))


@for_page("proactive-tasks")
@require_POST
def task_action(request, pk: int, name: str):
    action = ACTIONS.get(name)
    if action is None:
        raise Http404
    task = selectors.get_visible_task(request.user, pk)
    form = action.form(request.POST)
    error = run_form(form, lambda data: getattr(services, action.service)(actor=request.user, task=task, **data))
    if error:
        task = selectors.get_visible_task(request.user, pk)
        return error_response(request, error, TASK_TEMPLATE, _task_context(request, task, failed=(name, form)),
                              form=form)
    messages.success(request, _("%(action)s: done for “%(title)s”.") % {"action": action.label, "title": task.title})
    return redirect("web:proactive-task", pk=task.pk)


def _task_context(request, task: ProactiveTask, failed: tuple[str, forms.Form] | None = None) -> dict:
    user = request.user
    return {
        "task": task, "actions": action_forms(ACTIONS, services.actions_for(user, task), failed),
        **linked_tickets(user, task.tickets.all(), TICKETS_SHOWN),
        "colour": deadline_colour(task, Thresholds.at(timezone.now())),
        "trail": [(event, capfirst(EVENT_LABELS.get(event.action, event.action)))
                  for event in trail(TARGET, task.pk)],
    }
