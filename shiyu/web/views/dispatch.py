"""派单: the dispatcher's queue. Three lists (received, waiting for a category, returned),
each row with the unit today's routing rules suggest and why, so that dispatch is one
click; another unit is picked on the ticket page. Bulk dispatch sends the chosen rows
to their suggested units, one service call each: a row either goes or stays as it was."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shiyu.core.errors import DomainError, InvalidInput
from shiyu.intake import services as intake
from shiyu.intake.selectors import awaiting_dispatch, dispatch_advice, returned_queue, triage_queue
from shiyu.tickets.selectors import get_visible_ticket

from .workbench import error_response, for_page, page_of

TEMPLATE = "web/workbench/dispatch.html"
SECTIONS = {
    "received": (gettext_lazy("To dispatch"), awaiting_dispatch),
    "triage": (gettext_lazy("Category to choose"), triage_queue),
    "returned": (gettext_lazy("Returned"), returned_queue),
}


@for_page("dispatch-queue")
def queue(request):
    return render(request, TEMPLATE, _queue_context(request, request.GET.get("list")))


@for_page("dispatch-queue")
@require_POST
def bulk_dispatch(request):
    """The chosen rows to their suggested units. A row that cannot go (no suggestion,
    dispatched meanwhile) keeps its state and shows why; the others go."""
    done, failed = [], {}
    for code in request.POST.getlist("tickets"):
        try:
            done.append(_dispatch_as_advised(request.user, code))
        except DomainError as error:
            failed[code] = error
    if done:
        messages.success(request, _("Dispatched: %(codes)s.") % {"codes": "、".join(t.code for t in done)})
    section = request.POST.get("list")
    if not failed:
        return redirect(f"{reverse('web:dispatch-queue')}?list={section}")
    # Answered with the first refusal's status; each row's own reason is listed.
    summary = DomainError(_("%(count)d of the chosen tickets were not dispatched.") % {"count": len(failed)})
    summary.status = next(iter(failed.values())).status
    context = _queue_context(request, section, failures={code: e.message for code, e in failed.items()})
    return error_response(request, summary, TEMPLATE, context)


def _dispatch_as_advised(user, code: str):
    ticket = get_visible_ticket(user, code)
    advice = dispatch_advice([ticket])[ticket.pk]
    if advice.unit is None:
        raise InvalidInput(_("%(code)s: no unit to suggest; open the ticket to choose one.") % {"code": ticket.code})
    return intake.dispatch(actor=user, ticket=ticket, lead_unit=advice.unit,
                           category=None if ticket.category_id else advice.category)


def _queue_context(request, section: str | None, failures: dict[str, str] | None = None) -> dict:
    section = section if section in SECTIONS else "received"
    user = request.user
    page = page_of(request, SECTIONS[section][1](user))
    tickets = list(page)
    advice = dispatch_advice(tickets)
    return {
        "sections": [(name, label, select(user).count()) for name, (label, select) in SECTIONS.items()],
        "section": section, "page": page, "query": f"list={section}",
        "rows": [(ticket, advice[ticket.pk]) for ticket in tickets], "failures": failures or {},
        "here": f"{reverse('web:dispatch-queue')}?list={section}",
    }
