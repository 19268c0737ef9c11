from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from shiyu.core.models import Role
from shiyu.risk.selectors import alerts_to_report
from shiyu.tickets.lifecycle import TERMINAL_STATES
from shiyu.tickets.selectors import unit_inbox, visible_tickets


@login_required
def home(request):
    """Landing page: how much work is waiting, and a tile for each of the role's pages."""
    user = request.user
    if user.role == Role.HANDLER:
        # The unit's tickets in hand, read as the inbox reads them (indexed): counting every
        # ticket the unit ever touched would mean an EXISTS for each of a million tickets.
        return render(request, "web/home.html", {"in_hand_count": unit_inbox(user).count(),
                                                 "alerts_to_report": alerts_to_report(user).count()})
    return render(request, "web/home.html", {
        "open_count": visible_tickets(user).exclude(status__in=TERMINAL_STATES).count(),
    })
