"""督办: the supervisor's work list. Overdue tickets with their escalations, extension
requests waiting for a decision (decided here or on the ticket page), notifications."""
from __future__ import annotations

from django.shortcuts import render

from shiyu.deadlines.selectors import notifications_for, supervised_tickets
from shiyu.tickets.selectors import pending_extensions

from .workbench import for_page, page_of

NOTIFICATIONS_SHOWN = 20


@for_page("supervision")
def supervision(request):
    user = request.user
    return render(request, "web/workbench/supervision.html", {
        "overdue": page_of(request, supervised_tickets(user), "overdue_page"),
        "extensions": page_of(request, pending_extensions(user), "extensions_page"),
        "notifications": notifications_for(user)[:NOTIFICATIONS_SHOWN],
        "here": request.get_full_path(),
    })
