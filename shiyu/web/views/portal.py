"""The citizen portal, 我要说话: report without an account, follow the report by its
tracking code, rate the answer, read what the city has resolved. These pages never
show who reported or who handled: no names, phones or house numbers."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from shiyu.core.clients import client_address
from shiyu.core.errors import DomainError, NotFound
from shiyu.core.models import Role
from shiyu.core.pii import mask_house_numbers
from shiyu.geo.geojson import feature_collection
from shiyu.geo.models import AdminUnit
from shiyu.intake.services import take_in_report
from shiyu.open311.public import public_text
from shiyu.tickets.models import Channel, Rating, Status, Ticket
from shiyu.tickets.selectors import (get_tracked_ticket, public_timeline, replied_publicly, search_tickets,
                                     visible_tickets)
from shiyu.tickets.services import record_resident_rating
from shiyu.tickets.tracking import make_tracking_code, verify_tracking_code

from .reporting import PortalReportForm, submit_report

POSTS_PER_HOUR = 20  # per client address: enough for a family, too few for a script
PAGE_SIZE = 20
MY_REPORTS_SHOWN = 50
COMMUNITY_OUTLINE_TOLERANCE = 0.00005  # degrees, about 5 m: lighter outlines, same picture

# What each state means to the resident, in plain words.
STATUS_WORDS = {
    Status.RECEIVED: gettext_lazy("Received. It will be sent to the unit that handles it."),
    Status.DISPATCHED: gettext_lazy("Sent to the unit that handles it, waiting for it to take it on."),
    Status.ACCEPTED: gettext_lazy("The handling unit has taken it on."),
    Status.IN_PROGRESS: gettext_lazy("The handling unit is working on it."),
    Status.RETURNED: gettext_lazy("Being passed to a different unit."),
    Status.RESOLVED: gettext_lazy("Answered. Please tell us whether the answer helped."),
    Status.CALLBACK: gettext_lazy("Answered, and your opinion is recorded."),
    Status.CLOSED: gettext_lazy("Finished."),
    Status.MERGED: gettext_lazy("Handled together with an earlier report of the same matter."),
    Status.INVALID: gettext_lazy("Closed without action: it could not be acted on."),
}
EVENT_WORDS = {
    "ticket.create": gettext_lazy("Report received"),
    "ticket.dispatch": gettext_lazy("Sent to the handling unit"),
    "ticket.accept": gettext_lazy("Taken on by the handling unit"),
    "ticket.start": gettext_lazy("Work started"),
    "ticket.return": gettext_lazy("Passed back to be sent to another unit"),
    "ticket.resolve": gettext_lazy("Answer given"),
    "ticket.answer_directly": gettext_lazy("Answered directly"),
    "ticket.callback": gettext_lazy("Your opinion recorded"),
    "ticket.reopen": gettext_lazy("Taken up again"),
    "ticket.close": gettext_lazy("Finished"),
    "ticket.merge": gettext_lazy("Joined with an earlier report"),
    "ticket.mark_invalid": gettext_lazy("Closed without action"),
}


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label=gettext_lazy("How satisfied are you with the answer?"),
                               choices=Rating.choices, widget=forms.RadioSelect)
    resolved = forms.TypedChoiceField(label=gettext_lazy("Is the problem solved?"), widget=forms.RadioSelect,
                                      choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))],
                                      coerce=lambda answer: answer == "yes")


def _over_limit(request) -> bool:
    """Counts this client's portal posts in the shared cache (settings.CACHES); behind a
    proxy, name it in SHIYU_TRUSTED_PROXIES, or all residents count as one client."""
    key = f"shiyu.portal.posts:{client_address(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) > POSTS_PER_HOUR
    except ValueError:  # expired between add and incr: this post starts a new hour
        return False


def _resident(user):
    """Who reports: a signed-in citizen as themselves; anyone else, staff included, as a
    resident without an account (the portal is no back door into a staff role)."""
    return user if user.is_authenticated and user.has_role(Role.CITIZEN) else None


def _public(ticket: Ticket, text: str) -> str:
    return mask_house_numbers(public_text(ticket, text))


def _area(ticket: Ticket) -> str:
    return " · ".join(unit.name for unit in (ticket.district, ticket.subdistrict, ticket.community) if unit)


def report(request):
    form = PortalReportForm(request.POST, request.FILES) if request.method == "POST" else PortalReportForm()
    status = 200
    if request.method == "POST" and _over_limit(request):
        form.add_error(None, _("Too many reports from your connection. Please try again in an hour."))
        status = 429
    elif request.method == "POST":
        ticket, status = submit_report(form, lambda valid: take_in_report(
            actor=_resident(request.user), data=valid.ticket_input(Channel.WEB, valid.cleaned_data["request_type"]),
            photo=valid.cleaned_data["photo"]))
        if ticket:
            messages.success(request, _("Thank you. Keep your tracking code to follow your report."))
            return redirect("web:portal-tracked", tracking=make_tracking_code(ticket.code))
    return render(request, "web/portal/report.html", {"form": form}, status=status)


@cache_control(public=True, max_age=600)
def areas_geojson(request):
    """The city's communities, for tapping the place of a report (reference data, the same for all)."""
    communities = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNITY).only("name", "boundary_wkt")
    return JsonResponse(feature_collection(communities, lambda unit: {"name": unit.name},
                                           tolerance=COMMUNITY_OUTLINE_TOLERANCE))


def track(request):
    """Find a report by its tracking code (a GET form, so the page can be bookmarked)."""
    tracking = request.GET.get("code", "").strip().upper()
    if tracking and verify_tracking_code(tracking):
        return redirect("web:portal-tracked", tracking=tracking)
    error = _("No report has this tracking code. Check it and try again.") if tracking else ""
    return render(request, "web/portal/track.html", {"code": tracking, "error": error},
                  status=404 if error else 200)


def tracked(request, tracking: str):
    return _tracked_page(request, tracking, RatingForm())


def _tracked_page(request, tracking: str, form: RatingForm, status: int = 200, refusal: str = ""):
    try:
        ticket = get_tracked_ticket(tracking)
    except NotFound:
        raise Http404 from None
    return render(request, "web/portal/tracked.html", {
        "ticket": ticket, "tracking": tracking.upper(), "status_words": STATUS_WORDS.get(ticket.status, ""),
        "description": _public(ticket, ticket.description), "reply": _public(ticket, ticket.reply),
        "area": _area(ticket), "timeline": [(e["at"], EVENT_WORDS[e["action"]]) for e in public_timeline(ticket)],
        "rating_form": form if ticket.status == Status.RESOLVED else None, "refusal": refusal,
    }, status=status)


@require_POST
def rate(request, tracking: str):
    """回访 by the resident: once per answer, through the ticket core."""
    form = RatingForm(request.POST)
    if _over_limit(request):
        return _tracked_page(request, tracking, form, 429, _("Too many requests. Please try again in an hour."))
    if not form.is_valid():
        return _tracked_page(request, tracking, form, 400)
    try:
        record_resident_rating(tracking_code=tracking, **form.cleaned_data)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _tracked_page(request, tracking, form, error.status, error.message)
    messages.success(request, _("Thank you: your opinion is recorded."))
    return redirect("web:portal-tracked", tracking=tracking.upper())


def resolved(request):
    """Replied reports for everyone to read: category, area down to the community, dates, the answer."""
    tickets, older = replied_publicly(after=request.GET.get("after", "")[:20], limit=PAGE_SIZE)
    rows = [{"category": ticket.category, "area": _area(ticket), "received": ticket.created_at,
             "replied": ticket.resolved_at, "reply": _public(ticket, ticket.reply)} for ticket in tickets]
    return render(request, "web/portal/resolved.html", {"rows": rows, "older": older,
                                                        "first_page": not request.GET.get("after")})


@login_required
def mine(request):
    if not request.user.has_role(Role.CITIZEN):
        raise PermissionDenied
    tickets = search_tickets(visible_tickets(request.user), {})[:MY_REPORTS_SHOWN]
    return render(request, "web/portal/mine.html", {
        "rows": [(ticket, make_tracking_code(ticket.code)) for ticket in tickets]})
