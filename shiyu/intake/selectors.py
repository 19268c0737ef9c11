"""Every read of intake intelligence, within the reader's data scope."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shiyu.core.errors import NotAllowed, NotFound
from shiyu.core.models import AuditEvent, Role
from shiyu.geo.locate import Location, locate
from shiyu.org.models import HandlingUnit
from shiyu.routing.services import Route, decide_route, place_from_address
from shiyu.tickets.models import Category, Status, Ticket
from shiyu.tickets.permissions import TRIAGE_ROLES
from shiyu.tickets.selectors import last_events, visible_tickets

from . import analysis
from .engine import ticket_text
from .models import CategorySuggestion, SimilarTicket

TRIAGE_STATES = (Status.RECEIVED, Status.RETURNED)


def triage_queue(user) -> QuerySet[Ticket]:
    """Tickets waiting for a person to choose their category (the classifier was not
    sure, or there was no model), oldest first."""
    return (visible_tickets(user).filter(status__in=TRIAGE_STATES, category__isnull=True)
            .select_related("category_suggestion", "subdistrict").order_by("created_at", "id"))


def awaiting_dispatch(user) -> QuerySet[Ticket]:
    """Received tickets whose category is settled, waiting for the dispatcher, oldest first."""
    return (visible_tickets(user).filter(status=Status.RECEIVED, category__isnull=False)
            .select_related("category", "subdistrict").order_by("created_at", "id"))


def returned_queue(user) -> QuerySet[Ticket]:
    """Tickets their lead unit sent back (退单), to be dispatched again, oldest first."""
    return (visible_tickets(user).filter(status=Status.RETURNED, category__isnull=False)
            .select_related("category", "subdistrict").order_by("created_at", "id"))


@dataclass(frozen=True)
class DispatchAdvice:
    """What the dispatcher is offered for one ticket."""

    category: Category | None  # the ticket's own; in triage, the classifier's best guess at intake
    route: Route  # today's rules for that category at the ticket's place
    returned: AuditEvent | None = None  # its last return: the reason (note) and the unit (data["unit"])

    @property
    def unit(self) -> HandlingUnit | None:
        """The suggested lead unit: the route's, unless that unit has just sent it back."""
        if self.route.unit is None or (self.returned and self.returned.data.get("unit") == self.route.unit.pk):
            return None
        return self.route.unit


def dispatch_advice(tickets: list[Ticket]) -> dict[int, DispatchAdvice]:
    """Advice for a page of the dispatcher's queue: a query for the triage guesses and
    one for the returns, whatever the page's length; routing itself reads memory, and
    by today's rules, so a category chosen after intake is routed too."""
    guesses = _best_guesses([t for t in tickets if t.category_id is None])
    returns = last_events([t for t in tickets if t.status == Status.RETURNED], "ticket.return")
    advice = {}
    for ticket in tickets:
        category = ticket.category or guesses.get(ticket.pk)
        route = decide_route(category=category, location=ticket.place, address=ticket.address)
        advice[ticket.pk] = DispatchAdvice(category, route, returns.get(ticket.pk))
    return advice


def _best_guesses(tickets: list[Ticket]) -> dict[int, Category]:
    best = {s.ticket_id: s.suggestions[0]["code"]
            for s in CategorySuggestion.objects.filter(ticket__in=tickets) if s.suggestions}
    categories = Category.objects.in_bulk(set(best.values()), field_name="code")
    return {pk: categories[code] for pk, code in best.items() if code in categories}


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

