from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from shiyu.tickets.lifecycle import TERMINAL_STATES
from shiyu.tickets.selectors import visible_tickets


@login_required
def home(request):
    """Landing page: what the signed-in person's role has to do. Grows with the pages issue."""
    tickets = visible_tickets(request.user)
    return render(request, "web/home.html", {
        "open_count": tickets.exclude(status__in=TERMINAL_STATES).count(),
    })
