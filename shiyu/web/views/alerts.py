"""风险预警: the list of risk alerts, an alert's page with its tickets, its audit trail
and one form per action the user may take now (acknowledge, assign, report back,
resolve, mute its signal), and the list of muted signals. Every write is one call of shiyu.risk.services,
which judges it: a stale page gets a clear 403, 409 or 422 and nothing changes.

Supervisors and admins act; leaders read; a handler reads the alerts assigned to them or
their unit (risk.selectors.visible_alerts), which the list and the alert page both follow,
and reports back on them."""
from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shiyu.core.errors import DomainError
from shiyu.core.models import Role, User
from shiyu.geo.models import AdminUnit
from shiyu.org.models import HandlingUnit
from shiyu.risk import selectors, services
from shiyu.risk.models import Level, RiskAlert, Signal
from shiyu.tickets.models import Category

from ..pages import PAGES
from .workbench import (action_forms, error_response, for_roles, invalid_form, linked_tickets, page_of, query_without,
                        run_form)

# Handlers see the alerts assigned to them or their unit (the selectors' scope) and report
# back on them; muting signals is the supervisors' business.
READ_ROLES = next(page.roles for page in PAGES if page.url_name == "alerts")
MUTE_ROLES = READ_ROLES - {Role.HANDLER}
ALERT_TEMPLATE = "web/alerts/alert.html"
MUTES_TEMPLATE = "web/alerts/mutes.html"
ACTIVE_UNITS = HandlingUnit.objects.filter(active=True).order_by("kind", "key")
STAFF_USERS = User.objects.filter(is_active=True).exclude(role=Role.CITIZEN)
TICKETS_SHOWN = 100
EVENT_LABELS = {
    "risk.raise": gettext_lazy("raised"),
    "risk.update": gettext_lazy("raised again"),
    "risk.acknowledge": gettext_lazy("acknowledged"),
    "risk.assign": gettext_lazy("assigned"),
    "risk.report": gettext_lazy("reported back"),
    "risk.resolve": gettext_lazy("resolved"),
}
UNRESOLVED = "unresolved"


# ---------------------------------------------------------------- forms


class AlertFilter(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Level"), required=False,
                              choices=[("", gettext_lazy("Any")), *Level.choices])
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=[
        ("", gettext_lazy("Any")), (UNRESOLVED, gettext_lazy("Not resolved")), *RiskAlert.Status.choices])
    kind = forms.ChoiceField(label=gettext_lazy("Signal"), required=False,
                             choices=[("", gettext_lazy("Any")), *Signal.choices])


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=services.NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(NoteForm):
    unit = forms.ModelChoiceField(label=gettext_lazy("Handling unit"), queryset=ACTIVE_UNITS, to_field_name="key",
                                  required=False)
    user = forms.ModelChoiceField(label=gettext_lazy("Or a person (username)"), queryset=STAFF_USERS,
                                  to_field_name="username", required=False, widget=forms.TextInput)

    field_order = ["unit", "user", "note"]


class ResolveForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("How the risk was dealt with"), max_length=services.NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("What was done"), max_length=services.NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format="%Y-%m-%dT%H:%M")


def _expiry_field() -> forms.DateTimeField:
    return forms.DateTimeField(label=gettext_lazy("Until (optional; for good when empty)"), required=False,
                               widget=DateTimeInput())


class MuteAlertForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why this signal is noise"), max_length=services.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))
    expires_at = _expiry_field()


class MuteForm(MuteAlertForm):
    """A signal in a subdistrict and/or a top-level category (not tied to one alert)."""

    kind = forms.ChoiceField(label=gettext_lazy("Signal"), choices=Signal.choices)
    subdistrict = forms.ModelChoiceField(
        label=gettext_lazy("Subdistrict"), required=False, to_field_name="code",
        queryset=AdminUnit.objects.filter(level=AdminUnit.Level.SUBDISTRICT).order_by("code"))
    category = forms.ModelChoiceField(label=gettext_lazy("Top-level category"), required=False, to_field_name="code",
                                      queryset=Category.objects.filter(parent__isnull=True).order_by("code"))

    field_order = ["kind", "subdistrict", "category", "reason", "expires_at"]


class MuteListFilter(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("Show"), required=False, choices=[
        ("", gettext_lazy("In force")), ("ended", gettext_lazy("Unmuted or expired")), ("all", gettext_lazy("All"))])


# ---------------------------------------------------------------- actions


@dataclass(frozen=True)
class Action:
    name: str  # in the URL and as data-action on its button
    label: str
    form: type[forms.Form]

    def run(self, user, alert: RiskAlert, data: dict):
        """The service of the same name; its keywords are the form's fields."""
        return getattr(services, self.name)(actor=user, alert=alert, **data)


ACTIONS = {action.name: action for action in [
    Action("acknowledge", gettext_lazy("Acknowledge"), NoteForm),
    Action("assign", gettext_lazy("Assign"), AssignForm),
    Action("report", gettext_lazy("Report back"), ReportForm),
    Action("resolve", gettext_lazy("Resolve"), ResolveForm),
    Action("mute", gettext_lazy("Mute this signal"), MuteAlertForm),
]}


# ---------------------------------------------------------------- the list


@for_roles(READ_ROLES)
def alert_list(request):
    filters = AlertFilter(request.GET)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    alerts = selectors.visible_alerts(request.user).select_related("subdistrict", "category", "assigned_unit")
    if chosen.get("level"):
        alerts = alerts.filter(level=chosen["level"])
    if chosen.get("status") == UNRESOLVED:
        alerts = alerts.exclude(status=RiskAlert.Status.RESOLVED)
    elif chosen.get("status"):
        alerts = alerts.filter(status=chosen["status"])
    if chosen.get("kind"):
        alerts = alerts.filter(kind=chosen["kind"])
    alerts = alerts.annotate(ticket_count=Count("tickets", distinct=True)).order_by("-updated_at", "-id")
    return render(request, "web/alerts/list.html", {
        "filters": filters, "page": page_of(request, alerts), "query": query_without(request, "page"),
        "by_level": [(level, Level(level).label, count)
                     for level, count in selectors.open_alerts_by_level(request.user).items()],
        "show_mutes": request.user.has_role(*MUTE_ROLES),
    })


# ---------------------------------------------------------------- one alert


@for_roles(READ_ROLES)
def alert_page(request, pk: int):
    alert = selectors.get_visible_alert(request.user, pk)
    return render(request, ALERT_TEMPLATE, _alert_context(request, alert))


@for_roles(READ_ROLES)
@require_POST
def alert_action(request, pk: int, name: str):
    action = ACTIONS.get(name)
    if action is None:
        raise Http404
    alert = selectors.get_visible_alert(request.user, pk)
    form = action.form(request.POST)
    error = run_form(form, lambda data: action.run(request.user, alert, data))
    if error:
        alert = selectors.get_visible_alert(request.user, pk)  # as it is now, after any change by others
        return error_response(request, error, ALERT_TEMPLATE, _alert_context(request, alert, failed=(name, form)),
                              form=form)
    messages.success(request, _("%(action)s: done for alert %(id)s.") % {"action": action.label, "id": alert.pk})
    return redirect("web:alert", pk=alert.pk)


def _alert_context(request, alert: RiskAlert, failed: tuple[str, forms.Form] | None = None) -> dict:
    user = request.user
    now = timezone.now()
    allowed = services.allowed_actions(user, alert)
    mutes = [m for m in selectors.visible_mutes(user).filter(kind=alert.kind).select_related("muted_by", "unmuted_by")
             .order_by("-muted_at", "-id") if m.covers(alert.kind, alert.key, alert.subdistrict_id, alert.category_id)]
    muted = any(m.active_at(now) for m in mutes)
    if services.may_handle(user) and not muted:
        allowed = [*allowed, "mute"]
    return {
        "alert": alert, "actions": action_forms(ACTIONS, allowed, failed),
        **linked_tickets(user, alert.tickets.all(), TICKETS_SHOWN),
        "trail": [(event, capfirst(EVENT_LABELS.get(event.action, event.action)))
                  for event in selectors.alert_trail(alert)],
        "mutes": [(m, m.active_at(now)) for m in mutes], "muted": muted,
        "may_unmute": services.may_handle(user), "here": request.get_full_path(),
    }


# ---------------------------------------------------------------- muted signals


@for_roles(MUTE_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def mute_list(request):
    if request.method == "POST":
        return _mute_signal(request)
    return render(request, MUTES_TEMPLATE, _mutes_context(request))


def _mute_signal(request):
    form = MuteForm(request.POST)
    try:
        if not form.is_valid():
            raise invalid_form()
        services.mute(actor=request.user, **form.cleaned_data)
    except DomainError as error:
        return error_response(request, error, MUTES_TEMPLATE, _mutes_context(request, form=form), form=form)
    messages.success(request, _("The signal is muted."))
    return redirect("web:alert-mutes")


@for_roles(MUTE_ROLES)
@require_POST
def unmute(request, pk: int):
    mute = selectors.visible_mutes(request.user).filter(pk=pk).first()
    if mute is None:
        raise Http404
    try:
        services.unmute(actor=request.user, mute=mute)
    except DomainError as error:
        return error_response(request, error, MUTES_TEMPLATE, _mutes_context(request))
    messages.success(request, _("The signal raises alerts again."))
    back = request.POST.get("alert")
    if back and back.isdigit():
        return redirect("web:alert", pk=int(back))
    return redirect(reverse("web:alert-mutes"))


def _mutes_context(request, form: MuteForm | None = None) -> dict:
    user = request.user
    now = timezone.now()
    filters = MuteListFilter(request.GET)
    state = filters.cleaned_data.get("state") if filters.is_valid() else ""
    mutes = selectors.visible_mutes(user).select_related("subdistrict", "category", "muted_by", "unmuted_by")
    if state == "ended":
        mutes = mutes.exclude(selectors.in_force(now))
    elif state != "all":
        mutes = mutes.filter(selectors.in_force(now))
    page = page_of(request, mutes.order_by("-muted_at", "-id"))
    may_handle = services.may_handle(user)
    return {
        "filters": filters, "page": page, "query": query_without(request, "page"),
        "rows": [(m, m.active_at(now)) for m in page], "may_handle": may_handle,
        "form": (form or MuteForm()) if may_handle else None,
    }
