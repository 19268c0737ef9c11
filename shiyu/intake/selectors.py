"""Every read of intake intelligence, within the reader's data scope."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shiyu.core.errors import NotAllowed, NotFound
from shiyu.core.models import Role
from shiyu.geo.locate import Location, locate
from shiyu.routing.services import Route, decide_route, place_from_address
from shiyu.tickets.models import Category, Status, Ticket
from shiyu.tickets.permissions import TRIAGE_ROLES
from shiyu.tickets.selectors import visible_tickets

from . import analysis
from .engine import ticket_text
from .models import SimilarTicket

TRIAGE_STATES = (Status.RECEIVED, Status.RETURNED)


def triage_queue(user) -> QuerySet[Ticket]:
    """Tickets waiting for a person to choose their category (the classifier was not
    sure, or there was no model), oldest first."""
    return (visible_tickets(user).filter(status__in=TRIAGE_STATES, category__isnull=True)
            .select_related("category_suggestion", "subdistrict").order_by("created_at", "id"))


def similar_links(user, ticket: Ticket) -> QuerySet[SimilarTicket]:
    """The earlier tickets found for this one that the user may see."""
    return (SimilarTicket.objects.filter(ticket=ticket, earlier__in=visible_tickets(user))
            .select_related("earlier__category", "decided_by"))


def get_visible_link(user, pk: int) -> SimilarTicket:
    link = SimilarTicket.objects.filter(pk=pk, ticket__in=visible_tickets(user)).select_related("earlier").first()
    if link is None:
        raise NotFound(f"similar pair {pk} not found")
    return link


@dataclass
class IntakePreview:
    """What the operator's form shows while a call is being typed in."""

    advice: analysis.CategoryAdvice
    place: Location | None
    route: Route
    similar: list[analysis.SimilarFound] = field(default_factory=list)
    answers: list[tuple[Ticket, float]] = field(default_factory=list)


def preview_intake(user, *, title: str = "", description: str, phone: str = "", address: str = "",
                   lat: float | None = None, long: float | None = None,
                   category: Category | None = None) -> IntakePreview:
    if not user.has_role(*TRIAGE_ROLES, Role.GRIDWORKER):
        raise NotAllowed(_("Your role may not take in tickets."))
    text = ticket_text(title, description)
    place = locate(lat, long) if lat is not None and long is not None else None
    if place is None and address:
        place = place_from_address(address)
    advice = analysis.advise_category(text)
    chosen = category or (advice.best.category if advice.confident else None)
    route = decide_route(category=chosen, location=place, address=address)
    found = analysis.find_similar(text=text, phone=phone, community_id=place and place.community_id,
                                  lat=lat, long=long)
    visible = set(visible_tickets(user).filter(pk__in=[f.ticket.pk for f in found]).values_list("pk", flat=True))
    return IntakePreview(advice=advice, place=place, route=route,
                         similar=[f for f in found if f.ticket.pk in visible],
                         answers=analysis.suggest_answers(text))

