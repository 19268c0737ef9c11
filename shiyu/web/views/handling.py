"""The handler's inbox and the ticket page every staff role shares, with one form per
action the user may take now (tickets.permissions.actions_for). Each action is one
service call; the services judge it, so a stale page gets a clear 403, 409 or 422."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shiyu.core.errors import InvalidInput, NotFound
from shiyu.deadlines.selectors import notifications_for
from shiyu.deadlines.services import mark_read
from shiyu.intake import services as intake
from shiyu.intake.selectors import dispatch_advice, similar_links
from shiyu.org.models import HandlingUnit
from shiyu.routing.selectors import latest_decision
from shiyu.tickets import services
from shiyu.tickets.lifecycle import HANDLING_STATES, TRANSITIONS
from shiyu.tickets.models import DeadlineState, Extension, Rating, Status
from shiyu.tickets.permissions import actions_for
from shiyu.tickets.selectors import (get_visible_extension, get_visible_ticket, reporter_contacts, ticket_timeline,
                                     unit_inbox)
from shiyu.tickets.services import DESCRIPTION_MAX

from ..pages import STAFF
from .workbench import (category_field, error_response, for_page, for_roles, next_url, page_of,
                        query_without, run_form)

TICKET_TEMPLATE = "web/workbench/ticket.html"
ACTIVE_UNITS = HandlingUnit.objects.filter(active=True).order_by("kind", "key")
UNREAD_SHOWN = 10
# Timeline entries that are not lifecycle actions (those take their label from lifecycle).
OTHER_EVENTS = {
    "ticket.create": gettext_lazy("taken in"),
    "ticket.route": gettext_lazy("routed"),
    "ticket.escalate": gettext_lazy("escalated to the supervisors"),
    "ticket.merged_in": gettext_lazy("another ticket merged into this one"),
    "intake.similar_found": gettext_lazy("earlier tickets found"),
    "intake.similar_dismissed": gettext_lazy("judged not the same as an earlier ticket"),
}


# ---------------------------------------------------------------- the inbox


class InboxFilter(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("State"), required=False, choices=[
        ("", gettext_lazy("All in hand")), *[(s, Status(s).label) for s in sorted(HANDLING_STATES)]])
    colour = forms.ChoiceField(label=gettext_lazy("Deadline"), required=False,
                               choices=[("", gettext_lazy("Any")), *DeadlineState.choices])


@for_page("inbox")
def inbox(request):
    filters = InboxFilter(request.GET)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    page = page_of(request, unit_inbox(request.user, status=chosen.get("status"), colour=chosen.get("colour")))
    return render(request, "web/workbench/inbox.html", {
        "filters": filters, "page": page, "query": query_without(request, "page"),
        "notifications": notifications_for(request.user).filter(read_at__isnull=True)[:UNREAD_SHOWN],
    })


@for_roles(STAFF)
@require_POST
def read_notification(request, pk: int):
    mark_read(actor=request.user, notification=pk)
    return redirect(next_url(request) or reverse("web:home"))


# ---------------------------------------------------------------- action forms


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=500)


class ReplyForm(forms.Form):
    reply = forms.CharField(label=gettext_lazy("Reply to the resident"), max_length=DESCRIPTION_MAX,
                            widget=forms.Textarea(attrs={"rows": 4}))


class ReportForm(forms.Form):
    report = forms.CharField(label=gettext_lazy("What your unit did"), max_length=DESCRIPTION_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class InvalidForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


class ExtensionForm(ReasonForm):
    days = forms.IntegerField(label=gettext_lazy("Working days more"), min_value=1, max_value=30)

    field_order = ["days", "reason"]


def _yes_no(label, yes, no) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=[("yes", yes), ("no", no)], coerce=lambda v: v == "yes",
                                  widget=forms.RadioSelect)


class DecideExtensionForm(NoteForm):
    extension = forms.IntegerField(widget=forms.HiddenInput)
    approve = _yes_no(gettext_lazy("Decision"), gettext_lazy("Approve"), gettext_lazy("Deny"))

    field_order = ["extension", "approve", "note"]


class CallbackForm(NoteForm):
    rating = forms.ChoiceField(label=gettext_lazy("Rating"), choices=Rating.choices, widget=forms.RadioSelect)
    resolved = _yes_no(gettext_lazy("Resolved, says the resident"), gettext_lazy("Yes"), gettext_lazy("No"))

    field_order = ["rating", "resolved", "note"]


class MergeForm(NoteForm):
    into = forms.CharField(label=gettext_lazy("Tracking code of the ticket that carries on"), max_length=20)

    field_order = ["into", "note"]


class DispatchForm(NoteForm):
    lead_unit = forms.ModelChoiceField(label=gettext_lazy("Lead unit"), queryset=ACTIVE_UNITS, to_field_name="key")
    assist_units = forms.ModelMultipleChoiceField(label=gettext_lazy("Assisting units (optional)"), required=False,
                                                  queryset=ACTIVE_UNITS, to_field_name="key",
                                                  widget=forms.SelectMultiple(attrs={"size": 5}))
    category = category_field(label=gettext_lazy("Category"), required=False)

    field_order = ["lead_unit", "assist_units", "category", "note"]


class CategoryForm(forms.Form):
    category = category_field(label=gettext_lazy("Category"))


class PhotoForm(forms.Form):
    photo = forms.FileField(label=gettext_lazy("Photo"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))


# ---------------------------------------------------------------- actions


@dataclass(frozen=True)
class Action:
    name: str  # in the URL and as data-action on its button
    enabled_by: tuple[str, ...]  # the lifecycle actions (actions_for) that show its form
    form: type[forms.Form]
    run: Callable  # (user, ticket, cleaned data) -> the service's result

    @property
    def label(self) -> str:
        return capfirst(TRANSITIONS[self.enabled_by[0]].label)


def _call(service) -> Callable:
    """The usual case: the form's fields are the service's keywords."""
    return lambda user, ticket, data: service(actor=user, ticket=ticket, **data)


def _decide_extension(user, ticket, data):
    extension = get_visible_extension(user, data.pop("extension"))
    if extension.ticket_id != ticket.pk:
        raise NotFound(f"extension {extension.pk} not found")
    return services.decide_extension(actor=user, extension=extension, **data)


def _merge(user, ticket, data):
    try:
        into = get_visible_ticket(user, data.pop("into").strip().upper())
    except NotFound:
        raise InvalidInput(_("No such ticket."), fields={"into": [_("No such ticket.")]}) from None
    return services.merge_ticket(actor=user, ticket=ticket, into=into, **data)


ACTIONS = {action.name: action for action in [
    Action("dispatch", ("dispatch",), DispatchForm, _call(intake.dispatch)),
    Action("categorize", ("categorize",), CategoryForm, _call(intake.choose_category)),
    Action("answer_directly", ("answer_directly",), ReplyForm, _call(services.answer_directly)),
    Action("sign_for", ("accept", "assist_accept"), forms.Form, _call(services.sign_for)),
    Action("start", ("start",), NoteForm, _call(services.start_work)),
    Action("assist_report", ("assist_report",), ReportForm, _call(services.report_assist)),
    Action("resolve", ("resolve",), ReplyForm, _call(services.resolve_ticket)),
    Action("request_extension", ("request_extension",), ExtensionForm, _call(services.request_extension)),
    Action("decide_extension", ("decide_extension",), DecideExtensionForm, _decide_extension),
    Action("return", ("return",), ReasonForm, _call(services.return_ticket)),
    Action("callback", ("callback",), CallbackForm, _call(services.record_callback)),
    Action("callback_attempt", ("callback_attempt",), NoteForm, _call(services.record_unreachable)),
    Action("reopen", ("reopen",), ReasonForm, _call(services.reopen_ticket)),
    Action("close", ("close",), NoteForm, _call(services.close_ticket)),
    Action("merge", ("merge",), MergeForm, _merge),
    Action("mark_invalid", ("mark_invalid",), InvalidForm, _call(services.mark_invalid)),
    Action("attach", ("attach",), PhotoForm,
           lambda user, ticket, data: services.add_attachment(actor=user, ticket=ticket, upload=data["photo"])),
]}


# ---------------------------------------------------------------- the ticket page


@for_roles(STAFF)
def ticket_page(request, key: str):
    ticket = get_visible_ticket(request.user, key.upper())
    return render(request, TICKET_TEMPLATE, _ticket_context(request, ticket))


@for_roles(STAFF)
@require_POST
def ticket_action(request, key: str, name: str):
    action = ACTIONS.get(name)
    if action is None:
        raise Http404
    ticket = get_visible_ticket(request.user, key.upper())
    form = action.form(request.POST, request.FILES)
    error = run_form(form, lambda data: action.run(request.user, ticket, data))
    if error:
        return error_response(request, error, TICKET_TEMPLATE, _ticket_context(request, ticket, form=(name, form)),
                              form=form)
    messages.success(request, _("%(action)s: done for %(code)s.") % {"action": action.label, "code": ticket.code})
    return redirect(next_url(request) or reverse("web:ticket", args=[ticket.code]))


def _ticket_context(request, ticket, form: tuple[str, forms.Form] | None = None) -> dict:
    """Everything the ticket page shows; `form`: the action form that failed, to show again
    as it was sent."""
    user = request.user
    assignments = list(ticket.assignments.select_related("unit").order_by("dispatched_at", "id"))
    extensions = list(ticket.extensions.select_related("requested_by", "decided_by").order_by("requested_at", "id"))
    allowed = set(actions_for(user, ticket, assignments, extensions))
    failed, failed_form = form or (None, None)
    actions = [(action, failed_form if action.name == failed else action.form(
                    initial=_initial(action.name, ticket, extensions)))
               for action in ACTIONS.values() if allowed.intersection(action.enabled_by)]
    return {
        "ticket": ticket, "contact": reporter_contacts(user, [ticket])[ticket.pk], "actions": actions,
        "assignments": assignments, "extensions": extensions,
        "decision": latest_decision(ticket), "similar": similar_links(user, ticket),
        "timeline": [(event, _event_label(event.action)) for event in ticket_timeline(ticket)],
        "attachments": ticket.attachments.order_by("uploaded_at", "id"),
        "next": next_url(request) or "",
    }


def _event_label(action: str) -> str:
    name = action.removeprefix("ticket.")
    if name != action and name in TRANSITIONS:
        return capfirst(TRANSITIONS[name].label)
    return capfirst(OTHER_EVENTS.get(action, action))


def _initial(name: str, ticket, extensions: list[Extension]) -> dict:
    if name == "decide_extension":
        pending = [e for e in extensions if e.state == Extension.State.PENDING]
        return {"extension": pending[0].pk} if pending else {}
    if name == "categorize":
        return {"category": ticket.category and ticket.category.code}
    if name == "dispatch":
        advice = dispatch_advice([ticket])[ticket.pk]
        return {"lead_unit": advice.unit and advice.unit.key, "category": advice.category and advice.category.code}
    return {}
